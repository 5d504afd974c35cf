"""`make demo`: the whole loop against the simulated hub, end to end.

Starts the simulated hub on 127.0.0.1 (nothing leaves this machine), then
1. checks a demo catalogue with one entry for every way a link goes wrong,
   and writes the reports (report.html for curators);
2. checks the hub's own eight resources, which are all fine, and publishes
   the hub page and its JSON feed from that run into site/;
and stops the hub. The real `curate` commands run in subprocesses.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.check import default_run_id, utc_now
from pipeline.sim import SimulatedHub, write_demo_catalogue, write_hub_catalogue

# Short limits so that the slow and rate-limited demo entries end quickly.
DEMO_CONFIG = """\
[fetch]
contact = "https://github.com/curate-hub/curate (demo run)"
timeout = 3
connect_timeout = 2
max_bytes = 20971520
retries = 1
backoff_base = 0.2
max_retry_after = 1
concurrency = 8
per_host_concurrency = 4
per_host_interval = 0
allow_private_networks = true
"""


def curate(*args: str) -> int:
    """Run the real command line, as a user would; returns its exit status."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], check=False).returncode


def run_demo(reports_dir: Path = Path("reports"), site_dir: Path = Path("site")) -> int:
    """Run both steps; returns 0 when the site was published."""
    stamp = default_run_id(utc_now())
    with tempfile.TemporaryDirectory(prefix="curate-demo-") as tmp, SimulatedHub() as hub:
        workdir = Path(tmp)
        config = workdir / "curate.toml"
        config.write_text(DEMO_CONFIG, encoding="utf-8")
        common = ["--config", str(config), "--reports-dir", str(reports_dir), "--no-progress"]
        print(f"Simulated hub on {hub.base_url} (loopback only)\n", flush=True)
        started = time.monotonic()
        print("1. Every way a link can go wrong (a demo catalogue):", flush=True)
        failures = write_demo_catalogue(workdir / "failures", hub.base_url)
        curate("check", str(failures), "--mode", "ci", "--run-id", f"demo-{stamp}", *common)
        print("\n2. The hub's own resources, then publishing the hub page:", flush=True)
        hub_file = write_hub_catalogue(workdir / "hub", hub.base_url)
        curate("check", str(hub_file), "--run-id", f"hub-{stamp}", *common)
        published = curate("publish", str(hub_file), "--run", f"hub-{stamp}",
                           "--reports-dir", str(reports_dir), "--site-dir", str(site_dir))
        elapsed = time.monotonic() - started
    print(f"\nDone in {elapsed:.1f} s; the simulated hub is stopped.")
    print(f"HTML report: {reports_dir / f'demo-{stamp}' / 'report.html'}")
    print(f"Published site: {site_dir / 'car-t-phases.html'} (feed: {site_dir / 'feed.json'})")
    return published


def main() -> None:
    sys.exit(run_demo())


if __name__ == "__main__":
    main()
