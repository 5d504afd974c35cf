"""`make demo`: check a demo catalogue against the simulated hub, end to end.

Starts the simulated hub on 127.0.0.1 (nothing leaves this machine), writes
a catalogue and a configuration pointing at it, runs the real `curate check`
command in a subprocess, prints where the report is, and stops the hub.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.sim import SimulatedHub, write_demo_catalogue

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


def run_demo(reports_dir: Path = Path("reports")) -> int:
    """Run the demo; returns curate's exit status (1 is expected: it finds errors)."""
    with tempfile.TemporaryDirectory(prefix="curate-demo-") as tmp, SimulatedHub() as hub:
        workdir = Path(tmp)
        catalogue = write_demo_catalogue(workdir, hub.base_url)
        config = workdir / "curate.toml"
        config.write_text(DEMO_CONFIG, encoding="utf-8")
        print(f"Simulated hub on {hub.base_url} (loopback only)")
        print(f"Demo catalogue: {catalogue.name}, checking it now...\n", flush=True)
        started = time.monotonic()
        command = [
            sys.executable, "-m", "pipeline", "check", str(catalogue),
            "--config", str(config), "--reports-dir", str(reports_dir),
            "--mode", "ci", "--no-progress",
        ]
        status = subprocess.run(command, check=False).returncode
        elapsed = time.monotonic() - started
    print(f"\ncurate check exited {status} after {elapsed:.1f} s; the simulated hub is stopped.")
    print(f"Open {reports_dir / 'latest' / 'report.md'} (JSON beside it: report.json).")
    return status


def main() -> None:
    status = run_demo()
    # The demo catalogue is full of dead links on purpose: exit 1 is success here.
    sys.exit(0 if status in (0, 1) else status)


if __name__ == "__main__":
    main()
