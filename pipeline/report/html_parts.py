"""The parts of report.html printed once per resource: its table row and its detail.

They are written here in Python rather than as jinja2 macros because a page
prints them for every resource of the catalogue: through the template, each
of the ~60 values of a resource costs an attribute lookup, an `escape` call
and a `Markup` object, which made the page 70 % of the time of all five
report formats together (1.2 s of a 10,000-resource page; 0.7 s now). The
text is the same, byte for byte, as the macros gave: checked on the 81
pages the test suite renders and on the bench's 10,000-resource nights.

Every value from the run is untrusted: each goes through markupsafe's `escape`
(what autoescaping applies) after `clip`; only our own
constants (class names, labels, numbers) are written as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from pipeline.models import Availability, Confirmation, Finding, Hop, Severity
from pipeline.report.context import NightDot, PreviousState
from pipeline.report.html_view import MAX_DETAIL, Fact, Row
from pipeline.report.text import clip

MAX_TEXT = 300  # characters of a table cell
SEVERITY_WORDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "info",
    Severity.NONE: "ok",
}


def badge(severity: Severity) -> Markup:
    """A severity's coloured badge, worded (never colour only)."""
    return _BADGES[severity]


_BADGES = {
    s: Markup(f'<span class="badge sev-{s.value}">{SEVERITY_WORDS[s]}</span>') for s in Severity
}


def detail_link(row: Row) -> Markup:
    """The resource's id, linking to its detail view (a dialog with JavaScript)."""
    return Markup(_detail_link(row))


def _detail_link(row: Row) -> str:
    i = row.index
    name = escape(clip(row.result.resource.id, 80))
    return f'<a class="open-detail" href="#detail-{i}" data-index="{i}">{name}</a>'


def _link(url: str, href: str, limit: int) -> str:
    """`url` clipped to `limit`, a link to `href` only when there is one (see `safe_href`)."""
    text = escape(clip(url, limit))
    if not href:
        return f'<span class="unlinked">{text}</span>'
    return f'<a href="{escape(href)}" rel="noopener noreferrer nofollow" target="_blank">{text}</a>'


# --------------------------------------------------------------------------
# The table row
# --------------------------------------------------------------------------


def table_row(row: Row) -> Markup:
    """The resource's <tr> in the table of all resources."""
    resource, result = row.result.resource, row.result
    what, more = row.what, row.more
    more_note = f' <span class="more">(+{more} more finding{"" if more == 1 else "s"})</span>'
    return Markup(
        f'      <tr id="row-{row.index}" data-index="{row.index}">\n'
        f"        <td>{_BADGES[result.severity]}</td>\n"
        f'        <td class="resource">{_detail_link(row)}<span class="title">'
        f"{escape(clip(resource.title, 160))}</span></td>\n"
        f"        <td>{escape(clip(resource.publisher, 120))}</td>\n"
        f"        <td>{escape(clip(resource.hub, 80))}</td>\n"
        f'        <td class="availability avail-{result.availability.value}">'
        f"{escape(row.label)}</td>\n"
        f"        <td>{escape(clip(what, MAX_TEXT))}{more_note if more else ''}</td>\n"
        f'        <td class="num">{row.status}</td>\n'
        f'        <td class="url">{_link(resource.url, row.href, 90)}</td>\n'
        f"      </tr>"
    )


# --------------------------------------------------------------------------
# The detail view
# --------------------------------------------------------------------------


def detail(row: Row) -> Markup:
    """The resource's <article>: verdict, expected vs observed, the answer,
    redirects, findings, recent runs and where the catalogue lists it."""
    return Markup("".join(_detail_pieces(row)))


def _detail_pieces(row: Row) -> Iterable[str]:
    result = row.result
    resource, seen, i = result.resource, result.observed, row.index
    yield (
        f'<article id="detail-{i}" class="detail" aria-labelledby="detail-{i}-title">\n'
        f'  <h3 id="detail-{i}-title">{escape(clip(resource.id, 80))} <span class="title">'
        f"{escape(clip(resource.title, 300))}</span></h3>\n"
        f'  <p class="verdict">{_BADGES[result.severity]} <strong>{escape(row.label)}</strong>: '
        f"{escape(clip(row.what, MAX_DETAIL))}</p>\n\n"
    )
    yield _facts_table(row.facts, seen is None)
    yield _answer_list(row.answer)
    if seen is not None and seen.final_url != resource.url and (final_href := row.final_href):
        yield f"  <p>Ended at {_link(seen.final_url, final_href, MAX_DETAIL)}</p>\n"
    yield _redirects(seen.redirects if seen is not None else ())
    yield _findings(result.findings)
    yield f"\n  <h4>Recent runs</h4>\n  {_sparkline(row.dots)}\n"
    yield _previous(row.previous)
    yield _confirmation(result.confirmation)
    yield (
        f'\n  <p class="source">Catalogue entry: <code>{escape(clip(resource.source, 400))}'
        f"</code></p>\n"
        f'  <p class="back"><a href="#row-{i}">Back to the table</a></p>\n'
        f"</article>"
    )


_FACTS_HEAD = (
    "  <h4>Expected and observed</h4>\n"
    '  <table class="facts">\n'
    '    <thead><tr><th scope="col">What</th><th scope="col">Catalogue (expected)</th>'
    '<th scope="col">This run (observed)</th></tr></thead>\n'
    "    <tbody>\n"
)


def _facts_table(facts: Iterable[Fact], not_fetched: bool) -> str:
    rows = "".join(_fact_row(fact, not_fetched) for fact in facts)
    return f"{_FACTS_HEAD}{rows}    </tbody>\n  </table>\n"


def _fact_row(fact: Fact, not_fetched: bool) -> str:
    if not_fetched:
        observed = '<span class="quiet">not fetched</span>'
    elif fact.observed is None:
        observed = '<span class="quiet">not observed</span>'
    else:
        observed = escape(clip(fact.observed, MAX_DETAIL))
    differs = ' class="differs"' if fact.differs else ""
    flag = ' <span class="flag">differs</span>' if fact.differs else ""
    return (
        f"      <tr{differs}>\n"
        f'        <th scope="row">{escape(fact.label)}{flag}</th>\n'
        f"        <td>{escape(clip(fact.expected, MAX_DETAIL))}</td>\n"
        f"        <td>{observed}</td>\n"
        f"      </tr>\n"
    )


def _answer_list(answer: tuple[tuple[str, str], ...]) -> str:
    if not answer:
        return ""
    items = "".join(
        f"    <div><dt>{escape(label)}</dt><dd>{escape(clip(value, MAX_DETAIL))}</dd></div>\n"
        for label, value in answer
    )
    return f'  <dl class="answer">\n{items}  </dl>\n'


def _section(heading: str, tag: str, items: str, none: str) -> str:
    """A detail section: its heading, then its list, or a quiet line saying there is none."""
    if not items:
        return f'\n  <h4>{heading}</h4>\n  <p class="quiet">{none}</p>\n'
    return f'\n  <h4>{heading}</h4>\n  <{tag} class="{heading.lower()}">\n{items}  </{tag}>\n'


def _redirects(hops: tuple[Hop, ...]) -> str:
    return _section("Redirects", "ol", "".join(map(_hop, hops)), "No redirects.")


def _hop(hop: Hop) -> str:
    where = ""
    if hop.location:
        where = (
            ' <span aria-hidden="true">→</span><span class="visually-hidden">to</span> '
            f"{escape(clip(hop.location, MAX_DETAIL))}"
        )
    url = escape(clip(hop.url, MAX_DETAIL))
    return f'    <li><span class="num">{hop.status}</span> {url}{where}</li>\n'


def _findings(findings: tuple[Finding, ...]) -> str:
    return _section("Findings", "ul", "".join(map(_finding, findings)), "No findings.")


def _finding(finding: Finding) -> str:
    evidence = ""
    if finding.evidence:
        evidence = (
            '<div class="evidence"><span class="lead">Evidence:</span> '
            f"<q>{escape(clip(finding.evidence, MAX_DETAIL))}</q></div>"
        )
    return (
        f"    <li>{_BADGES[finding.effective_severity]} <code>{escape(finding.code.value)}</code> "
        f"{escape(clip(finding.message, MAX_DETAIL))}\n{evidence}    </li>\n"
    )


def _sparkline(dots: tuple[NightDot, ...]) -> str:
    if not dots:
        return '<p class="quiet">No runs recorded for this resource yet.</p>\n'
    items = "".join(map(_dot, dots))
    return f'<ol class="nights" aria-label="Recent runs, oldest first">\n{items}</ol>\n'


def _dot(dot: NightDot) -> str:
    look, symbol = dot_look(dot)
    down = ", network down" if dot.network_down else ""
    words = escape(f"{dot.date}: {dot.availability.value}, {SEVERITY_WORDS[dot.severity]}{down}")
    return (
        f'  <li class="dot {look}" title="{words} (run {escape(clip(dot.run_id, 80))})">'
        f'<span aria-hidden="true">{symbol}</span>'
        f'<span class="visually-hidden">{words}</span></li>\n'
    )


def dot_look(dot: NightDot) -> tuple[str, str]:
    """(CSS class, symbol) of a sparkline dot; the symbol keeps it from being colour-only."""
    if dot.network_down:
        return "dot-down", "?"
    if dot.availability is Availability.SKIPPED:
        return "dot-skip", "–"
    failing = not dot.availability.is_reachable and dot.availability is not Availability.BLOCKED
    if failing or dot.severity is Severity.ERROR:
        return "dot-bad", "✕"
    if dot.severity is Severity.WARNING:
        return "dot-warn", "!"
    return "dot-ok", "✓"


def _previous(previous: PreviousState | None) -> str:
    if previous is None:
        return ""
    run = f" ({escape(clip(previous.run_id, 80))})" if previous.run_id else ""
    state = f"{previous.availability.value}, {SEVERITY_WORDS[previous.severity]}"
    return f'  <p class="quiet">Last run{run}: {escape(state)}.</p>\n'


def _confirmation(c: Confirmation) -> str:
    if not c.failures:
        return ""
    first = f" First failed: {escape(clip(c.first_failed, 80))}." if c.first_failed else ""
    confirmed = " <strong>Confirmed.</strong>" if c.confirmed else ""
    return (
        f"  <p>Seen failing on {c.failures} run{'' if c.failures == 1 else 's'} in a row; "
        f"{c.needed} in a row confirm a failure.{first}{confirmed}</p>\n"
    )
