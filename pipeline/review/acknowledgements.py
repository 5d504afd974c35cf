"""Acknowledgements: a curator knows about a finding, so curate mutes it.

`acknowledge` records in catalogue/acknowledgements.yaml that a curator
knows about a finding; `load_acknowledgements` reads the file back and
`apply_acknowledgements` lowers what it names to info until the
acknowledgement expires or what curate sees changes.

What an acknowledgement mutes
-----------------------------
An acknowledgement names a resource id and a code. The code is a finding
code, or an availability (a *pseudo-code*: redirected, gated, blocked,
broken, server-error, timeout, tls-error) for a resource whose availability
no finding explains (e.g. `broken` after a 404 or an unknown host, or
`server-error` for a site down for maintenance).

It mutes while both hold: today is on or before `until` (or there is no
`until`), and the evidence is the one recorded when it was acknowledged
(see `evidence_of`; an entry without `evidence` matches any). A muted finding
becomes info. The availability's own severity (e.g. error for gated) is muted
when the problem that caused it is: every finding of the resource that
explains the availability (gated: login-wall, paywall, registration-wall,
cookie-wall; broken: soft-404, parked-domain; blocked: bot-challenge,
rate-limited; redirected: permanent-redirect) is muted, or, when no finding
explains it, the pseudo-code of the availability is. The resource's severity
is then the highest of the (possibly muted) availability's and the findings'.

YAML is read and written only by pipeline.catalogue; this module holds the
rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.atomic import write_atomic
from pipeline.catalogue import (
    ACKNOWLEDGEMENTS_NAME,
    CatalogueError,
    ListEntry,
    did_you_mean,
    read_acknowledgements,
    save_acknowledgement,
)
from pipeline.models import (
    Availability,
    Finding,
    FindingCode,
    ResourceResult,
    Run,
    Severity,
    SourceLocation,
)
from pipeline.review.shared import ReviewError, one_line, run_result

ACKNOWLEDGEMENTS_PATH = Path("catalogue") / ACKNOWLEDGEMENTS_NAME
ACKNOWLEDGEMENTS_HEADER = (
    "# Findings a curator knows about. curate lowers them to info until `until`\n"
    "# (or until what curate sees changes). Edit with `curate acknowledge`.\n"
)

# The findings that explain an availability: acknowledging them mutes it too.
CAUSES: dict[Availability, frozenset[FindingCode]] = {
    Availability.REDIRECTED: frozenset({FindingCode.PERMANENT_REDIRECT}),
    Availability.GATED: frozenset(
        {
            FindingCode.LOGIN_WALL,
            FindingCode.PAYWALL,
            FindingCode.REGISTRATION_WALL,
            FindingCode.COOKIE_WALL,
        }
    ),
    Availability.BROKEN: frozenset({FindingCode.SOFT_404, FindingCode.PARKED_DOMAIN}),
    Availability.BLOCKED: frozenset({FindingCode.BOT_CHALLENGE, FindingCode.RATE_LIMITED}),
}

# Availabilities that can be acknowledged by name when no finding explains them.
PSEUDO_CODES = frozenset(
    a.value
    for a in (
        Availability.REDIRECTED,
        Availability.GATED,
        Availability.BLOCKED,
        Availability.BROKEN,
        Availability.SERVER_ERROR,
        Availability.TIMEOUT,
        Availability.TLS_ERROR,
    )
)
ACKNOWLEDGEABLE_CODES = frozenset(c.value for c in FindingCode) | PSEUDO_CODES

_ACKNOWLEDGED = re.compile(r" \(acknowledged: .*\)$")
# Measurements that vary from night to night while the finding stays the same.
_VOLATILE = (
    (re.compile(r"\d[\d,]*(\s+characters)"), r"#\1"),
    (re.compile(r"(similarity\s+)\d+(\.\d+)?"), r"\1#"),
    (re.compile(r"(probe\s+)\S+"), r"\1#"),
)


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Acknowledgement:
    """A curator knows about a finding (or an availability) of one resource.

    `evidence` is the finding's evidence when acknowledged; None (not
    recorded, e.g. written by hand) matches any evidence.
    """

    id: str
    code: str
    reason: str
    on: dt.date
    until: dt.date | None = None
    by: str = ""
    evidence: str | None = None
    source: SourceLocation | None = None

    def describe(self) -> str:
        """'login-wall until 2027-01-31: reason', for curators."""
        until = f" until {self.until.isoformat()}" if self.until else ""
        return f"{self.code}{until}: {self.reason}"


@dataclass(frozen=True)
class Acknowledgements:
    """Every acknowledgement of the acknowledgements file, in file order."""

    items: tuple[Acknowledgement, ...] = ()

    def for_resource(self, resource_id: str) -> tuple[Acknowledgement, ...]:
        return tuple(a for a in self.items if a.id == resource_id)


@dataclass(frozen=True)
class Concern:
    """One thing to decide on: a finding, or the availability itself when no
    finding explains it (its code is then the availability, e.g. 'broken')."""

    code: str
    severity: Severity
    message: str
    evidence: str


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------


def evidence_of(finding: Finding) -> str:
    """The evidence recorded with an acknowledgement of `finding`.

    The finding's evidence; for title-changed and pages-changed its message,
    which names the title or page count seen (their evidence only names the
    reader). A note appended by apply_acknowledgements is left out.
    """
    if finding.code in (FindingCode.TITLE_CHANGED, FindingCode.PAGES_CHANGED):
        return _ACKNOWLEDGED.sub("", finding.message)
    return finding.evidence


def same_evidence(recorded: str | None, current: str) -> bool:
    """True when `current` shows what `recorded` showed. Character counts,
    similarity scores and the made-up probe address are ignored: they vary
    from night to night while the finding stays the same."""
    return recorded is None or _stable(recorded) == _stable(current)


def is_muted(ack: Acknowledgement, finding: Finding, today: dt.date) -> bool:
    """True while `ack` mutes `finding`: same code, not expired (today is on or
    before `until`, if any) and the same evidence as recorded."""
    return ack.code == finding.code.value and _in_force(ack, evidence_of(finding), today)


def acknowledgement_muting(
    item: Concern, acks: Iterable[Acknowledgement], today: dt.date
) -> Acknowledgement | None:
    """The acknowledgement in force for `item`, if any: same code, not expired
    and the same evidence (what the review listing shows as muted)."""
    return next(
        (a for a in acks if a.code == item.code and _in_force(a, item.evidence, today)), None
    )


def items_of(result: ResourceResult) -> tuple[Concern, ...]:
    """The findings of a result, plus its availability as a pseudo-code item
    when the availability matters (above info) and no finding explains it."""
    found = tuple(
        Concern(f.code.value, f.effective_severity, f.message, evidence_of(f))
        for f in result.findings
    )
    pseudo = _availability_item(result)
    return (*found, pseudo) if pseudo else found


def apply_acknowledgements(run: Run, acks: Acknowledgements, today: dt.date) -> Run:
    """The run with acknowledgements applied.

    A muted finding gets severity info and " (acknowledged: REASON, until
    DATE)" after its message. A resource with something muted gets its
    severity recomputed: the highest of its availability's severity (lowered
    to info when the problem causing it is muted, see the module docstring)
    and its findings' effective severities. Other resources are unchanged.
    Applying twice changes nothing more.
    """
    results = tuple(
        _acknowledged(r, acks.for_resource(r.resource.id), today) for r in run.results
    )
    return replace(run, results=results)


def load_acknowledgements(path: Path = ACKNOWLEDGEMENTS_PATH) -> Acknowledgements:
    """The acknowledgements file; a missing or empty file acknowledges nothing.
    Raises CatalogueError listing every problem as FILE:LINE: id: message."""
    return Acknowledgements(tuple(_acknowledgement(e) for e in read_acknowledgements(path)))


def acknowledge(
    path: Path,
    resource_id: str,
    code: str,
    reason: str,
    until: dt.date | None,
    today: dt.date,
    run: Run,
    by: str | None = None,
) -> Acknowledgement:
    """Record that a curator knows about `code` on `resource_id`, with the
    evidence the run shows for it, and return the saved acknowledgement.

    The finding (or pseudo-code) must be present on that resource in `run`.
    An earlier acknowledgement of the same id and code is replaced; the file
    keeps its comments and is written atomically (created with a header
    comment when missing). Raises ReviewError (empty reason, `until` not after
    today, unknown code, resource or finding not in the run) and
    CatalogueError (the file does not load, or cannot be written).
    """
    reason, who = one_line(reason), one_line(by or "")
    if not reason:
        raise ReviewError("Give a reason (--reason \"...\"): why can this wait?")
    if until is not None and until <= today:
        raise ReviewError(f"--until must be a date after today ({today.isoformat()})")
    item = _item(run_result(run, resource_id), code)
    load_acknowledgements(path)  # refuse to edit a file that does not load
    ack = Acknowledgement(resource_id, code, reason, today, until, who, item.evidence)
    _save_checked(path, ack)
    saved = load_acknowledgements(path).for_resource(resource_id)
    return next(a for a in saved if a.code == code)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _stable(evidence: str) -> str:
    """Evidence without its night-to-night measurements, spaces collapsed."""
    text = " ".join(evidence.split())
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _in_force(ack: Acknowledgement, evidence: str, today: dt.date) -> bool:
    """Not expired, and the evidence is still the recorded one."""
    return (ack.until is None or today <= ack.until) and same_evidence(ack.evidence, evidence)


def _availability_item(result: ResourceResult) -> Concern | None:
    """The availability as a pseudo-code item, when no finding explains it."""
    severity = result.availability.severity(result.confirmation.confirmed)
    causes = CAUSES.get(result.availability, frozenset())
    if severity.rank <= Severity.INFO.rank or any(f.code in causes for f in result.findings):
        return None
    observed = result.observed
    error = observed.error if observed else ""
    status = f"HTTP {observed.status}" if observed and observed.status else ""
    evidence = error or status or result.availability.value
    message = f"The resource is {result.availability.value}" + (f": {error}" if error else "")
    return Concern(result.availability.value, severity, message, evidence)


def _availability_muted(
    result: ResourceResult, acks: Sequence[Acknowledgement], today: dt.date
) -> bool:
    """True when the problem that caused the availability is acknowledged."""
    causes = CAUSES.get(result.availability, frozenset())
    explaining = [f for f in result.findings if f.code in causes]
    if explaining:
        return all(any(is_muted(a, f, today) for a in acks) for f in explaining)
    item = _availability_item(result)
    return item is not None and acknowledgement_muting(item, acks, today) is not None


def _acknowledged(
    result: ResourceResult, acks: Sequence[Acknowledgement], today: dt.date
) -> ResourceResult:
    """One result with its acknowledgements applied (unchanged if none mutes)."""
    muted = [next((a for a in acks if is_muted(a, f, today)), None) for f in result.findings]
    availability_muted = _availability_muted(result, acks, today)
    if not availability_muted and not any(muted):
        return result
    findings = tuple(
        _muted_finding(f, a) if a else f for f, a in zip(result.findings, muted, strict=True)
    )
    availability = result.availability.severity(result.confirmation.confirmed)
    if availability_muted:
        availability = min(availability, Severity.INFO, key=lambda s: s.rank)
    severity = Severity.highest([availability, *(f.effective_severity for f in findings)])
    return replace(result, findings=findings, severity=severity)


def _muted_finding(finding: Finding, ack: Acknowledgement) -> Finding:
    """The finding lowered to info, its message saying who knows and until when."""
    until = f", until {ack.until.isoformat()}" if ack.until else ""
    message = _ACKNOWLEDGED.sub("", finding.message) + f" (acknowledged: {ack.reason}{until})"
    return replace(finding, severity=Severity.INFO, message=message)


def _acknowledgement(entry: ListEntry) -> Acknowledgement:
    """An Acknowledgement from a validated entry of the file."""
    fields = entry.fields
    return Acknowledgement(
        id=fields["id"],
        code=fields["code"],
        reason=fields["reason"],
        on=fields["on"],
        until=fields.get("until"),
        by=fields.get("by", ""),
        evidence=fields.get("evidence"),
        source=entry.source,
    )


def _item(result: ResourceResult, code: str) -> Concern:
    """The item `code` of a result, or a ReviewError naming what is there."""
    if code not in ACKNOWLEDGEABLE_CODES:
        hint = did_you_mean(code, sorted(ACKNOWLEDGEABLE_CODES))
        raise ReviewError(f"'{code}' is not a finding code or availability curate knows{hint}")
    present = items_of(result)
    found = next((i for i in present if i.code == code), None)
    if found is None:
        there = ", ".join(f"{i.code} ({i.severity.value})" for i in present)
        seen = f"it found: {there}" if there else "it found nothing to acknowledge"
        rid = result.resource.id
        raise ReviewError(f"{rid}: the latest run did not find '{code}' there; {seen}")
    return found


def _save_checked(path: Path, ack: Acknowledgement) -> None:
    """Save `ack`; if the file then does not load, put the old one back."""
    original = path.read_bytes() if path.exists() else None
    record = {
        "id": ack.id, "code": ack.code, "reason": ack.reason, "by": ack.by or None,
        "on": ack.on, "until": ack.until, "evidence": ack.evidence,
    }  # fmt: skip
    save_acknowledgement(path, record, ACKNOWLEDGEMENTS_HEADER)
    try:
        load_acknowledgements(path)
    except CatalogueError as exc:
        _restore(path, original)
        message = f"The acknowledgement was not saved; the file is unchanged:\n{exc}"
        raise ReviewError(message) from exc


def _restore(path: Path, original: bytes | None) -> None:
    """Put a file back as it was (remove it if it did not exist)."""
    if original is None:
        path.unlink(missing_ok=True)
    else:
        write_atomic(path, original)
