"""Reading a stored run back, and rendering it again in any format.

`load_run(path)` is the inverse of `report_dict`: report.json (validated
against schemas/report.schema.json first) back into a `Run`, so that
`curate report RUN-ID --format html|md|csv|junit|json` re-renders a stored
run without touching the network. What report.json does not carry stays at
its default: a resource's audience, phases, dates, notes and check options
(so a skipped resource's reason is not shown again), an observation's text
length and fingerprint.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from pipeline import SCHEMAS_DIR
from pipeline.models import (
    Availability,
    BrowserOutcome,
    BrowserSeen,
    Confirmation,
    Finding,
    FindingCode,
    Format,
    Hop,
    Mode,
    Network,
    Observation,
    Resource,
    ResourceResult,
    Run,
    RunInfo,
    Severity,
    SourceLocation,
)
from pipeline.report import csv_report, html, json_report, junit, markdown
from pipeline.report.context import EMPTY_CONTEXT, ReportContext
from pipeline.report.files import LATEST, check_run_id

SCHEMA_PATH = SCHEMAS_DIR / "report.schema.json"
REPORT_FILE = "report.json"
FORMATS = {  # --format value -> the file name write_reports gives it
    "html": "report.html",
    "md": "report.md",
    "csv": "report.csv",
    "junit": "junit.xml",
    "json": "report.json",
}
MAX_ERRORS_SHOWN = 5

JsonDict = dict[str, Any]


class ReportLoadError(Exception):
    """A stored report cannot be read back: missing, not JSON, or not a valid report."""


# --------------------------------------------------------------------------
# Finding and reading a stored run
# --------------------------------------------------------------------------


def run_report_path(reports_dir: Path, run_id: str) -> Path:
    """reports_dir/<run-id>/report.json (`latest` allowed); ReportLoadError if absent."""
    if run_id != LATEST:
        try:
            check_run_id(run_id)
        except ValueError as exc:
            raise ReportLoadError(str(exc)) from None
    path = reports_dir / run_id / REPORT_FILE
    if not path.is_file():
        raise ReportLoadError(f"no stored run {run_id!r}: {path} does not exist")
    return path


def load_run(report_json: Path) -> Run:
    """The Run stored in a report.json, after checking it against the report schema."""
    data = _read_json(report_json)
    problems = schema_problems(data)
    if problems:
        raise ReportLoadError(
            f"{report_json}: not a valid curate report.json:\n  " + "\n  ".join(problems)
        )
    try:
        return run_from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportLoadError(f"{report_json}: cannot read the run back: {exc}") from None


def _read_json(path: Path) -> Any:
    """The parsed file; ReportLoadError naming it when unreadable or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportLoadError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportLoadError(f"{path}: not JSON: {exc}") from None


@functools.cache
def _validator() -> Draft202012Validator:
    """The report schema's validator (read once)."""
    try:
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportLoadError(f"{SCHEMA_PATH}: cannot read the report schema: {exc}") from None
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_problems(data: Any) -> list[str]:
    """The first few schema violations as '/json/pointer: message' lines (none: valid)."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    problems = [
        "/" + "/".join(str(part) for part in error.absolute_path) + f": {error.message}"
        for error in errors[:MAX_ERRORS_SHOWN]
    ]
    if len(errors) > MAX_ERRORS_SHOWN:
        problems.append(f"... and {len(errors) - MAX_ERRORS_SHOWN} more problems")
    return problems


# --------------------------------------------------------------------------
# report.json -> Run (the inverse of json_report.report_dict)
# --------------------------------------------------------------------------


def run_from_dict(data: JsonDict) -> Run:
    """A Run from report data that is already known to be schema-valid."""
    return Run(
        info=_run_info(data["run"]),
        results=tuple(_result(entry) for entry in data["resources"]),
    )


def _run_info(run: JsonDict) -> RunInfo:
    """The `run` object back as RunInfo."""
    return RunInfo(
        id=run["id"],
        started=_moment(run["started"]),
        finished=_moment(run["finished"]),
        tool_version=run["tool_version"],
        mode=Mode(run["mode"]),
        network=Network(run["network"]),
        catalogue_digest=run["catalogue_digest"],
    )


def _moment(text: str) -> dt.datetime:
    """An aware UTC datetime from report.json's `...Z` timestamps."""
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def _result(entry: JsonDict) -> ResourceResult:
    """One `resources` entry back as a ResourceResult."""
    return ResourceResult(
        resource=_resource(entry),
        availability=Availability(entry["availability"]),
        severity=Severity(entry["severity"]),
        findings=tuple(_finding(f) for f in entry["findings"]),
        observed=_observation(entry["observed"]),
        confirmation=_confirmation(entry["confirmation"]),
    )


def _resource(entry: JsonDict) -> Resource:
    """The catalogue entry, as far as report.json records it."""
    expected = entry["expected"]
    return Resource(
        id=entry["id"],
        title=entry["title"],
        url=entry["url"],
        hub=entry["hub"],
        source=source_location(entry["source"]),
        publisher=expected["publisher"],
        kind=expected["kind"],
        format=Format(expected["format"]) if expected["format"] is not None else None,
        pages=expected["pages"],
        language=expected["language"],
    )


def source_location(text: str) -> SourceLocation:
    """'FILE:LINE' (the file may itself contain colons) as a SourceLocation."""
    file, _, line = text.rpartition(":")
    return SourceLocation(file, int(line))


def _finding(finding: JsonDict) -> Finding:
    """A finding; the severity kept only where it overrides the code's default."""
    code = FindingCode(finding["code"])
    severity = Severity(finding["severity"])
    return Finding(
        code=code,
        message=finding["message"],
        severity=None if severity is code.default_severity else severity,
        evidence=finding["evidence"],
    )


def _observation(seen: JsonDict | None) -> Observation | None:
    """The `observed` object back; None when nothing was fetched."""
    if seen is None:
        return None
    return Observation(
        final_url=seen["final_url"],
        status=seen["status"],
        redirects=tuple(Hop(h["url"], h["status"], h["location"]) for h in seen["redirects"]),
        content_type=seen["content_type"],
        bytes=seen["bytes"],
        sha256=seen["sha256"],
        title=seen["title"],
        pages=seen["pages"],
        language=seen["language"],
        etag=seen["etag"],
        last_modified=seen["last_modified"],
        elapsed_ms=seen["elapsed_ms"],
        error=seen["error"],
        browser=_browser(seen["browser"]) if "browser" in seen else None,
    )


def _browser(seen: JsonDict) -> BrowserSeen:
    """The `observed.browser` object back."""
    return BrowserSeen(
        outcome=BrowserOutcome(seen["outcome"]), final_url=seen["final_url"],
        status=seen["status"], title=seen["title"], text_length=seen["text_length"],
        seconds=seen["seconds"], detail=seen["detail"], http_status=seen["http_status"],
        http_title=seen["http_title"])


def _confirmation(confirmation: JsonDict) -> Confirmation:
    """The `confirmation` object back."""
    return Confirmation(
        failures=confirmation["failures"],
        needed=confirmation["needed"],
        confirmed=confirmation["confirmed"],
        first_failed=confirmation["first_failed"],
    )


# --------------------------------------------------------------------------
# Rendering a stored run again
# --------------------------------------------------------------------------


def render_format(run: Run, fmt: str, context: ReportContext | None = None) -> str:
    """`run` rendered as `fmt` (one of FORMATS); only html uses `context`.

    Raises ValueError naming the known formats for any other `fmt`.
    """
    return "".join(stream_format(run, fmt, context))


def stream_format(
    run: Run, fmt: str, context: ReportContext | None = None
) -> Iterable[str]:
    """The text of `render_format` in pieces, so that a run of 100,000 resources
    is printed without its page ever being one string."""
    renderers: dict[str, Callable[[Run], Iterable[str]]] = {
        "html": lambda r: html.stream_html(r, context or EMPTY_CONTEXT),
        "md": lambda r: (markdown.render_markdown(r),),
        "csv": csv_report.stream_csv,
        "junit": junit.stream_junit,
        "json": json_report.stream_json,
    }
    if fmt not in renderers:
        raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    return renderers[fmt](run)


def rerender(report_json: Path, fmt: str) -> str:
    """A stored run's report.json rendered again as `fmt`, no network involved.

    Without the history around it: `pipeline.cli.rerender_from_history` reads
    that (what changed since the run before *that* run) for the HTML.
    """
    return render_format(load_run(report_json), fmt)
