"""The review listing: every resource of a run that needs a curator's decision.

`needs_decision` finds every resource with an error or a warning, or with a
finding that proposes a catalogue change, unless every such problem is
acknowledged; `render_review` lists them for the terminal, each with the
exact next command to run (`curate accept` or `curate acknowledge`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.models import Availability, FindingCode, ResourceResult, Run, Severity
from pipeline.review.accepting import Acceptance, nothing_to_accept, proposed_changes
from pipeline.review.acknowledgements import (
    Acknowledgement,
    Acknowledgements,
    Concern,
    acknowledgement_muting,
    apply_acknowledgements,
    items_of,
)
from pipeline.review.shared import printable

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


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------


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
    open: tuple[Concern, ...]
    muted: tuple[Acknowledgement, ...]
    acceptance: Acceptance | None
    no_acceptance: str = ""


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
# Helpers
# --------------------------------------------------------------------------


def _decision(
    raw: ResourceResult,
    applied: ResourceResult,
    acks: Sequence[Acknowledgement],
    today: dt.date,
) -> Decision | None:
    """The decision a resource needs, or None when nothing is open."""
    open_items: list[Concern] = []
    muted: list[Acknowledgement] = []
    for item in items_of(raw):
        ack = acknowledgement_muting(item, acks, today)
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
        f"  {printable(decision.title)}  [{decision.source}]",
    ]
    for item in decision.open:
        lines.append(f"  - {item.code} ({item.severity.value}): {printable(item.message)}")
        if item.evidence and item.evidence not in item.message:
            lines.append(f"      evidence: {printable(item.evidence)}")
    lines += [f"  - acknowledged, muted: {printable(a.describe())}" for a in decision.muted]
    return "\n".join(lines + _next_steps(decision))


def _next_steps(decision: Decision) -> list[str]:
    """What accepting would change, and the exact commands to run next."""
    acknowledge = [
        f'    curate acknowledge {decision.id} {item.code} --reason "..."'
        for item in decision.open
    ]
    later = "(add --until YYYY-MM-DD to make it expire)"
    if decision.acceptance is None:
        reason = printable(decision.no_acceptance)
        return [
            f"  {reason[:1].upper()}{reason[1:]}.",
            f"  Next: edit the entry in {decision.source.rsplit(':', 1)[0]} if something must "
            f"change, or record that you know {later}:",
            *acknowledge,
        ]
    return [
        "  Accepting what curate saw would change:",
        *(f"    {printable(str(c))}" for c in decision.acceptance.changes),
        "  Next: update the catalogue (sets last_reviewed too):",
        f"    curate accept {decision.id}",
        f"  or record that you know {later}:",
        *acknowledge,
    ]
