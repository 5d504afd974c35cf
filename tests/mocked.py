"""HTTP answers scripted with `responses`, for the units of HTTP semantics.

`responses` replaces HTTPAdapter.send, which curate's GuardedAdapter
inherits, so a request never reaches a socket, a resolver or the network:
the answer (status, headers, body) is built in the process and read by
curate's own code (redirects by hand, cookies, decoding, the cap, retries).
What only a real socket shows (the address guard, deadlines, stalls and
hang-ups, TLS, proxies, connection reuse, http.client's header parsing)
stays on the loopback servers of tests/loopback.py.

A module registers the `mocked` fixture by importing `mocked_http` (see
test_fetch.py); then:

    mocked.get(f"{BASE}/old", status=301, headers={"Location": "/new"})
    mocked.get(f"{BASE}/new", body="ok")
    result = fetcher(CONFIG).fetch(f"{BASE}/old")
    assert asked(mocked) == [f"{BASE}/old", f"{BASE}/new"]

Several answers registered for one URL are given in turn, the last one
repeatedly (as on loopback). `responses` refuses a request nobody
registered with a ConnectionError, which curate reports as an ordinary
failed fetch; so that no test can pass on such a failure, the fixture fails
the test if any request went unanswered, and also if a registered answer
was never asked for (a test that scripts more than is asked, a bounded
chain, says so with `mocked.assert_all_requests_are_fired = False`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import responses

from pipeline.config import FetchConfig
from pipeline.fetch.client import Fetcher
from pipeline.fetch.retry import RetryPolicy
from tests.fakes import FakeClock

REFUSED = "Connection refused by Responses"  # how responses answers an unregistered request


@pytest.fixture(name="mocked")
def mocked_http() -> Iterator[responses.RequestsMock]:
    """Every request answered by `responses`; an unregistered request fails the test."""
    mock = responses.RequestsMock(assert_all_requests_are_fired=True)
    mock.start()
    try:
        yield mock
        unexpected = [str(call.request.url) for call in mock.calls
                      if isinstance(call.response, Exception) and REFUSED in str(call.response)]
        assert not unexpected, f"requests nobody registered: {unexpected}"
        mock.stop(allow_assert=True)  # fails for answers registered but never asked for
    finally:
        mock.stop(allow_assert=False)
        mock.reset()


def asked(mocked: responses.RequestsMock) -> list[str]:
    """The URLs requested, in order."""
    return [str(call.request.url) for call in mocked.calls]


def no_dns(host: str, port: int | None, **_: Any) -> list[tuple[Any, ...]]:
    """A getaddrinfo that must never be called: these fetchers resolve no name."""
    raise AssertionError(f"a test answered by responses looked up {host!r}")


def fetcher(config: FetchConfig, clock: FakeClock | None = None, jitter: float = 1.0) -> Fetcher:
    """A Fetcher for config whose requests end in `responses`: private networks
    allowed (so the address guard resolves nothing; `no_dns` makes sure), time
    from a FakeClock (sleeps recorded, never slept), backoff without randomness."""
    assert config.allow_private_networks, "the guard would look the host up"
    policy = RetryPolicy(config.retries, config.backoff_base, config.max_retry_after,
                         lambda: jitter)
    return Fetcher(config, clock=(clock or FakeClock()).clock(), resolve=no_dns, policy=policy)

