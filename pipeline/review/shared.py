"""What every review step shares: its error, the run's result for an id, and
text from a remote page made safe to print on a terminal."""

from __future__ import annotations

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


def one_line(text: str) -> str:
    """Text without control characters, its spaces collapsed to single ones."""
    return " ".join(printable(text).split())


def printable(text: str) -> str:
    """Text from a remote page made harmless for a terminal: control and
    invisible formatting characters become spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in text)
