"""What `bench.run` prints: the table, the farm's counts, verdicts, targets."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from bench import inputs, pages
from bench.farm import host_address
from bench.inputs import Bound, Settings
from bench.measure import mark
from bench.toolrun import ToolRun

COLUMNS = ("tool", "N", "wall s", "bound s", "ratio", "peak RSS MB", "CPU s", "CPU ms/URL",
           "bytes night1", "bytes night2 (%)")
FARM_COLUMNS = ("tool", "requests", "200", "304", "301", "404", "429", "500",
                "body bytes", "header bytes", "fetch span s", "mean in flight", "peak",
                "peak/host", "farm CPU s")
# Issue 12's targets by night (1, then every later one): wall / bound, CPU ms per URL.
RATIO_TARGETS, CPU_MS_TARGETS, BYTES_PCT_TARGET = (1.7, 1.5), (1.8, 1.2), 5.0
BUSY_LOAD = 2.5  # the farm and the tool under test account for about 2


def preamble(settings: Settings, bound: Bound, port: int) -> str:
    """What is about to be measured, and the bound it is measured against."""
    last = host_address(settings.hosts - 1)
    mix = inputs.expected_kinds(settings.urls)
    kinds = ", ".join(f"{mix[k]} x {k}" for k in
                      (pages.HTML, pages.PDF, pages.MISSING, pages.MOVED, pages.ERROR,
                       pages.LIMITED))
    return "\n".join([
        f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        f"farm: {settings.hosts} hosts 127.0.0.2-{last} port {port}, "
        f"latency {settings.latency * 1000:g} ms",
        f"mix of {settings.urls} URLs: {kinds}",
        f"limits: {settings.concurrency} in flight, {settings.per_host} per host, "
        f"interval {settings.interval:g} s, retries {settings.retries}, "
        f"backoff {settings.backoff:g} s, Retry-After cap {settings.max_retry_after:g} s",
        f"politeness bound: per host {bound.per_host:.2f} s, overall {bound.overall:.2f} s "
        f"-> {bound.seconds:.2f} s",
    ])


def _grid(header: Sequence[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [list(header), *rows]) for i in range(len(header))]
    line = " | ".join
    out = [line(h.ljust(w) for h, w in zip(header, widths, strict=True)),
           "-+-".join("-" * w for w in widths)]
    out += [line(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                 enumerate(zip(row, widths, strict=True))) for row in rows]
    return "\n".join(out)


def _night1_bytes(runs: Sequence[ToolRun]) -> int:
    return next((int(r.farm["body_bytes"]) for r in runs if r.name == "curate night 1"), 0)


def _row(run: ToolRun, settings: Settings, bound: float, night1: int) -> list[str]:
    m = run.measured
    body = int(run.farm["body_bytes"])
    later_night = run.name.startswith("curate night") and run.name != "curate night 1"
    share = f"{body:,} ({100 * body / night1:.1f} %)" if later_night and night1 else "-"
    wall = f"{m.wall:.2f}" + (" (killed)" if m.timed_out else "")
    return [run.name, f"{settings.urls:,}", wall, f"{bound:.2f}", f"{m.wall / bound:.2f}",
            f"{m.peak_rss_mb:.0f}", f"{m.cpu:.2f}", f"{1000 * m.cpu / settings.urls:.2f}",
            "-" if later_night else f"{body:,}", share]


def _farm_row(run: ToolRun) -> list[str]:
    statuses = run.farm.get("statuses", {})
    codes = [str(statuses.get(code, 0)) for code in FARM_COLUMNS[2:8]]
    farm = run.farm
    return [run.name, str(farm["requests"]), *codes, f"{farm['body_bytes']:,}",
            f"{farm['header_bytes']:,}", f"{farm['fetch_span']:.2f}",
            f"{farm['mean_in_flight']:.1f}", str(farm["peak_in_flight"]),
            str(farm["peak_per_host"]), f"{farm['cpu_seconds']:.2f}"]


def render(runs: Sequence[ToolRun], settings: Settings) -> str:
    """The main table, the farm's view of each run, verdicts and targets."""
    bound = inputs.politeness_bound(settings).seconds
    night1 = _night1_bytes(runs)
    parts = ["", _grid(COLUMNS, [_row(r, settings, bound, night1) for r in runs]), "",
             "what the farm answered (every request, retries, redirects and probes included;"
             " fetch span: first request in to last answer out; in flight: while fetching):",
             _grid(FARM_COLUMNS, [_farm_row(r) for r in runs]), ""]
    loads = ", ".join(f"{r.name} {r.load:.1f}" for r in runs)
    parts.append(f"load average (1 min) after each run, {os.cpu_count()} cores: {loads}"
                 + ("  <- another program was busy: wall times are pessimistic"
                    if any(r.load > BUSY_LOAD for r in runs) else ""))
    for run in runs:
        if run.verdicts is not None:
            parts += [f"{run.name} verdicts:", *run.verdicts.lines()]
        if run.summary:
            parts.append(f"{run.name}: {run.summary}")
    return "\n".join([*parts, "", *targets(runs, settings, bound)])


def targets(runs: Sequence[ToolRun], settings: Settings, bound: float) -> list[str]:
    """The issue's targets, measured (never asserted)."""
    curate = [r for r in runs if r.name.startswith("curate")]
    if not curate:
        return []
    out = ["targets:"]
    for night, run in enumerate(curate):
        out += _night_targets(run, night, settings, bound)
    lychee = next((r for r in runs if r.name == "lychee"), None)
    first = curate[0].measured
    if lychee is not None:
        out.append(f"  {mark(first.wall < lychee.measured.wall)} night 1 faster than lychee: "
                   f"{first.wall:.2f} s vs {lychee.measured.wall:.2f} s")
    broken = sum(r.verdicts.limited_as_broken for r in curate if r.verdicts)
    out.append(f"  {mark(broken == 0)} no 429 reported broken: {broken}")
    if len(curate) > 1 and curate[0].farm["body_bytes"]:
        pct = 100 * curate[1].farm["body_bytes"] / curate[0].farm["body_bytes"]
        out.append(f"  {mark(pct <= BYTES_PCT_TARGET)} night 2 bytes <= "
                   f"{BYTES_PCT_TARGET:g} % of night 1: {pct:.1f} %")
    return out


def _night_targets(run: ToolRun, night: int, settings: Settings, bound: float) -> list[str]:
    """Wall, memory and CPU of one night against that night's targets."""
    measured, later = run.measured, min(night, 1)
    ratio_cap, cpu_cap = RATIO_TARGETS[later], CPU_MS_TARGETS[later]
    rss_cap = 400.0 if settings.urls > 10_000 else 150.0
    cpu_ms = 1000 * measured.cpu / settings.urls
    name = f"night {night + 1}"
    return [f"  {mark(measured.wall <= ratio_cap * bound)} {name} wall <= {ratio_cap} x bound: "
            f"{measured.wall / bound:.2f} x",
            f"  {mark(measured.peak_rss_mb <= rss_cap)} {name} peak RSS <= {rss_cap:.0f} MB: "
            f"{measured.peak_rss_mb:.0f} MB",
            f"  {mark(cpu_ms <= cpu_cap)} {name} CPU <= {cpu_cap:g} ms/URL: {cpu_ms:.2f}"]


def problems(runs: Sequence[ToolRun]) -> list[str]:
    """Why the bench itself failed: curate crashed, hung, or judged wrongly."""
    out = []
    for run in runs:
        if not run.name.startswith("curate"):
            continue
        if run.measured.timed_out or run.measured.returncode not in (0, 1):
            out.append(f"FAIL {run.name}: exit {run.measured.returncode}"
                       f"{' (killed at the time limit)' if run.measured.timed_out else ''}; "
                       f"see {run.log}")
            out += _tail(run.log)
        elif run.verdicts is None:
            out.append(f"FAIL {run.name}: no report.json")
        elif not run.verdicts.ok:
            out.append(f"FAIL {run.name}: {len(run.verdicts.mismatches)} verdicts "
                       "contradict the farm's mix")
    return out


def _tail(log: Path, lines: int = 15) -> list[str]:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return ["    " + line for line in text.splitlines()[-lines:]]
