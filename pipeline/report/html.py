"""report.html: one standalone page for curators.

Pure: `render_html(run, context) -> str`, or `stream_html(run, context)` for
the same text in pieces (what the report writer uses: a page of 100,000
resources is never held whole, nor the view of every resource at once).
The page needs nothing else: the CSS and the (vanilla) JavaScript are
inline, there are no external fonts, images or scripts, and a
Content-Security-Policy forbids loading any. It reads without JavaScript
(summary, changes, table, details below it); with JavaScript the table
filters and sorts and details open in a dialog. This module makes the page;
one resource's view is html_view's `Row`, printed by html_parts.

Everything that can come from a remote server (titles, messages, evidence,
URLs) is untrusted: the templates are rendered with jinja2 autoescaping,
text is flattened and bounded by the `clip` filter, only http(s) URLs
become links, and the data the script needs travels as JSON in a
`<script type="application/json">` element with `<`, `>` and `&` escaped,
so that no remote string is ever part of script code.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from pipeline.models import Availability, ResourceResult, Run, Severity
from pipeline.report.context import EMPTY_CONTEXT, ReportContext
from pipeline.report.html_parts import (
    MAX_TEXT,
    SEVERITY_WORDS,
    badge,
    detail,
    detail_link,
    table_row,
)
from pipeline.report.html_view import MAX_DETAIL, Row
from pipeline.report.text import as_utc, clip

BLOCK = 1 << 16  # characters per piece of a streamed page
AVAILABILITY_RANK = {a: rank for rank, a in enumerate(Availability)}  # the script sorts by it
GROUPS = (
    ("failure", "New problems",
     "Fine on the last run (or new in the catalogue), failing now."),
    ("recovery", "Recovered", "Failing on the last run, available again now."),
    ("drift", "Changed", "The title, page count, content or address changed since the last run."),
    ("new", "New in the catalogue", "Checked for the first time; nothing wrong."),
)


# --------------------------------------------------------------------------
# View model: what the templates show, computed here so they stay simple
# (one resource's Row is in html_view)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rows:
    """Rows in a given order, each made only when a loop reaches it.

    The template loops over the rows three times (table, details, script
    data); making them on the way keeps a page of 100,000 resources from
    holding 100,000 views at once, for a little more CPU.
    """

    run: Run = field(repr=False)
    context: ReportContext = field(repr=False)
    order: Sequence[int] = field(repr=False)  # indices into run.results

    def __iter__(self) -> Iterator[Row]:
        run, context = self.run, self.context
        return (Row(i, run.results[i], run, context) for i in self.order)

    def __len__(self) -> int:
        return len(self.order)


@dataclass(frozen=True)
class Group:
    """One part of "changed since the last run"."""

    kind: str
    title: str
    intro: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Choice:
    """One <select> filter: its key in the data, its label and its options."""

    key: str
    label: str
    options: tuple[tuple[str, str], ...]  # (value, label)


@dataclass(frozen=True)
class Page:
    """Everything report.html.j2 renders."""

    run: Run
    finished: str
    rows: Rows  # worst first, then catalogue order
    catalogue: Rows  # catalogue order
    groups: tuple[Group, ...]
    has_baseline: bool
    compared_with: str | None
    severity_counts: tuple[tuple[str, str, int], ...]  # (value, label, count)
    availability_counts: tuple[tuple[str, int], ...]
    choices: tuple[Choice, ...]

    def data_json(self) -> Iterator[Markup]:
        """The data the script needs, as safe JSON in pieces (see `script_rows`)."""
        return script_rows(self.catalogue)


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------


def render_html(run: Run, context: ReportContext = EMPTY_CONTEXT) -> str:
    """The whole standalone HTML page, ending in a newline."""
    return "".join(stream_html(run, context))


def stream_html(run: Run, context: ReportContext = EMPTY_CONTEXT) -> Iterator[str]:
    """The text of `render_html` in pieces, as jinja2 makes it: the page is never
    held whole (`files.write_reports` writes the pieces as they come)."""
    template = environment().get_template("report.html.j2")
    pieces = template.generate(page=build_page(run, context))
    return _one_final_newline(_batched(pieces, BLOCK))


def _batched(pieces: Iterable[str], size: int) -> Iterator[str]:
    """`pieces` joined into blocks of at least `size` characters (the last one shorter):
    jinja2 yields every bit of text and value on its own."""
    block: list[str] = []
    length = 0
    for piece in pieces:
        block.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(block)
            block, length = [], 0
    yield "".join(block)


def _one_final_newline(blocks: Iterable[str]) -> Iterator[str]:
    """`blocks` with their trailing newlines replaced by exactly one, as
    `text.rstrip("\\n") + "\\n"` would do to the whole text."""
    held = ""
    for block in blocks:
        body = block.rstrip("\n")
        if body:
            yield held + body
            held = ""
        held += block[len(body) :]
    yield "\n"


def render(run: Run) -> str:
    """The `render(run) -> str` entry point every report module offers (no history)."""
    return render_html(run)


@functools.cache
def environment() -> Environment:
    """The jinja2 environment: package templates, autoescaping on, strict undefined."""
    env = Environment(
        loader=PackageLoader("pipeline.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clip"] = clip
    # What is printed once per resource is Python (see html_parts), not macros.
    env.globals.update(badge=badge, detail_link=detail_link, table_row=table_row, detail=detail)
    return env


def build_page(run: Run, context: ReportContext) -> Page:
    """The view model of a run and its context; its rows are made as they are read."""
    rows = Rows(run, context, _worst_first(run.results))
    return Page(
        run=run,
        finished=as_utc(run.info.finished).strftime("%Y-%m-%d %H:%M UTC"),
        rows=rows,
        catalogue=Rows(run, context, range(len(run.results))),
        groups=_groups(rows),
        has_baseline=context.has_baseline,
        compared_with=context.compared_with,
        severity_counts=_severity_counts(run),
        availability_counts=tuple((a, n) for a, n in run.count_by_availability().items() if n),
        choices=_choices(run.results),
    )


def _worst_first(results: Sequence[ResourceResult]) -> list[int]:
    """Indices of `results`, error first, then catalogue order (the sort is stable)."""
    return sorted(range(len(results)), key=lambda i: -results[i].severity.rank)


# --------------------------------------------------------------------------
# Changed since the last run
# --------------------------------------------------------------------------


def _groups(rows: Iterable[Row]) -> tuple[Group, ...]:
    """The non-empty change groups, in GROUPS order, rows worst first."""
    changed = [(row, change.kind) for row in rows if (change := row.change)]
    groups = (
        Group(kind, title, intro, tuple(row for row, of in changed if of == kind))
        for kind, title, intro in GROUPS
    )
    return tuple(g for g in groups if g.rows)


# --------------------------------------------------------------------------
# Summary, filters, data for the script
# --------------------------------------------------------------------------


def _severity_counts(run: Run) -> tuple[tuple[str, str, int], ...]:
    """(value, label, count) for every severity, worst first."""
    counts = run.count_by_severity()
    order = sorted(Severity, key=lambda s: -s.rank)
    return tuple((s.value, SEVERITY_WORDS[s], counts[s.value]) for s in order)


def _choices(results: Sequence[ResourceResult]) -> tuple[Choice, ...]:
    """The four <select> filters, offering only values that occur."""
    availabilities = {r.availability for r in results}
    severities = {r.severity for r in results}
    return (
        Choice("availability", "Availability",
               tuple((a.value, a.value) for a in Availability if a in availabilities)),
        Choice("severity", "Severity",
               tuple((s.value, SEVERITY_WORDS[s])
                     for s in sorted(severities, key=lambda s: -s.rank))),
        Choice("publisher", "Publisher", _options(r.resource.publisher for r in results)),
        Choice("hub", "Hub page", _options(r.resource.hub for r in results)),
    )


def _options(values: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Distinct values, sorted case-insensitively; the empty one labelled."""
    distinct = sorted(set(values), key=str.casefold)
    return tuple((v, clip(v, 80) or "(none given)") for v in distinct)


def _row_data(row: Row) -> dict[str, Any]:
    """What the script needs of a row to filter and sort it (all plain data)."""
    result, what = row.result, row.what
    resource, seen = result.resource, result.observed
    return {
        "index": row.index,
        "id": resource.id,
        "availability": result.availability.value,
        "availabilityRank": AVAILABILITY_RANK[result.availability],
        "severity": result.severity.value,
        "severityRank": result.severity.rank,
        "publisher": resource.publisher,
        "hub": resource.hub,
        "what": clip(what, MAX_TEXT),
        "status": seen.status if seen else None,
        "url": resource.url,
        "search": _search_text(row, what),
    }


def _search_text(row: Row, what: str) -> str:
    """The lower-case text the search box looks in, each text once.

    The script looks for every word on its own, and a word (no spaces) never
    spans two texts: a repeat (the final URL, the page's title, a finding's
    message as `what`) finds nothing more and only makes the page bigger.
    """
    result = row.result
    resource, seen = result.resource, result.observed
    texts = [
        resource.id, resource.title, resource.publisher, resource.hub, resource.url, row.label,
        what, seen.final_url if seen else "", (seen.title or "") if seen else "",
        *(text for f in result.findings for text in (f.code.value, f.message)),
    ]
    return clip(" ".join(dict.fromkeys(texts)), MAX_DETAIL).lower()


# --------------------------------------------------------------------------
# Escaping helpers
# --------------------------------------------------------------------------


def script_json(data: object) -> Markup:
    """JSON that is safe inside <script type="application/json">: no '<', '>', '&'
    (so no '</script>' or '<!--'), no line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return Markup(text)  # safe: every markup-significant character is escaped above


def script_rows(rows: Iterable[Row]) -> Iterator[Markup]:
    """`script_json({"rows": [...]})` of the rows' data, one row at a time: the
    same text, never built whole (compact JSON of a list is its items joined by ',')."""
    separator = Markup("")
    yield Markup('{"rows":[')
    for row in rows:
        yield separator + script_json(_row_data(row))
        separator = Markup(",")
    yield Markup("]}")
