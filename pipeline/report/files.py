"""Writing a run's reports to disk, atomically.

`write_reports(run, reports_dir)` is the one place where reports meet the
filesystem. By default it writes report.json, report.md, report.html,
report.csv and junit.xml; report.html shows what changed since the last run
when it is given a `ReportContext` (see `pipeline.report.context`).

A run is first written into a hidden temporary folder `.<run-id>.new-XXXX`
beside its final place (every file itself written to a temp file, fsynced
and renamed into place), then the folder is renamed to `<run-id>` and
`latest` is switched to it by atomically replacing a symlink
(pipeline.atomic).
A crash or a failing renderer therefore leaves either the previous state or
the complete new run, never a half-written folder or a dangling `latest`.

A renderer returns the text whole or as an iterable of pieces; the default
ones stream (`stream_json`, `stream_html`, ...), and each piece is written
as it comes, so that a run of 100,000 resources is never held as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from pipeline.atomic import Content, replace_symlink, staged_folder, write_atomic
from pipeline.models import Run
from pipeline.report import csv_report, html, json_report, junit, markdown
from pipeline.report.context import EMPTY_CONTEXT, ReportContext

Renderer = Callable[[Run], Content]  # a report's text, whole or in pieces

LATEST = "latest"
RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}")


def default_renderers(context: ReportContext | None = None) -> dict[str, Renderer]:
    """File name -> renderer for the formats written by default.

    Looked up at call time (not bound at import) so that tests can replace a
    renderer and other formats can be added by passing `renderers`. The HTML
    page gets `context` (the nights before the run), empty when None.
    """
    page_context = context or EMPTY_CONTEXT
    stream_html = html.stream_html

    def render_page(run: Run) -> Iterable[str]:
        return stream_html(run, page_context)

    return {
        "report.json": json_report.stream_json,
        "report.md": markdown.render_markdown,
        "report.html": render_page,
        "report.csv": csv_report.stream_csv,
        "junit.xml": junit.stream_junit,
    }


def write_reports(
    run: Run,
    reports_dir: Path,
    renderers: Mapping[str, Renderer] | None = None,
    context: ReportContext | None = None,
) -> Path:
    """Write reports_dir/<run-id>/ with every report, point `latest` at it, return the folder.

    `renderers` (file name -> renderer) replaces the default formats;
    otherwise `context` feeds report.html's "changed since the last run" and
    sparklines (an empty context when None). Raises ValueError for a run id
    that is not a safe folder name and FileExistsError when that run's folder
    already exists.
    """
    run_id = run.info.id
    final = check_new_run(reports_dir, run_id)
    with staged_folder(final) as staging:
        for name, render in (renderers or default_renderers(context)).items():
            write_atomic(staging / name, render(run))
        _refuse_existing(final)
    replace_symlink(reports_dir / LATEST, run_id)
    return final


def check_new_run(reports_dir: Path, run_id: str) -> Path:
    """The folder a new run `run_id` would get; ValueError/FileExistsError if it cannot.

    The CLI can call this before fetching anything, so that a bad or reused
    `--run-id` fails in a second rather than after the whole check.
    """
    final = reports_dir / check_run_id(run_id)
    _refuse_existing(final)
    return final


def check_run_id(run_id: str) -> str:
    """`run_id` if it is usable as one folder name (no separators, dots first,
    `latest` or temp-folder look-alikes), else ValueError."""
    if (
        not RUN_ID_PATTERN.fullmatch(run_id)
        or run_id == LATEST
        or ".tmp-" in run_id
        or run_id.endswith(".tmp")
    ):
        raise ValueError(
            f"run id {run_id!r} is not a valid run folder name: use letters, digits and "
            "'._:+-', start with a letter or digit, at most 128 characters, not 'latest'"
        )
    return run_id


def _refuse_existing(folder: Path) -> None:
    """FileExistsError naming `folder` if anything (even a dangling link) is there."""
    if folder.exists() or folder.is_symlink():
        raise FileExistsError(
            f"run folder {folder} already exists; refusing to overwrite the reports of "
            f"run {folder.name!r} (choose another --run-id or remove that folder)"
        )
