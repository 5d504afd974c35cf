"""Rendering a run: pure `render_*(run) -> str` per format, and the atomic writer."""

from pipeline.report.files import (
    LATEST,
    RUN_ID_PATTERN,
    check_new_run,
    check_run_id,
    default_renderers,
    write_reports,
)
from pipeline.report.json_report import SCHEMA_VERSION, render_json, report_dict
from pipeline.report.markdown import render_markdown

__all__ = [
    "LATEST",
    "RUN_ID_PATTERN",
    "SCHEMA_VERSION",
    "check_new_run",
    "check_run_id",
    "default_renderers",
    "render_json",
    "render_markdown",
    "report_dict",
    "write_reports",
]
