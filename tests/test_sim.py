"""The simulated hub answers every route as documented, over real loopback HTTP.

Every request goes to 127.0.0.1 only: the urllib opener ignores proxy
settings from the environment and never follows redirects by itself.
"""

from __future__ import annotations

import email.message
import http.client
import io
import re
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from ruamel.yaml import YAML

from pipeline.sim import SimulatedHub, demo_entries, write_demo_catalogue

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


@pytest.mark.parametrize("path", ["/", GUIDE, "/status/404", "/moved-permanently", "/challenge"])
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
    assert len(ids) == len(set(ids)) == len(demo_entries()) == 23
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
