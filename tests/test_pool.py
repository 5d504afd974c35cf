"""The host scheduler: global and per-host caps, spacing, failures surface."""

from __future__ import annotations

import itertools
import threading
from collections import Counter

import pytest

from pipeline.fetch.pool import Deferred, HostScheduler
from tests.fakes import FakeClock


class Recorder:
    """Work that records how many items run at once, overall and per host."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.total = self.peak_total = 0

    def __call__(self, item: tuple[str, int]) -> str:
        host = item[0]
        with self.lock:
            self.now[host] += 1
            self.total += 1
            self.peak[host] = max(self.peak[host], self.now[host])
            self.peak_total = max(self.peak_total, self.total)
        threading.Event().wait(0.005)  # hold the slot so that work overlaps
        with self.lock:
            self.now[host] -= 1
            self.total -= 1
        return f"{host}#{item[1]}"


def test_caps_hold_and_every_item_is_done_once() -> None:
    items = [(f"host{h}", n) for h in range(6) for n in range(8)]
    recorder = Recorder()
    done: list[tuple[str, int]] = []
    scheduler: HostScheduler[tuple[str, int], str] = HostScheduler(5, 2, 0.0)
    results = scheduler.run(items, lambda i: i[0], recorder, lambda i, _: done.append(i))
    assert results == {i: f"{i[0]}#{i[1]}" for i in items}
    assert sorted(done) == sorted(items)
    assert recorder.peak_total <= 5
    assert max(recorder.peak.values()) <= 2
    assert recorder.peak_total >= 3  # hosts really ran side by side


def test_requests_to_one_host_are_spaced_by_the_interval() -> None:
    clock = FakeClock()
    starts: list[float] = []
    scheduler: HostScheduler[int, None] = HostScheduler(1, 1, 0.5, clock.clock())
    scheduler.run(range(4), lambda _: "one-host", lambda _: starts.append(clock.now()))
    assert [b - a for a, b in itertools.pairwise(starts)] == [0.5, 0.5, 0.5]


def test_a_crash_in_the_work_stops_the_run() -> None:
    def work(item: int) -> int:
        if item == 3:
            raise RuntimeError("bug in curate")
        return item

    scheduler: HostScheduler[int, int] = HostScheduler(2, 1, 0.0)
    with pytest.raises(RuntimeError, match="bug in curate"):
        scheduler.run(range(6), lambda i: f"h{i % 2}", work)


def test_a_deferred_item_gives_its_slot_to_other_work_while_it_waits() -> None:
    clock = FakeClock()
    starts: list[tuple[str, float]] = []

    def work(item: str) -> str | Deferred[str]:
        starts.append((item, clock.now()))
        if item == "retry-me" and len([s for s in starts if s[0] == item]) == 1:
            return Deferred(2.0, lambda: work(item))
        return f"{item} done"

    scheduler: HostScheduler[str, str] = HostScheduler(1, 1, 0.0, clock.clock())
    results = scheduler.run(["retry-me", "other"], lambda i: i, work)
    assert results == {"retry-me": "retry-me done", "other": "other done"}
    # "other" ran at once in the single slot; the retry came two seconds later.
    assert starts == [("retry-me", 1000.0), ("other", 1000.0), ("retry-me", 1002.0)]
    assert clock.sleeps == [2.0]


def test_only_the_final_answer_is_reported_done() -> None:
    attempts: Counter[int] = Counter()

    def work(item: int) -> int | Deferred[int]:
        attempts[item] += 1
        return Deferred(0.0, lambda: work(item)) if attempts[item] < 3 else item * 10

    done: list[tuple[int, int]] = []
    scheduler: HostScheduler[int, int] = HostScheduler(2, 1, 0.0, FakeClock().clock())
    results = scheduler.run(range(4), lambda i: f"h{i % 2}", work, lambda i, r: done.append((i, r)))
    assert results == {0: 0, 1: 10, 2: 20, 3: 30}
    assert sorted(done) == [(0, 0), (1, 10), (2, 20), (3, 30)]
    assert set(attempts.values()) == {3}


def test_a_retry_still_waits_for_its_hosts_interval() -> None:
    clock = FakeClock()
    starts: list[float] = []

    def work(item: int) -> Deferred[None] | None:
        starts.append(clock.now())
        return Deferred(0.1, lambda: work(item)) if len(starts) == 1 else None

    scheduler: HostScheduler[int, None] = HostScheduler(4, 4, 0.5, clock.clock())
    scheduler.run([0], lambda _: "one-host", work)
    assert starts == [1000.0, 1000.5]  # the 0.1 s backoff, then the host's 0.5 s interval


def test_hosts_take_turns_so_that_none_is_left_alone_at_the_end() -> None:
    order: list[str] = []
    items = [(host, n) for host in "abc" for n in range(3)]
    scheduler: HostScheduler[tuple[str, int], None] = HostScheduler(1, 1, 0.0)
    scheduler.run(items, lambda i: i[0], lambda i: order.append(i[0]))
    assert "".join(order) == "abcabcabc"
