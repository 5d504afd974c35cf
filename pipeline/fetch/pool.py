"""Run fetches concurrently without flooding any one host.

A global cap on requests in flight, a per-host cap, and a minimum interval
between the starts of two requests to the same host. One dispatcher (the
thread calling `run`) hands a worker only work for a host that has room and
whose interval has passed, so no worker sits blocked or asleep behind a busy
host while other hosts wait.

Work may answer `Deferred` instead of a result: "resume me in so many
seconds" (a retry after backoff or Retry-After). The slot is given back at
once and the item waits in the dispatcher's heap, not in a sleeping thread,
so a night with many retries keeps every slot busy with requests.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pipeline.fetch.client import Clock

T = TypeVar("T", bound=Hashable)
R = TypeVar("R")


@dataclass(frozen=True)
class Deferred(Generic[R]):
    """Work that asks to go on after `delay` seconds, holding no slot meanwhile."""

    delay: float
    resume: Callable[[], R | Deferred[R]]


@dataclass(order=True)
class _Later:
    """A deferred item in the heap, ordered by when it is due."""

    due: float
    seq: int
    host: str = field(compare=False)
    task: _Task[Any, Any] = field(compare=False)


@dataclass
class _Task(Generic[T, R]):
    """One item and what to call next for it (the work, or a Deferred's resume)."""

    item: T
    step: Callable[[], R | Deferred[R]]


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
        self._slept_until = float("-inf")
        self._seq = itertools.count()

    def run(
        self,
        items: Iterable[T],
        host_of: Callable[[T], str],
        work: Callable[[T], R | Deferred[R]],
        on_done: Callable[[T, R], None] | None = None,
    ) -> dict[T, R]:
        """Process every item; returns item -> result. A crash in work stops the run."""
        state = _State[T, R](self._queue(items, host_of, work))
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool, self._cond:
            while state.busy() and state.failure is None:
                self._release_due(state)
                if not self._dispatch(state, pool, on_done):
                    self._wait(state)
        if state.failure is not None:
            raise state.failure
        return state.results

    @staticmethod
    def _queue(
        items: Iterable[T], host_of: Callable[[T], str], work: Callable[[T], R | Deferred[R]]
    ) -> dict[str, deque[_Task[T, R]]]:
        queues: dict[str, deque[_Task[T, R]]] = {}
        for item in items:
            task = _Task(item, functools.partial(work, item))
            queues.setdefault(host_of(item), deque()).append(task)
        return queues

    def now(self) -> float:
        """The clock's time, or later if the dispatcher has slept past it.

        An injected clock whose sleep returns at once (tests) would otherwise
        leave a deferred item forever not yet due.
        """
        return max(self.clock.now(), self._slept_until)

    def _release_due(self, state: _State[T, R]) -> None:
        """Put every deferred item that is due back at the head of its host's queue."""
        now = self.now()
        while state.later and state.later[0].due <= now:
            later = heapq.heappop(state.later)
            state.queues.setdefault(later.host, deque()).appendleft(later.task)

    def _dispatch(self, state: _State[T, R], pool: ThreadPoolExecutor, on_done: Any) -> bool:
        """Start work for every host with room, round-robin; True if any started."""
        started = False
        now = self.now()
        for host in list(state.queues):
            if state.total >= self.concurrency:
                break
            if not self._ready(state, host, now):
                continue
            task = state.queues[host].popleft()
            if not state.queues[host]:
                del state.queues[host]
            self._take_slot(state, host, now)
            pool.submit(self._run_one, state, host, task, on_done)
            started = True
        return started

    def _ready(self, state: _State[T, R], host: str, now: float) -> bool:
        """Whether host has a free slot and its interval since the last start has passed."""
        room = state.in_flight.get(host, 0) < self.per_host
        return room and self._next_slot.get(host, now) <= now

    def _take_slot(self, state: _State[T, R], host: str, now: float) -> None:
        state.in_flight[host] = state.in_flight.get(host, 0) + 1
        state.total += 1
        self._next_slot[host] = max(now, self._next_slot.get(host, now)) + self.interval

    def _wait(self, state: _State[T, R]) -> None:
        """Wait for a worker to finish or the next deferred item or host slot to come due."""
        if state.total >= self.concurrency:
            self._cond.wait()  # every slot is taken: only a finishing worker frees one
            return
        wake = self._next_wake(state)
        if state.total:
            self._cond.wait(None if wake is None else max(wake - self.now(), 0.0))
        elif wake is not None:  # idle: nothing in flight can wake us, so sleep on the clock
            self.clock.sleep(max(wake - self.now(), 0.0))
            self._slept_until = wake

    def _next_wake(self, state: _State[T, R]) -> float | None:
        """The earliest moment something could start: a deferred item or a host's slot.

        Called when nothing was ready: every queued host with room waits for its slot.
        """
        moments = [state.later[0].due] if state.later else []
        moments += [
            self._next_slot[host]
            for host in state.queues
            if host in self._next_slot and state.in_flight.get(host, 0) < self.per_host
        ]
        return min(moments, default=None)

    def _run_one(
        self, state: _State[T, R], host: str, task: _Task[T, R], on_done: Any
    ) -> None:
        try:
            answer = task.step()
            if not isinstance(answer, Deferred) and on_done is not None:
                on_done(task.item, answer)
        except BaseException as exc:  # surfaced in run(): a crash is curate's bug
            with self._cond:
                state.failure = exc
        else:
            with self._cond:
                self._settle(state, host, task, answer)
        finally:
            with self._cond:
                state.in_flight[host] -= 1
                state.total -= 1
                self._cond.notify_all()

    def _settle(
        self, state: _State[T, R], host: str, task: _Task[T, R], answer: R | Deferred[R]
    ) -> None:
        """Keep a result, or park a Deferred in the heap until it is due."""
        if isinstance(answer, Deferred):
            task.step = answer.resume
            due = self.now() + max(answer.delay, 0.0)
            heapq.heappush(state.later, _Later(due, next(self._seq), host, task))
        else:
            state.results[task.item] = answer

    def pace(self, host: str) -> None:
        """Take host's next start slot for a request made inside running work
        (the soft-404 probe), sleeping until it comes."""
        with self._cond:
            now = self.now()
            slot = max(now, self._next_slot.get(host, now))
            self._next_slot[host] = slot + self.interval
        if slot > now:
            self.clock.sleep(slot - now)


class _State(Generic[T, R]):
    """Book-keeping of one run(), guarded by the scheduler's condition."""

    def __init__(self, queues: dict[str, deque[_Task[T, R]]]) -> None:
        self.queues = queues
        self.later: list[_Later] = []
        self.in_flight: dict[str, int] = {}
        self.total = 0
        self.results: dict[T, R] = {}
        self.failure: BaseException | None = None

    def busy(self) -> bool:
        """Whether any item is queued, deferred or running."""
        return bool(self.queues or self.later or self.total)
