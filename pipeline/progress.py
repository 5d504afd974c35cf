"""Progress of a check, for the person or the log watching it.

A rich progress bar on a terminal (done/total, failures so far, the host
just answered); on anything else (CI logs, cron mail) plain lines, at most
about a hundred per run; nothing with --no-progress.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import TextIO

ProgressCallback = Callable[[int, int, str, bool], None]
PLAIN_LINES = 100  # about this many lines per run in a log
PLAIN_SECONDS = 10.0  # and at least one every this many seconds


@contextlib.contextmanager
def progress_display(
    enabled: bool, stream: TextIO | None = None
) -> Iterator[ProgressCallback | None]:
    """Yield the callback check() should call, or None when silenced."""
    stream = stream or sys.stderr
    if not enabled:
        yield None
    elif stream.isatty():
        with _bar(stream) as callback:
            yield callback
    else:
        yield PlainLines(stream)


@contextlib.contextmanager
def _bar(stream: TextIO) -> Iterator[ProgressCallback]:
    # rich is imported here, not above: only a terminal needs it (a tenth of
    # a second of every other run's start-up).
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("checking"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[failed]} failing"), TimeElapsedColumn(),
               TextColumn("{task.fields[host]}"))
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("check", total=None, failed=0, host="")
        failed = 0

        def update(done: int, total: int, host: str, failure: bool) -> None:
            nonlocal failed
            failed += failure
            bar.update(task, completed=done, total=total, failed=failed, host=host)

        yield update


class PlainLines:
    """`[done/total] N failing, last: host` lines, thinned out for logs."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.clock = stream, clock
        self.failed = 0
        self.last_line = clock()

    def __call__(self, done: int, total: int, host: str, failure: bool) -> None:
        self.failed += failure
        step = max(1, total // PLAIN_LINES)
        due = self.clock() - self.last_line >= PLAIN_SECONDS
        if done == total or done % step == 0 or due:
            self.last_line = self.clock()
            print(f"[{done}/{total}] {self.failed} failing, last: {host}", file=self.stream,
                  flush=True)
