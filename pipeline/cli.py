"""The `curate` command: parse options, call the library, print, exit.

Exit status (the contract in DESIGN.md): 0 nothing of error severity; 1 at
least one error; 2 usage, configuration or catalogue error; 3 the run was
inconclusive (the network itself was down).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline import __version__
from pipeline.atomic import write_atomic
from pipeline.catalogue import CatalogueError, load_catalogue, load_catalogue_bytes
from pipeline.changes import ChangesError, changed_ids
from pipeline.check import CheckError, check
from pipeline.config import Config, ConfigError, FetchConfig, load_config
from pipeline.history import History, HistoryError, recent_nights_for
from pipeline.hubimport import HubImportError, import_hub, reimport_hub
from pipeline.models import Catalogue, Mode, Network, Run, Severity
from pipeline.progress import progress_display
from pipeline.report import (
    FORMATS,
    ReportContext,
    ReportLoadError,
    check_new_run,
    context_from_nights,
    load_run,
    run_report_path,
    stream_format,
    write_reports,
)
from pipeline.report.context import DEFAULT_NIGHTS
from pipeline.report.nights import render_nights
from pipeline.report.text import availability_label
from pipeline.review import (
    ACCEPTABLE_FIELDS,
    ACKNOWLEDGEMENTS_PATH,
    Acknowledgements,
    ReviewError,
    apply_acknowledgements,
    load_acknowledgements,
    needs_decision,
    render_review,
)
from pipeline.review import accept as review_accept
from pipeline.review import acknowledge as review_acknowledge

if TYPE_CHECKING:  # imported by the publish command itself (see there)
    from pipeline.publish import Publication

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


@cli.command(name="import")
@click.argument("source")
@click.option("--hub", "slug", required=True, metavar="SLUG",
              help="The hub's slug: lower-case words joined by hyphens.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Catalogue file to write (default: catalogue/SLUG.yaml).")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="Configuration file (default: curate.toml if present).")
@click.option("--check", "observe", is_flag=True,
              help="Fetch each link once and write what it returned (format, title, pages).")
@click.option("--allow-private-networks", is_flag=True,
              help="Allow loopback/private addresses (for local test sites).")
def import_command(source: str, slug: str, output: Path | None, config_path: Path | None,
                   observe: bool, allow_private_networks: bool) -> None:
    """Start a catalogue from a hub page that already exists.

    SOURCE is a saved HTML file or an http(s) address. Every link to another
    site in the page's main content becomes one entry, in page order; the
    guesses (kind, format, pages, publisher) are written in each entry's
    notes for a curator to check. The file is written only if `curate
    validate` accepts it. Importing into an existing file adds the page's new
    links at its end and lists the entries whose link the page no longer has;
    nothing a curator wrote is changed.
    """
    target = output or DEFAULT_CATALOGUE / f"{slug}.yaml"
    fetch = _config(config_path, allow_private_networks).fetch
    try:
        if target.exists():
            _reimport(source, target, fetch, observe)
            return
        text = import_hub(source, slug, fetch, _today(), observe)
    except (HubImportError, CatalogueError) as exc:
        raise _usage_error(str(exc)) from None
    count = len(_write_valid_catalogue(target, text.encode("utf-8")).resources)
    click.echo(f"Wrote {target}: {count} resources; check the guesses in their notes, then "
               f"run `curate validate {target}`")


def _reimport(source: str, target: Path, fetch: FetchConfig, observe: bool) -> None:
    """Add the page's new links to an existing file (nothing in it changes) and
    list the entries whose link the page no longer has."""
    done = reimport_hub(source, target, fetch, _today(), observe)
    if done.data is not None:
        _write_valid_catalogue(target, done.data)
    click.echo(f"{target}: {len(done.added)} new link(s) added at the end; nothing else changed")
    for entry in done.added:
        click.echo(f"  added {entry['id']}: {entry['url']}")
    for rid, url in done.gone:
        click.echo(f"  no longer on the page (kept; remove it by hand if it should go): "
                   f"{rid}: {url}")


def _write_valid_catalogue(target: Path, data: bytes) -> Catalogue:
    """Write data to target only if it loads as a catalogue (problems listed, exit 2);
    the catalogue it loads as (the same bytes: no need to read target again)."""
    catalogue = _load_or_exit(lambda: load_catalogue_bytes(target, data))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data)
    return catalogue


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
@click.option("--acknowledgements", "acks_path", type=click.Path(path_type=Path),
              help="Acknowledged findings (default: catalogue/acknowledgements.yaml).")
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
    acks_path: Path | None,
) -> None:
    """Fetch every resource, judge it, and write the validation report.

    Writes REPORTS_DIR/<run-id>/report.html (for curators), report.md,
    report.json, report.csv and junit.xml, points REPORTS_DIR/latest at
    them, and records the night in the history, which
    confirms failures across nights (confirm_after) and remembers each
    resource's last good night. Exit status: 0 nothing of error severity,
    1 at least one error, 2 a usage, configuration or catalogue error,
    3 inconclusive (every host failed the same way: the network is down).
    """
    config = _config(config_path, allow_private_networks)
    catalogue = _load(paths)
    acks = _acknowledgements(acks_path)
    # The catalogue and the code live as long as the run: exempt them from the
    # cyclic garbage collector, which would otherwise walk them on every full
    # pass while the results pile up (a one-shot process: nothing is lost).
    gc.freeze()
    if changed_since is not None:
        only = _changed_only(paths, changed_since, only, catalogue)
    try:
        if run_id is not None:
            check_new_run(reports_dir, run_id)  # a reused id fails before any fetching
        with History(history_path or reports_dir / HISTORY_FILE) as history, \
                progress_display(not no_progress) as progress:
            run = check(catalogue, config, mode=Mode(mode), only=only, run_id=run_id,
                        progress=progress, history=history)
            run = apply_acknowledgements(run, acks, run.info.started.date())
            folder = write_reports(run, reports_dir, context=history_context(history, run))
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
        changed = changed_ids(list(paths) or [DEFAULT_CATALOGUE], ref, current=catalogue)
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


def _acknowledgements(path: Path | None) -> Acknowledgements:
    try:
        return load_acknowledgements(path or ACKNOWLEDGEMENTS_PATH)
    except CatalogueError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise _usage_error("the acknowledgements file has problems; nothing was checked") from None


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
    return _load_or_exit(lambda: load_catalogue(list(paths) or [DEFAULT_CATALOGUE]))


def _load_or_exit(load: Callable[[], Catalogue]) -> Catalogue:
    """The catalogue `load` gives, or every problem printed and exit status 2."""
    try:
        return load()
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
    click.echo(f"Report: {folder / 'report.html'} (also report.md, report.json, report.csv, "
               "junit.xml)")


# --------------------------------------------------------------------------
# Re-rendering, review and publishing: no network, only files
# --------------------------------------------------------------------------

REPORTS_DIR = click.option(
    "--reports-dir", type=click.Path(path_type=Path), default=Path("reports"),
    show_default=True, help="Where the run folders are.")
RUN = click.option("--run", "run_id", default="latest", show_default=True, metavar="RUN-ID",
                   help="Which run to use.")
ACKS = click.option("--acknowledgements", "acks_path", type=click.Path(path_type=Path),
                    help="Acknowledged findings (default: catalogue/acknowledgements.yaml).")


@cli.command()
@click.argument("run_id", metavar="[RUN-ID]", default="latest")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="html",
              show_default=True, help="Which format to print.")
@REPORTS_DIR
@click.option("--history", "history_path", type=click.Path(path_type=Path),
              help="History database, for the changes and sparklines of the HTML report.")
def report(run_id: str, fmt: str, reports_dir: Path, history_path: Path | None) -> None:
    """Print a stored run again in any format, without touching the network.

    RUN-ID is a folder under REPORTS_DIR (default: latest). For example
    `curate report --format csv > links.csv`.
    """
    db = history_path or reports_dir / HISTORY_FILE
    try:
        path = run_report_path(reports_dir, run_id)
        with _open_history(db) as history:
            # In pieces: a page of 100,000 rows is never one string.
            sys.stdout.writelines(rerender_from_history(path, fmt, history))
            sys.stdout.flush()
    except (ReportLoadError, HistoryError) as exc:
        raise _usage_error(str(exc)) from None


def rerender_from_history(path: Path, fmt: str, history: History | None) -> Iterable[str]:
    """The stored run `path` (its report.json) rendered again as `fmt`, in pieces;
    with `history`, the HTML shows what changed since the run before *that* run
    and each resource's nights up to it."""
    run = load_run(path)
    context = history_context(history, run) if history and fmt == "html" else None
    return stream_format(run, fmt, context)


def history_context(history: History, run: Run, limit: int = DEFAULT_NIGHTS) -> ReportContext:
    """The report context of `run` (recorded yet or not) from the history: read
    here, on the caller's side, since a report imports nothing of the store."""
    return context_from_nights(run, recent_nights_for(history, run, limit), limit)


@cli.command()
@RUN
@REPORTS_DIR
@ACKS
def review(run_id: str, reports_dir: Path, acks_path: Path | None) -> None:
    """List what needs a curator's decision in a run, with the command for each.

    Accept what a resource now is (`curate accept`), or acknowledge a known
    problem so it stops nagging (`curate acknowledge`).
    """
    run = _stored_run(reports_dir, run_id)
    acks = _acknowledgements(acks_path)
    click.echo(render_review(needs_decision(run, acks, _today())))


@cli.command()
@click.argument("resource_id", metavar="RESOURCE-ID")
@click.option("--field", "fields", multiple=True, type=click.Choice(list(ACCEPTABLE_FIELDS)),
              help="Accept only this field (repeatable; default: all that changed).")
@click.option("--catalogue", "paths", multiple=True, type=click.Path(path_type=Path),
              help="Catalogue file or folder (default: catalogue/).")
@RUN
@REPORTS_DIR
def accept(resource_id: str, fields: tuple[str, ...], paths: tuple[Path, ...], run_id: str,
           reports_dir: Path) -> None:
    """Write what the latest run observed (new URL after a permanent redirect,
    new title, new page count) into the catalogue entry, keeping comments,
    order and formatting, and set its last_reviewed date to today.
    """
    run = _stored_run(reports_dir, run_id)
    try:
        done = review_accept(list(paths) or [DEFAULT_CATALOGUE], resource_id, run, _today(),
                             set(fields) or None)
    except (ReviewError, CatalogueError) as exc:
        raise _usage_error(str(exc)) from None
    click.echo(f"Accepted for {resource_id}:")
    for change in done.changes:
        click.echo(f"  {change}")


@cli.command()
@click.argument("resource_id", metavar="RESOURCE-ID")
@click.argument("code", metavar="CODE")
@click.option("--reason", required=True, help="Why this is known and fine for now.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Stop muting on this date (YYYY-MM-DD).")
@click.option("--by", help="Who acknowledges it.")
@RUN
@REPORTS_DIR
@ACKS
def acknowledge(resource_id: str, code: str, reason: str, until: dt.datetime | None,
                by: str | None, run_id: str, reports_dir: Path, acks_path: Path | None) -> None:
    """Record that a curator knows of a finding (CODE, e.g. format-mismatch), so it
    is lowered to info until it expires or what curate sees changes.
    """
    run = _stored_run(reports_dir, run_id)
    try:
        ack = review_acknowledge(acks_path or ACKNOWLEDGEMENTS_PATH, resource_id, code, reason,
                                 until.date() if until else None, _today(), run, by=by)
    except (ReviewError, CatalogueError) as exc:
        raise _usage_error(str(exc)) from None
    click.echo(f"Acknowledged: {ack.describe()}")


@cli.command()
@PATHS
@RUN
@REPORTS_DIR
@ACKS
@click.option("--site-dir", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True, help="Where the hub pages and feed.json are written.")
def publish(paths: tuple[Path, ...], run_id: str, reports_dir: Path, acks_path: Path | None,
            site_dir: Path) -> None:
    """Render the hub pages and a JSON feed from a reviewed run.

    Refuses, with the reasons, while the run has errors that are neither
    resolved nor acknowledged; confirmed broken or gated resources are left
    out of the pages and listed. Exit status 1 when refused.
    """
    # Imported here: the site's templates are needed by this command alone.
    from pipeline.publish import PublishError, plan_publication, write_site

    catalogue = _load(paths)
    run = apply_acknowledgements(_stored_run(reports_dir, run_id),
                                 _acknowledgements(acks_path), _today())
    publication = plan_publication(catalogue, run)
    if not publication.ready:
        click.echo(f"Not ready to publish run {run.info.id}:", err=True)
        for reason in publication.blockers:
            click.echo(f"  - {reason}", err=True)
        sys.exit(EXIT_ERRORS)
    try:
        written = write_site(publication, site_dir)
    except (PublishError, OSError) as exc:
        raise _usage_error(str(exc)) from None
    _print_publication(publication, written)


def _print_publication(publication: Publication, written: list[Path]) -> None:
    click.echo(f"Published run {publication.run_id}: " + ", ".join(str(p) for p in written))
    for item in publication.left_out:
        click.echo(f"  left out {item.id}: {item.reason}")


def _stored_run(reports_dir: Path, run_id: str) -> Run:
    try:
        return load_run(run_report_path(reports_dir, run_id))
    except ReportLoadError as exc:
        raise _usage_error(str(exc)) from None


@contextlib.contextmanager
def _open_history(path: Path) -> Iterator[History | None]:
    """The history if it exists (opening creates the file, so look first)."""
    if not path.is_file():
        yield None
        return
    with History(path) as history:
        yield history


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def main() -> None:
    cli()
