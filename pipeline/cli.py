"""The `curate` command: parse options, call the library, print, exit.

Exit status (the contract in DESIGN.md): 0 nothing of error severity; 1 at
least one error; 2 usage, configuration or catalogue error; 3 the run was
inconclusive (the network itself was down).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click

from pipeline import __version__
from pipeline.catalogue import CatalogueError, load_catalogue
from pipeline.changes import ChangesError, changed_ids
from pipeline.check import CheckError, check
from pipeline.config import Config, ConfigError, load_config
from pipeline.history import History, HistoryError
from pipeline.models import Catalogue, Mode, Network, Run, Severity
from pipeline.progress import progress_display
from pipeline.report import check_new_run, write_reports
from pipeline.report.markdown import availability_label
from pipeline.report.nights import render_nights

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INCONCLUSIVE = 0, 1, 2, 3
DEFAULT_CATALOGUE = Path("catalogue")
DEFAULT_CONFIG = Path("curate.toml")
HISTORY_FILE = "history.sqlite"

PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="curate")
def cli() -> None:
    """curate: check that a patient hub's resources are still there and free to read.

    Keep the hub's resources in catalogue/*.yaml, run `curate validate` when
    you edit them, and `curate check` (nightly, or in a pull request) to
    fetch every link and write a report under reports/.
    """


@cli.command()
@PATHS
def validate(paths: tuple[Path, ...]) -> None:
    """Check catalogue files without touching the network.

    PATHS are catalogue files or folders (default: catalogue/). Every
    problem is listed as FILE:LINE: id: message; the exit status is 2 if
    there is any.
    """
    catalogue = _load(paths)
    files = len(catalogue.hubs)
    click.echo(f"OK: {len(catalogue.resources)} resources in {files} catalogue file(s)")


@cli.command()
@click.argument("resource_id", metavar="RESOURCE-ID")
@click.option("--history", "history_path", type=click.Path(path_type=Path),
              help="History database (default: REPORTS_DIR/history.sqlite).")
@click.option("--reports-dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="Where the default history database lives.")
@click.option("--limit", type=click.IntRange(1, 1000), default=30, show_default=True,
              help="How many nights to show.")
def history(resource_id: str, history_path: Path | None, reports_dir: Path, limit: int) -> None:
    """Show one resource's nights, newest first: what curate saw each run.

    Reads the history database written by `curate check`; touches no network.
    """
    path = history_path or reports_dir / HISTORY_FILE
    if not path.is_file():
        raise _usage_error(f"no history database at {path}: run `curate check` first")
    try:
        with History(path) as store:
            nights = store.nights(resource_id, limit)
    except HistoryError as exc:
        raise _usage_error(str(exc)) from None
    if not nights:
        raise _usage_error(f"no nights recorded for '{resource_id}' in {path}")
    click.echo(render_nights(resource_id, nights))


@cli.command(name="check")
@PATHS
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Configuration file (default: curate.toml if present).")
@click.option("--reports-dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="Where run folders and `latest` are written.")
@click.option("--history", "history_path", type=click.Path(path_type=Path),
              help="History database (default: REPORTS_DIR/history.sqlite).")
@click.option("--mode", type=click.Choice([m.value for m in Mode]), default=Mode.NIGHTLY.value,
              show_default=True,
              help="nightly: failures are confirmed across nights; ci: no waiting.")
@click.option("--only", multiple=True, metavar="ID", help="Check only this id (repeatable).")
@click.option("--changed-since", metavar="REF",
              help="Check only entries added or changed since git REF (e.g. origin/main).")
@click.option("--allow-private-networks", is_flag=True,
              help="Allow loopback/private addresses (for local test sites).")
@click.option("--no-progress", is_flag=True, help="Print no progress lines.")
@click.option("--run-id", help="Name of the run folder (default: the start time, UTC).")
def check_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    reports_dir: Path,
    history_path: Path | None,
    mode: str,
    only: tuple[str, ...],
    changed_since: str | None,
    allow_private_networks: bool,
    no_progress: bool,
    run_id: str | None,
) -> None:
    """Fetch every resource, judge it, and write the validation report.

    Writes REPORTS_DIR/<run-id>/report.json and report.md, points
    REPORTS_DIR/latest at them, and records the night in the history, which
    confirms failures across nights (confirm_after) and remembers each
    resource's last good night. Exit status: 0 nothing of error severity,
    1 at least one error, 2 a usage, configuration or catalogue error,
    3 inconclusive (every host failed the same way: the network is down).
    """
    config = _config(config_path, allow_private_networks)
    catalogue = _load(paths)
    if changed_since is not None:
        only = _changed_only(paths, changed_since, only, catalogue)
    try:
        if run_id is not None:
            check_new_run(reports_dir, run_id)  # a reused id fails before any fetching
        with History(history_path or reports_dir / HISTORY_FILE) as history, \
                progress_display(not no_progress) as progress:
            run = check(catalogue, config, mode=Mode(mode), only=only, run_id=run_id,
                        progress=progress, past=history)
            folder = write_reports(run, reports_dir)
            history.record(run)
    except (CheckError, FileExistsError, ValueError, HistoryError) as exc:
        raise _usage_error(str(exc)) from None
    _print_summary(run, folder)
    sys.exit(exit_status(run))


def _changed_only(
    paths: Sequence[Path], ref: str, only: tuple[str, ...], catalogue: Catalogue
) -> tuple[str, ...]:
    """The ids to check for --changed-since; exits 0 when nothing changed."""
    unknown = sorted(set(only) - {r.id for r in catalogue.resources})
    if unknown:
        raise _usage_error(f"--only names ids not in the catalogue: {', '.join(unknown)}")
    try:
        changed = changed_ids(list(paths) or [DEFAULT_CATALOGUE], ref)
    except (ChangesError, CatalogueError) as exc:
        raise _usage_error(str(exc)) from None
    wanted = only or tuple(r.id for r in catalogue.resources)
    selected = tuple(i for i in wanted if i in changed)
    if not selected:
        click.echo(f"Nothing added or changed since {ref}: nothing to check.")
        sys.exit(EXIT_OK)  # an empty selection must not mean "check everything"
    click.echo(f"{len(selected)} entr{'y' if len(selected) == 1 else 'ies'} added or changed "
               f"since {ref}.")
    return selected


def exit_status(run: Run) -> int:
    """0 clean, 1 errors, 3 inconclusive (the network itself was down)."""
    if run.info.network is Network.INCONCLUSIVE:
        return EXIT_INCONCLUSIVE
    return EXIT_ERRORS if run.has_errors else EXIT_OK


def _config(path: Path | None, allow_private: bool) -> Config:
    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    try:
        config = load_config(path)
    except ConfigError as exc:
        raise _usage_error(str(exc)) from None
    if allow_private:
        config = replace(config, fetch=replace(config.fetch, allow_private_networks=True))
    return config


def _load(paths: Sequence[Path]) -> Catalogue:
    try:
        return load_catalogue(list(paths) or [DEFAULT_CATALOGUE])
    except CatalogueError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        raise _usage_error(f"the catalogue has {count} problem(s); nothing was checked") from None


def _usage_error(message: str) -> click.exceptions.Exit:
    click.echo(f"curate: {message}", err=True)
    return click.exceptions.Exit(EXIT_USAGE)


def _print_summary(run: Run, folder: Path) -> None:
    counts = {k: v for k, v in run.count_by_availability().items() if v}
    click.echo(f"Checked {len(run.results)} resources: "
               + ", ".join(f"{n} {name}" for name, n in counts.items()))
    for result in run.results:
        if result.severity in (Severity.ERROR, Severity.WARNING):
            codes = ", ".join(
                f.code.value for f in result.findings
                if f.effective_severity.rank >= Severity.WARNING.rank
            )
            suffix = f" [{codes}]" if codes else ""
            label = availability_label(result, run.info.mode)
            click.echo(f"  {result.severity.value:7} {result.resource.id}: {label}{suffix}")
    if run.info.network is Network.INCONCLUSIVE:
        click.echo("Inconclusive: every host failed to resolve or connect in the same way, so "
                   "the network itself seems down. This run counts toward nobody's failures.")
    click.echo(f"Report: {folder / 'report.md'}")


def main() -> None:
    cli()
