"""The history store: every run and what it observed of each resource, in SQLite.

The judge needs a resource's *last good night* (a `Baseline`) to notice
content drift and walls that appear overnight; the verdicts need the number
of *consecutive failing nights* to confirm a failure; `curate history ID`
lists a resource's nights; conditional requests will need the validators
(ETag / Last-Modified) of the last good night. All of that is read from here.

Schema (version = `PRAGMA user_version` = number of applied `MIGRATIONS`):

- `runs`: one row per run; `seq` is the insertion order, stable across VACUUM
  (an implicit rowid is not). Runs are ordered by (`started`, `seq`).
- `observations`: one row per (run, resource). The run's `started` and `seq`
  are copied into `run_started` / `run_seq` so that one index,
  (resource_id, run_started, run_seq), walks a resource's nights newest
  first without touching other resources' rows: a baseline or a streak costs
  the nights it inspects, not the size of the history. The SQL that walks it
  is in pipeline.history_queries.

Timestamps are stored as fixed-width ISO 8601 UTC text
(`2026-11-25T09:30:00.000000Z`), so text order is time order. The 64-bit
unsigned SimHash fingerprint is stored as a signed int64 (SQLite's integer)
and converted back on reading. Findings are stored as a JSON list of
{code, severity, message, evidence}, severity being the effective one.

A `History` keeps one connection and must be used from the thread that opened
it (sqlite3's `check_same_thread` enforces this). Several processes may open
the same file: the journal is WAL and writers wait (`busy_timeout`). A run is
recorded in one `BEGIN IMMEDIATE` transaction: after a crash, even SIGKILL,
the database holds either the whole run or nothing of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from pipeline.history_queries import (
    GOOD_NIGHTS,
    INSERT_OBSERVATION,
    INSERT_RUN,
    LAST_AVAILABILITY,
    NIGHTS,
    RECENT_NIGHTS,
    STREAK_NIGHTS,
)
from pipeline.models import (
    ERROR_CODES,
    Availability,
    Baseline,
    FindingCode,
    Mode,
    Network,
    Night,
    ResourceResult,
    Run,
    RunInfo,
    Severity,
    Streak,
)

BUSY_TIMEOUT_SECONDS = 30.0
MAX_NIGHTS = 10_000  # upper bound for `nights(limit=...)`
BATCH = 2_000  # resources per `recent_nights_for` query: bounds the nights held at once
_END_OF_TIME = "~"  # sorts after every `to_text` timestamp: "no bound"

# An error-severity finding of one of these codes means the night was not good:
# the page answered, but not with the resource (a wall, a soft 404, ...).
# A night with an error-severity wall, soft 404 or broken file is not a good
# night: the codes are those whose default severity is error.
WALL_CODES = ERROR_CODES
_AVAILABILITY_VALUES = {a.value: a.value for a in Availability}

_UINT64 = 1 << 64
_INT64_MAX = (1 << 63) - 1


class HistoryError(Exception):
    """The history database cannot be used: unreadable, too new, or a conflicting write."""


NO_STREAK = Streak(failures=0, first_failed=None, availability=None)


# --------------------------------------------------------------------------
# Schema and migrations
# --------------------------------------------------------------------------

Migration = Callable[[sqlite3.Connection], None]


def _migration_1(conn: sqlite3.Connection) -> None:
    """The first schema: runs, observations and the per-resource night index."""
    statements = (
        """CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            seq INTEGER NOT NULL UNIQUE,
            started TEXT NOT NULL,
            finished TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            mode TEXT NOT NULL,
            network TEXT NOT NULL,
            catalogue_digest TEXT NOT NULL
        )""",
        "CREATE INDEX runs_by_order ON runs (started, seq)",
        """CREATE TABLE observations (
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            resource_id TEXT NOT NULL,
            run_started TEXT NOT NULL,
            run_seq INTEGER NOT NULL,
            url TEXT NOT NULL,
            availability TEXT NOT NULL,
            severity TEXT NOT NULL,
            status INTEGER,
            final_url TEXT NOT NULL DEFAULT '',
            content_type TEXT NOT NULL DEFAULT '',
            bytes INTEGER NOT NULL DEFAULT 0,
            sha256 TEXT NOT NULL DEFAULT '',
            title TEXT,
            pages INTEGER,
            language TEXT,
            etag TEXT NOT NULL DEFAULT '',
            last_modified TEXT NOT NULL DEFAULT '',
            elapsed_ms INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT '',
            text_length INTEGER NOT NULL DEFAULT 0,
            fingerprint INTEGER,
            findings TEXT NOT NULL DEFAULT '[]',
            confirmation_failures INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, resource_id)
        )""",
        "CREATE INDEX observations_by_resource"
        " ON observations (resource_id, run_started, run_seq)",
    )
    for statement in statements:
        conn.execute(statement)


# Append only: never edit an applied migration; version N means MIGRATIONS[:N] ran.
MIGRATIONS: list[Migration] = [_migration_1]
SCHEMA_VERSION = len(MIGRATIONS)


# --------------------------------------------------------------------------
# Conversions
# --------------------------------------------------------------------------


def to_int64(fingerprint: int | None) -> int | None:
    """An unsigned 64-bit fingerprint as the signed int64 SQLite can store."""
    if fingerprint is None:
        return None
    if not 0 <= fingerprint < _UINT64:
        raise ValueError(f"fingerprint {fingerprint} is not a 64-bit unsigned integer")
    return fingerprint - _UINT64 if fingerprint > _INT64_MAX else fingerprint


def from_int64(stored: int | None) -> int | None:
    """The unsigned 64-bit fingerprint back from its signed int64 form."""
    if stored is None:
        return None
    return stored + _UINT64 if stored < 0 else stored


def to_text(moment: dt.datetime) -> str:
    """Fixed-width ISO 8601 UTC text, so that text order is time order; naive = UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_text(stored: str) -> dt.datetime:
    """An aware UTC datetime back from `to_text`."""
    return dt.datetime.strptime(stored, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def findings_json(result: ResourceResult) -> str:
    """The findings as compact JSON; no findings is exactly '[]' (a fast path in queries)."""
    findings = [
        {
            "code": f.code.value,
            "severity": f.effective_severity.value,
            "message": f.message,
            "evidence": f.evidence,
        }
        for f in result.findings
    ]
    return json.dumps(findings, ensure_ascii=False, separators=(",", ":"))


def _finding_codes(stored: str) -> tuple[str, ...]:
    """The codes of stored findings, in their order."""
    return tuple(str(f.get("code", "")) for f in json.loads(stored))


def _not_good(stored: str) -> bool:
    """Whether a night's findings disqualify it as a baseline.

    A wall (error-severity finding of a WALL_CODES code) means the page was
    not the resource. A `not-modified` night (304) downloaded nothing, so the
    baseline is the older night that did; unreadable findings are not trusted.
    Registered in SQLite as `curate_not_good`.
    """
    try:
        findings = json.loads(stored)
        for finding in findings:
            code, severity = finding.get("code"), finding.get("severity")
            if code == FindingCode.NOT_MODIFIED.value:
                return True
            if code in WALL_CODES and severity == Severity.ERROR.value:
                return True
    except (ValueError, AttributeError, TypeError):
        return True
    return False


def _run_row(info: RunInfo, seq: int) -> tuple[Any, ...]:
    """The `runs` row of a run."""
    return (
        info.id, seq, to_text(info.started), to_text(info.finished), info.tool_version,
        str(info.mode), str(info.network), info.catalogue_digest,
    )


def _observation_row(
    info: RunInfo, seq: int, result: ResourceResult
) -> tuple[Any, ...]:
    """The `observations` row of one resource's result (a module function: tests patch it)."""
    seen = result.observed
    return (
        info.id, result.resource.id, to_text(info.started), seq, result.resource.url,
        str(result.availability), str(result.severity),
        seen.status if seen else None, seen.final_url if seen else "",
        seen.content_type if seen else "", seen.bytes if seen else 0,
        seen.sha256 if seen else "", seen.title if seen else None,
        seen.pages if seen else None, seen.language if seen else None,
        seen.etag if seen else "", seen.last_modified if seen else "",
        seen.elapsed_ms if seen else 0, seen.error if seen else "",
        seen.text_length if seen else 0, to_int64(seen.fingerprint if seen else None),
        findings_json(result),
        result.confirmation.failures,
    )


# --------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------


class History:
    """The SQLite store of runs and per-resource observations.

    One connection, used only from the thread that opened it. Use as a context
    manager, or call `close()`.
    """

    def __init__(self, path: Path) -> None:
        """Open (creating it and its parent folders if needed) and migrate the database."""
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(f"{path}: cannot create its folder: {exc}") from exc
        self._conn = self._open(str(path), str(path))

    @classmethod
    def in_memory(cls) -> History:
        """A private, empty store in memory (for tests)."""
        store = cls.__new__(cls)
        store.path = Path(":memory:")
        store._conn = store._open(":memory:", ":memory:")
        return store

    def _open(self, target: str, label: str) -> sqlite3.Connection:
        """Connect, configure and migrate; any SQLite failure becomes a HistoryError."""
        try:
            conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise HistoryError(f"{label}: cannot open history database: {exc}") from exc
        try:
            _configure(conn)
            _migrate(conn, label)
        except sqlite3.Error as exc:
            conn.close()
            raise HistoryError(f"{label}: unreadable history database: {exc}") from exc
        except HistoryError:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        """Close the connection (a WAL checkpoint happens here)."""
        self._conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The database's schema version (PRAGMA user_version)."""
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    # -- writing -----------------------------------------------------------

    def record(self, run: Run) -> None:
        """Store a run and one observation per result, all or nothing.

        Raises HistoryError when the run id is already recorded
        or a resource id repeats within the run; the database is then unchanged.
        """
        info = run.info
        with self._transaction("BEGIN IMMEDIATE"):
            if self._conn.execute("SELECT 1 FROM runs WHERE id = ?", (info.id,)).fetchone():
                raise HistoryError(f"{self.path}: run {info.id!r} is already recorded")
            seq = self._conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM runs").fetchone()[0]
            self._conn.execute(INSERT_RUN, _run_row(info, seq))
            rows = (
                _observation_row(info, seq, result)
                for result in run.results
            )
            try:
                self._conn.executemany(INSERT_OBSERVATION, rows)
            except sqlite3.IntegrityError as exc:
                raise HistoryError(f"{self.path}: run {info.id!r}: {exc}") from exc

    @contextlib.contextmanager
    def _transaction(self, begin: str = "BEGIN") -> Iterator[None]:
        """BEGIN ... COMMIT, or ROLLBACK on any exception (which is re-raised)."""
        self._conn.execute(begin)
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- reading -----------------------------------------------------------

    def baseline(self, resource_id: str) -> Baseline | None:
        """The resource's last good night, or None if it never had one (see `baselines`)."""
        return self.baselines([resource_id]).get(resource_id)

    def baselines(self, resource_ids: Iterable[str]) -> dict[str, Baseline]:
        """Each resource's last good night, by id; ids without one are left out.

        A good night: available or redirected, in a run whose network was ok,
        with no error-severity wall finding (a walled page is not the resource)
        and not a `not-modified` (304) night, which downloaded nothing.
        """
        return self.good_nights(resource_ids)[0]

    def last_validators(self, resource_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Resource id -> (etag, last_modified) of its last good night, for conditional requests.

        Ids whose last good night had neither validator are left out.
        """
        return self.good_nights(resource_ids)[1]

    def good_nights(
        self, resource_ids: Iterable[str]
    ) -> tuple[dict[str, Baseline], dict[str, tuple[str, str]]]:
        """`baselines` and `last_validators` together, from one read of the history
        (what a run needs of every resource before it starts)."""
        rows = self._good_nights(resource_ids)
        baselines = {
            rid: Baseline(sys.intern(run_id), title, pages, text_length, from_int64(fingerprint),
                          sha256)
            for rid, run_id, title, pages, text_length, fingerprint, sha256, _, _ in rows
        }
        validators = {row[0]: (row[7], row[8]) for row in rows if row[7] or row[8]}
        return baselines, validators

    def _good_nights(self, resource_ids: Iterable[str]) -> list[tuple[Any, ...]]:
        """Rows of `GOOD_NIGHTS` for the given ids, read in one snapshot."""
        with self._transaction():
            ids = self._want(resource_ids)
            rows = self._conn.execute(GOOD_NIGHTS).fetchall()
        return _with_ids_of(ids, rows)

    def streak(self, resource_id: str, mode: str = "nightly") -> Streak:
        """The resource's current run of failing nights in `mode` (see `streaks`)."""
        return self.streaks([resource_id], mode)[resource_id]

    def streaks(self, resource_ids: Iterable[str], mode: str = "nightly") -> dict[str, Streak]:
        """Each resource's consecutive failing nights, counted from its newest night back.

        Only runs of `mode` whose network was ok count, and only nights on which
        the resource was checked (not in the run, or `skipped`, is passed over).
        Failing = broken, server-error or timeout, of any mix. Every id gets a
        Streak; NO_STREAK when its newest counted night did not fail.
        """
        with self._transaction():
            wanted = self._want(resource_ids)
            rows = self._conn.execute(STREAK_NIGHTS, {"mode": str(mode)}).fetchall()
        found: dict[str, list[tuple[str, str]]] = {}
        for rid, availability, started in rows:
            found.setdefault(rid, []).append((availability, started))
        return {rid: _streak_of(found.get(rid, [])) for rid in wanted}

    def last_availabilities(
        self, resource_ids: Iterable[str], mode: str = "nightly"
    ) -> dict[str, str]:
        """Resource id -> its availability on its newest counted night (as `streaks`
        counts them); ids never checked in `mode` with the network up are left out."""
        with self._transaction():
            ids = self._want(resource_ids)
            rows = self._conn.execute(LAST_AVAILABILITY, {"mode": str(mode)}).fetchall()
        # The enum's own strings, not one new copy of "available" per resource.
        return {rid: _AVAILABILITY_VALUES.get(seen, seen) for rid, seen in _with_ids_of(ids, rows)
                if seen is not None}

    def _want(self, resource_ids: Iterable[str]) -> list[str]:
        """Fill temp.wanted with the ids (inside the caller's transaction); return them."""
        ids = list(dict.fromkeys(resource_ids))
        self._conn.execute("DELETE FROM temp.wanted")
        self._conn.executemany("INSERT INTO temp.wanted (id) VALUES (?)", ((i,) for i in ids))
        return ids

    def nights(self, resource_id: str, limit: int = 30) -> list[Night]:
        """The resource's nights, newest first, at most `limit` of them."""
        limit = max(0, min(limit, MAX_NIGHTS))
        rows = self._conn.execute(NIGHTS, (resource_id, limit)).fetchall()
        return [_night(row) for row in rows]

    def recent_nights(
        self,
        resource_ids: Iterable[str],
        limit: int = 30,
        *,
        before: tuple[str, dt.datetime] | None = None,
        mode: str | None = None,
        network: str | None = None,
    ) -> dict[str, list[Night]]:
        """`nights` of many resources in one query: id -> its newest nights, newest first.

        At most `limit` per resource, and only nights older than `before` =
        (run id, start) if given: older than the resource's own night in that
        run, or than that start when it has none there (the run is not
        recorded yet). `mode` / `network` keep only runs of that mode /
        network state. Ids without such nights are left out.
        """
        limit = max(0, min(limit, MAX_NIGHTS))
        run_id, started = (before[0], to_text(before[1])) if before else (None, _END_OF_TIME)
        params = {"limit": limit, "run_id": run_id, "started": started, "mode": mode,
                  "network": network}
        with self._transaction():
            ids = self._want(resource_ids)
            rows = self._conn.execute(RECENT_NIGHTS, params).fetchall() if limit else []
        return _nights_by_resource(_with_ids_of(ids, rows))


def _with_ids_of(ids: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows whose first column (a resource id read back from SQLite, a new string
    each time) is replaced by the caller's own string for that id.

    The dicts a run keeps for 100,000 resources (baselines, validators, last
    nights, the report's recent nights) then share the catalogue's id strings
    instead of holding a copy each.
    """
    same = dict(zip(ids, ids, strict=True))
    return [(same.get(row[0], row[0]), *row[1:]) for row in rows]


def _streak_of(nights: list[tuple[str, str]]) -> Streak:
    """A Streak from its failing nights (availability, started), newest first."""
    if not nights:
        return NO_STREAK
    return Streak(len(nights), from_text(nights[-1][1]), nights[0][0])


def _night(
    row: tuple[Any, ...],
    when: Callable[[str], dt.datetime] = from_text,
    codes: Callable[[str], tuple[str, ...]] = _finding_codes,
) -> Night:
    """A Night from a row of `NIGHTS`; `when` and `codes` parse the start and findings."""
    (run_id, started, mode, network, availability, severity, status, final_url, title, pages,
     findings, etag, last_modified, sha256, text_length, fingerprint) = row
    return Night(
        run_id, when(started), mode, network, availability, severity, status, final_url,
        title, pages, codes(findings), etag, last_modified, sha256, text_length,
        from_int64(fingerprint),
    )


def _nights_by_resource(rows: Iterable[tuple[Any, ...]]) -> dict[str, list[Night]]:
    """Rows of `RECENT_NIGHTS` (resource id first) as id -> Nights, in row order.

    A run's start and a findings list repeat across resources: each distinct
    one is parsed once (strptime is slow at 100,000 nights).
    """
    when = functools.lru_cache(maxsize=4096)(from_text)
    codes = functools.lru_cache(maxsize=4096)(_finding_codes)
    nights: dict[str, list[Night]] = {}
    for row in rows:
        nights.setdefault(row[0], []).append(_night(row[1:], when, codes))
    return nights


def _configure(conn: sqlite3.Connection) -> None:
    """Connection settings: WAL, foreign keys, busy timeout, the helpers queries use."""
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.create_function("curate_not_good", 1, _not_good, deterministic=True)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)")


def _migrate(conn: sqlite3.Connection, label: str) -> None:
    """Apply the pending MIGRATIONS in one transaction; refuse a database newer than the code.

    An up-to-date database is only read (no write lock), so opening it never
    waits for another process's write.
    """
    if _schema_version(conn, label) == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")  # re-read the version under the write lock
    try:
        version = _schema_version(conn, label)
        for migration in MIGRATIONS[version:]:
            migration(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _schema_version(conn: sqlite3.Connection, label: str) -> int:
    """PRAGMA user_version; HistoryError when it is newer than this code knows."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise HistoryError(
            f"{label}: history database was written by a newer curate "
            f"(schema version {version}; this curate knows up to {SCHEMA_VERSION})"
        )
    return version


def recent_nights_for(
    history: History, run: Run, limit: int
) -> Iterator[tuple[str, list[Night]]]:
    """Each resource of `run`, in its order, with its nights before `run`, newest first:
    what a report's sparkline of `limit` dots (the run's own included) and its
    "previous" state need (see pipeline.report.context).

    Whether or not `run` is recorded yet. Lazy, and read in one query per
    BATCH resources, not one per resource: only a batch's nights are held at once.
    """
    wanted = max(limit - 1, 1)
    for start in range(0, len(run.results), BATCH):
        ids = [r.resource.id for r in run.results[start : start + BATCH]]
        found = nights_before(history, run, ids, wanted)
        yield from ((rid, found.get(rid, [])) for rid in ids)


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
