"""report.json: the machine-readable contract of a run.

`report_dict` maps a `Run` onto the shape that schemas/report.schema.json
describes; `render_json` serialises it with a stable key order so that two
renders of the same run are byte-identical (diffable, cacheable).
`stream_json` gives the same text in pieces, one resource at a time, so that
a run of 100,000 resources is never held as one dict or one string.
The module is not called `json.py` so that it never shadows the stdlib.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from pipeline.models import (
    BrowserSeen,
    Confirmation,
    Finding,
    FindingCode,
    Observation,
    Resource,
    ResourceResult,
    Run,
    RunInfo,
)
from pipeline.report.text import iso_utc

SCHEMA_VERSION = 1
INDENT = "  "  # report.json's indent, one level

JsonDict = dict[str, Any]


def render_json(run: Run) -> str:
    """The text of report.json: two-space indent, UTF-8 kept, trailing newline."""
    return "".join(stream_json(run))


def stream_json(run: Run) -> Iterator[str]:
    """The text of report.json in pieces: what `json.dumps(report_dict(run), indent=2,
    ensure_ascii=False)` and a newline give, with each resource encoded on its own."""
    yield "{\n"
    for key, value in _head(run).items():
        yield f"{INDENT}{_dumps(key, 1)}: {_dumps(value, 1)},\n"
    yield from _resources(run.results)
    yield "}\n"


def _resources(results: Sequence[ResourceResult]) -> Iterator[str]:
    """The last member, `"resources": [...]`, one resource per piece."""
    if not results:
        yield f'{INDENT}"resources": []\n'
        return
    yield f'{INDENT}"resources": [\n'
    for n, result in enumerate(results, start=1):
        comma = "," if n < len(results) else ""
        yield f"{INDENT * 2}{_dumps(_resource_result(result), 2)}{comma}\n"
    yield f"{INDENT}]\n"


def _dumps(value: object, level: int) -> str:
    """`value` as json.dumps writes it `level` deep in the document: its line
    breaks (never inside a string, which escapes them) indented to that level."""
    text = json.dumps(value, indent=len(INDENT), ensure_ascii=False)
    return text.replace("\n", "\n" + INDENT * level)


def render(run: Run) -> str:
    """The `render(run) -> str` entry point every report module offers."""
    return render_json(run)


def report_dict(run: Run) -> JsonDict:
    """The whole report as plain JSON-ready data, resources in catalogue order."""
    return {**_head(run), "resources": [_resource_result(result) for result in run.results]}


def _head(run: Run) -> JsonDict:
    """Every member of the report before `resources`, in order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "run": _run_info(run.info),
        "summary": summary_dict(run),
    }


def _run_info(info: RunInfo) -> JsonDict:
    """The `run` object: identity and circumstances of the run."""
    return {
        "id": info.id,
        "started": iso_utc(info.started),
        "finished": iso_utc(info.finished),
        "tool_version": info.tool_version,
        "mode": info.mode.value,
        "network": info.network.value,
        "catalogue_digest": info.catalogue_digest,
    }


def summary_dict(run: Run) -> JsonDict:
    """Counts: every availability and severity (zeros included), codes that occur."""
    return {
        "total": len(run.results),
        "availability": run.count_by_availability(),
        "severity": run.count_by_severity(),
        "findings": finding_counts(run),
    }


def finding_counts(run: Run) -> dict[str, int]:
    """How many findings of each code the run has, in enum order, zeros left out."""
    counts = dict.fromkeys(FindingCode, 0)
    for result in run.results:
        for finding in result.findings:
            counts[finding.code] += 1
    return {code.value: n for code, n in counts.items() if n}


def _resource_result(result: ResourceResult) -> JsonDict:
    """One entry of `resources`: verdict, findings, expected vs observed."""
    resource = result.resource
    return {
        "id": resource.id,
        "hub": resource.hub,
        "title": resource.title,
        "url": resource.url,
        "availability": result.availability.value,
        "severity": result.severity.value,
        "findings": [_finding(f) for f in result.findings],
        "expected": _expected(resource),
        "observed": _observed(result.observed),
        "confirmation": _confirmation(result.confirmation),
        "source": str(resource.source),
    }


def _finding(finding: Finding) -> JsonDict:
    """A finding with its effective (possibly overridden) severity."""
    return {
        "code": finding.code.value,
        "severity": finding.effective_severity.value,
        "message": finding.message,
        "evidence": finding.evidence,
    }


def _expected(resource: Resource) -> JsonDict:
    """What the catalogue promises, for comparison with `observed`."""
    return {
        "title": resource.title,
        "format": resource.format.value if resource.format else None,
        "pages": resource.pages,
        "publisher": resource.publisher,
        "kind": resource.kind,
        "language": resource.language,
    }


def _observed(observed: Observation | None) -> JsonDict | None:
    """What this run saw, or None when nothing was fetched (e.g. skipped)."""
    if observed is None:
        return None
    return {
        "final_url": observed.final_url,
        "status": observed.status,
        "redirects": [
            {"url": hop.url, "status": hop.status, "location": hop.location}
            for hop in observed.redirects
        ],
        "content_type": observed.content_type,
        "bytes": observed.bytes,
        "sha256": observed.sha256,
        "title": observed.title,
        "pages": observed.pages,
        "language": observed.language,
        "etag": observed.etag,
        "last_modified": observed.last_modified,
        "elapsed_ms": observed.elapsed_ms,
        "error": observed.error,
        **({"browser": _browser(observed.browser)} if observed.browser else {}),
    }


def _browser(seen: BrowserSeen) -> JsonDict:
    """What the browser saw, beside the HTTP check's status and title."""
    return {
        "outcome": seen.outcome.value,
        "final_url": seen.final_url,
        "status": seen.status,
        "title": seen.title,
        "text_length": seen.text_length,
        "seconds": seen.seconds,
        "detail": seen.detail,
        "http_status": seen.http_status,
        "http_title": seen.http_title,
    }


def _confirmation(confirmation: Confirmation) -> JsonDict:
    """Consecutive failing nights and whether they confirm the failure."""
    return {
        "failures": confirmation.failures,
        "needed": confirmation.needed,
        "confirmed": confirmation.confirmed,
        "first_failed": confirmation.first_failed,
    }
