"""Writing a run's reports to disk, atomically.

`write_reports(run, reports_dir)` is the one place where reports meet the
filesystem. By default it writes report.json, report.md, report.html,
report.csv and junit.xml; report.html shows what changed since the last run
when it is given a `ReportContext` (see `pipeline.report.context`).

A run is first written into a hidden-by-name temporary folder
`<run-id>.tmp-XXXX` beside its final place (every file itself written to a
temp file, fsynced and renamed into place), then the folder is renamed to
`<run-id>` and `latest` is switched to it by atomically replacing a symlink.
A crash or a failing renderer therefore leaves either the previous state or
the complete new run, never a half-written folder or a dangling `latest`.

A renderer returns the text whole or as an iterable of pieces; the default
ones stream (`stream_json`, `stream_html`, ...), and each piece is written
as it comes, so that a run of 100,000 resources is never held as text.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from pipeline.models import Run
from pipeline.report import csv_report, html, json_report, junit, markdown
from pipeline.report.context import EMPTY_CONTEXT, ReportContext

Text = str | Iterable[str]  # a report's text, whole or in pieces
Renderer = Callable[[Run], Text]

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
    reports_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{run_id}.tmp-", dir=reports_dir))
    try:
        for name, render in (renderers or default_renderers(context)).items():
            write_text_atomic(staging / name, render(run))
        staging.chmod(0o755)
        _fsync_dir(staging)
        _refuse_existing(final)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_dir(reports_dir)
    point_latest(reports_dir, run_id)
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


def write_text_atomic(path: Path, text: Text) -> None:
    """Write UTF-8 `text` to `path` via a temp file in the same folder, fsync, rename.

    `text` is a str or an iterable of str pieces, written as they come (a
    renderer's generator runs here). Whatever fails, a piece included, the
    temp file is removed and `path` is left as it was.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.writelines([text] if isinstance(text, str) else text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def point_latest(reports_dir: Path, run_id: str) -> None:
    """Make reports_dir/latest a relative symlink to `run_id`, replaced atomically.

    The new link is made under a unique temporary name first (so concurrent
    runs and leftovers of a crash cannot collide) and renamed over `latest`.
    """
    tmp = reports_dir / f"{LATEST}.tmp-{secrets.token_hex(4)}"
    try:
        os.symlink(run_id, tmp)
        os.replace(tmp, reports_dir / LATEST)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(reports_dir)


def _refuse_existing(folder: Path) -> None:
    """FileExistsError naming `folder` if anything (even a dangling link) is there."""
    if folder.exists() or folder.is_symlink():
        raise FileExistsError(
            f"run folder {folder} already exists; refusing to overwrite the reports of "
            f"run {folder.name!r} (choose another --run-id or remove that folder)"
        )


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (new names, renames) to disk where the OS allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
