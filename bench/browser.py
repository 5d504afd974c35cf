"""`python -m bench.browser`: what the [browser] second opinion costs, per resource.

Starts the simulated hub on loopback and checks a catalogue of its scripted
pages (a challenge a script solves, one nothing solves, a page written by its
script, a script-only login wall; `--copies` of each, told apart by a query
string) twice in this process: without [browser], then with it. Prints the
wall time of each run, the extra wall and the extra peak memory per
browser-checked resource (this process and its children, Chromium's included,
summed as PSS from /proc while the run goes), and the verdicts against what each page
must get. Targets (issue 14; printed, never asserted): at most 2 s and 150 MB
extra per browser-checked resource; every solvable challenge verified, every
unsolvable one still blocked, no false `available`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from bench.measure import mark, proc_mb
from pipeline.check import check
from pipeline.config import BrowserConfig, Config, FetchConfig, VerdictConfig
from pipeline.models import Availability, Catalogue, Hub, Resource, Run, SourceLocation
from pipeline.sim import SimulatedHub

PAGES = {  # path: the availability it must end with when the browser looks
    "/js/challenge": Availability.AVAILABLE,
    "/js/challenge-forever": Availability.BLOCKED,
    "/js/written": Availability.AVAILABLE,
    "/js/login-wall": Availability.GATED,
}
TARGET_SECONDS, TARGET_MB = 2.0, 150.0


def catalogue(hub: SimulatedHub, copies: int) -> Catalogue:
    resources = tuple(
        Resource(id=f"p{n}-{index}", title="", url=hub.url(f"{path}?copy={n}"), hub="bench",
                 source=SourceLocation("bench.yaml", index + 1))
        for n in range(copies) for index, path in enumerate(PAGES))
    return Catalogue((Hub("bench", "Browser bench", "", "bench.yaml", resources),), "bench")


def tree_rss_mb(pid: int) -> float:
    """Memory of pid and all its descendants (PSS), in MB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        # PSS, not RSS: shared pages are split between the processes sharing
        # them (RSS would count Chromium's shared memory once per process).
        total += proc_mb(current, "smaps_rollup", "Pss:") or 0.0
    return total


def measured(run: Callable[[], Run]) -> tuple[Run, float, float]:
    """Run it, and return its result, wall seconds and peak tree RSS in MB."""
    peak, done = [tree_rss_mb(os.getpid())], threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            peak.append(tree_rss_mb(os.getpid()))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.perf_counter()
    result = run()
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    return result, wall, max(peak)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=3, help="copies of each page (default 3)")
    args = parser.parse_args(argv)
    fetch = FetchConfig(allow_private_networks=True, retries=0, per_host_interval=0.0)
    plain = Config(fetch=fetch, verdicts=VerdictConfig(soft404_probe=False))
    browsing = replace(plain, browser=BrowserConfig(enabled=True, timeout=4.0,
                                                    max_pages=len(PAGES) * args.copies))
    now = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
    with SimulatedHub() as hub:
        one, many = catalogue(hub, 1), catalogue(hub, args.copies)
        _, base_wall, base_mb = measured(lambda: check(many, plain, now=now))
        _, _, one_mb = measured(lambda: check(one, browsing, now=now))
        run, wall, mb = measured(lambda: check(many, browsing, now=now))
    return report(run, (base_wall, base_mb), one_mb, (wall, mb))


def report(run: Run, base: tuple[float, float], one_mb: float, browsed: tuple[float, float]
           ) -> int:
    count, extra_pages = len(run.results), len(run.results) - len(PAGES)
    extra_s = (browsed[0] - base[0]) / count
    per_page_mb = (browsed[1] - one_mb) / extra_pages if extra_pages else 0.0
    wrong = [r for r in run.results if r.availability is not PAGES[urlsplit(r.resource.url).path]]
    print(f"{count} resources: without [browser] {base[0]:.2f} s, {base[1]:.0f} MB; with it "
          f"{browsed[0]:.2f} s, {browsed[1]:.0f} MB peak (PSS, Chromium and Playwright included)")
    print(f"  {mark(extra_s <= TARGET_SECONDS)} extra wall per resource "
          f"<= {TARGET_SECONDS:g} s: {extra_s:.2f} s (browser start-up included)")
    print(f"  {mark(per_page_mb <= TARGET_MB)} extra peak memory per "
          f"browser-checked resource <= {TARGET_MB:g} MB: {per_page_mb:.1f} MB")
    print(f"  note   the browser itself, once per run: {one_mb - base[1]:.0f} MB "
          f"(with {len(PAGES)} pages)")
    print(f"  {mark(not wrong)} every verdict as the page must get: "
          f"{count - len(wrong)} of {count}")
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
