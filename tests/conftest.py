"""Shared fixtures: the simulated hub and a fake internet on loopback, a fast,
sleepless config, a copy of a shipped catalogue file."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.config import Config, FetchConfig
from pipeline.fetch.client import Clock, Fetcher
from pipeline.sim import SimulatedHub
from tests.loopback import FakeInternet, fake_internet
from tests.review_factory import SHIPPED


@pytest.fixture(scope="session")
def _internet_servers() -> Iterator[FakeInternet]:
    with fake_internet() as running:
        yield running


@pytest.fixture
def internet(_internet_servers: FakeInternet) -> Iterator[FakeInternet]:
    """Every host name on loopback servers that answer what the test scripts
    (tests/loopback.py); a request for anything unscripted fails the test."""
    _internet_servers.reset()
    yield _internet_servers
    unexpected = _internet_servers.unscripted
    _internet_servers.reset()
    assert not unexpected, f"requests nobody scripted: {unexpected}"


@pytest.fixture(scope="session")
def hub() -> Iterator[SimulatedHub]:
    """One simulated hub (a real HTTP server on 127.0.0.1) for the session."""
    with SimulatedHub(trickle_seconds=20.0) as running:
        yield running


# Short limits so that failure cases end quickly; loopback is allowed on purpose.
FAST_FETCH = FetchConfig(
    contact="https://curation.example.org/tests",
    timeout=1.5,
    connect_timeout=1.0,
    max_bytes=2_000_000,
    retries=2,
    backoff_base=0.5,
    max_retry_after=5,
    concurrency=8,
    per_host_concurrency=4,
    per_host_interval=0.0,
    allow_private_networks=True,
)


class Sleeps:
    """Records the sleeps a fetcher asked for, without sleeping."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def fast_config() -> Config:
    return Config(fetch=FAST_FETCH)


@pytest.fixture
def fetcher(fast_config: Config, sleeps: Sleeps) -> Fetcher:
    """A real fetcher (real sockets, real deadline) whose backoff never sleeps."""
    clock = Clock(now=time.monotonic, sleep=sleeps, wall=time.time)
    return Fetcher(replace(fast_config.fetch), clock=clock)


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped catalogue/car-t-phases.yaml in its own folder (for the
    tests of pipeline.review that edit a catalogue file)."""
    folder = tmp_path / "catalogue"
    folder.mkdir()
    return Path(shutil.copy(SHIPPED, folder / SHIPPED.name))
