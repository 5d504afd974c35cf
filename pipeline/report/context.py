"""What the HTML report knows beyond the run itself: the nights before it.

`ReportContext` carries, per resource id, its state on the previous run
(for "changed since the last run") and its recent nights (for the
sparkline). `context_from_history` reads both from the history store, one
query per BATCH resources (`History.recent_nights`), sharing equal dots and
states; an empty context (`EMPTY_CONTEXT`) stands for a first run or no history.

"Previous" is always relative to the run being rendered: when an old run is
re-rendered, it is the night before *that* run, never the newest night.
A nightly run is compared with nightly runs only (a pull-request check in
`ci` mode is not a night); a `ci` run with any earlier run. Nights whose
network was down (inconclusive) show in the sparkline but are never the
"previous" state, since they say nothing about the resource.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pipeline.history import History, Night
from pipeline.models import Availability, Mode, Network, ResourceResult, Run, Severity

DEFAULT_NIGHTS = 14
BATCH = 2_000  # resources per history query: bounds the nights held at once

T = TypeVar("T")


@dataclass(frozen=True)
class PreviousState:
    """A resource on the previous comparable run."""

    availability: Availability
    severity: Severity
    codes: tuple[str, ...] = ()  # finding codes
    run_id: str = ""
    started: dt.datetime | None = None


@dataclass(frozen=True)
class NightDot:
    """One night of a resource's sparkline."""

    date: str  # YYYY-MM-DD (UTC)
    availability: Availability
    severity: Severity
    run_id: str = ""
    network_down: bool = False


@dataclass(frozen=True)
class ReportContext:
    """The history around a run; missing ids mean "new" / "no nights known"."""

    previous: Mapping[str, PreviousState] = field(default_factory=dict)
    nights: Mapping[str, tuple[NightDot, ...]] = field(default_factory=dict)
    compared_with: str | None = None  # id of the newest previous run, when known

    @property
    def has_baseline(self) -> bool:
        """Whether there is an earlier run to compare with at all."""
        return bool(self.previous) or self.compared_with is not None


EMPTY_CONTEXT = ReportContext()


def context_from_history(
    history: History, run: Run, limit: int = DEFAULT_NIGHTS
) -> ReportContext:
    """The context of `run` from the history, whether or not `run` is recorded yet.

    `limit` bounds the sparkline, this run included (its last dot). The
    history is read in one query per BATCH resources, not one per resource.
    """
    builder = _Builder(run, limit)
    for start in range(0, len(run.results), BATCH):
        batch = run.results[start : start + BATCH]
        found = nights_before(history, run, [r.resource.id for r in batch], max(limit - 1, 1))
        for result in batch:
            builder.add(result, found.get(result.resource.id, []))
    return ReportContext(builder.previous, builder.nights, _newest_run(builder.previous.values()))


def nights_before(
    history: History, run: Run, resource_ids: Sequence[str], wanted: int
) -> dict[str, list[Night]]:
    """Each resource's nights comparable with `run` and strictly before it, newest first.

    The newest `wanted` of them and, when none of those had the network ok,
    also the newest that had (the previous state), read by a second query.
    Ids without such nights are left out.
    """
    before, mode = (run.info.id, run.info.started), comparable_mode(run.info.mode)
    found = history.recent_nights(resource_ids, wanted, before=before, mode=mode)
    short = [rid for rid in resource_ids if _lacks_conclusive(found.get(rid, []), wanted)]
    if short:
        older = history.recent_nights(short, 1, before=before, mode=mode, network=Network.OK.value)
        for rid, nights in older.items():
            found[rid].extend(nights)
    return found


def comparable_mode(mode: Mode) -> str | None:
    """The mode of the runs a run of `mode` is compared with: nightly runs with
    nightly runs; ci runs with any run (None)."""
    return None if mode is Mode.CI else mode.value


def _lacks_conclusive(nights: Sequence[Night], wanted: int) -> bool:
    """Whether older nights must be read to find the newest one whose network was ok:
    none of `nights` had it, and there may be older ones (`wanted` were read)."""
    return len(nights) >= wanted and all(n.network != Network.OK.value for n in nights)


@dataclass(frozen=True)
class _Builder:
    """A ReportContext filled resource by resource. Equal dots and states are
    made once and shared: a run's dots repeat across its resources."""

    run: Run
    limit: int
    previous: dict[str, PreviousState] = field(default_factory=dict)
    nights: dict[str, tuple[NightDot, ...]] = field(default_factory=dict)
    made: dict[Hashable, Any] = field(default_factory=dict)

    def add(self, result: ResourceResult, earlier: Sequence[Night]) -> None:
        """One resource: its previous state and its sparkline (`earlier` newest first)."""
        rid, limit = result.resource.id, self.limit
        night = newest_conclusive(earlier)
        if night is not None:
            key = ("state", night.run_id, night.availability, night.severity, night.findings)
            self.previous[rid] = self._shared(key, lambda: state_of_night(night))
        shown = [self._night_dot(n) for n in reversed(earlier[: max(limit - 1, 0)])]
        own = self._shared(("own", result.availability, result.severity),
                           lambda: dot_of_result(result, self.run))
        self.nights[rid] = (*shown, own)[-limit:] if limit > 0 else ()

    def _night_dot(self, night: Night) -> NightDot:
        """`dot_of_night`, shared."""
        key = ("dot", night.run_id, night.availability, night.severity, night.network)
        return self._shared(key, lambda: dot_of_night(night))

    def _shared(self, key: Hashable, make: Callable[[], T]) -> T:
        """What was made for `key` before, else `make()`, remembered under `key`."""
        if key not in self.made:
            self.made[key] = make()
        found: T = self.made[key]
        return found


def newest_conclusive(earlier: Sequence[Night]) -> Night | None:
    """The newest of `earlier` (newest first) whose network was ok, None if none was."""
    return next((n for n in earlier if n.network == Network.OK.value), None)


def state_of_night(night: Night) -> PreviousState:
    """A recorded night as the previous state."""
    return PreviousState(
        availability=Availability(night.availability),
        severity=Severity(night.severity),
        codes=night.findings,
        run_id=night.run_id,
        started=night.started,
    )


def dot_of_night(night: Night) -> NightDot:
    """A recorded night as a sparkline dot."""
    return NightDot(
        date=as_utc(night.started).strftime("%Y-%m-%d"),
        availability=Availability(night.availability),
        severity=Severity(night.severity),
        run_id=night.run_id,
        network_down=night.network == Network.INCONCLUSIVE.value,
    )


def dot_of_result(result: ResourceResult, run: Run) -> NightDot:
    """This run's own dot, the newest of the sparkline."""
    return NightDot(
        date=as_utc(run.info.started).strftime("%Y-%m-%d"),
        availability=result.availability,
        severity=result.severity,
        run_id=run.info.id,
        network_down=run.info.network is Network.INCONCLUSIVE,
    )


def _newest_run(states: Iterable[PreviousState]) -> str | None:
    """The run id of the newest previous state, None when there is none."""
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    newest = max(states, key=lambda s: s.started or oldest, default=None)
    return (newest.run_id or None) if newest else None


def as_utc(moment: dt.datetime) -> dt.datetime:
    """`moment` as an aware UTC datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
