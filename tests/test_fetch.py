"""Unit tests of the fetch stage with `responses` (no socket is ever opened)."""

from __future__ import annotations

import gzip
import socket
import threading
import zlib
from dataclasses import replace

import pytest
import requests
import responses

from pipeline import __version__
from pipeline.config import FetchConfig
from pipeline.fetch.client import (
    MAX_DETAIL,
    MAX_HEADER_VALUE,
    MAX_HEADERS,
    Fetcher,
    Inflater,
    classify_exception,
)
from pipeline.fetch.guard import PeerRefused
from pipeline.fetch.retry import RetryPolicy, parse_retry_after
from pipeline.models import FetchError, FetchResult
from tests.fakes import FakeClock, resolver_to

BASE = "https://hub.example.org"
CONFIG = FetchConfig(
    contact="https://curation.example.org/contact",
    allow_private_networks=True,  # the unit tests resolve nothing at all
    retries=2,
    backoff_base=1.0,
    max_retry_after=30,
)


def make_fetcher(config: FetchConfig = CONFIG, clock: FakeClock | None = None) -> Fetcher:
    clock = clock or FakeClock()
    policy = RetryPolicy(config.retries, config.backoff_base, config.max_retry_after, lambda: 1.0)
    return Fetcher(config, clock=clock.clock(), policy=policy)


@responses.activate
def test_sends_an_honest_user_agent_with_the_contact_url() -> None:
    responses.get(f"{BASE}/page", body="<title>x</title>", content_type="text/html")
    make_fetcher().fetch(f"{BASE}/page")
    agent = responses.calls[0].request.headers["User-Agent"]
    assert f"curate/{__version__}" in agent
    assert "https://curation.example.org/contact" in agent


@responses.activate
def test_no_cookie_set_by_one_answer_is_sent_with_a_later_request() -> None:
    responses.get(f"{BASE}/consent", body="ok", headers={"Set-Cookie": "seen=1; Path=/"})
    responses.get(f"{BASE}/page", body="ok")
    fetcher = make_fetcher()
    fetcher.fetch(f"{BASE}/consent")
    fetcher.fetch(f"{BASE}/page")
    assert "Cookie" not in responses.calls[1].request.headers


@responses.activate
def test_a_plain_answer_keeps_status_headers_and_body() -> None:
    responses.get(f"{BASE}/page", body=b"hello", content_type="text/html", headers={"ETag": '"v1"'})
    result = make_fetcher().fetch(f"{BASE}/page")
    assert (result.status, result.body, result.header("etag")) == (200, b"hello", '"v1"')
    assert result.error is None and result.redirects == () and result.attempts == 1


@responses.activate
def test_every_redirect_hop_is_recorded() -> None:
    responses.get(f"{BASE}/old", status=301, headers={"Location": "/newer"})
    responses.get(f"{BASE}/newer", status=302, headers={"Location": f"{BASE}/newest"})
    responses.get(f"{BASE}/newest", body="ok")
    result = make_fetcher().fetch(f"{BASE}/old")
    assert [(h.url, h.status, h.location) for h in result.redirects] == [
        (f"{BASE}/old", 301, f"{BASE}/newer"),
        (f"{BASE}/newer", 302, f"{BASE}/newest"),
    ]
    assert (result.final_url, result.status) == (f"{BASE}/newest", 200)


@responses.activate
def test_a_redirect_loop_is_detected() -> None:
    responses.get(f"{BASE}/a", status=302, headers={"Location": "/b"})
    responses.get(f"{BASE}/b", status=302, headers={"Location": "/a"})
    result = make_fetcher().fetch(f"{BASE}/a")
    assert result.error is FetchError.REDIRECT_LOOP
    assert len(responses.calls) == 2


@responses.activate
def test_the_hop_limit_stops_a_long_chain() -> None:
    for n in range(6):
        responses.get(f"{BASE}/c{n}", status=302, headers={"Location": f"/c{n + 1}"})
    result = make_fetcher(replace(CONFIG, max_redirects=3)).fetch(f"{BASE}/c0")
    assert result.error is FetchError.TOO_MANY_REDIRECTS
    assert len(result.redirects) == 4


@responses.activate
def test_the_body_cap_stops_reading() -> None:
    responses.get(f"{BASE}/big.pdf", body=b"%PDF-" + b"x" * 5000, content_type="application/pdf")
    result = make_fetcher(replace(CONFIG, max_bytes=1000)).fetch(f"{BASE}/big.pdf")
    assert result.truncated and len(result.body) == 1000 and result.error is None


@responses.activate
def test_transient_5xx_is_retried_with_exponential_backoff() -> None:
    responses.get(f"{BASE}/flaky", status=503)
    responses.get(f"{BASE}/flaky", status=503)
    responses.get(f"{BASE}/flaky", body="fine")
    clock = FakeClock()
    result = make_fetcher(clock=clock).fetch(f"{BASE}/flaky")
    assert (result.status, result.attempts) == (200, 3)
    assert clock.sleeps == [1.0, 2.0]


@responses.activate
def test_retry_after_is_honoured_up_to_the_cap() -> None:
    responses.get(f"{BASE}/busy", status=429, headers={"Retry-After": "3"})
    responses.get(f"{BASE}/busy", status=429, headers={"Retry-After": "3600"})
    responses.get(f"{BASE}/busy", status=429, headers={"Retry-After": "3600"})
    clock = FakeClock()
    result = make_fetcher(clock=clock).fetch(f"{BASE}/busy")
    assert (result.status, result.attempts) == (429, 3)
    assert clock.sleeps == [3.0, 30.0]


@responses.activate
def test_a_refused_connection_is_not_retried() -> None:
    refused = requests.exceptions.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
    responses.get(f"{BASE}/down", body=refused)
    clock = FakeClock()
    result = make_fetcher(clock=clock).fetch(f"{BASE}/down")
    assert result.error is FetchError.CONNECTION_REFUSED
    assert result.attempts == 1 and clock.sleeps == []


@responses.activate
def test_a_timeout_is_retried_then_reported() -> None:
    responses.get(f"{BASE}/slow", body=requests.exceptions.ReadTimeout("read timed out"))
    result = make_fetcher().fetch(f"{BASE}/slow")
    assert result.error is FetchError.TIMEOUT and result.attempts == 3


@responses.activate
def test_client_errors_are_not_retried() -> None:
    responses.get(f"{BASE}/gone", status=404)
    result = make_fetcher().fetch(f"{BASE}/gone")
    assert (result.status, result.attempts) == (404, 1)


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (requests.exceptions.SSLError("certificate verify failed"), FetchError.TLS),
        (requests.exceptions.ConnectTimeout("connect timed out"), FetchError.TIMEOUT),
        (requests.exceptions.ConnectionError("Name or service not known"), FetchError.DNS),
        (requests.exceptions.ConnectionError("Connection reset by peer"), FetchError.CONNECTION),
        (requests.exceptions.InvalidSchema("No connection adapters for 'ftp://x'"),
         FetchError.UNSUPPORTED_SCHEME),
        (requests.exceptions.ConnectionError(PeerRefused("connected to non-public address")),
         FetchError.FORBIDDEN_ADDRESS),
    ],
)
def test_exceptions_map_to_fetch_errors(exception: Exception, expected: FetchError) -> None:
    assert classify_exception(exception)[0] is expected


@responses.activate
def test_a_loopback_address_gets_no_request_unless_allowed() -> None:
    config = replace(CONFIG, allow_private_networks=False)
    fetcher = Fetcher(config, clock=FakeClock().clock(), resolve=resolver_to("127.0.0.1"))
    result = fetcher.fetch("http://intranet.example.org/admin")
    assert result.error is FetchError.FORBIDDEN_ADDRESS
    assert "127.0.0.1" in result.error_detail
    assert len(responses.calls) == 0


# -- content codings: decoded here, within the cap ------------------------------

PAGE = b"<html><title>Decoded</title><p>" + b"CAR-T " * 2000 + b"</p></html>"


def _deflate(data: bytes, wbits: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", gzip.compress(PAGE)),
        ("x-gzip", gzip.compress(PAGE)),
        ("deflate", _deflate(PAGE, zlib.MAX_WBITS)),  # RFC 9110: zlib-wrapped
        ("deflate", _deflate(PAGE, -zlib.MAX_WBITS)),  # what some servers send: raw
        ("GZIP", gzip.compress(PAGE[:5000]) + gzip.compress(PAGE[5000:])),  # two members
        ("identity", PAGE),
    ],
)
@responses.activate
def test_compressed_pages_are_decoded(coding: str, body: bytes) -> None:
    responses.get(f"{BASE}/page", body=body, headers={"Content-Encoding": coding})
    result = make_fetcher().fetch(f"{BASE}/page")
    assert (result.body, result.truncated, result.error_detail) == (PAGE, False, "")


@responses.activate
def test_only_codings_curate_can_bound_are_asked_for() -> None:
    responses.get(f"{BASE}/page", body="x")
    make_fetcher().fetch(f"{BASE}/page")
    assert responses.calls[0].request.headers["Accept-Encoding"] == "gzip, deflate"


@responses.activate
def test_the_cap_counts_decoded_bytes() -> None:
    responses.get(f"{BASE}/page", body=gzip.compress(PAGE), headers={"Content-Encoding": "gzip"})
    result = make_fetcher(replace(CONFIG, max_bytes=1000)).fetch(f"{BASE}/page")
    assert result.truncated and result.body == PAGE[:1000] and result.error is None


@responses.activate
def test_an_unknown_coding_is_kept_raw_within_the_cap_and_noted() -> None:
    responses.get(f"{BASE}/page", body=b"\x8b" * 3000, headers={"Content-Encoding": "br"})
    result = make_fetcher(replace(CONFIG, max_bytes=1000)).fetch(f"{BASE}/page")
    assert result.body == b"\x8b" * 1000 and result.truncated and result.error is None
    assert "'br' not decoded" in result.error_detail


@responses.activate
def test_a_corrupt_gzip_body_is_a_failed_fetch_not_a_crash() -> None:
    responses.get(f"{BASE}/page", body=b"\x1f\x8bnot gzip at all",
                  headers={"Content-Encoding": "gzip"})
    result = make_fetcher(replace(CONFIG, retries=0)).fetch(f"{BASE}/page")
    assert result.error is FetchError.CONNECTION and "gzip" in result.error_detail


@pytest.mark.parametrize("wbits", [16 + zlib.MAX_WBITS, zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_the_inflater_decodes_a_body_fed_one_byte_at_a_time(wbits: int) -> None:
    inflater = Inflater(gzip=wbits > zlib.MAX_WBITS)
    data = _deflate(PAGE, wbits)
    out = b"".join(inflater.decode(data[i:i + 1], len(PAGE) + 1) for i in range(len(data)))
    assert out == PAGE


def test_the_inflater_never_returns_more_than_room() -> None:
    bomb = gzip.compress(bytes(20_000_000))  # about 20 KB on the wire
    assert len(Inflater(gzip=True).decode(bomb, 1001)) == 1001


# -- everything kept from an answer is bounded --------------------------------------


@responses.activate
def test_kept_headers_are_bounded_in_number_and_size() -> None:
    many = {f"X-Header-{n}": "v" for n in range(MAX_HEADERS + 50)}
    responses.get(f"{BASE}/page", body="x", headers={"X-Huge": "h" * 50_000, **many})
    result = make_fetcher().fetch(f"{BASE}/page")
    assert len(result.headers) == MAX_HEADERS
    assert len(result.header("x-huge")) == MAX_HEADER_VALUE


@responses.activate
def test_a_page_sized_location_is_refused_not_followed() -> None:
    responses.get(f"{BASE}/far", status=302, headers={"Location": "/" + "x" * 10_000})
    result = make_fetcher().fetch(f"{BASE}/far")
    assert result.error is FetchError.BAD_REDIRECT and len(responses.calls) == 1
    assert result.final_url == f"{BASE}/far" and len(result.error_detail) <= MAX_DETAIL


@responses.activate
def test_an_exception_detail_is_bounded() -> None:
    responses.get(f"{BASE}/down", body=requests.exceptions.ConnectionError("reset " * 500))
    result = make_fetcher(replace(CONFIG, retries=0)).fetch(f"{BASE}/down")
    assert result.error is FetchError.CONNECTION and len(result.error_detail) <= MAX_DETAIL


def test_only_http_and_https_are_fetched() -> None:
    result = make_fetcher().fetch("ftp://files.example.org/guide.pdf")
    assert result.error is FetchError.UNSUPPORTED_SCHEME


@pytest.mark.parametrize(
    ("value", "now", "expected"),
    [
        ("120", None, 120.0),
        ("", None, None),
        ("soon", None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0, 10.0),
    ],
)
def test_retry_after_parsing(value: str, now: float | None, expected: float | None) -> None:
    assert parse_retry_after(value, now) == expected


def test_retry_policy_gives_up_after_the_configured_retries() -> None:
    policy = RetryPolicy(retries=2, backoff_base=1.0, jitter=lambda: 0.0)
    busy = FetchResult(url="u", final_url="u", status=503)
    assert [policy.delay(busy, attempt) for attempt in (1, 2, 3)] == [0.5, 1.0, None]


@pytest.mark.integration
def test_the_deadline_holds_when_a_server_falls_silent_mid_body() -> None:
    """Headers, a byte late in the deadline, then silence: stop at the deadline,
    not a whole per-read timeout after that last byte."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    release = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 99\r\n\r\n")
        release.wait(1.5)  # not set: this is the server being slow
        conn.sendall(b"<")
        release.wait(10)
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    config = FetchConfig(timeout=2.0, connect_timeout=1.0, retries=0,
                         allow_private_networks=True)
    try:
        result = Fetcher(config).fetch(f"http://127.0.0.1:{port}/")
    finally:
        release.set()
        listener.close()
    assert result.error is FetchError.TIMEOUT
    assert result.elapsed_ms < 3000  # without the shrinking read timeout: about 3500
