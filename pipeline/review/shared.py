"""What every review step shares: its error, the run's result for an id, the
"did you mean" hint for a mistyped name, and text from a remote page made safe
to print on a terminal."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from pipeline.models import ResourceResult, Run


class ReviewError(Exception):
    """A review step could not be done; the message says why, for curators."""


def run_result(run: Run, resource_id: str) -> ResourceResult:
    """The run's result for `resource_id`, or a ReviewError."""
    found = next((r for r in run.results if r.resource.id == resource_id), None)
    if found is None:
        raise ReviewError(
            f"The run {run.info.id} did not check '{resource_id}'; "
            f"run `curate check --only {resource_id}` first"
        )
    return found


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """The hint " (did you mean 'X'?)" naming the closest of `known` to a
    mistyped `name`, '' when none is close: the end of a ReviewError's sentence."""
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_line(text: str) -> str:
    """Text without control characters, its spaces collapsed to single ones."""
    return " ".join(printable(text).split())


def printable(text: str) -> str:
    """Text from a remote page made harmless for a terminal: control and
    invisible formatting characters become spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in text)
