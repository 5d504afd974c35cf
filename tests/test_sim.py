"""The simulated hub answers every route as documented, over real loopback HTTP.

Every request goes to 127.0.0.1 only: the urllib opener ignores proxy
settings from the environment and never follows redirects by itself.
"""

from __future__ import annotations

import datetime as dt
import email.message
import html
import http.client
import io
import json
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from ruamel.yaml import YAML

from pipeline.extract import extract
from pipeline.judge import judge
from pipeline.models import Availability, Evidence, FetchResult, Resource, SourceLocation
from pipeline.sim import SimulatedHub, demo_entries, write_demo_catalogue
from pipeline.sim.challenges import cf_email_code
from tests.fakes import cannot_bind

pytestmark = pytest.mark.integration

GUIDE = "/attc/car-t-clinical-journey-guide.pdf"
FACT_SHEET = "/bms/cell-therapy-fact-sheet.pdf"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand 3xx answers back to the test instead of following them."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def fetch(
    url: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, email.message.Message, bytes]:
    """(status, headers, body) of one request, whatever the status."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=5) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def title_of(body: bytes, encoding: str = "utf-8") -> str:
    """The <title> of an HTML body."""
    match = re.search(r"<title>(.*?)</title>", body.decode(encoding), re.S)
    assert match, body[:200]
    return match.group(1)


def port_of(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


@pytest.fixture
def hub() -> Iterator[SimulatedHub]:
    with SimulatedHub() as running:
        yield running
    assert running.server_errors() == []


# --------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------


def test_guide_pdf_has_92_pages_a_title_and_validators(hub: SimulatedHub) -> None:
    status, headers, body = fetch(hub.url(GUIDE))
    assert status == 200
    assert headers["Content-Type"] == "application/pdf"
    assert headers["ETag"] and headers["Last-Modified"]
    assert int(headers["Content-Length"]) == len(body)
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 92
    assert reader.metadata is not None
    assert reader.metadata.title == (
        "The CAR T-Cell Therapy Clinical Trial Journey \u2013 A Guide for Patients and Carers"
    )
    assert "Page 92 of 92" in reader.pages[91].extract_text()


def test_guide_pdf_answers_conditional_requests_with_304(hub: SimulatedHub) -> None:
    _, headers, _ = fetch(hub.url(GUIDE))
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, again, body = fetch(hub.url(GUIDE), headers={"If-None-Match": etag})
    assert (status, body, again["ETag"]) == (304, b"", etag)
    assert fetch(hub.url(GUIDE), headers={"If-Modified-Since": modified})[0] == 304
    old = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert fetch(hub.url(GUIDE), headers={"If-Modified-Since": old})[0] == 200
    assert fetch(hub.url(GUIDE), headers={"If-None-Match": '"other"'})[0] == 200


def test_fact_sheet_pdf_has_one_page(hub: SimulatedHub) -> None:
    status, headers, body = fetch(hub.url(FACT_SHEET))
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    assert reader.metadata is not None
    assert reader.metadata.title == "Cell therapy treatment experience fact sheet"


def test_infographic_is_a_valid_png(hub: SimulatedHub) -> None:
    status, headers, body = fetch(hub.url("/bms/car-t-infographic.png"))
    assert (status, headers["Content-Type"]) == (200, "image/png")
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", body[16:24])
    idat_length = struct.unpack(">I", body[33:37])[0]
    assert body[37:41] == b"IDAT"
    pixels = zlib.decompress(body[41 : 41 + idat_length])
    assert len(pixels) == height * (1 + 3 * width)


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/", "Simulated patient hub"),
        (
            "/mayo/car-t-infographic",
            "Infographic: Mayo Clinic CAR-T Cell Therapy Program - Mayo Clinic",
        ),
        ("/mayo/car-t-program", "CAR-T Cell Therapy Program - Overview - Mayo Clinic"),
        ("/gilead/car-t", "CAR T Cell Therapy | Kite, a Gilead Company"),
        (
            "/mpe/webinar-myeloma-car-t",
            "Webinar | Doctor and patients' perspective on myeloma CAR-T",
        ),
        ("/attc/glossary", "The CAR T-Cell Therapy Clinical Journey Guide \u2013 Glossary"),
        ("/guide-now-html", "Download our guide"),
        ("/title-changed", "A completely different page title"),
    ],
)
def test_html_pages_carry_their_titles(hub: SimulatedHub, path: str, title: str) -> None:
    status, headers, body = fetch(hub.url(path))
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert title_of(body) == title
    assert b'lang="en"' in body


def test_latin1_page_declares_its_charset_only_in_meta(hub: SimulatedHub) -> None:
    status, headers, body = fetch(hub.url("/latin1-page"))
    assert (status, headers["Content-Type"]) == (200, "text/html")
    assert b'<meta charset="iso-8859-1">' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert title_of(body, "iso-8859-1") == "Thérapie CAR-T : étapes du traitement"


def test_damaged_pdf_opens_in_no_reader(hub: SimulatedHub) -> None:
    status, headers, body = fetch(hub.url("/damaged.pdf"))
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert body.startswith(b"%PDF-")
    assert body == fetch(hub.url("/damaged.pdf"))[2], "must be deterministic"
    with pytest.raises(PyPdfError):
        len(PdfReader(io.BytesIO(body)).pages)
    pdfium = pytest.importorskip("pypdfium2")
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(body)


# --------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/status/404", 404),
        ("/status/410", 410),
        ("/status/500", 500),
        ("/status/503", 503),
        ("/status/418", 418),
        ("/status/999", 404),
        ("/forbidden", 403),
        ("/no/such/page", 404),
    ],
)
def test_status_routes(hub: SimulatedHub, path: str, status: int) -> None:
    code, headers, body = fetch(hub.url(path))
    assert code == status
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(headers["Content-Length"]) == len(body) > 0
    assert "cf-mitigated" not in headers


def test_members_only_asks_for_basic_auth(hub: SimulatedHub) -> None:
    status, headers, _ = fetch(hub.url("/status/401"))
    assert status == 401
    assert headers["WWW-Authenticate"] == 'Basic realm="members"'


def test_challenge_looks_like_cloudflare(hub: SimulatedHub) -> None:
    status, headers, body = fetch(hub.url("/challenge"))
    assert (status, headers["cf-mitigated"]) == (403, "challenge")
    assert title_of(body) == "Just a moment..."


def test_rate_limited_always_answers_429(hub: SimulatedHub) -> None:
    for _ in range(2):
        status, headers, _ = fetch(hub.url("/rate-limited"))
        assert (status, headers["Retry-After"]) == (429, "1")
    assert hub.hits("/rate-limited") == 2


def test_flaky_fails_once_per_key(hub: SimulatedHub) -> None:
    assert fetch(hub.url("/flaky?key=a"))[0] == 503
    status, _, body = fetch(hub.url("/flaky?key=a"))
    assert (status, title_of(body)) == (200, "Flaky but fine")
    assert fetch(hub.url("/flaky?key=b"))[0] == 503
    assert hub.hits("/flaky") == 3
    assert (hub.hits("/flaky?key=a"), hub.hits("/flaky?key=b")) == (2, 1)


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/moved-permanently", 301, "/mayo/car-t-program"),
        ("/moved-temporarily", 302, "/gilead/car-t"),
        ("/moved-307", 307, "/gilead/car-t"),
        ("/chain/3", 302, "/chain/2"),
        ("/chain/1", 302, "/chain/0"),
        ("/loop/a", 302, "/loop/b"),
        ("/loop/b", 302, "/loop/a"),
        ("/deep/old-guide.html", 302, "/"),
        ("/deep/moved-home", 301, "/"),
        ("/members/guide", 302, "/login?next=/members/guide"),
        ("/sso/guide", 302, "/auth/realms/hospital/protocol/openid-connect/auth?client_id=x"),
    ],
)
def test_redirects(hub: SimulatedHub, path: str, status: int, location: str) -> None:
    code, headers, body = fetch(hub.url(path))
    assert (code, headers["Location"]) == (status, location)
    assert int(headers["Content-Length"]) == len(body)


def test_308_points_at_an_absolute_url(hub: SimulatedHub) -> None:
    status, headers, _ = fetch(hub.url("/moved-308"))
    assert (status, headers["Location"]) == (308, hub.url("/gilead/car-t"))


def test_chain_ends_in_a_page(hub: SimulatedHub) -> None:
    assert fetch(hub.url("/chain/0"))[0] == 200


def test_refused_url_refuses(hub: SimulatedHub) -> None:
    url = hub.refused_url()
    assert url.startswith("http://127.0.0.1:")
    assert port_of(url) != port_of(hub.base_url)
    with pytest.raises(urllib.error.URLError) as caught:
        fetch(url)
    assert isinstance(caught.value.reason, ConnectionRefusedError)


# --------------------------------------------------------------------------
# HTTP behaviour, counters
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        GUIDE,
        "/status/404",
        "/moved-permanently",
        "/challenge",
        "/soft/anything",
        "/paywalled",
        "/challenge-503",
        "/status-999",
        "/oembed?url=https%3A%2F%2Fyoutu.be%2Fremoved-video",
        "/js/challenge",
        "/js/challenge-forever",
        "/js/written",
        "/js/login-wall",
        "/js/beacon?to=http%3A%2F%2F10.0.0.1%2F",
    ],
)
def test_head_is_get_without_a_body(hub: SimulatedHub, path: str) -> None:
    get_status, get_headers, body = fetch(hub.url(path))
    head_status, head_headers, empty = fetch(hub.url(path), method="HEAD")
    assert (head_status, empty) == (get_status, b"")
    assert head_headers["Content-Length"] == get_headers["Content-Length"] == str(len(body))
    assert head_headers["Content-Type"] == get_headers["Content-Type"]


def test_keep_alive_serves_several_requests_on_one_connection(hub: SimulatedHub) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port_of(hub.base_url), timeout=5)
    try:
        for path in ("/", "/status/404", "/moved-permanently", FACT_SHEET):
            connection.request("GET", path)
            response = connection.getresponse()
            assert len(response.read()) == int(response.headers["Content-Length"])
        connection.request("HEAD", GUIDE)
        assert connection.getresponse().read() == b""
        connection.request("GET", "/")
        assert connection.getresponse().status == 200
    finally:
        connection.close()


def test_hits_and_requests_log(hub: SimulatedHub) -> None:
    assert hub.hits("/gilead/car-t") == 0
    fetch(hub.url("/gilead/car-t"), headers={"User-Agent": "curate-test"})
    fetch(hub.url("/gilead/car-t?x=1"), method="HEAD")
    assert hub.hits("/gilead/car-t") == 2
    assert hub.hits("/gilead/car-t?x=1") == 1
    log = hub.requests_log()
    assert [(method, path) for method, path, _ in log] == [
        ("GET", "/gilead/car-t"),
        ("HEAD", "/gilead/car-t?x=1"),
    ]
    assert log[0][2]["User-Agent"] == "curate-test"


def test_oversized_streams_without_a_length(hub: SimulatedHub) -> None:
    with _OPENER.open(hub.url("/oversized"), timeout=5) as response:
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Length"] is None
        assert response.read(8) == b"%PDF-1.7"
        assert len(response.read(1024 * 1024)) == 1024 * 1024


def test_oversized_declared_announces_200_megabytes(hub: SimulatedHub) -> None:
    with _OPENER.open(hub.url("/oversized-declared"), timeout=5) as response:
        assert response.headers["Content-Length"] == "209715200"
        assert len(response.read(256 * 1024)) == 256 * 1024


def test_trickle_sends_bytes_slowly_then_ends() -> None:
    with SimulatedHub(trickle_seconds=0.5) as hub:
        started = time.monotonic()
        status, headers, body = fetch(hub.url("/slow-trickle"))
        elapsed = time.monotonic() - started
    assert (status, headers["Content-Length"]) == (200, None)
    assert 0.4 < elapsed < 3
    assert 2 <= len(body) <= 5, "about one byte every 0.2 s"


# --------------------------------------------------------------------------
# Lifecycle
# --------------------------------------------------------------------------


def _read_in_background(url: str, first_byte: threading.Event) -> threading.Thread:
    """A daemon thread that reads `url` to the end, setting the event on the first byte."""

    def read() -> None:
        try:
            with _OPENER.open(url, timeout=10) as response:
                response.read(1)
                first_byte.set()
                while response.read(1):
                    pass
        except OSError:
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


def test_stop_is_prompt_while_a_trickle_is_mid_stream() -> None:
    hub = SimulatedHub().start()
    first_byte = threading.Event()
    reader = _read_in_background(hub.url("/slow-trickle"), first_byte)
    assert first_byte.wait(5)
    started = time.monotonic()
    hub.stop()
    assert time.monotonic() - started < 2
    reader.join(2)
    assert not reader.is_alive()


def test_stop_is_prompt_while_a_client_does_not_read_a_huge_body() -> None:
    hub = SimulatedHub().start()
    connection = http.client.HTTPConnection("127.0.0.1", port_of(hub.base_url), timeout=5)
    try:
        connection.request("GET", "/oversized")
        assert connection.getresponse().status == 200
        started = time.monotonic()
        hub.stop()
        assert time.monotonic() - started < 2
    finally:
        connection.close()


def test_stop_is_idempotent_and_closes_the_socket() -> None:
    hub = SimulatedHub().start()
    port = port_of(hub.base_url)
    hub.stop()
    hub.stop()
    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
    with pytest.raises(RuntimeError):
        hub.start()
    SimulatedHub().stop()  # never started: nothing to do


def test_base_url_is_known_only_once_started() -> None:
    hub = SimulatedHub()
    with pytest.raises(RuntimeError):
        _ = hub.base_url
    with hub:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", hub.base_url)
        assert hub.url("/x") == hub.base_url + "/x"


@pytest.mark.parametrize("host", ["0.0.0.0", "localhost", "::1", ""])
def test_only_ipv4_loopback_is_accepted(host: str) -> None:
    with pytest.raises(ValueError):
        SimulatedHub(host=host)


def test_module_runs_in_the_foreground_until_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.sim", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert fetch(base_url + "/")[0] == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
        assert process.stderr is not None
        assert process.stderr.read() == ""
    finally:
        process.kill()
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


# --------------------------------------------------------------------------
# Soft 404s, walls, bot blocks and variants
# --------------------------------------------------------------------------

HTML = "text/html; charset=utf-8"
REAL_TEXT = 1500  # characters of readable text a "real" page carries at least


class _TextParser(HTMLParser):
    """Collects the readable text of a page (no script or style), all or in <main>."""

    def __init__(self, only_main: bool) -> None:
        super().__init__()
        self.only_main = only_main
        self.hidden = 0
        self.in_main = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style")
        self.in_main += tag == "main"

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")
        self.in_main -= tag == "main"

    def handle_data(self, data: str) -> None:
        if not self.hidden and (self.in_main or not self.only_main):
            self.parts.append(data)


def text_of(body: bytes, *, only_main: bool = False) -> str:
    """The readable text of an HTML body, whitespace collapsed."""
    parser = _TextParser(only_main)
    parser.feed(body.decode("utf-8"))
    return " ".join(" ".join(parser.parts).split())


def h1_of(body: bytes) -> str:
    """The first <h1> of an HTML body."""
    match = re.search(r"<h1>(.*?)</h1>", body.decode("utf-8"), re.S | re.I)
    assert match, body[:200]
    return match.group(1)


def section(body: bytes, tag: str) -> str:
    """The markup inside the first <tag> element (header, main, footer)."""
    match = re.search(rf"<{tag}[\s>].*?</{tag}>", body.decode("utf-8"), re.S)
    assert match, f"no <{tag}>"
    return match.group(0)


def json_ld_of(body: bytes) -> dict[str, object]:
    """The first JSON-LD object of an HTML body."""
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', body.decode("utf-8"), re.S
    )
    assert match, "no JSON-LD"
    data = json.loads(match.group(1))
    assert isinstance(data, dict)
    return data


def ok_html(hub: SimulatedHub, path: str) -> bytes:
    """The body of a path that must answer 200 with UTF-8 HTML."""
    status, headers, body = fetch(hub.url(path))
    assert (status, headers["Content-Type"]) == (200, HTML), path
    assert int(headers["Content-Length"]) == len(body)
    return body


def test_every_soft_path_answers_the_same_welcome_page(hub: SimulatedHub) -> None:
    bodies = {ok_html(hub, path) for path in ("/soft/car-t-guide", "/soft/a", "/soft/b")}
    bodies.add(ok_html(hub, "/soft/deep/er/path.pdf?x=1"))
    assert len(bodies) == 1, "a random sibling must answer the very same page"
    body = bodies.pop()
    assert title_of(body) == "Welcome | Example Cancer Charity"
    assert "not found" not in body.decode().lower()
    assert body.count(b'<section class="teaser">') >= 3
    assert len(text_of(body)) >= 200, "enough text for a sibling-probe comparison"


def test_catchall_answers_a_search_page_but_its_one_real_article(hub: SimulatedHub) -> None:
    search = ok_html(hub, "/catchall/xyz")
    assert ok_html(hub, "/catchall/another-unknown") == search
    assert title_of(search) == "Search | Example Cancer Charity"
    assert b'type="search"' in search
    real = ok_html(hub, "/catchall/car-t-guide")
    assert real != search
    assert title_of(real) == h1_of(real) == "CAR T-cell therapy: a guide for patients"
    assert len(text_of(real, only_main=True)) >= REAL_TEXT


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("en", "Page not found"),
        ("fr", "Page introuvable"),
        ("de", "Seite nicht gefunden"),
        ("nl", "Pagina niet gevonden"),
        ("it", "Pagina non trovata"),
        ("es", "Página no encontrada"),
    ],
)
def test_not_found_pages_answer_200_in_six_languages(
    hub: SimulatedHub, lang: str, heading: str
) -> None:
    body = ok_html(hub, f"/nf/{lang}")
    assert title_of(body).startswith(heading + " | ")
    assert h1_of(body) == heading
    assert f'<html lang="{lang}">'.encode() in body
    assert b'<input type="search"' in body
    assert 0 < len(text_of(body, only_main=True)) < 300


def test_not_found_en_is_titled_like_a_hospital_page(hub: SimulatedHub) -> None:
    assert title_of(ok_html(hub, "/nf/en")) == "Page not found | Example Hospital"
    assert fetch(hub.url("/nf/xx"))[0] == 404


def test_parked_domain_is_for_sale(hub: SimulatedHub) -> None:
    body = ok_html(hub, "/parked")
    assert title_of(body) == "example-cart-guide.org is for sale"
    text = text_of(body)
    assert "This domain may be for sale. Buy this domain" in text
    assert b'<script src="https://img.sedoparking.com/js/park.js"></script>' in body


def test_members_guide_redirects_to_a_login_form(hub: SimulatedHub) -> None:
    _, headers, _ = fetch(hub.url("/members/guide"))
    body = ok_html(hub, headers["Location"])
    assert title_of(body) == "Sign in"
    main = section(body, "main")
    assert '<form method="post" action="/login"' in main
    assert 'type="password"' in main and 'name="username"' in main
    assert len(text_of(body, only_main=True)) < 150, "little but the form"


def test_sso_guide_lands_on_a_password_form(hub: SimulatedHub) -> None:
    _, headers, _ = fetch(hub.url("/sso/guide"))
    body = ok_html(hub, headers["Location"])
    assert 'id="kc-form-login"' in section(body, "main")
    assert b'type="password"' in body
    assert len(text_of(body, only_main=True)) < 150


def test_password_page_is_a_wordpress_post_password_form(hub: SimulatedHub) -> None:
    body = ok_html(hub, "/password-page")
    main = section(body, "main")
    assert 'class="post-password-form"' in main and 'type="password"' in main
    assert (
        "This content is password protected. To view it please enter your password below"
        in text_of(body)
    )
    assert title_of(body).startswith("Protected: ")


def test_header_login_is_a_real_article_with_a_login_form_in_its_header(
    hub: SimulatedHub,
) -> None:
    body = ok_html(hub, "/header-login")
    header, main = section(body, "header"), section(body, "main")
    assert ">Log in</a>" in header and 'type="password"' in header
    assert "<form" not in main
    assert len(text_of(body, only_main=True)) >= REAL_TEXT


def test_paywalled_article_is_a_teaser_with_paywall_markup(hub: SimulatedHub) -> None:
    body = ok_html(hub, "/paywalled")
    data = json_ld_of(body)
    assert (data["@type"], data["isAccessibleForFree"]) == ("NewsArticle", False)
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".paywall",
    }
    assert b'<div class="paywall">Subscribe to continue reading</div>' in body
    assert b'<script src="https://cdn.tinypass.com/api/tinypass.min.js">' in body
    teaser = re.findall(r"<p>(.*?)</p>", section(body, "main"), re.S)
    assert 200 <= sum(len(p) for p in teaser) <= 400


def test_free_article_carries_the_vendor_but_is_free(hub: SimulatedHub) -> None:
    body = ok_html(hub, "/free-article")
    data = json_ld_of(body)
    assert (data["@type"], data["isAccessibleForFree"]) == ("NewsArticle", True)
    assert "hasPart" not in data
    assert b"https://cdn.tinypass.com/api/tinypass.min.js" in body
    assert b"paywall" not in body
    assert len(text_of(body, only_main=True)) >= REAL_TEXT


def test_guide_registration_is_a_hubspot_form(hub: SimulatedHub) -> None:
    body = ok_html(hub, "/guide-registration")
    main = section(body, "main")
    action = "https://forms.hsforms.com/submissions/v3/public/submit/formsnext/multipart/123/abc"
    assert f'action="{action}" class="hs-form"' in main
    for name in ("firstname", "lastname", "email"):
        assert f'name="{name}"' in main
    assert b'<script src="//js.hsforms.net/forms/v2.js">' in body
    text = text_of(body).lower()
    assert "download our free car-t guide" in text and "fill in the form to download" in text


def test_webinar_registration_has_an_on24_form_and_no_video(hub: SimulatedHub) -> None:
    body = ok_html(hub, "/webinar-register")
    assert h1_of(body) == "Doctor and patients' perspective on myeloma CAR-T"
    assert "register to watch the recording" in text_of(body).lower()
    main = section(body, "main")
    assert re.search(r'<form method="post" action="https://event\.on24\.com/[^"]*"', main)
    for name in ("email", "firstname", "company"):
        assert f'name="{name}"' in main
    assert b"<iframe" not in body and b"<video" not in body


def test_open_webinar_embeds_the_video_and_has_only_a_footer_newsletter(
    hub: SimulatedHub,
) -> None:
    body = ok_html(hub, "/webinar-open")
    main, footer = section(body, "main"), section(body, "footer")
    assert 'src="https://www.youtube-nocookie.com/embed/abc123"' in main
    assert main.count("<iframe ") == 1
    assert "<form" not in main
    assert 'type="email"' in footer


def test_cookie_page_switches_between_open_and_walled(hub: SimulatedHub) -> None:
    assert hub.variant("cookie-wall") == "open"
    open_page = ok_html(hub, "/cookie-page")
    assert len(text_of(open_page, only_main=True)) >= 2000
    hub.set_variant("cookie-wall", "walled")
    walled = ok_html(hub, "/cookie-page")
    assert title_of(walled) == title_of(open_page)
    assert len(text_of(walled, only_main=True)) < 200
    assert "We value your privacy \u2014 accept all cookies to continue" in text_of(walled)
    for body in (open_page, walled):
        assert b'<div id="onetrust-banner-sdk"' in body
        assert b'src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js"' in body
    assert b"We value your privacy" not in open_page
    hub.set_variant("cookie-wall", "open")
    assert ok_html(hub, "/cookie-page") == open_page


def test_drift_page_keeps_its_title_but_changes_its_text(hub: SimulatedHub) -> None:
    first = ok_html(hub, "/drift-page")
    text = text_of(first, only_main=True)
    assert len(text) >= 2000 and "Cytokine release syndrome" in text
    hub.set_variant("drift", "b")
    second = ok_html(hub, "/drift-page")
    assert title_of(second) == title_of(first)
    other = text_of(second, only_main=True)
    assert "parking" in other.lower() and "cytokine" not in other.lower()
    hub.set_variant("drift", "a")
    assert ok_html(hub, "/drift-page") == first


@pytest.mark.parametrize(
    ("name", "value"), [("cookie-wall", "closed"), ("drift", "c"), ("no-such-variant", "a")]
)
def test_unknown_variants_and_values_are_refused(hub: SimulatedHub, name: str, value: str) -> None:
    with pytest.raises(ValueError):
        hub.set_variant(name, value)


def test_variants_can_be_set_before_start_and_belong_to_one_hub() -> None:
    walled = SimulatedHub()
    walled.set_variant("cookie-wall", "walled")
    with walled, SimulatedHub() as other:
        assert b"We value your privacy" in fetch(walled.url("/cookie-page"))[2]
        assert b"We value your privacy" not in fetch(other.url("/cookie-page"))[2]


def test_set_variant_is_safe_while_requests_are_served(hub: SimulatedHub) -> None:
    versions = {ok_html(hub, "/drift-page")}
    hub.set_variant("drift", "b")
    versions.add(ok_html(hub, "/drift-page"))
    seen: list[bytes] = []

    def read() -> None:
        for _ in range(20):
            seen.append(fetch(hub.url("/drift-page"))[2])

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for flip in range(40):
        hub.set_variant("drift", "ab"[flip % 2])
    for reader in readers:
        reader.join(10)
    assert len(seen) == 80 and set(seen) <= versions


CF_SCRIPT = b"/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"


def test_challenge_200_is_an_interstitial_without_cf_mitigated(hub: SimulatedHub) -> None:
    status, headers, body = fetch(hub.url("/challenge-200"))
    assert status == 200 and "cf-mitigated" not in headers
    assert title_of(body) == "Just a moment..."
    assert CF_SCRIPT in body and b"Enable JavaScript and cookies to continue" in body


def test_challenge_503_carries_cf_mitigated(hub: SimulatedHub) -> None:
    status, headers, body = fetch(hub.url("/challenge-503"))
    assert (status, headers["cf-mitigated"]) == (503, "challenge")
    assert body == fetch(hub.url("/challenge-200"))[2]


def test_akamai_denies_access_with_a_reference(hub: SimulatedHub) -> None:
    status, headers, body = fetch(hub.url("/akamai-denied"))
    assert (status, headers["Server"]) == (403, "AkamaiGHost")
    assert re.search(rb"<title>Access Denied</title>", body, re.I)
    text = " ".join(body.decode("ascii").split())
    assert 'You don\'t have permission to access "http://www.example.org/" on this server.' in text
    assert "Reference #18.6f4c1402.1700000000.1a2b3c4d" in text
    assert "https://errors.edgesuite.net/18.6f4c1402.1700000000.1a2b3c4d" in text


def test_status_999_has_linkedins_reason_phrase(hub: SimulatedHub) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port_of(hub.base_url), timeout=5)
    try:
        connection.request("GET", "/status-999")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert (response.status, response.reason) == (999, "Request denied")
    assert 0 < len(body) < 100
    assert fetch(hub.url("/status-999"))[0] == 999


def test_cloudflare_email_page_is_a_real_article(hub: SimulatedHub) -> None:
    body = ok_html(hub, "/cloudflare-email")
    assert b'<script src="/cdn-cgi/scripts/5c5dd728/cloudflare-static/email-decode.min.js"' in body
    assert b"challenge-platform" not in body and b"Just a moment" not in body
    assert len(text_of(body, only_main=True)) >= REAL_TEXT
    assert "cf-mitigated" not in fetch(hub.url("/cloudflare-email"))[1]


def test_cloudflare_email_obfuscation_decodes_to_the_address() -> None:
    code = cf_email_code("support@example.org")
    key = int(code[:2], 16)
    decoded = bytes(int(code[i : i + 2], 16) ^ key for i in range(2, len(code), 2))
    assert decoded == b"support@example.org"


@pytest.mark.parametrize(
    "path",
    [
        "/catchall/car-t-guide",
        "/header-login",
        "/free-article",
        "/cloudflare-email",
        "/cookie-page",
        "/drift-page",
    ],
)
def test_real_pages_are_long_and_titled(hub: SimulatedHub, path: str) -> None:
    body = ok_html(hub, path)
    assert len(text_of(body, only_main=True)) >= REAL_TEXT
    assert b'lang="en"' in body and title_of(body)


# --------------------------------------------------------------------------
# Video platform
# --------------------------------------------------------------------------


def _youtube_oembed(hub: SimulatedHub, video_url: str) -> tuple[int, email.message.Message, bytes]:
    query = urlencode({"url": video_url, "format": "json"})
    return fetch(hub.url(f"/oembed?{query}"))


@pytest.mark.parametrize("video", ["ok-video", "removed-video", "whatever"])
def test_watch_pages_answer_200_for_any_video(hub: SimulatedHub, video: str) -> None:
    assert title_of(ok_html(hub, f"/watch?v={video}")) == f"{video} - YouTube"


@pytest.mark.parametrize(
    "video_url",
    [
        "https://www.youtube.com/watch?v=ok-video",
        "https://youtu.be/ok-video",
        "https://www.youtube.com/watch?feature=share&v=ok-video",
    ],
)
def test_youtube_oembed_describes_a_public_video(hub: SimulatedHub, video_url: str) -> None:
    status, headers, body = _youtube_oembed(hub, video_url)
    assert (status, headers["Content-Type"]) == (200, "application/json; charset=utf-8")
    data = json.loads(body)
    assert data["title"] == "Doctor and patients' perspective on myeloma CAR-T"
    assert (data["author_name"], data["type"], data["provider_name"]) == (
        "Myeloma Patients Europe",
        "video",
        "YouTube",
    )
    assert "ok-video" in data["html"]


@pytest.mark.parametrize(
    ("video", "status", "text"),
    [
        ("removed-video", 404, b"Not Found"),
        ("private-video", 400, b"Bad Request"),
        ("noembed-video", 401, b"Unauthorized"),
        ("never-existed", 404, b"Not Found"),
    ],
)
def test_youtube_oembed_errors(hub: SimulatedHub, video: str, status: int, text: bytes) -> None:
    assert _youtube_oembed(hub, f"https://www.youtube.com/watch?v={video}")[::2] == (status, text)
    assert _youtube_oembed(hub, f"https://youtu.be/{video}")[::2] == (status, text)


def test_youtube_oembed_without_a_url_is_a_bad_request(hub: SimulatedHub) -> None:
    assert fetch(hub.url("/oembed?format=json"))[0] == 400


def test_vimeo_pages_answer_200_for_any_number(hub: SimulatedHub) -> None:
    assert title_of(ok_html(hub, "/76979871")) == "Vimeo video 76979871"
    assert title_of(ok_html(hub, "/11111111")) == "Vimeo video 11111111"


@pytest.mark.parametrize(
    ("video_url", "status"),
    [
        ("https://vimeo.com/76979871", 200),
        ("https://player.vimeo.com/video/76979871", 200),
        ("https://vimeo.com/11111111", 404),
        ("https://vimeo.com/22222222", 403),
        ("https://vimeo.com/33333333", 404),
        ("https://vimeo.com/", 404),
    ],
)
def test_vimeo_oembed(hub: SimulatedHub, video_url: str, status: int) -> None:
    code, headers, body = fetch(hub.url("/api/oembed.json?" + urlencode({"url": video_url})))
    assert (code, headers["Content-Type"]) == (status, "application/json; charset=utf-8")
    data = json.loads(body)
    if status == 200:
        assert (data["title"], data["provider_name"]) == ("CAR-T explained", "Vimeo")
    else:
        assert data["domain_status_code"] == status


def _can_bind(host: str) -> bool:
    """Whether this machine lets a socket bind to `host` (127.0.0.2 is not everywhere)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
    except OSError:
        return False
    return True


def test_a_second_hub_on_127_0_0_2_plays_the_video_platform(hub: SimulatedHub) -> None:
    if not _can_bind("127.0.0.2"):
        cannot_bind("this machine cannot bind 127.0.0.2 (only 127.0.0.1 is configured)")
    with SimulatedHub(host="127.0.0.2") as platform:
        assert platform.base_url.startswith("http://127.0.0.2:")
        status, _, body = _youtube_oembed(platform, "https://www.youtube.com/watch?v=ok-video")
        assert status == 200 and json.loads(body)["provider_name"] == "YouTube"
        assert _youtube_oembed(platform, "https://youtu.be/noembed-video")[0] == 401
        assert ok_html(platform, "/webinar-open") == ok_html(hub, "/webinar-open")
        assert (platform.hits("/oembed"), hub.hits("/oembed")) == (2, 0)
        assert platform.refused_url().startswith("http://127.0.0.2:")
    assert platform.server_errors() == []


# --------------------------------------------------------------------------
# Scripted pages: what a browser changes (only their bytes are tested here)
# --------------------------------------------------------------------------

CLEARED = "curate_sim_cleared=1"
CLEAR_SCRIPT = (
    b'document.cookie = "curate_sim_cleared=1; path=/";',
    b"location.reload();",
    b"}, 300);",
)
# A loopback address (the browser's guard refuses it), with characters to escape; only
# the page's HTML is read here, nothing connects to it.
BEACON_TARGET = 'http://127.0.0.1:9/beacon?a=1&b="</script><script>alert(1)</script>'


def scripts_of(body: bytes) -> str:
    """The text of every inline <script> of a page, joined."""
    return "\n".join(re.findall(r"<script>(.*?)</script>", body.decode("utf-8"), re.S))


def rendered(shell: bytes) -> bytes:
    """The document once a shell's script has run: title set, #app filled."""
    code = scripts_of(shell)
    title = re.search(r"document\.title = (.*);\n", code)
    markup = re.search(r'getElementById\("app"\)\.innerHTML = (.*);$', code, re.M)
    assert title and markup, code
    set_title = f"<title>{html.escape(json.loads(title.group(1)))}</title>"
    source = re.sub(r"<title>.*?</title>", set_title, shell.decode("utf-8"))
    filled = f'<div id="app">{json.loads(markup.group(1))}</div>'
    return source.replace('<div id="app"></div>', filled).encode("utf-8")


def judged(body: bytes, status: int = 200) -> tuple[Availability, set[str]]:
    """curate's verdict on a page answered with these bytes (extract, then judge)."""
    url = "https://charity.example.org/js/page"
    result = FetchResult(
        url=url, final_url=url, status=status, headers={"Content-Type": HTML}, body=body
    )
    listed = Resource(
        id="page", title="", url=url, hub="test", source=SourceLocation("catalogue/test.yaml", 1)
    )
    verdict = judge(listed, Evidence(result, extract(body, HTML)), dt.date(2026, 11, 25), 1095)
    return verdict.availability, {finding.code.value for finding in verdict.findings}


def test_js_challenge_is_a_cloudflare_challenge_that_its_script_clears(
    hub: SimulatedHub,
) -> None:
    status, headers, body = fetch(hub.url("/js/challenge"))
    assert (status, headers["Content-Type"], headers["cf-mitigated"]) == (403, HTML, "challenge")
    assert title_of(body) == "Just a moment..." and CF_SCRIPT in body
    assert all(line.decode() in scripts_of(body) for line in CLEAR_SCRIPT)
    assert judged(body, status) == (Availability.BLOCKED, {"bot-challenge"})


@pytest.mark.parametrize("cookie", [CLEARED, f"other=1; {CLEARED}", f"{CLEARED};x=2"])
def test_js_challenge_with_its_cookie_is_the_article(hub: SimulatedHub, cookie: str) -> None:
    status, headers, body = fetch(hub.url("/js/challenge"), headers={"Cookie": cookie})
    assert (status, headers["Content-Type"]) == (200, HTML)
    assert title_of(body) == "CAR-T after the challenge"
    assert "cf-mitigated" not in headers and b"<script" not in body
    assert len(text_of(body, only_main=True)) > 600
    assert judged(body) == (Availability.AVAILABLE, set())


@pytest.mark.parametrize("cookie", ["curate_sim_cleared=0", "xcurate_sim_cleared=1", ""])
def test_js_challenge_wants_exactly_its_cookie(hub: SimulatedHub, cookie: str) -> None:
    assert fetch(hub.url("/js/challenge"), headers={"Cookie": cookie})[0] == 403


@pytest.mark.parametrize("cookie", ["", CLEARED])
def test_js_challenge_forever_is_never_cleared(hub: SimulatedHub, cookie: str) -> None:
    status, headers, body = fetch(hub.url("/js/challenge-forever"), headers={"Cookie": cookie})
    assert (status, headers["cf-mitigated"]) == (403, "challenge")
    assert title_of(body) == "Just a moment..."
    code = scripts_of(body)
    assert "setInterval" in code and "challenge-running" in code
    assert "document.cookie" not in code and "reload" not in code
    assert judged(body, status) == (Availability.BLOCKED, {"bot-challenge"})


def test_js_written_is_an_empty_shell_until_its_script_runs(hub: SimulatedHub) -> None:
    shell = ok_html(hub, "/js/written")
    assert title_of(shell) == "Loading\u2026" and text_of(shell) == "Loading\u2026"
    assert '<div id="app"></div>' in section(shell, "body")
    assert extract(shell, HTML).text_length < 20 and "CAR-T aftercare" in scripts_of(shell)
    page = rendered(shell)
    assert title_of(page) == "Written by a script: CAR-T aftercare"
    assert len(text_of(page, only_main=True)) > 600 and h1_of(page) == "CAR-T aftercare"
    assert extract(page, HTML).text_length > 600


def test_js_login_wall_is_a_sign_in_form_once_its_script_runs(hub: SimulatedHub) -> None:
    shell = ok_html(hub, "/js/login-wall")
    assert title_of(shell) == "Loading\u2026" and text_of(shell) == "Loading\u2026"
    assert b"password" not in re.sub(rb"<script>.*?</script>", b"", shell, flags=re.S)
    assert judged(shell) == (Availability.AVAILABLE, set())
    page = rendered(shell)
    form = section(page, "form")
    assert '<input type="password"' in form and '<input type="text"' in form
    assert '<button type="submit">Log in</button>' in form
    assert (title_of(page), h1_of(page)) == ("Sign in to continue", "Sign in to continue")
    assert judged(page) == (Availability.GATED, {"login-wall"})


def test_js_beacon_loads_its_target_three_ways_escaped(hub: SimulatedHub) -> None:
    body = ok_html(hub, "/js/beacon?" + urlencode({"to": BEACON_TARGET}))
    page = body.decode("utf-8")
    assert f'<img src="{html.escape(BEACON_TARGET)}"' in section(body, "main")
    assert BEACON_TARGET not in page and page.count("<script>") == 1
    code = scripts_of(body)
    (literal,) = re.findall(r"var target = (.*);", code)
    assert json.loads(literal) == BEACON_TARGET
    assert 'fetch(target, {mode: "no-cors"})' in code and "pixel.src = target;" in code
    assert 'document.createElement("img")' in code
    assert len(text_of(body, only_main=True)) > 500
    assert judged(body) == (Availability.AVAILABLE, set())


@pytest.mark.parametrize("query", ["", "?to=", "?other=1"])
def test_js_beacon_without_a_target_is_a_bad_request(hub: SimulatedHub, query: str) -> None:
    assert fetch(hub.url(f"/js/beacon{query}"))[0] == 400


# --------------------------------------------------------------------------
# Demo catalogue
# --------------------------------------------------------------------------


def _load(path: Path) -> dict[str, object]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_demo_catalogue_points_at_the_hub(hub: SimulatedHub, tmp_path: Path) -> None:
    path = write_demo_catalogue(tmp_path / "catalogue", hub.base_url)
    data = _load(path)
    assert data["hub"] == "car-t-phases-demo"
    resources = data["resources"]
    assert isinstance(resources, list)
    ids = [entry["id"] for entry in resources]
    assert len(ids) == len(set(ids)) == len(demo_entries()) == 41
    for entry in resources:
        assert entry["url"].startswith("http://127.0.0.1:")
        if entry["id"] != "unreachable-host":
            assert entry["url"].startswith(hub.base_url + "/")
        assert ("pages" in entry) == (entry["format"] == "pdf")
    by_id = {entry["id"]: entry for entry in resources}
    assert by_id["attc-clinical-journey-guide"]["pages"] == 92
    assert by_id["pages-changed"]["url"] == hub.url(FACT_SHEET)
    assert by_id["pages-changed"]["pages"] == 2
    assert by_id["latin1-page"]["language"] == "fr"
    assert port_of(by_id["unreachable-host"]["url"]) != port_of(hub.base_url)


def test_demo_hub_resources_are_all_available(hub: SimulatedHub, tmp_path: Path) -> None:
    data = _load(write_demo_catalogue(tmp_path, hub.base_url))
    resources = data["resources"]
    assert isinstance(resources, list)
    for entry in resources[:8]:
        assert fetch(entry["url"], method="HEAD")[0] == 200, entry["id"]


def test_demo_wall_entries_answer_as_their_comments_say(hub: SimulatedHub, tmp_path: Path) -> None:
    data = _load(write_demo_catalogue(tmp_path, hub.base_url))
    resources = data["resources"]
    assert isinstance(resources, list)
    by_id = {entry["id"]: entry for entry in resources}
    expected = {
        "soft-404-page": 200,
        "parked-domain": 200,
        "members-guide-login-redirect": 302,
        "password-protected": 200,
        "paywalled-article": 200,
        "guide-behind-registration": 200,
        "webinar-registration": 200,
        "challenge-200": 200,
        "akamai-denied": 403,
        "linkedin-999": 999,
    }
    for id_, status in expected.items():
        assert fetch(by_id[id_]["url"])[0] == status, id_
    guide = by_id["guide-behind-registration"]
    assert (guide["format"], guide["kind"], guide["pages"]) == ("pdf", "guide", 24)
    assert by_id["webinar-registration"]["kind"] == "webinar"
    urls = " ".join(entry["url"] for entry in resources)
    for skipped in ("/cookie-page", "/drift-page", "/watch", "/oembed", "vimeo", "youtube"):
        assert skipped not in urls
    text = (tmp_path / "car-t-phases-demo.yaml").read_text(encoding="utf-8")
    assert text.count("  # Shows: ") == len(resources) == len(by_id)


def test_the_cookie_check_sends_itself_a_cookie_then_serves_the_page(hub: SimulatedHub) -> None:
    status, headers, _ = fetch(hub.url("/cookie-check"))
    assert (status, headers["Location"]) == (302, "/cookie-check")
    cookie = headers["Set-Cookie"].split(";")[0]
    status, _, body = fetch(hub.url("/cookie-check"), headers={"Cookie": cookie})
    assert (status, title_of(body)) == (200, "Cookie check passed")
