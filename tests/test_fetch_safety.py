"""The fetcher cannot be turned against the network it runs in, and stays bounded.

Every server here listens on loopback (127.0.0.0/8) and nothing else. A
policy with `extra_allowed` plays "the public internet" with 127.0.0.2;
the rest of 127/8 stands for the private network curate must not reach.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.cookiejar import CookieJar
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from pipeline.config import FetchConfig
from pipeline.fetch.client import MAX_DETAIL, Fetcher
from pipeline.fetch.guard import (
    METADATA_ADDRESSES,
    AddressPolicy,
    IPAddress,
    PeerRefused,
    check_peer,
)
from pipeline.fetch.session import Guard, HttpSession, SendError
from pipeline.models import FetchError
from pipeline.sim import SimulatedHub
from tests.fakes import (
    PUBLIC_STAND_IN,
    TEST_POLICY,
    cannot_bind,
    resolver_to,
    running_in_thread,
)

pytestmark = pytest.mark.integration

STRICT = FetchConfig(
    contact="https://curation.example.org/tests",
    timeout=3.0,
    connect_timeout=1.0,
    retries=2,
    backoff_base=0.0,
    allow_private_networks=False,
)

Answer = Callable[[str], tuple[int, dict[str, str], bytes]]


class _CountingHTTPServer(ThreadingHTTPServer):
    """Counts TCP accepts and HTTP requests; answers with `answer(path)`."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, host: str, answer: Answer) -> None:
        self.answer = answer
        self.accepts = 0
        self.requests = 0
        self.lock = threading.Lock()
        super().__init__((host, 0), _CountingHandler)

    def get_request(self) -> tuple[socket.socket, Any]:
        accepted = super().get_request()
        with self.lock:
            self.accepts += 1
        return accepted


class _CountingHandler(BaseHTTPRequestHandler):
    server: _CountingHTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.requests += 1
        status, headers, body = self.server.answer(self.path)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""


@contextlib.contextmanager
def serving(host: str, answer: Answer) -> Iterator[_CountingHTTPServer]:
    """A counting HTTP server on a loopback address, for the with-block."""
    assert ipaddress.ip_address(host).is_loopback  # tests talk to loopback only
    try:
        server = _CountingHTTPServer(host, answer)
    except OSError as exc:
        cannot_bind(f"cannot bind {host} on this machine: {exc}")
    with running_in_thread(server):
        yield server


def url_of(server: _CountingHTTPServer, path: str, host: str | None = None) -> str:
    return f"http://{host or server.server_address[0]}:{server.server_address[1]}{path}"


def page(_: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/html"}, b"<title>inside</title>"


def loopback_fetcher(
    policy: AddressPolicy, resolve: Any = socket.getaddrinfo, connect_to: Any = socket.getaddrinfo
) -> Fetcher:
    """A fetcher checking names with `resolve` and connecting where `connect_to` says."""
    session = HttpSession(STRICT, Guard(policy, connect_to))
    return Fetcher(STRICT, session, resolve=resolve, addresses=policy)


# -- every hop is checked ---------------------------------------------------


def test_a_redirect_to_a_forbidden_address_is_refused_before_connecting() -> None:
    with serving("127.0.0.1", page) as inside:
        target = url_of(inside, "/admin")

        def to_inside(_: str) -> tuple[int, dict[str, str], bytes]:
            return 302, {"Location": target}, b""

        with serving(PUBLIC_STAND_IN, to_inside) as outside:
            result = loopback_fetcher(TEST_POLICY).fetch(url_of(outside, "/go"))
        assert result.error is FetchError.FORBIDDEN_ADDRESS
        assert "127.0.0.1" in result.error_detail
        assert [hop.location for hop in result.redirects] == [target]
        assert outside.requests == 1 and result.attempts == 1
        assert (inside.accepts, inside.requests) == (0, 0)


@pytest.mark.parametrize("host", ["127.0.0.1", "rebind.test"])
def test_dns_rebinding_is_refused_after_connect_with_zero_requests(host: str) -> None:
    """The pre-check hears 127.0.0.2 (allowed); the connection reaches 127.0.0.1."""
    with serving("127.0.0.1", page) as inside:
        fetcher = loopback_fetcher(TEST_POLICY, resolve=resolver_to(PUBLIC_STAND_IN),
                                   connect_to=resolver_to("127.0.0.1"))
        result = fetcher.fetch(url_of(inside, "/admin", host))
        time.sleep(0.1)  # let the server notice the closed connection
    assert result.error is FetchError.FORBIDDEN_ADDRESS
    assert "127.0.0.1" in result.error_detail and result.status is None
    assert result.attempts == 1  # a refusal is not retried
    assert inside.requests == 0


def test_an_https_peer_is_refused_before_the_tls_handshake() -> None:
    """The peer check runs on the bare TCP socket: no ClientHello, no TLS error."""
    listener = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def accept_once() -> None:
        conn, _ = listener.accept()
        conn.settimeout(2)
        with contextlib.suppress(OSError), conn:
            received.append(conn.recv(4096))

    thread = threading.Thread(target=accept_once, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    fetcher = loopback_fetcher(TEST_POLICY, resolve=resolver_to(PUBLIC_STAND_IN))
    try:
        result = fetcher.fetch(f"https://127.0.0.1:{port}/admin")
        thread.join(timeout=3)
    finally:
        listener.close()
    assert result.error is FetchError.FORBIDDEN_ADDRESS
    assert received == [b""]  # connected, then closed without a byte


def test_an_allowed_address_is_fetched_through_the_guarded_session() -> None:
    with serving(PUBLIC_STAND_IN, page) as outside:
        result = loopback_fetcher(TEST_POLICY).fetch(url_of(outside, "/page"))
    assert (result.status, result.body, result.error) == (200, b"<title>inside</title>", None)


def test_a_loopback_url_gets_zero_connections_without_the_allow_flag() -> None:
    with serving("127.0.0.1", page) as inside:
        result = Fetcher(STRICT).fetch(url_of(inside, "/admin"))
    assert result.error is FetchError.FORBIDDEN_ADDRESS
    assert (inside.accepts, inside.requests) == (0, 0)


def test_the_session_alone_refuses_a_forbidden_peer() -> None:
    """Even a request that skips check_url cannot reach a forbidden address."""
    with serving("127.0.0.1", page) as inside:
        session = HttpSession(STRICT, Guard(AddressPolicy()))
        with pytest.raises(SendError) as refused:
            session.get(url_of(inside, "/admin"), {}, CookieJar(), 1.0, 2.0)
        time.sleep(0.1)
    assert refused.value.error is FetchError.FORBIDDEN_ADDRESS
    assert inside.requests == 0


# -- the address policy -------------------------------------------------------


def _forbidden_examples() -> list[IPAddress]:
    """Non-public addresses (and wrapped forms of them); none is ever contacted."""
    texts = ["127.0.0.1", "127.255.255.254", "0.0.0.0", "::1", "::", "fe80::1", "fc00::1",
             "fd12:3456::1", "ff02::1", "fec0::1", "2001:db8::1", "::ffff:127.0.0.1",
             "64:ff9b::7f00:1", "2002:7f00:1::1"]
    base = [ipaddress.ip_address(text) for text in texts]
    metadata = sorted(METADATA_ADDRESSES, key=str)
    mapped = [ipaddress.IPv6Address(f"::ffff:{a}") for a in metadata if a.version == 4]
    return [*base, *metadata, *mapped]


@pytest.mark.parametrize("address", _forbidden_examples(), ids=str)
def test_non_public_addresses_are_forbidden(address: IPAddress) -> None:
    assert not AddressPolicy().allows(address)
    assert not TEST_POLICY.allows(address)
    assert AddressPolicy(allow_private=True).allows(address)


def test_extra_allowed_also_covers_the_ipv4_mapped_form() -> None:
    assert TEST_POLICY.allows(ipaddress.ip_address("::ffff:127.0.0.2"))
    assert not AddressPolicy().allows(ipaddress.ip_address(PUBLIC_STAND_IN))


def test_a_refused_metadata_address_is_named_as_such() -> None:
    metadata = next(a for a in METADATA_ADDRESSES if a.version == 4)
    fetcher = Fetcher(STRICT, resolve=resolver_to(str(metadata)))
    result = fetcher.fetch("http://instance-data.example.org/latest/")
    assert result.error is FetchError.FORBIDDEN_ADDRESS
    assert "metadata" in result.error_detail


def test_check_peer_closes_a_forbidden_socket() -> None:
    with serving("127.0.0.1", page) as inside:
        sock = socket.create_connection(inside.server_address[:2], timeout=2)
        with pytest.raises(PeerRefused):
            check_peer(sock, TEST_POLICY)
        assert sock.fileno() == -1
        time.sleep(0.1)
    assert inside.requests == 0


# -- bounded decompression ------------------------------------------------------


def test_a_gzip_bomb_stops_at_the_cap_in_bounded_memory(
    hub: SimulatedHub, fetcher: Fetcher
) -> None:
    cap = 5 * 1024 * 1024
    capped = fetcher.with_max_bytes(cap)
    tracemalloc.start()
    try:
        result = capped.fetch(hub.url("/gzip-bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == 200 and result.error is None
    assert result.truncated and len(result.body) == cap
    assert result.body.count(0) == cap  # decoded zeros, not the compressed stream
    assert peak < 64 * 1024 * 1024
    assert hub.hits("/gzip-bomb") == 1


def test_the_bomb_route_sends_a_small_compressed_stream(hub: SimulatedHub) -> None:
    parts = urlsplit(hub.base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        conn.request("GET", "/gzip-bomb", headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        assert response.headers["Content-Encoding"] == "gzip"
        assert int(response.headers["Content-Length"]) < 2 * 1024 * 1024
        head = response.read(10)
    finally:
        conn.close()
    assert head[:2] == b"\x1f\x8b"


# -- everything from a page is bounded ---------------------------------------------


def test_a_long_location_is_refused_and_the_detail_is_bounded() -> None:
    def far(_: str) -> tuple[int, dict[str, str], bytes]:
        return 302, {"Location": "/" + "x" * 9000}, b""

    with serving(PUBLIC_STAND_IN, far) as outside:
        result = loopback_fetcher(TEST_POLICY).fetch(url_of(outside, "/far"))
    assert result.error is FetchError.BAD_REDIRECT
    assert len(result.final_url) < 100 and len(result.error_detail) <= MAX_DETAIL


def test_a_refusal_detail_is_bounded_for_a_huge_host_name() -> None:
    fetcher = Fetcher(replace(STRICT, retries=0), resolve=resolver_to("127.0.0.1"))
    result = fetcher.fetch(f"http://{'a' * 60}.{'b' * 60}.{'c' * 60}.{'d' * 60}.example/")
    assert result.error is FetchError.FORBIDDEN_ADDRESS
    assert len(result.error_detail) <= MAX_DETAIL
