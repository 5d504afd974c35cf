"""Tests of the history store: schema, atomic recording, baselines and streaks."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import history
from pipeline.history import (
    MIGRATIONS,
    NO_STREAK,
    History,
    HistoryError,
    Streak,
    from_int64,
    to_int64,
)
from pipeline.models import (
    Availability,
    Baseline,
    Confirmation,
    Finding,
    FindingCode,
    Mode,
    Network,
    Observation,
    Resource,
    ResourceResult,
    Run,
    RunInfo,
    Severity,
    SourceLocation,
)

REPO = Path(__file__).resolve().parent.parent
T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)

OK = Availability.AVAILABLE
BROKEN = Availability.BROKEN



def measured(night_run: Run, texts: dict[str, tuple[int, int | None]]) -> Run:
    """The run with (text length, fingerprint) set on the named resources' observations."""
    results = []
    for result in night_run.results:
        seen, text = result.observed, texts.get(result.resource.id)
        if seen is not None and text is not None:
            seen = dataclasses.replace(seen, text_length=text[0], fingerprint=text[1])
        results.append(dataclasses.replace(result, observed=seen))
    return dataclasses.replace(night_run, results=tuple(results))

# --------------------------------------------------------------------------
# Factory
# --------------------------------------------------------------------------


def result(
    rid: str,
    availability: Availability = OK,
    *findings: Finding,
    seen: bool = True,
    **observed: Any,
) -> ResourceResult:
    """One resource's end state; `observed` overrides fields of its Observation."""
    resource = Resource(
        id=rid,
        title=f"Title of {rid}",
        url=f"https://example.org/{rid}",
        hub="car-t",
        source=SourceLocation("catalogue/car-t.yaml", 1),
    )
    observation = Observation(
        final_url=f"https://example.org/{rid}",
        status=200 if availability.is_reachable else 404,
        content_type="application/pdf",
        bytes=1234,
        sha256="ab" * 32,
        title=f"Title of {rid}",
        pages=92,
        language="en",
        elapsed_ms=120,
    )
    severity = Severity.highest(
        [availability.severity(False)] + [f.effective_severity for f in findings]
    )
    return ResourceResult(
        resource=resource,
        availability=availability,
        severity=severity,
        findings=findings,
        observed=dataclasses.replace(observation, **observed) if seen else None,
        confirmation=Confirmation(failures=1 if availability.is_failure else 0),
    )


def run(
    run_id: str,
    night: float,
    *results: ResourceResult,
    mode: Mode = Mode.NIGHTLY,
    network: Network = Network.OK,
) -> Run:
    """A run `night` days after T0."""
    started = T0 + dt.timedelta(days=night)
    info = RunInfo(
        id=run_id,
        started=started,
        finished=started + dt.timedelta(minutes=3),
        tool_version="0.1.0",
        mode=mode,
        network=network,
        catalogue_digest="sha256:" + "0" * 64,
    )
    return Run(info, results)


def big_run(run_id: str, night: float, count: int, title_length: int = 40) -> Run:
    """A run of `count` available resources r00000, r00001, ..."""
    pad = "x" * title_length
    return run(run_id, night, *(result(f"r{i:05d}", title=f"{pad} {i}") for i in range(count)))


def wall(code: FindingCode, severity: Severity | None = None) -> Finding:
    return Finding(code, f"{code.value} seen", severity=severity, evidence="marker")


def dump(path: Path) -> list[str]:
    """The whole database as SQL text, read through a separate connection."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


@pytest.fixture
def store() -> Iterator[History]:
    with History.in_memory() as opened:
        yield opened


# --------------------------------------------------------------------------
# Opening, schema, migrations
# --------------------------------------------------------------------------


def test_create_and_reopen_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "history.sqlite"
    with History(path) as first:
        first.record(run("n1", 0, result("a"), result("b", BROKEN)))
    assert path.is_file()
    with History(path) as again:
        assert [n.run_id for n in again.nights("a")] == ["n1"]
        assert again.nights("b")[0].availability == "broken"
        again.record(run("n2", 1, result("a")))
        assert [n.run_id for n in again.nights("a")] == ["n2", "n1"]


def test_new_database_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    History(path).close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"runs", "observations", "observations_by_resource"} <= tables


def test_pending_migrations_run_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "history.sqlite"
    History(path).close()

    def add_notes(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE notes (text TEXT)")

    monkeypatch.setattr(history, "MIGRATIONS", [*MIGRATIONS, add_notes])
    monkeypatch.setattr(history, "SCHEMA_VERSION", len(MIGRATIONS) + 1)
    with History(path) as upgraded:
        assert upgraded.schema_version == len(MIGRATIONS) + 1
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


def test_failing_migration_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as first:
        first.record(run("n1", 0, result("a")))
    before = dump(path)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x)")
        conn.execute("THIS IS NOT SQL")

    monkeypatch.setattr(history, "MIGRATIONS", [*MIGRATIONS, broken])
    monkeypatch.setattr(history, "SCHEMA_VERSION", len(MIGRATIONS) + 1)
    with pytest.raises(HistoryError, match=r"history\.sqlite"):
        History(path)
    assert dump(path) == before


def test_database_from_a_newer_curate_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    History(path).close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    with pytest.raises(HistoryError, match="newer curate") as error:
        History(path)
    assert str(path) in str(error.value)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    with pytest.raises(HistoryError) as error:
        History(path)
    assert str(path) in str(error.value)


def test_in_memory_stores_are_independent() -> None:
    with History.in_memory() as one, History.in_memory() as two:
        one.record(run("n1", 0, result("a")))
        assert two.nights("a") == []
        assert one.schema_version == len(MIGRATIONS)


# --------------------------------------------------------------------------
# Recording and listing nights
# --------------------------------------------------------------------------


def test_record_and_nights_newest_first(store: History) -> None:
    cookie = wall(FindingCode.COOKIE_WALL)
    store.record(run("n1", 0, result("a", etag='"v1"', last_modified="Sun, 01 Nov 2026")))
    store.record(run("n2", 1, result("a", BROKEN, status=404, title=None)))
    store.record(measured(
        run("n3", 2, result("a", Availability.GATED, cookie), network=Network.INCONCLUSIVE),
        {"a": (5120, 2**64 - 1)},
    ))
    nights = store.nights("a")
    assert [n.run_id for n in nights] == ["n3", "n2", "n1"]
    newest, broken, first = nights
    assert newest.started == T0 + dt.timedelta(days=2)
    assert (newest.mode, newest.network) == ("nightly", "inconclusive")
    assert (newest.availability, newest.severity) == ("gated", "error")
    assert newest.findings == ("cookie-wall",)
    assert (newest.text_length, newest.fingerprint) == (5120, 2**64 - 1)
    assert (broken.status, broken.title, broken.findings) == (404, None, ())
    assert (first.etag, first.last_modified, first.pages) == ('"v1"', "Sun, 01 Nov 2026", 92)
    assert first.fingerprint is None
    assert [n.run_id for n in store.nights("a", limit=2)] == ["n3", "n2"]
    assert store.nights("nobody") == []


def test_nights_are_ordered_by_start_then_insertion(store: History) -> None:
    store.record(run("late", 5, result("a")))
    store.record(run("early", 1, result("a")))  # recorded later, started earlier
    store.record(run("late-again", 5, result("a")))  # same start: insertion decides
    assert [n.run_id for n in store.nights("a")] == ["late-again", "late", "early"]


def test_a_result_without_observation_is_recorded(store: History) -> None:
    store.record(run("n1", 0, result("a", Availability.SKIPPED, seen=False)))
    (night,) = store.nights("a")
    assert (night.availability, night.status, night.final_url, night.title) == (
        "skipped", None, "", None
    )


def test_recording_the_same_run_twice_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as store:
        store.record(run("n1", 0, result("a"), result("b")))
        before = dump(path)
        with pytest.raises(HistoryError, match="n1"):
            store.record(run("n1", 3, result("c")))
        assert dump(path) == before
        store.record(run("n2", 1, result("a")))  # the store is still usable
    assert len(dump(path)) > len(before)


def test_a_resource_twice_in_one_run_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as store:
        store.record(run("n1", 0, result("a")))
        before = dump(path)
        with pytest.raises(HistoryError, match="n2"):
            store.record(run("n2", 1, result("b"), result("a"), result("b")))
        assert dump(path) == before


def test_a_failure_mid_record_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as store:
        store.record(big_run("n1", 0, 50))
        before = dump(path)
        real, calls = history._observation_row, []

        def failing_row(*args: Any) -> tuple[Any, ...]:
            calls.append(1)
            if len(calls) == 30:
                raise RuntimeError("disk on fire")
            return real(*args)

        monkeypatch.setattr(history, "_observation_row", failing_row)
        with pytest.raises(RuntimeError, match="disk on fire"):
            store.record(big_run("n2", 1, 50))
        assert dump(path) == before
        monkeypatch.setattr(history, "_observation_row", real)
        store.record(big_run("n2", 1, 50))  # no transaction was left open
        assert len(store.nights("r00049")) == 2


# The child records a big run but stops in the middle of the observations insert,
# after thousands of rows (spilled to the WAL by a tiny page cache), says "ready"
# and waits on stdin, which never answers: the parent SIGKILLs it there.
CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pipeline import history
    from tests.test_history import big_run

    real, calls = history._observation_row, []

    def row(*args):
        calls.append(1)
        if len(calls) == 8000:
            print("ready", flush=True)
            sys.stdin.readline()
        return real(*args)

    history._observation_row = row
    store = history.History(Path(sys.argv[1]))
    store._conn.execute("PRAGMA cache_size = 10")
    store.record(big_run("n2", 1, 12000, title_length=200))
    print("committed", flush=True)
    """
)


def test_sigkill_in_the_middle_of_a_record_leaves_the_database_as_it_was(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as store:
        store.record(big_run("n1", 0, 100))
    before = dump(path)
    wal = path.with_name(path.name + "-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line == "ready\n", child.communicate()[1]
        assert wal.stat().st_size > wal_before  # uncommitted rows did reach the disk
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()  # no-op when already dead
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    assert dump(path) == before
    with History(path) as store:
        assert [n.run_id for n in store.nights("r00000")] == ["n1"]
        store.record(big_run("n2", 1, 100))
        assert [n.run_id for n in store.nights("r00000")] == ["n2", "n1"]


# --------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------


def test_baseline_is_the_newest_good_night(store: History) -> None:
    store.record(run("n1", 0, result("a", title="Old", pages=90)))
    store.record(measured(
        run("n2", 1, result("a", title="Guide", pages=92, sha256="cd" * 32)),
        {"a": (4000, 2**63 + 7)},
    ))
    expected = Baseline("n2", "Guide", 92, 4000, 2**63 + 7, "cd" * 32)
    assert store.baseline("a") == expected
    store.record(run("n3", 2, result("a", BROKEN, title=None)))
    store.record(run("n4", 3, result("a", Availability.SERVER_ERROR, status=503)))
    store.record(run("n5", 4, result("a", Availability.GATED, status=401)))
    store.record(run("n6", 5, result("a", Availability.TIMEOUT, status=None)))
    assert store.baseline("a") == expected


def test_a_redirected_night_is_a_good_night(store: History) -> None:
    store.record(run("n1", 0, result("a")))
    store.record(run("n2", 1, result("a", Availability.REDIRECTED, title="Moved")))
    baseline = store.baseline("a")
    assert baseline is not None
    assert (baseline.run_id, baseline.title) == ("n2", "Moved")


@pytest.mark.parametrize("code", sorted(history.WALL_CODES))
def test_a_walled_night_is_not_a_good_night(store: History, code: FindingCode) -> None:
    store.record(run("n1", 0, result("a", title="The guide")))
    store.record(run("n2", 1, result("a", OK, wall(code), title="Accept cookies")))
    baseline = store.baseline("a")
    assert baseline is not None
    assert (baseline.run_id, baseline.title) == ("n1", "The guide")


def test_a_wall_lowered_below_error_does_not_spoil_the_night(store: History) -> None:
    store.record(run("n1", 0, result("a")))
    lowered = wall(FindingCode.COOKIE_WALL, Severity.WARNING)
    drift = Finding(FindingCode.TITLE_CHANGED, "title changed")
    store.record(run("n2", 1, result("a", OK, lowered, drift)))
    assert store.baseline("a") == Baseline("n2", "Title of a", 92, 0, None, "ab" * 32)


def test_a_not_modified_night_keeps_the_older_baseline(store: History) -> None:
    store.record(measured(run("n1", 0, result("a", etag='"v1"')), {"a": (900, 42)}))
    not_modified = Finding(FindingCode.NOT_MODIFIED, "304")
    store.record(run("n2", 1, result("a", OK, not_modified, status=304, title=None, etag='"v1"')))
    assert store.baseline("a") == Baseline("n1", "Title of a", 92, 900, 42, "ab" * 32)


def test_an_inconclusive_run_gives_no_baseline(store: History) -> None:
    store.record(run("n1", 0, result("a", title="Good")))
    store.record(run("n2", 1, result("a", title="Captive portal"), network=Network.INCONCLUSIVE))
    baseline = store.baseline("a")
    assert baseline is not None
    assert baseline.title == "Good"


def test_no_good_night_means_no_baseline(store: History) -> None:
    assert store.baseline("a") is None
    store.record(run("n1", 0, result("a", BROKEN), result("b", OK, wall(FindingCode.PAYWALL))))
    assert store.baseline("a") is None
    assert store.baseline("b") is None
    assert store.baselines(["a", "b", "c"]) == {}


def test_last_validators_come_from_the_last_good_night(store: History) -> None:
    store.record(run("n1", 0, result("a", etag='"v1"'), result("b", last_modified="Mon")))
    store.record(run("n2", 1, result("a", BROKEN, etag='"error-page"'), result("b"), result("c")))
    assert store.last_validators(["a", "b", "c", "d"]) == {"a": ('"v1"', "")}
    ids = ["a", "b", "c", "d"]
    assert store.good_nights(ids) == (store.baselines(ids), store.last_validators(ids)), "one read"


# --------------------------------------------------------------------------
# Streaks
# --------------------------------------------------------------------------


def test_streak_counts_consecutive_failing_nights_of_any_kind(store: History) -> None:
    assert store.streak("a") == NO_STREAK
    store.record(run("n1", 0, result("a")))
    assert store.streak("a") == NO_STREAK
    store.record(run("n2", 1, result("a", BROKEN)))
    assert store.streak("a") == Streak(1, T0 + dt.timedelta(days=1), "broken")
    store.record(run("n3", 2, result("a", Availability.TIMEOUT)))
    store.record(run("n4", 3, result("a", Availability.SERVER_ERROR)))
    assert store.streak("a") == Streak(3, T0 + dt.timedelta(days=1), "server-error")


def test_streak_resets_on_a_night_that_does_not_fail(store: History) -> None:
    store.record(run("n1", 0, result("a", BROKEN)))
    store.record(run("n2", 1, result("a", BROKEN)))
    store.record(run("n3", 2, result("a", Availability.GATED)))  # not a confirmable failure
    assert store.streak("a") == NO_STREAK
    store.record(run("n4", 3, result("a", BROKEN)))
    assert store.streak("a") == Streak(1, T0 + dt.timedelta(days=3), "broken")


def test_streak_passes_over_inconclusive_runs(store: History) -> None:
    store.record(run("n1", 0, result("a")))
    store.record(run("n2", 1, result("a", BROKEN)))
    store.record(run("n3", 2, result("a", Availability.TIMEOUT), network=Network.INCONCLUSIVE))
    store.record(run("n4", 3, result("a"), network=Network.INCONCLUSIVE))  # breaks nothing
    store.record(run("n5", 4, result("a", BROKEN)))
    assert store.streak("a") == Streak(2, T0 + dt.timedelta(days=1), "broken")


def test_streak_passes_over_runs_that_did_not_check_the_resource(store: History) -> None:
    store.record(run("n1", 0, result("a", BROKEN), result("b")))
    store.record(run("only-b", 0.5, result("b")))  # --only b
    store.record(run("n2", 1, result("a", Availability.SKIPPED, seen=False), result("b")))
    store.record(run("n3", 2, result("a", BROKEN), result("b")))
    assert store.streak("a") == Streak(2, T0, "broken")
    assert store.streak("b") == NO_STREAK


def test_streak_is_per_mode(store: History) -> None:
    store.record(run("n1", 0, result("a", BROKEN)))
    store.record(run("ci1", 0.5, result("a"), mode=Mode.CI))
    store.record(run("n2", 1, result("a", BROKEN)))
    store.record(run("ci2", 1.5, result("a", BROKEN), mode=Mode.CI))
    assert store.streak("a") == Streak(2, T0, "broken")
    assert store.streak("a", Mode.NIGHTLY) == Streak(2, T0, "broken")
    assert store.streak("a", "ci") == Streak(1, T0 + dt.timedelta(days=1.5), "broken")


def test_last_availabilities_are_of_the_newest_counted_night(store: History) -> None:
    store.record(run("n1", 0, result("a", Availability.SERVER_ERROR), result("b"), result("c")))
    store.record(run("ci1", 0.5, result("a"), mode=Mode.CI))  # another mode: not counted
    store.record(run("n2", 1, result("b", Availability.BLOCKED),
                     result("c", Availability.SKIPPED, seen=False)))  # c: not checked
    store.record(run("n3", 2, result("b"), network=Network.INCONCLUSIVE))  # not counted
    assert store.last_availabilities(["a", "b", "c", "d"]) == {
        "a": "server-error", "b": "blocked", "c": "available"}
    assert store.last_availabilities(["a", "d"], "ci") == {"a": "available"}


# --------------------------------------------------------------------------
# Fingerprints and batches
# --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 2**63 - 1, 2**63, 2**63 + 12345, 2**64 - 1])
def test_fingerprint_round_trip(tmp_path: Path, value: int) -> None:
    path = tmp_path / "history.sqlite"
    with History(path) as store:
        store.record(measured(run("n1", 0, result("a")), {"a": (10, value)}))
    with History(path) as store:
        assert store.nights("a")[0].fingerprint == value
        baseline = store.baseline("a")
        assert baseline is not None
        assert baseline.fingerprint == value
    with contextlib.closing(sqlite3.connect(path)) as conn:
        stored = conn.execute("SELECT fingerprint FROM observations").fetchone()[0]
    assert -(2**63) <= stored < 2**63
    assert from_int64(to_int64(value)) == value


@pytest.mark.parametrize("value", [-1, 2**64])
def test_a_fingerprint_out_of_range_is_refused(store: History, value: int) -> None:
    with pytest.raises(ValueError, match="64-bit"):
        store.record(measured(run("n1", 0, result("a")), {"a": (10, value)}))
    assert store.nights("a") == []


def test_batch_methods_equal_the_single_ones(store: History) -> None:
    store.record(run("n1", 0, result("a"), result("b"), result("c", BROKEN)))
    store.record(run("n2", 1, result("a", BROKEN), result("b"), result("c", BROKEN)))
    store.record(measured(
        run("n3", 2, result("a", BROKEN), result("b", title="New"), result("c", BROKEN)),
        {"b": (77, 2**64 - 2)},
    ))
    ids = ["a", "b", "c", "missing"]
    assert store.baselines(ids) == {
        rid: b for rid in ids if (b := store.baseline(rid)) is not None
    }
    assert store.streaks(ids) == {rid: store.streak(rid) for rid in ids}
    assert store.streaks(ids)["a"] == Streak(2, T0 + dt.timedelta(days=1), "broken")
    assert store.streaks(ids)["c"].failures == 3
    assert store.streaks(ids)["missing"] == NO_STREAK
    assert set(store.baselines(ids)) == {"a", "b"}


def recent_history(store: History) -> None:
    """Nights of a, b and c: mixed modes, a network-down run, a run without c, a tie."""
    cookie = wall(FindingCode.COOKIE_WALL)
    store.record(run("n1", 0, result("a"), result("b", BROKEN), result("c")))
    store.record(run("n2", 1, result("a", BROKEN), result("b"), result("c", BROKEN)))
    store.record(run("ci", 1.5, result("a", Availability.GATED, cookie), mode=Mode.CI))
    store.record(run("n3", 2, result("a"), result("b"), network=Network.INCONCLUSIVE))
    store.record(run("n4", 3, result("a"), result("b", BROKEN), result("c")))
    store.record(run("n4b", 3, result("a", BROKEN), result("c")))  # same start as n4


@pytest.mark.parametrize("limit", [0, 1, 2, 3, 30])
def test_recent_nights_equal_the_nights_of_each_resource(store: History, limit: int) -> None:
    recent_history(store)
    ids = ["a", "b", "c", "missing", "a"]
    expected = {rid: nights for rid in ids if (nights := store.nights(rid, limit))}
    assert store.recent_nights(ids, limit) == expected
    assert [n.run_id for n in store.recent_nights(["a"], 2)["a"]] == ["n4b", "n4"]


def test_recent_nights_before_a_recorded_run_stop_at_its_night(store: History) -> None:
    recent_history(store)
    got = store.recent_nights(["a", "b", "c"], 30, before=("n4", T0 + dt.timedelta(days=3)))
    assert {rid: [n.run_id for n in nights] for rid, nights in got.items()} == {
        "a": ["n3", "ci", "n2", "n1"], "b": ["n3", "n2", "n1"], "c": ["n2", "n1"]}
    tie = store.recent_nights(["a", "c"], 30, before=("n4b", T0 + dt.timedelta(days=3)))
    assert [n.run_id for n in tie["a"]] == ["n4", "n3", "ci", "n2", "n1"], "same start: order"


def test_recent_nights_before_a_run_not_recorded_go_by_its_start(store: History) -> None:
    recent_history(store)
    before = ("tonight", T0 + dt.timedelta(days=1, hours=12))
    got = store.recent_nights(["a", "b"], 30, before=before)
    assert [n.run_id for n in got["a"]] == ["n2", "n1"], "the ci run started at that very time"
    # b has no night in n4b: its nights older than n4b's start count
    got = store.recent_nights(["b"], 30, before=("n4b", T0 + dt.timedelta(days=3)))
    assert [n.run_id for n in got["b"]] == ["n3", "n2", "n1"]
    assert store.recent_nights(["a"], 30, before=("n0", T0)) == {}


def test_recent_nights_of_a_mode_and_network(store: History) -> None:
    recent_history(store)
    nightly = store.recent_nights(["a"], 3, mode="nightly")["a"]
    assert [n.run_id for n in nightly] == ["n4b", "n4", "n3"]
    ok = store.recent_nights(["a"], 2, mode="nightly", network="ok",
                             before=("n4", T0 + dt.timedelta(days=3)))
    assert [n.run_id for n in ok["a"]] == ["n2", "n1"], "past the network-down night"
    assert [n.run_id for n in store.recent_nights(["a"], 5, mode="ci")["a"]] == ["ci"]
    (gated,) = store.recent_nights(["a"], 5, mode="ci")["a"]
    assert gated == store.nights("a", 30)[3] and gated.findings == ("cookie-wall",)


def test_ten_thousand_resources_over_three_nights(tmp_path: Path) -> None:
    ids = [f"r{i:05d}" for i in range(10_000)]

    def night(run_id: str, day: int, failing: int) -> Run:
        """Every `failing`-th resource broken on this night (0: none)."""
        return run(
            run_id,
            day,
            *(result(r, BROKEN if failing and i % failing == 0 else OK) for i, r in enumerate(ids)),
        )

    texts = {rid: (1000 + i, 2**64 - 1 - i) for i, rid in enumerate(ids)}
    with History(tmp_path / "history.sqlite") as store:
        store.record(measured(night("n1", 0, 0), texts))
        store.record(measured(night("n2", 1, 2), texts))
        store.record(measured(night("n3", 2, 4), texts))
        baselines = store.baselines(ids)
        streaks = store.streaks(ids)
    assert len(baselines) == 10_000
    assert baselines["r00000"].run_id == "n1"  # failing on n2 and n3
    assert baselines["r00002"].run_id == "n3"  # failing on n2 only
    assert baselines["r00001"] == Baseline("n3", "Title of r00001", 92, 1001, 2**64 - 2, "ab" * 32)
    assert streaks["r00000"] == Streak(2, T0 + dt.timedelta(days=1), "broken")
    assert streaks["r00002"] == NO_STREAK
    assert streaks["r00004"].failures == 2
    assert sum(s.failures for s in streaks.values()) == 2500 * 2
