"""Start the link farm as a separate process, talk to it, always stop it.

A separate process so that its CPU is never counted as curate's.
"""

from __future__ import annotations

import json
import selectors
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.farm import host_address
from bench.measure import loopback_env

REPO = Path(__file__).resolve().parents[1]  # so `-m bench.farm` imports from anywhere
START_SECONDS = 30.0
STOP_SECONDS = 10.0
# No proxy handler: the farm is on loopback and nothing must go elsewhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class FarmProcess:
    """`python -m bench.farm` as a context manager: started, then stopped by pid."""

    def __init__(self, hosts: int, latency: float, log: Path, max_seconds: float) -> None:
        self.args = ["--hosts", str(hosts), "--latency", str(latency), "--port", "0",
                     "--max-seconds", str(max_seconds)]
        self.log = log
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> FarmProcess:
        with self.log.open("wb") as errors:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bench.farm", *self.args], stdout=subprocess.PIPE,
                stderr=errors, stdin=subprocess.DEVNULL, env=loopback_env(), cwd=REPO)
        try:
            self.port = self._read_port()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _read_port(self) -> int:
        """Wait for the farm's `PORT <p>` line (it binds every host first)."""
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + START_SECONDS
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(deadline - time.monotonic(), 0)):
                    break
                line = self.proc.stdout.readline().decode().strip()
                if line.startswith("PORT "):
                    return int(line.split()[1])
                if not line and self.proc.poll() is not None:
                    break
        raise RuntimeError(f"the link farm did not start; see {self.log}")

    def stop(self) -> None:
        """Terminate the farm (ours, by pid), then kill it if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_SECONDS)
        if proc.stdout is not None:
            proc.stdout.close()

    def _get(self, path: str) -> dict[str, Any]:
        url = f"http://{host_address(0)}:{self.port}{path}"
        with _OPENER.open(url, timeout=10) as response:
            data: dict[str, Any] = json.loads(response.read())
        return data

    def stats(self) -> dict[str, Any]:
        """Requests, statuses and bytes sent since the last reset."""
        return self._get("/_stats")

    def reset(self) -> dict[str, Any]:
        return self._get("/_reset")
