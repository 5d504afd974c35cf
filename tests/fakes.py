"""Test doubles shared by several test modules: a clock that never sleeps, a
loopback address that plays a public one."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

import pytest

from pipeline.fetch.client import Clock
from pipeline.fetch.guard import AddressPolicy

PUBLIC_STAND_IN = "127.0.0.2"  # plays a public address; the rest of 127/8 stays private
# The stand-in counts as public; everything else non-public stays forbidden.
TEST_POLICY = AddressPolicy(extra_allowed=frozenset({ipaddress.ip_network("127.0.0.2/32")}))


@dataclass
class FakeClock:
    """Monotonic time that advances only when something 'sleeps'."""

    t: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def clock(self) -> Clock:
        return Clock(now=self.now, sleep=self.sleep, wall=lambda: 1_700_000_000.0)


def resolver_to(address: str) -> Any:
    """A getaddrinfo stand-in that resolves every host to one address."""

    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    return resolve


ON_CI = os.environ.get("CI", "").lower() == "true"


def cannot_bind(reason: str) -> NoReturn:
    """Skip a test that needs loopback addresses this machine lacks, but fail it
    on CI (CI=true): the address-guard tests must never be skipped silently there."""
    if ON_CI:
        pytest.fail(f"{reason}; on CI (CI=true) this test must run, not be skipped")
    pytest.skip(reason)


Server = TypeVar("Server", bound=socketserver.BaseServer)


@contextlib.contextmanager
def running_in_thread(server: Server) -> Iterator[Server]:
    """A server answering in a thread for the with-block, then shut down and closed."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)
