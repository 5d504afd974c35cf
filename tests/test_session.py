"""The HTTP session: requests as sent, connections kept and dropped, TLS, failures.

Against the scripted loopback servers of tests/loopback.py (real sockets,
real TLS with the test CA); what a failure means with the exceptions
requests and urllib3 raise.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import replace

import pytest
import requests
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from pipeline.config import FetchConfig
from pipeline.fetch.client import Fetcher
from pipeline.fetch.guard import PeerRefused
from pipeline.fetch.session import MAX_DETAIL, send_error, tls_context
from pipeline.models import FetchError
from tests.fakes import FakeClock
from tests.loopback import TLS_DIR, FakeInternet

CONFIG = FetchConfig(allow_private_networks=True, retries=0, timeout=2.0, connect_timeout=1.0)
PAGE = "https://hub.example.org/guide"


@pytest.mark.parametrize(
    ("url", "seen"),
    [
        ("https://hub.example.org/guide", "https://hub.example.org/guide"),
        ("http://hub.example.org:8080/guide", "http://hub.example.org:8080/guide"),
        ("https://hub.example.org/a guide.pdf", "https://hub.example.org/a%20guide.pdf"),
        ("https://bücher.example.org/", "https://xn--bcher-kva.example.org/"),
    ],
)
def test_the_server_sees_the_host_and_target_as_sent(
    internet: FakeInternet, url: str, seen: str
) -> None:
    """The Host header names the port only when it is not the scheme's own."""
    internet.get(seen, body="ok")
    result = internet.fetcher(CONFIG, FakeClock().clock()).fetch(url)
    assert (result.status, result.body) == (200, b"ok")
    assert [call.url for call in internet.calls] == [seen]


def test_requests_to_one_origin_share_a_kept_connection(internet: FakeInternet) -> None:
    internet.get(PAGE, body="ok")
    fetcher = internet.fetcher(CONFIG, FakeClock().clock())
    statuses = [fetcher.fetch(PAGE).status for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert internet.accepts == 1


def test_a_chunked_body_is_read_whole_and_its_connection_kept(internet: FakeInternet) -> None:
    chunked = b"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"
    internet.get(PAGE, body=chunked, headers={"Transfer-Encoding": "chunked"})
    fetcher = internet.fetcher(CONFIG, FakeClock().clock())
    bodies = [fetcher.fetch(PAGE).body for _ in range(2)]
    assert bodies == [b"hello, world"] * 2 and internet.accepts == 1


def test_a_304_keeps_its_connection(internet: FakeInternet) -> None:
    """The second night is mostly 304s: each must leave its connection reusable."""
    internet.get(PAGE, status=304, headers={"ETag": '"v1"'})
    fetcher = internet.fetcher(CONFIG, FakeClock().clock())
    results = [fetcher.fetch(PAGE, {"If-None-Match": '"v1"'}) for _ in range(3)]
    assert [(r.status, r.body) for r in results] == [(304, b"")] * 3
    assert internet.accepts == 1


def test_a_connection_the_server_closed_is_not_reused(internet: FakeInternet) -> None:
    internet.get(PAGE, body="ok", then_close=True)
    fetcher = internet.fetcher(CONFIG, FakeClock().clock())
    first = fetcher.fetch(PAGE)
    statuses = [first.status, fetcher.fetch(PAGE).status]
    assert statuses == [200, 200] and internet.accepts == 2
    assert len(internet.calls) == 2


def test_a_get_on_a_connection_closed_unnoticed_is_sent_again_anew(
    internet: FakeInternet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server closes between the liveness check and the send: one resend, new socket."""
    monkeypatch.setattr(urllib3.connectionpool, "is_connection_dropped", lambda conn: False)
    internet.get(PAGE, body="ok", then_close=True)
    fetcher = internet.fetcher(CONFIG, FakeClock().clock())
    first = fetcher.fetch(PAGE)
    second = fetcher.fetch(PAGE)
    assert (first.status, second.status, second.attempts) == (200, 200, 1)
    assert internet.accepts == 2 and len(internet.calls) == 2


def test_a_body_left_unread_closes_its_connection(internet: FakeInternet) -> None:
    internet.get(PAGE, body=b"x" * 50_000)
    fetcher = internet.fetcher(replace(CONFIG, max_bytes=1_000), FakeClock().clock())
    assert fetcher.fetch(PAGE).truncated
    assert fetcher.fetch(PAGE).truncated
    assert internet.accepts == 2  # the first connection still had 49 KB coming


def test_a_connection_announced_as_closing_is_not_kept(internet: FakeInternet) -> None:
    internet.get(PAGE, body="ok", headers={"Connection": "close"})
    fetcher = internet.fetcher(CONFIG, FakeClock().clock())
    assert [fetcher.fetch(PAGE).status for _ in range(2)] == [200, 200]
    assert internet.accepts == 2


def test_a_certificate_from_an_unknown_authority_is_refused(internet: FakeInternet) -> None:
    result = internet.fetcher(CONFIG, FakeClock().clock(), trusted=False).fetch(PAGE)
    assert result.error is FetchError.TLS and internet.calls == []


def test_a_certificate_for_another_name_is_refused(internet: FakeInternet) -> None:
    """The test certificate names example.org hosts, not this one."""
    result = internet.fetcher(CONFIG, FakeClock().clock()).fetch("https://elsewhere.test/")
    assert result.error is FetchError.TLS and "hostname" in result.error_detail.lower()
    assert internet.calls == []


def test_a_server_that_hangs_up_on_a_new_connection_gets_the_get_once(
    internet: FakeInternet,
) -> None:
    """Only a kept connection's failure is resent: on a new one it is the answer."""
    internet.hang_up(PAGE)
    result = internet.fetcher(CONFIG, FakeClock().clock()).fetch(PAGE)
    assert result.error is FetchError.CONNECTION and len(internet.calls) == 1


def test_closing_the_session_closes_its_kept_connections(internet: FakeInternet) -> None:
    internet.get(PAGE, body="ok")
    fetcher = internet.fetcher(CONFIG, FakeClock().clock())
    fetcher.fetch(PAGE)
    kept = fetcher.kept_connections()
    fetcher.close()
    assert (kept, fetcher.kept_connections()) == (1, 0)
    assert fetcher.fetch(PAGE).status == 200 and internet.accepts == 2


# -- what a failure means -------------------------------------------------------


def caused(outer: BaseException, cause: BaseException) -> BaseException:
    """outer, raised `from cause` (as urllib3 raises its connection errors)."""
    outer.__cause__ = cause
    return outer


def retried(reason: Exception) -> MaxRetryError:
    return MaxRetryError(None, "/guide", reason)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (requests.exceptions.SSLError(retried(urllib3.exceptions.SSLError(
            ssl.SSLCertVerificationError("certificate verify failed")))), FetchError.TLS),
        (requests.exceptions.SSLError(retried(urllib3.exceptions.SSLError(
            ssl.SSLError("wrong version number")))), FetchError.TLS),
        (requests.ConnectTimeout(retried(ConnectTimeoutError(None, "timed out"))),
         FetchError.TIMEOUT),
        (requests.ReadTimeout(ReadTimeoutError(None, "/guide", "read timed out")),  # type: ignore[arg-type]
         FetchError.TIMEOUT),
        (requests.ConnectionError(retried(NameResolutionError(
            "hub.example.org", None, socket.gaierror(-2, "Name or service not known")))),  # type: ignore[arg-type]
         FetchError.DNS),
        (requests.ConnectionError(retried(caused(
            NewConnectionError(None, "failed to establish a new connection"),  # type: ignore[arg-type]
            ConnectionRefusedError(111, "Connection refused")))), FetchError.CONNECTION_REFUSED),
        (requests.ConnectionError(ProtocolError(
            "Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))),
         FetchError.CONNECTION),
        (requests.ConnectionError(ProtocolError(
            "Connection aborted.", http.client.RemoteDisconnected("closed without response"))),
         FetchError.CONNECTION),
        (requests.ConnectionError(ProtocolError(
            "Connection aborted.", http.client.LineTooLong("header line"))), FetchError.CONNECTION),
        (requests.exceptions.InvalidSchema("No connection adapters were found for 'ftp://x'"),
         FetchError.UNSUPPORTED_SCHEME),
        (requests.exceptions.InvalidURL("Failed to parse: port out of range"),
         FetchError.BAD_REDIRECT),
        (requests.ConnectionError(ProtocolError(
            "Connection aborted.", PeerRefused("connected to non-public address 127.0.0.1"))),
         FetchError.FORBIDDEN_ADDRESS),
        (ProtocolError("Response ended prematurely"), FetchError.CONNECTION),
    ],
)
def test_exceptions_map_to_fetch_errors(exception: Exception, expected: FetchError) -> None:
    assert send_error(exception).error is expected


def test_the_detail_names_the_innermost_cause() -> None:
    hang_up = http.client.RemoteDisconnected("Remote end closed connection without response")
    failure = send_error(requests.ConnectionError(ProtocolError("Connection aborted.", hang_up)))
    assert failure.detail == "RemoteDisconnected: Remote end closed connection without response"


def test_a_failure_through_the_proxy_says_so() -> None:
    tunnel = OSError("Tunnel connection failed: 502 Bad Gateway")
    proxied = urllib3.exceptions.ProxyError("Unable to connect to proxy", tunnel)
    failure = send_error(requests.exceptions.ProxyError(retried(proxied)))
    assert failure.error is FetchError.CONNECTION
    assert failure.detail.startswith("through the proxy:") and "502" in failure.detail


def test_an_exception_detail_is_bounded() -> None:
    failure = send_error(ConnectionResetError(104, "reset " * 500))
    assert failure.error is FetchError.CONNECTION and len(failure.detail) <= MAX_DETAIL


def test_a_chain_that_loops_back_on_itself_ends() -> None:
    first, second = ConnectionResetError("a"), ConnectionResetError("b")
    first.__context__, second.__context__ = second, first
    assert send_error(first).error is FetchError.CONNECTION


# -- whose certificate authorities are trusted -------------------------------------


@pytest.mark.parametrize("trust", ["certifi", "system"])
def test_a_site_signed_by_a_private_authority_needs_its_bundle(
    internet: FakeInternet, trust: str
) -> None:
    """As behind a hospital's TLS inspection: its CA is in neither store."""
    internet.get(PAGE, body="ok")
    config = replace(CONFIG, trust=trust)
    without = Fetcher(config, clock=FakeClock().clock(), resolve=internet.resolve).fetch(PAGE)
    bundled = replace(config, ca_bundle=str(TLS_DIR / "ca.pem"))
    with_it = Fetcher(bundled, clock=FakeClock().clock(), resolve=internet.resolve).fetch(PAGE)
    assert without.error is FetchError.TLS and "certificate verify failed" in without.error_detail
    assert (with_it.status, with_it.body, with_it.error) == (200, b"ok", None)
    assert len(internet.calls) == 1  # the refused handshake sent no request


def test_an_extra_bundle_adds_to_the_usual_authorities() -> None:
    plain = tls_context("certifi").cert_store_stats()["x509_ca"]
    bundled = tls_context("certifi", str(TLS_DIR / "ca.pem")).cert_store_stats()["x509_ca"]
    assert plain > 100 and bundled == plain + 1
