"""What the HTML report knows beyond the run itself: the nights before it.

`ReportContext` carries, per resource id, its state on the previous run
(for "changed since the last run") and its recent nights (for the
sparkline). `context_from_nights` makes both from the nights the caller read
from the history store (`pipeline.history.recent_nights_for`: a report is
rendered from a run and imports nothing of the store), sharing equal dots and
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

from pipeline.models import Availability, Network, Night, ResourceResult, Run, Severity
from pipeline.report.text import as_utc

DEFAULT_NIGHTS = 14

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


def context_from_nights(
    run: Run, earlier: Iterable[tuple[str, Sequence[Night]]], limit: int = DEFAULT_NIGHTS
) -> ReportContext:
    """The context of `run` from the nights before it: `earlier` holds each of its
    resources, in its order, with its nights comparable with `run`, newest first
    (`pipeline.history.recent_nights_for` reads them; taking them ready keeps the
    report free of the history store). Consumed lazily, one resource at a time.

    `limit` bounds the sparkline, this run included (its last dot).
    """
    builder = _Builder(run, limit)
    for result, (rid, nights) in zip(run.results, earlier, strict=True):
        if rid != result.resource.id:
            raise ValueError(f"nights of {rid!r} given for resource {result.resource.id!r}")
        builder.add(result, nights)
    return ReportContext(builder.previous, builder.nights, _newest_run(builder.previous.values()))


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
