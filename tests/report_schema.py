"""Shared check that a report.json honours schemas/report.schema.json.

Every test that writes or renders a report should pass it through
`assert_valid_report`, so that the contract cannot drift from the code.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "report.schema.json"


@functools.cache
def report_schema() -> dict[str, Any]:
    """The parsed report schema (itself checked against the 2020-12 meta-schema)."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


def report_validator() -> Draft202012Validator:
    """A validator for report.json with format checking on."""
    return Draft202012Validator(report_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def load_report(report: Path | str | Mapping[str, Any]) -> dict[str, Any]:
    """A report as data: from a mapping, a report.json path or a run folder."""
    if isinstance(report, Mapping):
        return dict(report)
    path = Path(report)
    if path.is_dir():
        path = path / "report.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def assert_valid_report(report: Path | str | Mapping[str, Any]) -> dict[str, Any]:
    """Fail with every schema error (and any summary miscount); return the data."""
    data = load_report(report)
    errors = sorted(report_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    problems = [f"{_where(e.absolute_path)}: {e.message}" for e in errors[:20]]
    if not errors:
        problems = _summary_problems(data)
    assert not problems, "report.json does not honour its contract:\n" + "\n".join(problems)
    return data


def _where(path: Any) -> str:
    """A JSON pointer-ish location for an error message."""
    return "/" + "/".join(str(part) for part in path)


def _summary_problems(data: dict[str, Any]) -> list[str]:
    """Disagreements between `summary` and the `resources` it counts."""
    resources = data["resources"]
    summary = data["summary"]
    expected = {
        "total": len(resources),
        "availability": _counts(r["availability"] for r in resources),
        "severity": _counts(r["severity"] for r in resources),
        "findings": _counts(f["code"] for r in resources for f in r["findings"]),
    }
    actual = {
        "total": summary["total"],
        "availability": {k: v for k, v in summary["availability"].items() if v},
        "severity": {k: v for k, v in summary["severity"].items() if v},
        "findings": summary["findings"],
    }
    return [
        f"/summary/{key}: {actual[key]} but the resources give {expected[key]}"
        for key in expected
        if actual[key] != expected[key]
    ]


def _counts(values: Any) -> dict[str, int]:
    """Non-zero counts of each value."""
    return dict(Counter(values))
