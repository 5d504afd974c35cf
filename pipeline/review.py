"""Review a run: what needs a decision, accepting what curate saw, acknowledging.

Three things a curator does with the latest run, all ending in plain files
under version control, so that the review itself goes through a pull request:

- `needs_decision` / `render_review`: every resource with an error or a
  warning, or with a finding that proposes a catalogue change, unless every
  such problem is acknowledged; each with the exact next command to run.
- `accept`: write the observed values (the new address after a permanent
  redirect, the new title, the new page count) and `last_reviewed` into the
  catalogue YAML, changing nothing else in the file.
- `acknowledge`: record in catalogue/acknowledgements.yaml that a curator
  knows about a finding. `apply_acknowledgements` then lowers it to info
  until the acknowledgement expires or what curate sees changes.

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
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.catalogue import (
    ACKNOWLEDGEMENTS_NAME,
    CatalogueError,
    ListEntry,
    edit_resource,
    load_catalogue,
    read_acknowledgements,
    save_acknowledgement,
    write_bytes_atomic,
)
from pipeline.judge.status import permanent_target
from pipeline.models import (
    Availability,
    Finding,
    FindingCode,
    Resource,
    ResourceResult,
    Run,
    Severity,
    SourceLocation,
)

ACKNOWLEDGEMENTS_PATH = Path("catalogue") / ACKNOWLEDGEMENTS_NAME
ACKNOWLEDGEMENTS_HEADER = (
    "# Findings a curator knows about. curate lowers them to info until `until`\n"
    "# (or until what curate sees changes). Edit with `curate acknowledge`.\n"
)
ACCEPTABLE_FIELDS = ("url", "title", "pages")

# Findings that propose a catalogue change: a decision even when only info.
PROPOSING_CODES = frozenset(
    {
        FindingCode.PERMANENT_REDIRECT,
        FindingCode.TITLE_CHANGED,
        FindingCode.PAGES_CHANGED,
        FindingCode.CONTENT_CHANGED,
        FindingCode.ARCHIVED_COPY,
    }
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

_UNREACHABLE_WORDS = {
    Availability.GATED: "behind a login, paywall, registration form or cookie wall",
    Availability.BLOCKED: "refusing curate's automated check, so nothing could be read",
    Availability.BROKEN: "not there any more",
    Availability.SERVER_ERROR: "failing with a server error",
    Availability.TIMEOUT: "not answering in time",
    Availability.TLS_ERROR: "failing its secure (https) connection",
    Availability.SKIPPED: "skipped by the catalogue's check settings",
}
_ACKNOWLEDGED = re.compile(r" \(acknowledged: .*\)$")
# Measurements that vary from night to night while the finding stays the same.
_VOLATILE = (
    (re.compile(r"\d[\d,]*(\s+characters)"), r"#\1"),
    (re.compile(r"(similarity\s+)\d+(\.\d+)?"), r"\1#"),
    (re.compile(r"(probe\s+)\S+"), r"\1#"),
)


class ReviewError(Exception):
    """A review step could not be done; the message says why, for curators."""


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------

Value = str | int | dt.date | None


@dataclass(frozen=True)
class Change:
    """One catalogue field that accepting changes."""

    field: str
    old: Value
    new: Value

    def __str__(self) -> str:
        old = "(none)" if self.old is None else self.old
        return f"{self.field}: {old} -> {self.new}"


@dataclass(frozen=True)
class Acceptance:
    """The catalogue edits that accepting a resource's latest observation makes."""

    resource_id: str
    changes: tuple[Change, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.changes)


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
class Item:
    """One thing to decide on: a finding, or the availability itself when no
    finding explains it (its code is then the availability, e.g. 'broken')."""

    code: str
    severity: Severity
    message: str
    evidence: str


@dataclass(frozen=True)
class Decision:
    """A resource that needs a curator's decision after this run.

    `severity` is the resource's severity once acknowledgements are applied;
    `open` the items still nagging; `muted` the acknowledgements in force;
    `acceptance` what `curate accept` would change, or None with the reason
    in `no_acceptance`.
    """

    id: str
    title: str
    source: str
    availability: Availability
    status: str
    severity: Severity
    open: tuple[Item, ...]
    muted: tuple[Acknowledgement, ...]
    acceptance: Acceptance | None
    no_acceptance: str = ""


# --------------------------------------------------------------------------
# Acknowledgements: rules
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


def items_of(result: ResourceResult) -> tuple[Item, ...]:
    """The findings of a result, plus its availability as a pseudo-code item
    when the availability matters (above info) and no finding explains it."""
    found = tuple(
        Item(f.code.value, f.effective_severity, f.message, evidence_of(f))
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
    reason, who = _one_line(reason), _one_line(by or "")
    if not reason:
        raise ReviewError("Give a reason (--reason \"...\"): why can this wait?")
    if until is not None and until <= today:
        raise ReviewError(f"--until must be a date after today ({today.isoformat()})")
    item = _item(_result(run, resource_id), code)
    load_acknowledgements(path)  # refuse to edit a file that does not load
    ack = Acknowledgement(resource_id, code, reason, today, until, who, item.evidence)
    _save_checked(path, ack)
    saved = load_acknowledgements(path).for_resource(resource_id)
    return next(a for a in saved if a.code == code)


# --------------------------------------------------------------------------
# Accepting what curate saw
# --------------------------------------------------------------------------


def proposed_changes(result: ResourceResult) -> Acceptance | None:
    """The catalogue edits accepting the latest observation would make: url
    after a permanent redirect, title when title-changed, pages when
    pages-changed. None when there is nothing to accept; never for a resource
    that could not be read (see nothing_to_accept)."""
    observed, resource = result.observed, result.resource
    if not result.availability.is_reachable or observed is None:
        return None
    codes = {f.code for f in result.findings}
    changes: list[Change] = []
    target = permanent_target(observed.redirects)
    if FindingCode.PERMANENT_REDIRECT in codes and target and target != resource.url:
        changes.append(Change("url", resource.url, target))
    title = _one_line(observed.title or "")
    if FindingCode.TITLE_CHANGED in codes and title and title != resource.title:
        changes.append(Change("title", resource.title, title))
    pages = observed.pages
    if FindingCode.PAGES_CHANGED in codes and pages is not None and pages != resource.pages:
        changes.append(Change("pages", resource.pages, pages))
    return Acceptance(resource.id, tuple(changes)) if changes else None


def nothing_to_accept(result: ResourceResult) -> str:
    """Why accepting `result` would change nothing, in plain words."""
    words = _UNREACHABLE_WORDS.get(result.availability)
    if words:
        return (
            f"nothing to accept: the resource is {result.availability.value} ({words}); "
            "curate only accepts what it read from a working link"
        )
    return (
        "nothing to accept: the latest run saw no new address, title or page count "
        "for it"
    )


def accept(
    paths: Sequence[Path],
    resource_id: str,
    run: Run,
    today: dt.date,
    fields: set[str] | None = None,
) -> Acceptance:
    """Write what `run` saw of `resource_id` into its catalogue file, with
    `last_reviewed: today`, and return every change made (last_reviewed last).

    `fields` limits the edit to some of url, title, pages (default: all that
    changed). Only the changed lines of the file change: comments, order,
    quotes and indentation stay. The file is written atomically, then the
    whole catalogue is loaded again; if it no longer validates, the original
    bytes are put back. Raises ReviewError (unknown id, not in the run,
    nothing to accept, catalogue edited since the run, invalid result) and
    CatalogueError (the catalogue does not load, or the file cannot be
    edited or written).
    """
    resource = _catalogue_resource(paths, resource_id)
    result = _result(run, resource_id)
    proposal = proposed_changes(result)
    if proposal is None:
        raise ReviewError(f"{resource_id}: {nothing_to_accept(result)}")
    changes = _pending(resource, _selected(proposal, fields))
    reviewed = Change("last_reviewed", resource.last_reviewed, today)
    path = Path(resource.source.file)
    original = path.read_bytes()
    edit_resource(path, resource_id, {c.field: c.new for c in (*changes, reviewed)})
    _check_written(paths, path, original, resource_id, (*changes, reviewed))
    return Acceptance(resource_id, (*changes, reviewed))


# --------------------------------------------------------------------------
# What needs a decision
# --------------------------------------------------------------------------


def needs_decision(run: Run, acks: Acknowledgements, today: dt.date) -> list[Decision]:
    """Resources with an open error or warning, or an open finding that proposes
    a change (permanent-redirect, title-changed, pages-changed,
    content-changed, archived-copy), worst first, then in catalogue order.
    A resource whose every such problem is acknowledged is left out."""
    applied = apply_acknowledgements(run, acks, today)
    decisions = [
        _decision(raw, done, acks.for_resource(raw.resource.id), today)
        for raw, done in zip(run.results, applied.results, strict=True)
    ]
    found = [d for d in decisions if d is not None]
    return sorted(found, key=lambda d: -d.severity.rank)


def render_review(decisions: Sequence[Decision]) -> str:
    """Plain text for the terminal: each decision, worst first, with what is
    open, what is muted, what accepting would change and the next command."""
    if not decisions:
        return "Nothing needs a decision: no open errors, warnings or proposed changes.\n"
    blocks = [_headline(decisions)] + [_block(d) for d in decisions]
    return "\n\n".join(blocks) + "\n"


# --------------------------------------------------------------------------
# Helpers: acknowledgements
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


def _muting(item: Item, acks: Iterable[Acknowledgement], today: dt.date) -> Acknowledgement | None:
    """The acknowledgement in force for `item`, if any."""
    return next(
        (a for a in acks if a.code == item.code and _in_force(a, item.evidence, today)), None
    )


def _availability_item(result: ResourceResult) -> Item | None:
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
    return Item(result.availability.value, severity, message, evidence)


def _availability_muted(
    result: ResourceResult, acks: Sequence[Acknowledgement], today: dt.date
) -> bool:
    """True when the problem that caused the availability is acknowledged."""
    causes = CAUSES.get(result.availability, frozenset())
    explaining = [f for f in result.findings if f.code in causes]
    if explaining:
        return all(any(is_muted(a, f, today) for a in acks) for f in explaining)
    item = _availability_item(result)
    return item is not None and _muting(item, acks, today) is not None


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


def _item(result: ResourceResult, code: str) -> Item:
    """The item `code` of a result, or a ReviewError naming what is there."""
    if code not in ACKNOWLEDGEABLE_CODES:
        close = difflib.get_close_matches(code, sorted(ACKNOWLEDGEABLE_CODES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
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
        write_bytes_atomic(path, original)


# --------------------------------------------------------------------------
# Helpers: accepting
# --------------------------------------------------------------------------


def _catalogue_resource(paths: Sequence[Path], resource_id: str) -> Resource:
    """The catalogue's entry `resource_id`, or a ReviewError with the nearest id."""
    resources = {r.id: r for r in load_catalogue(paths).resources}
    if resource_id in resources:
        return resources[resource_id]
    close = difflib.get_close_matches(resource_id, list(resources), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise ReviewError(f"There is no resource '{resource_id}' in the catalogue{hint}")


def _result(run: Run, resource_id: str) -> ResourceResult:
    """The run's result for `resource_id`, or a ReviewError."""
    found = next((r for r in run.results if r.resource.id == resource_id), None)
    if found is None:
        raise ReviewError(
            f"The run {run.info.id} did not check '{resource_id}'; "
            f"run `curate check --only {resource_id}` first"
        )
    return found


def _selected(proposal: Acceptance, fields: set[str] | None) -> tuple[Change, ...]:
    """The proposed changes limited to `fields` (all when None)."""
    if fields is None:
        return proposal.changes
    unknown = sorted(fields - set(ACCEPTABLE_FIELDS))
    if unknown:
        raise ReviewError(
            f"curate can accept only {', '.join(ACCEPTABLE_FIELDS)}, not {', '.join(unknown)}"
        )
    chosen = tuple(c for c in proposal.changes if c.field in fields)
    if not chosen:
        offered = ", ".join(proposal.fields)
        raise ReviewError(
            f"{proposal.resource_id}: nothing to accept for {', '.join(sorted(fields))}; "
            f"the latest run proposes only {offered}"
        )
    return chosen


def _pending(resource: Resource, changes: tuple[Change, ...]) -> tuple[Change, ...]:
    """The changes the catalogue still lacks; a ReviewError when the catalogue
    was edited since the run, or already holds everything."""
    pending = []
    for change in changes:
        current = getattr(resource, change.field)
        if current == change.new:
            continue
        if current != change.old:
            raise ReviewError(
                f"{resource.id}: the catalogue's {change.field} changed since the run "
                f"(the run compared with {change.old!s}, the catalogue now says {current!s}); "
                f"run `curate check --only {resource.id}` again"
            )
        pending.append(change)
    if not pending:
        raise ReviewError(f"{resource.id}: nothing to accept: the catalogue already has it")
    return tuple(pending)


def _check_written(
    paths: Sequence[Path],
    path: Path,
    original: bytes,
    resource_id: str,
    changes: Sequence[Change],
) -> None:
    """Load the edited catalogue; restore `original` and raise if it does not
    validate or does not hold the new values."""
    try:
        resource = {r.id: r for r in load_catalogue(paths).resources}.get(resource_id)
        wrong = [c.field for c in changes if getattr(resource, c.field, None) != c.new]
        problem = f"{resource_id}: {', '.join(wrong)} did not read back as written" if wrong else ""
    except CatalogueError as exc:
        problem = str(exc)
    if problem:
        write_bytes_atomic(path, original)
        raise ReviewError(f"The change was not saved; {path} is unchanged:\n{problem}")


# --------------------------------------------------------------------------
# Helpers: deciding and rendering
# --------------------------------------------------------------------------


def _decision(
    raw: ResourceResult,
    applied: ResourceResult,
    acks: Sequence[Acknowledgement],
    today: dt.date,
) -> Decision | None:
    """The decision a resource needs, or None when nothing is open."""
    open_items: list[Item] = []
    muted: list[Acknowledgement] = []
    for item in items_of(raw):
        ack = _muting(item, acks, today)
        if ack is not None:
            muted.append(ack)
        elif item.severity.rank >= Severity.WARNING.rank or item.code in PROPOSING_CODES:
            open_items.append(item)
    if not open_items:
        return None
    acceptance = proposed_changes(raw)
    return Decision(
        id=raw.resource.id,
        title=raw.resource.title,
        source=str(raw.resource.source),
        availability=raw.availability,
        status=_status(raw),
        severity=applied.severity,
        open=tuple(open_items),
        muted=tuple(muted),
        acceptance=acceptance,
        no_acceptance="" if acceptance else nothing_to_accept(raw),
    )


def _status(result: ResourceResult) -> str:
    """'broken, failing (1/2)' for an unconfirmed failure, else the availability."""
    seen = result.confirmation
    if result.availability.is_failure and not seen.confirmed:
        return f"{result.availability.value}, failing ({seen.failures}/{seen.needed})"
    return result.availability.value


def _headline(decisions: Sequence[Decision]) -> str:
    """'3 resources need a decision: 1 error, 2 warnings.'"""
    counts = [
        (s, sum(d.severity is s for d in decisions))
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.NONE)
    ]
    parts = [f"{n} {s.value}{'s' if n > 1 and s is not Severity.NONE else ''}"
             for s, n in counts if n]
    noun = "resource needs" if len(decisions) == 1 else "resources need"
    return f"{len(decisions)} {noun} a decision: {', '.join(parts)}."


def _block(decision: Decision) -> str:
    """One decision as an indented block of lines."""
    lines = [
        f"{decision.severity.value.upper()}  {decision.id}  ({decision.status})",
        f"  {_safe(decision.title)}  [{decision.source}]",
    ]
    for item in decision.open:
        lines.append(f"  - {item.code} ({item.severity.value}): {_safe(item.message)}")
        if item.evidence and item.evidence not in item.message:
            lines.append(f"      evidence: {_safe(item.evidence)}")
    lines += [f"  - acknowledged, muted: {_safe(a.describe())}" for a in decision.muted]
    return "\n".join(lines + _next_steps(decision))


def _next_steps(decision: Decision) -> list[str]:
    """What accepting would change, and the exact commands to run next."""
    acknowledge = [
        f'    curate acknowledge {decision.id} {item.code} --reason "..."'
        for item in decision.open
    ]
    later = "(add --until YYYY-MM-DD to make it expire)"
    if decision.acceptance is None:
        reason = _safe(decision.no_acceptance)
        return [
            f"  {reason[:1].upper()}{reason[1:]}.",
            f"  Next: edit the entry in {decision.source.rsplit(':', 1)[0]} if something must "
            f"change, or record that you know {later}:",
            *acknowledge,
        ]
    return [
        "  Accepting what curate saw would change:",
        *(f"    {_safe(str(c))}" for c in decision.acceptance.changes),
        "  Next: update the catalogue (sets last_reviewed too):",
        f"    curate accept {decision.id}",
        f"  or record that you know {later}:",
        *acknowledge,
    ]


def _one_line(text: str) -> str:
    """Text without control characters, its spaces collapsed to single ones."""
    return " ".join(_safe(text).split())


def _safe(text: str) -> str:
    """Text from a remote page made harmless for a terminal: control and
    invisible formatting characters become spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in text)
