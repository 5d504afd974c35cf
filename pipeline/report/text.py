"""The words and text shapes every report format shares, in a home of their own.

Each format module (html with its html_* helpers, json_report, markdown,
csv_report, junit) imports from here and never from another format, so the
formats stay side by side rather than stacked. Nothing here escapes: each
format escapes these plain strings its own way.
"""

from __future__ import annotations

import datetime as dt

from pipeline.models import Availability, Mode, ResourceResult, Severity

# What `quote` keeps, besides letters and digits, of a URL a report links to:
# its delimiters, and `%` (it may be encoded already). The rest is percent-encoded.
URL_SAFE = "/:?#[]@!$&'()*+,;=%~-._"

_EXPLANATIONS = {
    Availability.AVAILABLE: "available",
    Availability.REDIRECTED: "reachable only through a permanent redirect: update the URL",
    Availability.GATED: "behind a login, paywall, registration or cookie wall",
    Availability.BLOCKED: "the server refused the automated check (unverified, not broken)",
    Availability.BROKEN: "not found",
    Availability.SERVER_ERROR: "the server answered with an error",
    Availability.TIMEOUT: "no complete answer in time",
    Availability.TLS_ERROR: "certificate or TLS handshake failure",
    Availability.SKIPPED: "not checked",
}


# --------------------------------------------------------------------------
# Untrusted text as one bounded line
# --------------------------------------------------------------------------


def clip(value: object, limit: int) -> str:
    """Untrusted text as one bounded line (see `one_printable_line`); None is ''.
    Each format escapes the result its own way."""
    if value is None:
        return ""
    return truncate(one_printable_line(str(value)), limit)


def one_printable_line(text: str) -> str:
    """Text from a remote page as one line: whitespace runs (newlines too)
    collapsed to single spaces, invisible and control characters (bidi
    overrides too) removed. Every report format shows untrusted text this way."""
    flat = " ".join(text.split())
    if flat.isprintable():  # the usual case: no need to look at each character
        return flat
    return "".join(ch for ch in flat if ch.isprintable())


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, marked with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def iso_utc(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with a `Z`, to the second; naive datetimes are taken as UTC."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_utc(moment: dt.datetime) -> dt.datetime:
    """`moment` as an aware UTC datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


# --------------------------------------------------------------------------
# What happened to a resource, in plain words
# --------------------------------------------------------------------------


def availability_label(result: ResourceResult, mode: Mode) -> str:
    """The availability, with the confirmation state of a nightly failure.

    A failure not yet seen on enough consecutive nights reads e.g.
    `broken — failing (1/2)`, so one bad night does not read as dead.
    """
    availability = result.availability.value
    confirmation = result.confirmation
    if mode is not Mode.NIGHTLY or not result.availability.is_failure:
        return availability
    if confirmation.confirmed:
        since = f" since {confirmation.first_failed}" if confirmation.first_failed else ""
        return f"{availability} — confirmed{since}"
    return f"{availability} — failing ({confirmation.failures}/{confirmation.needed})"


def explain_availability(result: ResourceResult) -> str:
    """Plain words for the availability, with the HTTP status or error seen."""
    text = _EXPLANATIONS[result.availability]
    if result.availability is Availability.SKIPPED and result.resource.check.skip_reason:
        return f"{text}: {result.resource.check.skip_reason}"
    observed = result.observed
    if observed is None or result.availability.is_reachable:
        return text
    if observed.error:
        return observed.error  # the judge's own sentence, with the status or error
    return f"{text} (HTTP {observed.status})" if observed.status is not None else text


def explained_by_findings(result: ResourceResult) -> bool:
    """True when the resource is plainly available, or some warning/error finding
    already explains its state (a 404 with only an archived-copy hint is not)."""
    if result.availability is Availability.AVAILABLE and result.findings:
        return True
    return any(f.effective_severity.rank >= Severity.WARNING.rank for f in result.findings)


def what_happened_text(result: ResourceResult) -> str:
    """One plain sentence: the worst finding's message, or the availability explained
    when no finding of warning or error severity already says what is wrong."""
    findings = sorted(result.findings, key=lambda f: -f.effective_severity.rank)
    if findings and explained_by_findings(result):
        return findings[0].message
    return explain_availability(result)
