"""Rendering a run: pure `render_*(run) -> str` per format, and writing them (files.py).

Formats: report.json (the contract), report.md, report.html (standalone, for
curators; takes a `ReportContext` of the nights before the run), report.csv
and junit.xml. `load_run` reads a stored report.json back into a Run and
`render_format`/`rerender` render it again in any format.
"""

from pipeline.report.context import (
    EMPTY_CONTEXT,
    NightDot,
    PreviousState,
    ReportContext,
    context_from_nights,
)
from pipeline.report.csv_report import render_csv
from pipeline.report.files import (
    LATEST,
    RUN_ID_PATTERN,
    check_new_run,
    check_run_id,
    default_renderers,
    write_reports,
)
from pipeline.report.html import render_html
from pipeline.report.json_report import SCHEMA_VERSION, render_json, report_dict
from pipeline.report.junit import render_junit
from pipeline.report.load import (
    FORMATS,
    ReportLoadError,
    load_run,
    render_format,
    rerender,
    run_report_path,
    stream_format,
)
from pipeline.report.markdown import render_markdown

__all__ = [
    "EMPTY_CONTEXT",
    "FORMATS",
    "LATEST",
    "RUN_ID_PATTERN",
    "SCHEMA_VERSION",
    "NightDot",
    "PreviousState",
    "ReportContext",
    "ReportLoadError",
    "check_new_run",
    "check_run_id",
    "context_from_nights",
    "default_renderers",
    "load_run",
    "render_csv",
    "render_format",
    "render_html",
    "render_json",
    "render_junit",
    "render_markdown",
    "report_dict",
    "rerender",
    "run_report_path",
    "stream_format",
    "write_reports",
]
