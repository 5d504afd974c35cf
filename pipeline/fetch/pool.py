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
    """A deferred task in the heap, ordered by when it is due."""

    due: float
    seq: int
    task: _Task[Any, Any] = field(compare=False)


@dataclass
class _Task(Generic[T, R]):
    """One item, its host, and what to call next for it (the work, or a Deferred's resume)."""

    item: T
    host: str
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
            task = _Task(item, host_of(item), functools.partial(work, item))
            queues.setdefault(task.host, deque()).append(task)
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
            task = heapq.heappop(state.later).task
            state.queues.setdefault(task.host, deque()).appendleft(task)

    def _dispatch(self, state: _State[T, R], pool: ThreadPoolExecutor, on_done: Any) -> bool:
        """Start work in new workers while there is room; True if any started."""
        started = False
        while (taken := self._take_next(state)) is not None:
            pool.submit(self._run_worker, state, taken, on_done)
            started = True
        return started

    def _take_next(self, state: _State[T, R]) -> _Task[T, R] | None:
        """The next task whose host has room and whose interval has passed, its
        slot taken; None when the global cap is reached or no host is ready.
        Deferred tasks that have come due go first in their host's line."""
        if state.total >= self.concurrency or state.failure is not None:
            return None
        self._release_due(state)
        now = self.now()
        for host in state.queues:
            if self._ready(state, host, now):
                queue = state.queues.pop(host)
                task = queue.popleft()
                if queue:  # to the back of the line: hosts take turns, so all
                    state.queues[host] = queue  # finish together, none left alone at the end
                self._take_slot(state, host, now)
                return task
        return None

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

    def _run_worker(self, state: _State[T, R], task: _Task[T, R], on_done: Any) -> None:
        """Run the task, then straight on with the next ready one in this thread.

        Handing the freed slot on here, rather than through the dispatcher
        thread, saves two thread wake-ups per request; the dispatcher is woken
        only when this worker finds nothing ready (it then waits for the next
        deferred item or host slot to come due).
        """
        next_task: _Task[T, R] | None = task
        while next_task is not None:  # ends: every task is taken from a finite queue once
            answer = self._run_one(next_task, on_done)
            with self._cond:
                self._settle(state, next_task, answer)
                next_task = self._take_next(state)
                if next_task is None:
                    self._cond.notify_all()

    @staticmethod
    def _run_one(task: _Task[T, R], on_done: Any) -> R | Deferred[R] | BaseException:
        """The task's answer, or the exception it raised (a crash is curate's bug)."""
        try:
            answer = task.step()
            if not isinstance(answer, Deferred) and on_done is not None:
                on_done(task.item, answer)
            return answer
        except BaseException as exc:  # surfaced in run()
            return exc

    def _settle(
        self, state: _State[T, R], task: _Task[T, R], answer: R | Deferred[R] | BaseException
    ) -> None:
        """Give back the slot and keep a result, park a Deferred in the heap
        until it is due, or record a crash."""
        state.in_flight[task.host] -= 1
        state.total -= 1
        if isinstance(answer, BaseException):
            state.failure = answer
        elif isinstance(answer, Deferred):
            task.step = answer.resume
            due = self.now() + max(answer.delay, 0.0)
            heapq.heappush(state.later, _Later(due, next(self._seq), task))
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
