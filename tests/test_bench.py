"""Smoke test of `make bench`: a tiny farm, a tiny catalogue, curate's verdicts.

The performance targets are measured by `make bench`, never asserted here.
"""

from __future__ import annotations

import re
import socket

import pytest

from bench import pages
from bench.farm import answer_for, host_address, parse_request
from bench.inputs import Settings, expected_kinds, politeness_bound
from bench.run import main
from tests.fakes import ON_CI

HOSTS = 3


def _loopback_hosts_bindable(count: int) -> bool:
    for index in range(count):
        with socket.socket() as sock:
            try:
                sock.bind((host_address(index), 0))
            except OSError:
                return False
    return True


needs_loopback_hosts = pytest.mark.skipif(
    not _loopback_hosts_bindable(HOSTS) and not ON_CI,  # on CI: run, and fail if unbindable
    reason=f"cannot bind 127.0.0.2-127.0.0.{HOSTS + 1} (only 127.0.0.1 is loopback here)",
)


def test_mix_has_every_kind_and_a_429() -> None:
    kinds = expected_kinds(120)
    assert set(kinds) == set(pages.EXPECTED)
    assert kinds[pages.LIMITED] == 1


def test_conditional_request_gets_304() -> None:
    first = answer_for("/u/0", {})
    etag = dict(first.headers)["ETag"]
    assert first.status == 200
    assert answer_for("/u/0", {"if-none-match": etag}).status == 304
    assert answer_for("/u/0", {"if-modified-since": pages.LAST_MODIFIED}).status == 304
    assert answer_for("/u/curate-probe-1234", {}).status == 404


def test_parse_request_keep_alive() -> None:
    request = parse_request(b"GET /u/3?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close")
    assert request is not None
    assert request.path == "/u/3"
    assert not request.keep_alive


def test_bound_is_the_larger_of_per_host_and_overall() -> None:
    bound = politeness_bound(Settings(urls=10_000, hosts=50, latency=0.05,
                                      concurrency=32, per_host=2))
    assert bound.overall == pytest.approx(15.625)
    assert bound.per_host == pytest.approx(5.0)
    assert bound.seconds == pytest.approx(15.625)


def _counts(line: str) -> dict[str, int]:
    return {name: int(n) for n, name in
            ((m.group(2), m.group(1)) for m in re.finditer(r"([a-z-]+) (\d+)", line))}


@needs_loopback_hosts
def test_bench_runs_curate_against_the_farm(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--urls", "120", "--hosts", str(HOSTS), "--latency", "0.005",
                   "--backoff", "0.05", "--max-retry-after", "0.1", "--nights", "1",
                   "--skip-lychee"])
    out = capsys.readouterr().out
    assert "tool" in out and "bound s" in out and "curate night 1" in out
    got = re.search(r"availability: (.*)", out)
    want = re.search(r"expected: +(.*)", out)
    assert got and want, out
    assert _counts(got.group(1)) == _counts(want.group(1))
    assert "429 reported broken: 0" in out
    assert status == 0, out
