"""Run fetches concurrently without flooding any one host.

A global cap on requests in flight, a per-host cap, and a minimum interval
between two requests to the same host. The dispatcher hands a worker only
work for a host that has room, so no worker sits blocked behind a busy host
while other hosts wait.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

from pipeline.fetch.client import Clock

T = TypeVar("T", bound=Hashable)
R = TypeVar("R")


class HostScheduler(Generic[T, R]):
    """Applies `work` to items, at most `concurrency` at once, `per_host` per host."""

    def __init__(
        self, concurrency: int, per_host: int, interval: float, clock: Clock | None = None
    ) -> None:
        self.concurrency = concurrency
        self.per_host = per_host
        self.interval = interval
        self.clock = clock or Clock()
        self._cond = threading.Condition()
        self._next_slot: dict[str, float] = {}

    def run(
        self,
        items: Iterable[T],
        host_of: Callable[[T], str],
        work: Callable[[T], R],
        on_done: Callable[[T, R], None] | None = None,
    ) -> dict[T, R]:
        """Process every item; returns item -> result. A crash in work stops the run."""
        state = _State[T, R](self._queue(items, host_of))
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool, self._cond:
            while state.queues or state.total:
                if state.failure is not None:
                    break
                if not self._dispatch(state, pool, work, on_done):
                    self._cond.wait()
        if state.failure is not None:
            raise state.failure
        return state.results

    @staticmethod
    def _queue(items: Iterable[T], host_of: Callable[[T], str]) -> dict[str, deque[T]]:
        queues: dict[str, deque[T]] = {}
        for item in items:
            queues.setdefault(host_of(item), deque()).append(item)
        return queues

    def _dispatch(self, state: _State[T, R], pool: ThreadPoolExecutor, work, on_done) -> bool:
        """Start work for every host with room, round-robin; True if any started."""
        started = False
        for host in list(state.queues):
            if state.total >= self.concurrency:
                break
            if state.in_flight.get(host, 0) >= self.per_host:
                continue
            item = state.queues[host].popleft()
            if not state.queues[host]:
                del state.queues[host]
            state.in_flight[host] = state.in_flight.get(host, 0) + 1
            state.total += 1
            pool.submit(self._run_one, state, host, item, work, on_done)
            started = True
        return started

    def _run_one(self, state: _State[T, R], host: str, item: T, work, on_done) -> None:
        try:
            self.pace(host)
            result = work(item)
            if on_done is not None:
                on_done(item, result)
        except BaseException as exc:  # surfaced in run(): a crash is curate's bug
            with self._cond:
                state.failure = exc
        else:
            with self._cond:
                state.results[item] = result
        finally:
            with self._cond:
                state.in_flight[host] -= 1
                state.total -= 1
                self._cond.notify_all()

    def pace(self, host: str) -> None:
        """Keep `interval` seconds between the starts of two requests to host."""
        with self._cond:
            now = self.clock.now()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self.interval
        if slot > now:
            self.clock.sleep(slot - now)


class _State(Generic[T, R]):
    """Book-keeping of one run(), guarded by the scheduler's condition."""

    def __init__(self, queues: dict[str, deque[T]]) -> None:
        self.queues = queues
        self.in_flight: dict[str, int] = {}
        self.total = 0
        self.results: dict[T, R] = {}
        self.failure: BaseException | None = None
