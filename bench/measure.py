"""Run a child process and measure it: wall time, peak RSS, CPU seconds.

CPU comes from os.wait4, the rusage of exactly that child (RUSAGE_CHILDREN
would mix in every other child, the farm included). Peak RSS comes from the
child's own VmHWM in /proc, polled while it runs: Linux starts a child's
ru_maxrss at its parent's RSS (fork and exec carry the parent's high-water
mark over), so ru_maxrss would report the runner's memory, not the tool's.
Where /proc is missing (macOS), ru_maxrss is the fallback.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

POLL_SECONDS = 0.005
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")

Reaped = tuple[int, resource.struct_rusage]


@dataclass(frozen=True)
class Measured:
    """What one child run cost."""

    wall: float
    cpu: float
    peak_rss_mb: float
    returncode: int
    timed_out: bool = False
    user: float = 0.0
    system: float = 0.0


def mark(ok: bool) -> str:
    """How every bench prints a target: met, or MISSED (printed, never asserted)."""
    return "met   " if ok else "MISSED"


def loopback_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment minus any proxy, so every request stays on loopback."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    env["NO_PROXY"] = env["no_proxy"] = "*"
    env.update(extra or {})
    return env


def maxrss_mb(maxrss: int) -> float:
    """ru_maxrss in MB (KiB on Linux, bytes on macOS)."""
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def high_water_mb(pid: int) -> float | None:
    """The process's own peak RSS (VmHWM) so far, or None without /proc."""
    return proc_mb(pid, "status", "VmHWM:")


def proc_mb(pid: int, name: str, field: str) -> float | None:
    """A kB figure from /proc/PID/NAME (the line starting with `field`) in MB,
    or None where there is no such file or line."""
    try:
        with open(f"/proc/{pid}/{name}", encoding="ascii", errors="replace") as lines:
            for line in lines:
                if line.startswith(field):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def measure(cmd: Sequence[str], output: Path, timeout: float,
            env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Measured:
    """Run cmd (stdout and stderr to `output`) and measure it; kill it at timeout."""
    with output.open("wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=sink, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=dict(env or loopback_env()),
                                cwd=cwd)
        peak: list[float] = []
        reaped: Reaped | None = None
        timed_out = True
        try:
            reaped = _wait(proc.pid, started + timeout, peak)
            timed_out = reaped is None
        finally:
            if reaped is None:  # still our unreaped child: its pid cannot be reused yet
                os.kill(proc.pid, signal.SIGKILL)  # not proc.kill(): it would reap
                reaped = os.wait4(proc.pid, 0)[1:]
        wall = time.perf_counter() - started
    status, usage = reaped
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss = max(peak) if peak else maxrss_mb(usage.ru_maxrss)
    return Measured(wall, usage.ru_utime + usage.ru_stime, rss, proc.returncode, timed_out,
                    usage.ru_utime, usage.ru_stime)


def _wait(pid: int, deadline: float, peak: list[float]) -> Reaped | None:
    """Poll for the child's end until the deadline, noting its VmHWM in `peak`."""
    polls = int(max(deadline - time.perf_counter(), 0) / POLL_SECONDS) + 1
    for _ in range(polls):
        high = high_water_mb(pid)  # read before wait4: a reaped pid has no /proc entry
        if high is not None:
            peak[:] = [max([high, *peak])]
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        if time.perf_counter() >= deadline:
            return None
        time.sleep(POLL_SECONDS)
    return None
