"""Accepting what curate saw: write the observed values into the catalogue.

`proposed_changes` says what accepting a resource's latest observation
would change (the new address after a permanent redirect, the new title,
the new page count); `accept` writes it, with `last_reviewed`, into the
catalogue YAML, changing nothing else in the file.

YAML is read and written only by pipeline.catalogue; this module holds the
rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.atomic import write_atomic
from pipeline.catalogue import CatalogueError, did_you_mean, edit_resource, load_catalogue
from pipeline.judge.status import permanent_target
from pipeline.models import Availability, FindingCode, Resource, ResourceResult, Run
from pipeline.review.shared import ReviewError, one_line, run_result

ACCEPTABLE_FIELDS = ("url", "title", "pages")

_UNREACHABLE_WORDS = {
    Availability.GATED: "behind a login, paywall, registration form or cookie wall",
    Availability.BLOCKED: "refusing curate's automated check, so nothing could be read",
    Availability.BROKEN: "not there any more",
    Availability.SERVER_ERROR: "failing with a server error",
    Availability.TIMEOUT: "not answering in time",
    Availability.TLS_ERROR: "failing its secure (https) connection",
    Availability.SKIPPED: "skipped by the catalogue's check settings",
}


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


# --------------------------------------------------------------------------
# Accepting
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
    title = one_line(observed.title or "")
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
    result = run_result(run, resource_id)
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
# Helpers
# --------------------------------------------------------------------------


def _catalogue_resource(paths: Sequence[Path], resource_id: str) -> Resource:
    """The catalogue's entry `resource_id`, or a ReviewError with the nearest id."""
    resources = {r.id: r for r in load_catalogue(paths).resources}
    if resource_id in resources:
        return resources[resource_id]
    hint = did_you_mean(resource_id, list(resources))
    raise ReviewError(f"There is no resource '{resource_id}' in the catalogue{hint}")


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
        write_atomic(path, original)
        raise ReviewError(f"The change was not saved; {path} is unchanged:\n{problem}")
