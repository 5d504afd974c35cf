"""The fetch stage: HTTP semantics against `responses`, sockets against loopback.

Status codes, redirects, retries and Retry-After, headers kept, content
codings and the cap on decoded bytes are answered by `responses`
(tests/mocked.py): curate's own code reads the answers, no socket opens.
What only a real socket shows stays on the scripted loopback servers of
tests/loopback.py, where every host name leads to a real HTTP or HTTPS
server on 127.0.0.1: connections kept or closed, refused and silent
servers, the body cap while reading a stream, http.client's own reading
of the header bytes, the address guard, the deadline.
"""

from __future__ import annotations

import gzip
import socket
import threading
import zlib
from dataclasses import replace

import pytest
import responses

from pipeline import __version__
from pipeline.config import FetchConfig
from pipeline.fetch.client import (
    DRAIN_BYTES,
    MAX_DETAIL,
    MAX_HEADER_VALUE,
    MAX_HEADERS,
    Fetcher,
    Inflater,
    utf8_location,
)
from pipeline.fetch.retry import RetryPolicy, parse_retry_after
from pipeline.models import FetchError, FetchResult
from tests.fakes import FakeClock, resolver_to
from tests.loopback import FakeInternet
from tests.mocked import (
    asked,
    fetcher,
    mocked_http,  # noqa: F401  (the `mocked` fixture)
)

BASE = "https://hub.example.org"
CONFIG = FetchConfig(
    contact="https://curation.example.org/contact",
    allow_private_networks=True,  # no name is looked up; on loopback, every name leads there
    retries=2,
    backoff_base=1.0,
    max_retry_after=30,
    timeout=2.0,
    connect_timeout=1.0,
)


def make_fetcher(
    internet: FakeInternet, config: FetchConfig = CONFIG, clock: FakeClock | None = None
) -> Fetcher:
    """A fetcher to the loopback servers (the same backoff as tests.mocked.fetcher)."""
    clock = clock or FakeClock()
    policy = RetryPolicy(config.retries, config.backoff_base, config.max_retry_after, lambda: 1.0)
    return internet.fetcher(config, clock=clock.clock(), policy=policy)


# ==========================================================================
# HTTP semantics, answered by `responses` (and the pure functions beneath them)
# ==========================================================================


def test_sends_an_honest_user_agent_with_the_contact_url(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/page", body="<title>x</title>", content_type="text/html")
    fetcher(CONFIG).fetch(f"{BASE}/page")
    agent = mocked.calls[0].request.headers["User-Agent"]
    assert f"curate/{__version__}" in agent
    assert "https://curation.example.org/contact" in agent


def test_no_cookie_set_by_one_answer_is_sent_with_a_later_request(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{BASE}/consent", body="ok", headers={"Set-Cookie": "seen=1; Path=/"})
    mocked.get(f"{BASE}/page", body="ok")
    client = fetcher(CONFIG)
    client.fetch(f"{BASE}/consent")
    client.fetch(f"{BASE}/page")
    assert asked(mocked) == [f"{BASE}/consent", f"{BASE}/page"]
    assert "Cookie" not in mocked.calls[1].request.headers


def test_a_plain_answer_keeps_status_headers_and_body(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/page", body=b"hello", content_type="text/html", headers={"ETag": '"v1"'})
    result = fetcher(CONFIG).fetch(f"{BASE}/page")
    assert (result.status, result.body, result.header("etag")) == (200, b"hello", '"v1"')
    assert result.error is None and result.redirects == () and result.attempts == 1


def test_every_redirect_hop_is_recorded(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/old", status=301, headers={"Location": "/newer"})
    mocked.get(f"{BASE}/newer", status=302, headers={"Location": f"{BASE}/newest"})
    mocked.get(f"{BASE}/newest", body="ok")
    result = fetcher(CONFIG).fetch(f"{BASE}/old")
    assert [(h.url, h.status, h.location) for h in result.redirects] == [
        (f"{BASE}/old", 301, f"{BASE}/newer"),
        (f"{BASE}/newer", 302, f"{BASE}/newest"),
    ]
    assert (result.final_url, result.status) == (f"{BASE}/newest", 200)
    assert asked(mocked) == [f"{BASE}/old", f"{BASE}/newer", f"{BASE}/newest"]


def test_a_redirect_loop_is_detected(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/a", status=302, headers={"Location": "/b"})
    mocked.get(f"{BASE}/b", status=302, headers={"Location": "/a"})
    result = fetcher(CONFIG).fetch(f"{BASE}/a")
    assert result.error is FetchError.REDIRECT_LOOP
    assert len(mocked.calls) == 2


def test_the_hop_limit_stops_a_long_chain(mocked: responses.RequestsMock) -> None:
    mocked.assert_all_requests_are_fired = False  # the chain is longer than what is followed
    for n in range(6):
        mocked.get(f"{BASE}/c{n}", status=302, headers={"Location": f"/c{n + 1}"})
    result = fetcher(replace(CONFIG, max_redirects=3)).fetch(f"{BASE}/c0")
    assert result.error is FetchError.TOO_MANY_REDIRECTS
    assert len(result.redirects) == 4
    assert asked(mocked) == [f"{BASE}/c{n}" for n in range(4)]


def test_a_page_sized_location_is_refused_not_followed(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/far", status=302, headers={"Location": "/" + "x" * 10_000})
    result = fetcher(CONFIG).fetch(f"{BASE}/far")
    assert result.error is FetchError.BAD_REDIRECT and len(mocked.calls) == 1
    assert result.final_url == f"{BASE}/far" and len(result.error_detail) <= MAX_DETAIL


def test_only_http_and_https_are_fetched(mocked: responses.RequestsMock) -> None:
    result = fetcher(CONFIG).fetch("ftp://files.example.org/guide.pdf")
    assert result.error is FetchError.UNSUPPORTED_SCHEME
    assert len(mocked.calls) == 0


# -- what is tried again, and after how long -----------------------------------------
# CONFIG: 2 retries, backoff 1 s doubling (jitter fixed), Retry-After capped at 30 s.


@pytest.mark.parametrize(
    ("statuses", "status", "sleeps"),
    [
        pytest.param([503, 503, 200], 200, [1.0, 2.0], id="transient-5xx-retried-with-backoff"),
        pytest.param([500], 500, [1.0, 2.0], id="500-given-up-after-the-retries"),
        pytest.param([502, 200], 200, [1.0], id="502"),
        pytest.param([504, 200], 200, [1.0], id="504"),
        pytest.param([522, 200], 200, [1.0], id="522"),
        pytest.param([408, 200], 200, [1.0], id="408"),
        pytest.param([429, 200], 200, [1.0], id="429-without-retry-after-backs-off"),
        pytest.param([404], 404, [], id="404-not-retried"),
        pytest.param([410], 410, [], id="410-not-retried"),
        pytest.param([400], 400, [], id="400-not-retried"),
        pytest.param([401], 401, [], id="401-not-retried"),
        pytest.param([403], 403, [], id="403-not-retried"),
    ],
)
def test_only_transient_statuses_are_retried_with_exponential_backoff(
    mocked: responses.RequestsMock, statuses: list[int], status: int, sleeps: list[float]
) -> None:
    for answer in statuses:
        mocked.get(f"{BASE}/page", status=answer)
    clock = FakeClock()
    result = fetcher(CONFIG, clock).fetch(f"{BASE}/page")
    assert (result.status, result.attempts) == (status, len(sleeps) + 1)
    assert clock.sleeps == sleeps
    assert len(mocked.calls) == len(sleeps) + 1


@pytest.mark.parametrize(
    ("retry_after", "sleeps"),
    [
        pytest.param(["3", "3600", "3600"], [3.0, 30.0], id="honoured-up-to-the-cap"),
        # FakeClock's wall clock is 1_700_000_000, Tue, 14 Nov 2023 22:13:20 GMT
        pytest.param(["Tue, 14 Nov 2023 22:13:30 GMT"], [10.0, 10.0], id="an-http-date"),
        pytest.param(["soon"], [1.0, 2.0], id="unreadable-means-backoff"),
    ],
)
def test_retry_after_is_honoured_up_to_the_cap(
    mocked: responses.RequestsMock, retry_after: list[str], sleeps: list[float]
) -> None:
    for value in retry_after:
        mocked.get(f"{BASE}/busy", status=429, headers={"Retry-After": value})
    clock = FakeClock()
    result = fetcher(CONFIG, clock).fetch(f"{BASE}/busy")
    assert (result.status, result.attempts) == (429, 3)
    assert clock.sleeps == sleeps
    assert len(mocked.calls) == 3


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
def test_compressed_pages_are_decoded(
    mocked: responses.RequestsMock, coding: str, body: bytes
) -> None:
    mocked.get(f"{BASE}/page", body=body, headers={"Content-Encoding": coding})
    result = fetcher(CONFIG).fetch(f"{BASE}/page")
    assert (result.body, result.truncated, result.error_detail) == (PAGE, False, "")


def test_only_codings_curate_can_bound_are_asked_for(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/page", body="x")
    fetcher(CONFIG).fetch(f"{BASE}/page")
    assert mocked.calls[0].request.headers["Accept-Encoding"] == "gzip, deflate"


def test_the_cap_counts_decoded_bytes(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/page", body=gzip.compress(PAGE), headers={"Content-Encoding": "gzip"})
    result = fetcher(replace(CONFIG, max_bytes=1000)).fetch(f"{BASE}/page")
    assert result.truncated and result.body == PAGE[:1000] and result.error is None


def test_an_unknown_coding_is_kept_raw_within_the_cap_and_noted(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{BASE}/page", body=b"\x8b" * 3000, headers={"Content-Encoding": "br"})
    result = fetcher(replace(CONFIG, max_bytes=1000)).fetch(f"{BASE}/page")
    assert result.body == b"\x8b" * 1000 and result.truncated and result.error is None
    assert "'br' not decoded" in result.error_detail


def test_a_corrupt_gzip_body_is_a_failed_fetch_not_a_crash(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{BASE}/page", body=b"\x1f\x8bnot gzip at all",
               headers={"Content-Encoding": "gzip"})
    result = fetcher(replace(CONFIG, retries=0)).fetch(f"{BASE}/page")
    assert result.error is FetchError.CONNECTION and "gzip" in result.error_detail
    assert len(mocked.calls) == 1


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


def test_a_kept_header_value_is_bounded(mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/page", body="x", headers={"X-Huge": "h" * 50_000})
    result = fetcher(CONFIG).fetch(f"{BASE}/page")
    assert len(result.header("x-huge")) == MAX_HEADER_VALUE


def test_a_repeated_header_is_kept_once_with_its_values_joined(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(f"{BASE}/page", body="x", headers={"Link": "<a>; rel=x", "link": "<b>; rel=y"})
    result = fetcher(CONFIG).fetch(f"{BASE}/page")
    assert result.header("link") == "<a>; rel=x, <b>; rel=y"
    assert "Link" in result.headers and "link" not in result.headers


# -- pure functions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("/caf\u00c3\u00a9", "/caf\u00e9"),  # UTF-8 bytes, read as Latin-1
        ("/caf\u00e9", "/caf\u00e9"),  # a Latin-1 byte that is no UTF-8: kept
        ("/plain", "/plain"),
    ],
)
def test_a_location_is_read_as_utf8_when_it_is(read: str, meant: str) -> None:
    assert utf8_location(read) == meant


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


# ==========================================================================
# What only a real socket shows, on the loopback servers
# ==========================================================================


@pytest.mark.parametrize(("body_size", "connections"), [
    (0, 1), (500, 1),  # read whole: the next hop reuses the connection
    (4 * DRAIN_BYTES, 2),  # too big to read for nothing: closed, a new one for the next hop
])
def test_a_redirect_on_the_same_host_keeps_its_connection_when_its_body_is_small(
    internet: FakeInternet, body_size: int, connections: int
) -> None:
    internet.get(f"{BASE}/old", status=301, headers={"Location": "/new"}, body=b"m" * body_size)
    internet.get(f"{BASE}/new", body="ok")
    result = make_fetcher(internet).fetch(f"{BASE}/old")
    assert (result.final_url, result.status, result.body) == (f"{BASE}/new", 200, b"ok")
    assert internet.accepts == connections


def test_a_redirect_to_a_non_ascii_path_is_followed(internet: FakeInternet) -> None:
    """The server sends the Location's UTF-8 bytes (read as Latin-1 on the wire)."""
    sent = "/caf\u00e9-guide".encode().decode("latin-1")
    internet.get(f"{BASE}/moved", status=301, headers={"Location": sent})
    internet.get(f"{BASE}/caf%C3%A9-guide", body="ok")
    result = make_fetcher(internet).fetch(f"{BASE}/moved")
    assert (result.status, result.final_url) == (200, f"{BASE}/caf\u00e9-guide")


def test_the_body_cap_stops_reading(internet: FakeInternet) -> None:
    internet.get(f"{BASE}/big.pdf", body=b"%PDF-" + b"x" * 5000, content_type="application/pdf")
    result = make_fetcher(internet, replace(CONFIG, max_bytes=1000)).fetch(f"{BASE}/big.pdf")
    assert result.truncated and len(result.body) == 1000 and result.error is None


def test_a_refused_connection_is_not_retried(internet: FakeInternet) -> None:
    clock = FakeClock()
    down = f"http://down.example.org:{internet.closed_port}/down"
    result = make_fetcher(internet, clock=clock).fetch(down)
    assert result.error is FetchError.CONNECTION_REFUSED
    assert result.attempts == 1 and clock.sleeps == []


def test_a_timeout_is_retried_then_reported(internet: FakeInternet) -> None:
    internet.stall(f"{BASE}/slow")
    result = make_fetcher(internet, replace(CONFIG, timeout=0.2)).fetch(f"{BASE}/slow")
    assert result.error is FetchError.TIMEOUT and result.attempts == 3
    assert len(internet.calls) == 3


def test_a_server_that_hangs_up_is_a_connection_failure(internet: FakeInternet) -> None:
    internet.hang_up(f"{BASE}/gone-quiet")
    result = make_fetcher(internet, replace(CONFIG, retries=0)).fetch(f"{BASE}/gone-quiet")
    assert result.error is FetchError.CONNECTION and "RemoteDisconnected" in result.error_detail


def test_a_loopback_address_gets_no_request_unless_allowed(internet: FakeInternet) -> None:
    config = replace(CONFIG, allow_private_networks=False)
    client = Fetcher(config, internet.session(config), FakeClock().clock(),
                     resolve=resolver_to("127.0.0.1"))
    result = client.fetch("http://intranet.example.org/admin")
    assert result.error is FetchError.FORBIDDEN_ADDRESS
    assert "127.0.0.1" in result.error_detail
    assert len(internet.calls) == 0


def test_an_answer_with_too_many_headers_is_a_failed_fetch(internet: FakeInternet) -> None:
    many = {f"X-Header-{n}": "v" for n in range(MAX_HEADERS + 50)}
    internet.get(f"{BASE}/page", body="x", headers=many)
    result = make_fetcher(internet, replace(CONFIG, retries=0)).fetch(f"{BASE}/page")
    assert result.error is FetchError.CONNECTION and "more than 100 headers" in result.error_detail


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
