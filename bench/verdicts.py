"""Compare curate's report with the farm's known mix."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import pages

MAX_LISTED = 10


@dataclass
class VerdictCheck:
    """curate's availabilities against the ones the mix implies."""

    counts: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)
    limited_as_broken: int = 0
    missing: int = 0
    unexpected_findings: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.missing

    def lines(self) -> list[str]:
        """A short human summary, mismatches first."""
        out = [f"  availability: {_fmt(self.counts)}",
               f"  expected:     {_fmt(self.expected)}"]
        if self.unexpected_findings:
            out.append(f"  warnings/errors beyond the mix: {_fmt(self.unexpected_findings)}")
        out.append(f"  429 reported broken: {self.limited_as_broken}")
        if self.missing:
            out.append(f"  resources missing from the report: {self.missing}")
        shown = self.mismatches[:MAX_LISTED]
        out += [f"  MISMATCH {m}" for m in shown]
        if len(self.mismatches) > len(shown):
            out.append(f"  ... and {len(self.mismatches) - len(shown)} more mismatches")
        return out


def _fmt(counter: Counter[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "-"


# Findings the mix itself causes (warnings on 301s, 429s); anything else is news.
_EXPECTED_FINDINGS = {
    pages.MOVED: {"permanent-redirect"},
    pages.LIMITED: {"rate-limited"},
}


def check_report(report: Path, urls: int) -> VerdictCheck:
    """Read report.json and check every u<n> against kind_of(n)."""
    data = json.loads(report.read_text(encoding="utf-8"))
    result = VerdictCheck()
    seen: set[int] = set()
    for resource in data["resources"]:
        n = int(resource["id"].removeprefix("u"))
        seen.add(n)
        _check_one(result, n, resource)
    result.missing = urls - len(seen)
    return result


def _check_one(result: VerdictCheck, n: int, resource: dict[str, object]) -> None:
    kind = pages.kind_of(n)
    want, got = pages.EXPECTED[kind], str(resource["availability"])
    result.counts[got] += 1
    result.expected[want] += 1
    if got != want:
        result.mismatches.append(f"u{n} ({kind}): {got}, expected {want}")
    if kind == pages.LIMITED and got == "broken":
        result.limited_as_broken += 1
    findings = resource.get("findings")
    for finding in findings if isinstance(findings, list) else []:
        code = str(finding.get("code"))
        if code not in _EXPECTED_FINDINGS.get(kind, set()) and finding.get("severity") in (
                "warning", "error"):
            result.unexpected_findings[code] += 1
