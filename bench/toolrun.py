"""`ToolRun`: one measured run of a tool against the farm.

bench.run makes them (curate night after night, then lychee) and bench.table
prints them; the type lives here so that neither of the two imports the other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.measure import Measured
from bench.verdicts import VerdictCheck


@dataclass(frozen=True)
class ToolRun:
    """One measured run of a tool against the farm."""

    name: str
    measured: Measured
    farm: dict[str, Any]
    log: Path
    verdicts: VerdictCheck | None = None
    summary: str = ""
    load: float = field(default_factory=lambda: os.getloadavg()[0])  # just after the run
