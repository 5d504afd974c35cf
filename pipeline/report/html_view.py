"""One resource as report.html shows it: the `Row` that its table row, its
place in "changed since the last run" and its detail view are made from.

Both html (the page: rows in order, groups, filters, the script's data) and
html_parts (the row and the detail printed once per resource) read Rows;
Row lives here so that neither of the two needs to import the other. The
plain words every format shares (`what_happened_text`) live in report.text.

Everything that can come from a remote server is untrusted: only http(s)
URLs become links (`safe_href`); html_parts escapes every value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from pipeline.models import (
    Availability,
    BrowserOutcome,
    BrowserSeen,
    FindingCode,
    Mode,
    Observation,
    ResourceResult,
    Run,
    Severity,
)
from pipeline.report.context import NightDot, PreviousState, ReportContext, dot_of_result
from pipeline.report.text import (
    URL_SAFE,
    availability_label,
    explained_by_findings,
    what_happened_text,
)

MAX_DETAIL = 2_000  # characters of a title, message or evidence in the detail view
# A URL `quote` would leave as it is (letters and digits are always safe).
_URL_SAFE_ONLY = re.compile(f"[A-Za-z0-9{re.escape(URL_SAFE)}]*")

DRIFT_CODES = (
    FindingCode.TITLE_CHANGED,
    FindingCode.PAGES_CHANGED,
    FindingCode.CONTENT_CHANGED,
    FindingCode.PERMANENT_REDIRECT,
)


# --------------------------------------------------------------------------
# View model: what the templates show, computed here so they stay simple
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One line of "expected vs observed"."""

    label: str
    expected: str
    observed: str | None  # None: nothing in the answer says it
    differs: bool = False


@dataclass(frozen=True)
class Change:
    """How a resource changed since the previous run."""

    kind: str  # one of html.GROUPS' kinds
    text: str


@dataclass(frozen=True)
class Row:
    """One resource, everything the table, the changes and the detail view show.

    Made afresh each time the template loops over the rows, its parts computed
    when the template reads them: the page never holds the view of every
    resource at once (see `Rows`).
    """

    index: int  # catalogue order, also the detail view's anchor
    result: ResourceResult  # run.results[index]
    run: Run = field(repr=False)
    context: ReportContext = field(repr=False)

    @property
    def mode(self) -> Mode:
        """The run's mode."""
        return self.run.info.mode

    @property
    def previous(self) -> PreviousState | None:
        """The resource on the previous comparable run, None if unknown."""
        return self.context.previous.get(self.result.resource.id)

    @property
    def change(self) -> Change | None:
        """How the resource changed since the previous run (see `change_of`)."""
        return change_of(self.result, self.previous, self.context.has_baseline, self.mode)

    @property
    def dots(self) -> tuple[NightDot, ...]:
        """The sparkline: the nights of the context, else this run's own dot."""
        nights = self.context.nights.get(self.result.resource.id, ())
        return tuple(nights) or (dot_of_result(self.result, self.run),)

    @property
    def label(self) -> str:
        """The availability with its confirmation state."""
        return availability_label(self.result, self.mode)

    @property
    def what(self) -> str:
        """What happened, in plain words."""
        return what_happened_text(self.result)

    @property
    def more(self) -> int:
        """How many findings `what` does not show."""
        return len(self.result.findings) - (1 if explained_by_findings(self.result) else 0)

    @property
    def href(self) -> str:
        """The catalogue URL when it is safe to link, else ''."""
        return safe_href(self.result.resource.url)

    @property
    def final_href(self) -> str:
        """The URL the answer came from when it is safe to link, else ''."""
        seen = self.result.observed
        return safe_href(seen.final_url) if seen else ""

    @property
    def facts(self) -> tuple[Fact, ...]:
        """Catalogue vs this run (see `_facts`)."""
        return _facts(self.result)

    @property
    def answer(self) -> tuple[tuple[str, str], ...]:
        """The facts of the HTTP answer itself."""
        return _answer(self.result.observed)

    @property
    def status(self) -> str:
        """The HTTP status of the final answer, '' when there was none."""
        seen = self.result.observed
        return "" if seen is None or seen.status is None else str(seen.status)


# --------------------------------------------------------------------------
# Problems and changes, as the page groups them
# --------------------------------------------------------------------------


def is_problem(availability: Availability, severity: Severity) -> bool:
    """A state a curator must act on: unreachable (not skipped) or of error severity."""
    unreachable = not availability.is_reachable and availability is not Availability.SKIPPED
    return unreachable or severity is Severity.ERROR


def change_of(
    result: ResourceResult, previous: PreviousState | None, has_baseline: bool, mode: Mode
) -> Change | None:
    """How the resource changed since the previous run, None if it did not (or no baseline)."""
    if not has_baseline:
        return None
    label = availability_label(result, mode)
    now_bad = is_problem(result.availability, result.severity)
    if previous is None:
        return Change("failure" if now_bad else "new", f"new in the catalogue, now {label}")
    was_bad = is_problem(previous.availability, previous.severity)
    if now_bad and not was_bad:
        return Change("failure", f"was {previous.availability.value}, now {label}")
    if was_bad and not now_bad and result.availability.is_reachable:
        return Change("recovery", f"was {previous.availability.value}, now {label}")
    drift = [f for f in result.findings if f.code in DRIFT_CODES and f.code not in previous.codes]
    if drift:
        return Change("drift", "; ".join(f.message for f in drift))
    return None


# --------------------------------------------------------------------------
# Details
# --------------------------------------------------------------------------


def _facts(result: ResourceResult) -> tuple[Fact, ...]:
    """Catalogue vs this run, with the rows the judge found different marked;
    rows with nothing on either side (e.g. pages of a web page) left out."""
    resource, seen = result.resource, result.observed
    codes = {f.code for f in result.findings}
    final_url = seen.final_url if seen else ""
    facts = (
        Fact("Title", resource.title, _text(seen and seen.title),
             FindingCode.TITLE_CHANGED in codes),
        Fact("Address", resource.url, final_url,
             bool(seen and final_url and final_url != resource.url)),
        Fact("Format", resource.format.value if resource.format else "",
             seen.content_type if seen else "", FindingCode.FORMAT_MISMATCH in codes),
        Fact("Pages", _text(resource.pages), _text(seen and seen.pages),
             FindingCode.PAGES_CHANGED in codes),
        Fact("Language", resource.language, _text(seen and seen.language)),
        Fact("Publisher", resource.publisher, None),
        Fact("Kind", resource.kind, None),
    )
    return tuple(f for f in facts if f.label in ("Title", "Address") or f.expected or f.observed)


def _answer(seen: Observation | None) -> tuple[tuple[str, str], ...]:
    """The facts of the HTTP answer that have a value."""
    if seen is None:
        return ()
    facts = (
        ("HTTP status", _text(seen.status)),
        ("Content type", seen.content_type),
        ("Size", _size(seen.bytes) if seen.bytes else ""),
        ("ETag", seen.etag),
        ("Last modified", seen.last_modified),
        ("Answered in", f"{seen.elapsed_ms:,} ms" if seen.elapsed_ms else ""),
        ("SHA-256", seen.sha256),
        ("Error", seen.error),
        *_browser_facts(seen.browser),
    )
    return tuple((label, value) for label, value in facts if value)


_OPINIONS = {
    BrowserOutcome.VERIFIED: "the verdict is the rendered page's",
    BrowserOutcome.STILL_BLOCKED: "the challenge was still shown; the HTTP verdict stands",
    BrowserOutcome.FAILED: "no opinion; the HTTP verdict stands",
}


def _browser_facts(seen: BrowserSeen | None) -> tuple[tuple[str, str], ...]:
    """What the HTTP check and the browser each saw, side by side."""
    if seen is None:
        return ()
    if seen.outcome is BrowserOutcome.FAILED:
        return (("Browser", f"{_OPINIONS[seen.outcome]} ({seen.detail})"),)
    return (
        ("HTTP check saw", f"status {_text(seen.http_status) or '-'}, "
                           f"title '{seen.http_title or ''}'"),
        ("Browser saw", f"status {_text(seen.status) or '-'}, title '{seen.title or ''}', "
                        f"{seen.text_length:,} characters of text, in {seen.seconds:g} s"),
        ("Browser", _OPINIONS[seen.outcome] + (f"; {seen.detail}" if seen.detail else "")),
    )


def _size(count: int) -> str:
    """A byte count for people: '1.2 MB (1,234,567 bytes)'."""
    if count < 1_000:
        return f"{count:,} bytes"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit} ({count:,} bytes)"
    return f"{count:,} bytes"  # pragma: no cover - unreachable


def _text(value: object) -> str:
    """'' for None/False-ish missing values, else str(value)."""
    return "" if value is None or value is False else str(value)


# --------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------


def safe_href(url: str) -> str:
    """`url` percent-encoded if it is an http(s) URL that can be linked, else ''.

    A `javascript:`, `data:` or otherwise odd URL is never made clickable.
    """
    # Most URLs need no percent-encoding; quote() would walk them anyway.
    encoded = url if _URL_SAFE_ONLY.fullmatch(url) else quote(url, safe=URL_SAFE)
    try:
        scheme = urlsplit(encoded).scheme.lower()
    except ValueError:
        return ""
    if scheme not in ("http", "https") or not encoded.lower().startswith(("http://", "https://")):
        return ""
    return encoded if len(encoded) <= MAX_DETAIL else ""
