"""Through a proxy, on purpose: [fetch] proxy and use_environment_proxy.

Against a real proxy on 127.0.0.1 (tests/proxy.py) that reaches the scripted
loopback servers of tests/loopback.py: plain http forwarded, https tunnelled
with CONNECT (TLS end to end, verified against the test CA).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from pipeline.config import FetchConfig
from pipeline.fetch.client import Fetcher
from pipeline.models import FetchError
from tests.fakes import FakeClock, resolver_to
from tests.loopback import TLS_DIR, FakeInternet
from tests.proxy import LoopbackProxy, loopback_proxy

pytestmark = pytest.mark.integration

CONFIG = FetchConfig(allow_private_networks=True, retries=0, timeout=3.0, connect_timeout=1.0,
                     ca_bundle=str(TLS_DIR / "ca.pem"))
STRICT = replace(CONFIG, allow_private_networks=False)


@pytest.fixture
def proxy(internet: FakeInternet) -> Iterator[LoopbackProxy]:
    with loopback_proxy(internet.resolve) as running:
        yield running


def through(proxy: LoopbackProxy, config: FetchConfig = CONFIG, **kwargs: Any) -> Fetcher:
    return Fetcher(replace(config, proxy=proxy.url), clock=FakeClock().clock(), **kwargs)


def test_plain_http_is_forwarded_by_the_proxy(internet: FakeInternet,
                                              proxy: LoopbackProxy) -> None:
    internet.get("http://hub.example.org/guide", body="<title>Guide</title>")
    result = through(proxy).fetch("http://hub.example.org/guide")
    assert (result.status, result.body) == (200, b"<title>Guide</title>")
    assert proxy.requests == ["GET http://hub.example.org/guide"]
    assert [call.url for call in internet.calls] == ["http://hub.example.org/guide"]


def test_https_is_tunnelled_with_connect_and_verified_end_to_end(
    internet: FakeInternet, proxy: LoopbackProxy
) -> None:
    internet.get("https://hub.example.org/guide", body="<title>Guide</title>")
    result = through(proxy).fetch("https://hub.example.org/guide")
    assert (result.status, result.body) == (200, b"<title>Guide</title>")
    assert proxy.requests == ["CONNECT hub.example.org:443"]


def test_through_the_proxy_the_site_certificate_is_still_checked(
    internet: FakeInternet, proxy: LoopbackProxy
) -> None:
    result = through(proxy, replace(CONFIG, ca_bundle="")).fetch("https://hub.example.org/")
    assert result.error is FetchError.TLS and internet.calls == []
    assert proxy.requests == ["CONNECT hub.example.org:443"]


def test_a_target_resolving_to_a_private_address_never_reaches_the_proxy(
    internet: FakeInternet, proxy: LoopbackProxy
) -> None:
    fetcher = through(proxy, STRICT, resolve=resolver_to("127.0.0.1"))
    result = fetcher.fetch("https://intranet.example.org/admin")
    assert result.error is FetchError.FORBIDDEN_ADDRESS and "127.0.0.1" in result.error_detail
    assert proxy.requests == [] and internet.calls == []


def test_a_name_only_the_proxy_can_resolve_is_left_to_the_proxy(
    internet: FakeInternet, proxy: LoopbackProxy
) -> None:
    """Networks that allow the web only through a proxy often resolve no
    outside names for their machines: the proxy resolves them."""

    def no_dns(host: str, *_: Any, **__: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    internet.get("https://hub.example.org/guide", body="ok")
    result = through(proxy, STRICT, resolve=no_dns).fetch("https://hub.example.org/guide")
    assert (result.status, result.body) == (200, b"ok")
    assert proxy.requests == ["CONNECT hub.example.org:443"]


def test_the_environment_proxy_is_ignored_unless_asked_for(
    internet: FakeInternet, proxy: LoopbackProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("http_proxy", proxy.url)
    internet.get("http://hub.example.org/guide", body="ok")
    direct = internet.fetcher(CONFIG, FakeClock().clock()).fetch("http://hub.example.org/guide")
    assert direct.status == 200 and proxy.requests == []
    asked = Fetcher(replace(CONFIG, use_environment_proxy=True), clock=FakeClock().clock())
    assert asked.fetch("http://hub.example.org/guide").status == 200
    assert proxy.requests == ["GET http://hub.example.org/guide"]


def test_a_proxy_that_refuses_the_tunnel_is_a_failed_fetch_that_says_so(
    internet: FakeInternet,
) -> None:
    with loopback_proxy(resolver_to("127.0.0.1")) as wrong:  # tunnels to port 443: closed
        result = through(wrong).fetch("https://hub.example.org/guide")
    assert result.error is FetchError.CONNECTION and result.status is None
    assert "proxy" in result.error_detail
