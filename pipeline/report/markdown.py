"""report.md: a run as Markdown, for a CI job summary or a pull-request comment.

Pure: `render_markdown(run) -> str`. Everything printed that can come from a
remote server (finding messages quote page titles, final URLs come from
Location headers) is untrusted: it is flattened to one line, bounded in
length and stripped of Markdown/HTML meaning before it reaches a table cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from pipeline.models import (
    Finding,
    Mode,
    Network,
    ResourceResult,
    Run,
    Severity,
)
from pipeline.report.text import (
    URL_SAFE,
    availability_label,
    clip,
    explain_availability,
    explained_by_findings,
    iso_utc,
)

MAX_CELL_CHARS = 300
MAX_FINDINGS_PER_ROW = 5
MAX_ATTENTION_ROWS = 200
MAX_INFO_ROWS = 50

_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")


def render_markdown(run: Run) -> str:
    """The whole Markdown report, ending in a newline."""
    parts = [
        f"# curate report — {escape(run.info.id)}",
        _headline(run),
        *_inconclusive_note(run),
        "## Summary",
        _summary_tables(run),
        "## Needs attention",
        _attention_section(run),
        *_info_section(run),
        _all_clear(run),
    ]
    return "\n\n".join(parts) + "\n"


def render(run: Run) -> str:
    """The `render(run) -> str` entry point every report module offers."""
    return render_markdown(run)


# --------------------------------------------------------------------------
# Escaping and bounding untrusted text
# --------------------------------------------------------------------------


def escape(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """One safe line of Markdown text: no HTML, links, code, emphasis or table breaks.

    Whitespace (newlines included) collapses to single spaces, invisible and
    control characters (bidi overrides too) go, the text is cut to `limit`
    characters, then `& < >` become entities, Markdown punctuation is
    backslash-escaped and `@` is followed by a zero-width space so that a
    remote title cannot @-mention anyone in a pull-request comment.
    """
    cut = clip(text, limit)
    html_safe = cut.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_PUNCTUATION.sub(r"\\\1", html_safe).replace("@", "@\u200b")


def url_cell(url: str) -> str:
    """A URL as an autolink, percent-encoding anything that could break out of it.

    Only http(s) URLs of bounded length become links; anything else is shown
    as escaped text so that a `javascript:` or overlong URL is never clickable.
    """
    if not url:
        return ""
    encoded = quote(url, safe=URL_SAFE)
    if encoded.startswith(("https://", "http://")) and len(encoded) <= MAX_CELL_CHARS:
        return f"<{encoded}>"
    return escape(url)


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------


def _headline(run: Run) -> str:
    """Mode, network and counts on one line."""
    severities = run.count_by_severity()
    counts = ", ".join(
        f"{severities[s.value]} {s.value}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    )
    total = len(run.results)
    noun = "resource" if total == 1 else "resources"
    return (
        f"Mode **{run.info.mode.value}** · network **{run.info.network.value}** · "
        f"{total} {noun}: {counts} · finished {iso_utc(run.info.finished)}"
    )


def _inconclusive_note(run: Run) -> list[str]:
    """A warning paragraph when the network itself was down, else nothing."""
    if run.info.network is not Network.INCONCLUSIVE:
        return []
    return [
        "> **Inconclusive run:** the network itself was down. Failures seen in this "
        "run count toward no resource's confirmation."
    ]


def _summary_tables(run: Run) -> str:
    """Availability counts (non-zero only) and severity counts (all, worst first)."""
    availability = [(a, n) for a, n in run.count_by_availability().items() if n]
    severities = run.count_by_severity()
    severity = [(s.value, severities[s.value]) for s in sorted(Severity, key=_worst_first)]
    return (
        _table(("Availability", "Resources"), availability, align=("---", "---:"))
        + "\n\n"
        + _table(("Severity", "Resources"), severity, align=("---", "---:"))
    )


def _attention_section(run: Run) -> str:
    """Errors, then warnings, each in catalogue order, as one bounded table."""
    rows = [r for s in (Severity.ERROR, Severity.WARNING) for r in run.results if r.severity is s]
    if not rows:
        return "Nothing needs attention."
    shown = rows[:MAX_ATTENTION_ROWS]
    table = _table(
        ("Severity", "Resource", "Availability", "What happened", "URL"),
        [_attention_row(r, run.info.mode) for r in shown],
    )
    return table + _more(len(rows) - len(shown))


def _attention_row(result: ResourceResult, mode: Mode) -> tuple[str, ...]:
    """One table row: severity, id, availability label, explanation, URL."""
    severity = result.severity.value
    return (
        f"**{severity}**" if result.severity is Severity.ERROR else severity,
        escape(result.resource.id),
        escape(availability_label(result, mode)),
        what_happened(result),
        _urls(result),
    )


def _info_section(run: Run) -> list[str]:
    """Resources whose worst is info, as a compact bounded bullet list."""
    rows = [r for r in run.results if r.severity is Severity.INFO]
    if not rows:
        return []
    shown = rows[:MAX_INFO_ROWS]
    items = "\n".join(
        f"- {escape(r.resource.id)} ({escape(availability_label(r, run.info.mode))}): "
        f"{what_happened(r, separator='; ')}"
        for r in shown
    )
    return ["## Info", items + _more(len(rows) - len(shown))]


def _all_clear(run: Run) -> str:
    """The closing count of resources with nothing to report."""
    clear = sum(
        1 for r in run.results
        if r.availability.is_reachable and r.severity.rank <= Severity.INFO.rank
    )
    noun = "resource" if clear == 1 else "resources"
    return f"All clear: {clear} {noun} available"


# --------------------------------------------------------------------------
# Cell contents
# --------------------------------------------------------------------------


def what_happened(result: ResourceResult, separator: str = "<br>") -> str:
    """Escaped finding messages (worst first), led by an availability explanation
    when no finding of warning or error severity already says what is wrong."""
    findings = sorted(result.findings, key=lambda f: _worst_first(f.effective_severity))
    lines = [_finding_text(f) for f in findings[:MAX_FINDINGS_PER_ROW]]
    if len(findings) > MAX_FINDINGS_PER_ROW:
        lines.append(f"… {len(findings) - MAX_FINDINGS_PER_ROW} more findings")
    if not explained_by_findings(result):
        lines.insert(0, escape(explain_availability(result)))
    return separator.join(lines)


def _finding_text(finding: Finding) -> str:
    """`code`: message, the message escaped and bounded."""
    return f"`{finding.code.value}`: {escape(finding.message)}"


def _urls(result: ResourceResult) -> str:
    """The catalogue URL, plus where it ended up when that differs."""
    url = url_cell(result.resource.url)
    observed = result.observed
    if observed is None or not observed.final_url or observed.final_url == result.resource.url:
        return url
    return f"{url} → {url_cell(observed.final_url)}"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _worst_first(severity: Severity) -> int:
    """Sort key putting error first and none last."""
    return -severity.rank


def _table(
    header: tuple[str, ...],
    rows: Iterable[tuple[object, ...]],
    align: tuple[str, ...] | None = None,
) -> str:
    """A GitHub-flavoured Markdown table; cells must already be escaped."""
    lines = [_row(header), _row(align or tuple("---" for _ in header))]
    lines.extend(_row(tuple(str(cell) for cell in row)) for row in rows)
    return "\n".join(lines)


def _row(cells: tuple[str, ...]) -> str:
    """One table line."""
    return "| " + " | ".join(cells) + " |"


def _more(hidden: int) -> str:
    """A note that rows were left out to keep the output bounded."""
    return f"\n\n… and {hidden} more; see report.json." if hidden > 0 else ""
