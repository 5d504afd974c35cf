"""report.csv: one row per resource, for spreadsheets.

Pure: `render_csv(run) -> str`, or `stream_csv(run)` for the same text in
pieces of ROWS_PER_PIECE rows (what the report writer uses). Written with
the csv module (RFC 4180 quoting; LF line ends like every other report,
which spreadsheets accept).
Text from remote pages can start with `=`, `+`, `-` or `@`, which a
spreadsheet would run as a formula (CSV injection): such cells get a leading
single quote, as OWASP recommends. Whitespace (newlines, tabs) inside cells
is flattened to single spaces first, so a cell cannot hide a formula behind
leading whitespace either; control and bidi characters are removed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from pipeline.models import ResourceResult, Run
from pipeline.report.text import one_printable_line, what_happened_text

COLUMNS = (
    "id", "hub", "title", "url", "publisher", "availability", "severity", "confirmed",
    "failures", "status", "final_url", "observed_title", "pages", "findings", "message",
)
FORMULA_STARTS = ("=", "+", "-", "@")
ROWS_PER_PIECE = 1_000


def render_csv(run: Run) -> str:
    """The CSV text: a header row, then the resources in catalogue order."""
    return "".join(stream_csv(run))


def stream_csv(run: Run) -> Iterator[str]:
    """The text of `render_csv` in pieces: the header, then ROWS_PER_PIECE rows at a time."""
    yield _csv_text([COLUMNS])
    for start in range(0, len(run.results), ROWS_PER_PIECE):
        batch = run.results[start : start + ROWS_PER_PIECE]
        yield _csv_text(guard_row(_cells(result)) for result in batch)


def _csv_text(rows: Iterable[Iterable[object]]) -> str:
    """`rows` as CSV lines (the writer keeps no state from one row to the next)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def render(run: Run) -> str:
    """The `render(run) -> str` entry point every report module offers."""
    return render_csv(run)


def _cells(result: ResourceResult) -> tuple[object, ...]:
    """One resource's cells, in COLUMNS order."""
    resource, seen = result.resource, result.observed
    return (
        resource.id,
        resource.hub,
        resource.title,
        resource.url,
        resource.publisher,
        result.availability.value,
        result.severity.value,
        "yes" if result.confirmation.confirmed else "no",
        result.confirmation.failures,
        "" if seen is None or seen.status is None else seen.status,
        seen.final_url if seen else "",
        (seen.title or "") if seen else "",
        "" if seen is None or seen.pages is None else seen.pages,
        ";".join(f.code.value for f in result.findings),
        what_happened_text(result),
    )


def guard_row(cells: Iterable[object]) -> list[str]:
    """Every cell as text, flattened to one line and defused against formulas."""
    return [guard_cell(cell) for cell in cells]


def guard_cell(value: object) -> str:
    """A cell's text; a leading single quote when a spreadsheet would read a formula."""
    if isinstance(value, int):
        return str(value)
    text = one_printable_line(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text
