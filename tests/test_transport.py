"""The transport: request targets as sent, connections kept and dropped, TLS.

Against the scripted loopback servers of tests/loopback.py (real sockets,
real TLS with the test CA); the idle-connection bounds with stand-ins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from pipeline.config import FetchConfig
from pipeline.fetch import transport
from pipeline.fetch.transport import (
    MAX_ORIGINS,
    IdleConnections,
    InvalidTarget,
    Origin,
    parse_target,
)
from pipeline.models import FetchError
from tests.fakes import FakeClock
from tests.loopback import FakeInternet

CONFIG = FetchConfig(allow_private_networks=True, retries=0, timeout=2.0, connect_timeout=1.0)
PAGE = "https://hub.example.org/guide"


@pytest.mark.parametrize(
    ("url", "origin", "path"),
    [
        ("https://hub.example.org/guide", ("https", "hub.example.org", 443), "/guide"),
        ("http://HUB.example.org", ("http", "hub.example.org", 80), "/"),
        ("HTTPS://hub.example.org:8443/a?b=c#part", ("https", "hub.example.org", 8443), "/a?b=c"),
        ("https://hub.example.org/a guide/é.pdf?q=a b",
         ("https", "hub.example.org", 443), "/a%20guide/%C3%A9.pdf?q=a%20b"),
        ("https://hub.example.org/50%25/100%", ("https", "hub.example.org", 443), "/50%25/100%25"),
        ("https://user:secret@hub.example.org/x", ("https", "hub.example.org", 443), "/x"),
        ("https://bücher.example.org/", ("https", "xn--bcher-kva.example.org", 443), "/"),
        ("http://[::1]:8080/x", ("http", "::1", 8080), "/x"),
        ("https://hub.example.org/web/https://example.org/a",
         ("https", "hub.example.org", 443), "/web/https://example.org/a"),
    ],
)
def test_a_url_becomes_an_origin_and_a_request_target(
    url: str, origin: tuple[str, str, int], path: str
) -> None:
    target = parse_target(url)
    assert (target.origin, target.path) == (Origin(*origin), path)


@pytest.mark.parametrize(
    ("url", "unsupported"),
    [
        ("ftp://files.example.org/guide.pdf", True),
        ("mailto:team@example.org", True),
        ("https:///no-host", False),
        ("https://hub.example.org:99999/", False),
        ("https://hub.example.org:port/", False),
    ],
)
def test_a_url_that_cannot_be_sent_is_refused_by_name(url: str, unsupported: bool) -> None:
    with pytest.raises(InvalidTarget) as caught:
        parse_target(url)
    assert caught.value.unsupported_scheme is unsupported


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
    """The server closes between the liveness check and the send: one retry, new socket."""
    monkeypatch.setattr(transport.Connection, "dropped", lambda self: False)
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


# -- the idle connections' bounds ------------------------------------------------------


@dataclass
class StandIn:
    """Enough of a Connection for IdleConnections."""

    origin: Origin
    closed: bool = False

    def dropped(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


def origin(n: int) -> Origin:
    return Origin("https", f"host{n}.example.org", 443)


def test_at_most_per_origin_connections_are_kept_for_an_origin() -> None:
    idle = IdleConnections(per_origin=2)
    conns = [StandIn(origin(1)) for _ in range(3)]
    for conn in conns:
        idle.give_back(conn)  # type: ignore[arg-type]
    assert [conn.closed for conn in conns] == [False, False, True]
    assert idle.take(origin(1)) is conns[1] and idle.take(origin(1)) is conns[0]
    assert idle.take(origin(1)) is None


def test_only_the_most_recently_used_origins_keep_connections() -> None:
    idle = IdleConnections(per_origin=2)
    conns = [StandIn(origin(n)) for n in range(MAX_ORIGINS + 1)]
    for conn in conns:
        idle.give_back(conn)  # type: ignore[arg-type]
    assert conns[0].closed and not any(conn.closed for conn in conns[1:])
    assert idle.take(origin(0)) is None and idle.take(origin(1)) is conns[1]


def test_a_kept_connection_found_dropped_is_closed_and_skipped() -> None:
    idle = IdleConnections(per_origin=2)
    alive, dead = StandIn(origin(1)), StandIn(origin(1))
    idle.give_back(alive)  # type: ignore[arg-type]
    idle.give_back(dead)  # type: ignore[arg-type]
    dead.closed = True  # as if the server had hung up
    assert idle.take(origin(1)) is alive
