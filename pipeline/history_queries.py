"""The SQL of the history store (pipeline.history): what a run writes, and what
the judge, the verdicts, `curate history` and the report read.

Each read walks the wanted resources' nights newest first through one index
(observations_by_resource: resource_id, run_started, run_seq), so a query
costs the nights it inspects, not the size of the history. The ids to read
are put in `temp.wanted` first (NIGHTS takes its one id as a parameter).
pipeline.history holds the schema and registers `curate_not_good`, the SQLite
function GOOD_NIGHTS calls. Only trusted constants (enum values) are written
into the text; every input is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.models import Availability, Network

GOOD_AVAILABILITIES = tuple(a.value for a in Availability if a.is_reachable)
FAILING_AVAILABILITIES = tuple(a.value for a in Availability if a.is_failure)
# Nights on which the resource was not actually checked; streaks pass over them.
UNCHECKED_AVAILABILITIES = (Availability.SKIPPED.value,)


def _sql_list(values: Iterable[str]) -> str:
    """A SQL list literal of trusted constant strings (enum values, never input)."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


INSERT_RUN = "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
INSERT_OBSERVATION = (
    "INSERT INTO observations (run_id, resource_id, run_started, run_seq, url, availability,"
    " severity, status, final_url, content_type, bytes, sha256, title, pages, language, etag,"
    " last_modified, elapsed_ms, error, text_length, fingerprint, findings,"
    " confirmation_failures) VALUES (" + ", ".join("?" * 23) + ")"
)

# For each wanted id, the newest good night. CROSS JOIN keeps SQLite walking the
# resource's index newest first (and looking each run up by key), stopping at
# the first good night, instead of scanning all runs.
GOOD_NIGHTS = f"""
SELECT w.id, o.run_id, o.title, o.pages, o.text_length, o.fingerprint, o.sha256,
       o.etag, o.last_modified
FROM temp.wanted AS w
JOIN observations AS o ON o.rowid = (
    SELECT g.rowid FROM observations AS g CROSS JOIN runs AS r ON r.id = g.run_id
    WHERE g.resource_id = w.id
      AND g.availability IN ({_sql_list(GOOD_AVAILABILITIES)})
      AND r.network = '{Network.OK.value}'
      AND (g.findings = '[]' OR NOT curate_not_good(g.findings))
    ORDER BY g.run_started DESC, g.run_seq DESC
    LIMIT 1
)
"""

# The nights that count toward a resource's streak: its own, in runs of the mode
# whose network was ok, on which it was actually checked.
_COUNTED = f"""
    r.mode = :mode AND r.network = '{Network.OK.value}'
    AND {{alias}}.availability NOT IN ({_sql_list(UNCHECKED_AVAILABILITIES)})
"""

# For each wanted id, its counted failing nights newer than its newest counted
# non-failing night (the streak breaker), newest first.
STREAK_NIGHTS = f"""
WITH breaker AS (
    SELECT w.id AS rid, b.run_started AS started, b.run_seq AS seq
    FROM temp.wanted AS w
    LEFT JOIN observations AS b ON b.rowid = (
        SELECT g.rowid FROM observations AS g CROSS JOIN runs AS r ON r.id = g.run_id
        WHERE g.resource_id = w.id AND {_COUNTED.format(alias="g")}
          AND g.availability NOT IN ({_sql_list(FAILING_AVAILABILITIES)})
        ORDER BY g.run_started DESC, g.run_seq DESC
        LIMIT 1
    )
)
SELECT f.resource_id, f.availability, f.run_started
FROM breaker CROSS JOIN observations AS f CROSS JOIN runs AS r ON r.id = f.run_id
WHERE f.resource_id = breaker.rid AND {_COUNTED.format(alias="f")}
  AND f.availability IN ({_sql_list(FAILING_AVAILABILITIES)})
  AND (f.run_started, f.run_seq) > (COALESCE(breaker.started, ''), COALESCE(breaker.seq, 0))
ORDER BY f.resource_id, f.run_started DESC, f.run_seq DESC
"""

# For each wanted id, the availability of its newest counted night (NULL if none).
LAST_AVAILABILITY = f"""
SELECT w.id, (
    SELECT g.availability FROM observations AS g CROSS JOIN runs AS r ON r.id = g.run_id
    WHERE g.resource_id = w.id AND {_COUNTED.format(alias="g")}
    ORDER BY g.run_started DESC, g.run_seq DESC
    LIMIT 1
)
FROM temp.wanted AS w
"""

# The columns of a Night (see `_night`), of observation `o` in run `r`.
_NIGHT_COLUMNS = """o.run_id, r.started, r.mode, r.network, o.availability, o.severity, o.status,
       o.final_url, o.title, o.pages, o.findings, o.etag, o.last_modified, o.sha256,
       o.text_length, o.fingerprint"""

NIGHTS = f"""
SELECT {_NIGHT_COLUMNS}
FROM observations AS o CROSS JOIN runs AS r ON r.id = o.run_id
WHERE o.resource_id = ?
ORDER BY o.run_started DESC, o.run_seq DESC
LIMIT ?
"""

# Which nights `recent_nights` keeps: runs of :mode and of :network, either NULL for any.
_KEPT = "(:mode IS NULL OR {run}.mode = :mode) AND (:network IS NULL OR {run}.network = :network)"

# For each wanted id, its newest kept nights (at most :limit) older than its bound:
# its own night in run :run_id, or (:started, 0) when it has none there. `last` is
# the oldest night wanted, found by walking the resource's index newest first
# (LIMIT 1 OFFSET :limit - 1); the nights are then one index range scan per
# resource, so the query costs the nights it reads, not the size of the history.
RECENT_NIGHTS = f"""
WITH bound AS (
    SELECT w.id AS rid, COALESCE(me.run_started, :started) AS started,
           COALESCE(me.run_seq, 0) AS seq
    FROM temp.wanted AS w
    LEFT JOIN observations AS me ON me.run_id = :run_id AND me.resource_id = w.id
),
cut AS (
    SELECT bound.rid, bound.started, bound.seq, (
        SELECT g.rowid FROM observations AS g CROSS JOIN runs AS q ON q.id = g.run_id
        WHERE g.resource_id = bound.rid AND (g.run_started, g.run_seq) < (bound.started, bound.seq)
          AND {_KEPT.format(run="q")}
        ORDER BY g.run_started DESC, g.run_seq DESC
        LIMIT 1 OFFSET :limit - 1
    ) AS last
    FROM bound
)
SELECT cut.rid, {_NIGHT_COLUMNS}
FROM cut
LEFT JOIN observations AS c ON c.rowid = cut.last
CROSS JOIN observations AS o
CROSS JOIN runs AS r ON r.id = o.run_id
WHERE o.resource_id = cut.rid
  AND (o.run_started, o.run_seq) < (cut.started, cut.seq)
  AND (o.run_started, o.run_seq) >= (COALESCE(c.run_started, ''), COALESCE(c.run_seq, 0))
  AND {_KEPT.format(run="r")}
ORDER BY cut.rid, o.run_started DESC, o.run_seq DESC
"""
