"""What the HTML report knows beyond the run itself: the nights before it.

`ReportContext` carries, per resource id, its state on the previous run
(for "changed since the last run") and its recent nights (for the
sparkline). `context_from_history` reads both from the history store; an
empty context (`EMPTY_CONTEXT`) stands for a first run or no history.

"Previous" is always relative to the run being rendered: when an old run is
re-rendered, it is the night before *that* run, never the newest night.
A nightly run is compared with nightly runs only (a pull-request check in
`ci` mode is not a night); a `ci` run with any earlier run. Nights whose
network was down (inconclusive) show in the sparkline but are never the
"previous" state, since they say nothing about the resource.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.history import MAX_NIGHTS, History, Night
from pipeline.models import Availability, Mode, Network, ResourceResult, Run, Severity

DEFAULT_NIGHTS = 14
LOOKBACK = 366  # nights read at first to find the rendered run and the one before it


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

    `limit` bounds the sparkline, this run included (its last dot).
    """
    previous: dict[str, PreviousState] = {}
    nights: dict[str, tuple[NightDot, ...]] = {}
    for result in run.results:
        rid = result.resource.id
        earlier = [n for n in nights_before(history, run, rid) if _comparable(n, run.info.mode)]
        state = previous_state(earlier)
        if state is not None:
            previous[rid] = state
        shown = [dot_of_night(n) for n in reversed(earlier[: max(limit - 1, 0)])]
        nights[rid] = (*shown, dot_of_result(result, run))[-limit:] if limit > 0 else ()
    return ReportContext(previous, nights, _newest_run(previous.values()))


def nights_before(history: History, run: Run, resource_id: str) -> list[Night]:
    """The resource's nights strictly before `run`, newest first."""
    nights: list[Night] = []
    for wanted in (LOOKBACK, MAX_NIGHTS):
        nights = history.nights(resource_id, wanted)
        earlier = _before(nights, run)
        if earlier or len(nights) < wanted:
            return earlier
    return _before(nights, run)


def _before(nights: Sequence[Night], run: Run) -> list[Night]:
    """The nights older than `run`: after it in the list if it is recorded, else by time."""
    for index, night in enumerate(nights):
        if night.run_id == run.info.id:
            return list(nights[index + 1 :])
    started = as_utc(run.info.started)
    return [n for n in nights if n.started < started]


def _comparable(night: Night, mode: Mode) -> bool:
    """Nightly runs are compared with nightly runs; ci runs with any run."""
    return mode is Mode.CI or night.mode == mode.value


def previous_state(earlier: Sequence[Night]) -> PreviousState | None:
    """The newest of `earlier` (newest first) whose network was ok, as a PreviousState."""
    night = next((n for n in earlier if n.network == Network.OK.value), None)
    if night is None:
        return None
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
