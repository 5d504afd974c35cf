"""`curate history ID` as text: one line per night, newest first."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.models import Night

_COLUMNS = ("night", "run", "mode", "availability", "severity", "status", "pages", "title",
            "findings")


def render_nights(resource_id: str, nights: Sequence[Night]) -> str:
    """A plain-text table a curator can read in a terminal or paste in an issue."""
    rows = [_COLUMNS, *(_row(n) for n in nights)]
    widths = [min(max(len(r[i]) for r in rows), 60) for i in range(len(_COLUMNS))]
    lines = [f"{resource_id}: {len(nights)} night(s), newest first", ""]
    for row in rows:
        cells = (cell[:width].ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _row(night: Night) -> tuple[str, ...]:
    network = " (network down)" if night.network == "inconclusive" else ""
    return (
        night.started.strftime("%Y-%m-%d %H:%M"),
        night.run_id,
        night.mode,
        night.availability + network,
        night.severity,
        "" if night.status is None else str(night.status),
        "" if night.pages is None else str(night.pages),
        " ".join((night.title or "").split()),
        ", ".join(night.findings),
    )
