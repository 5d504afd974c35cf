"""Which catalogue entries a git ref does not already have: for `check --changed-since`.

A pull request should check only what it adds or changes. For every catalogue
file the current catalogue loads, this module reads the file as it was at a git
ref (`git show REF:path`) and compares the entries, id by id:

* an id absent at REF is new, and so is every entry of a file absent at REF
  (a file that was renamed or moved counts as absent);
* an entry whose fields differ at REF is changed. Every field of the Resource
  counts except where it is written (`source`): moving an entry, reordering
  entries, or editing comments and blank lines changes nothing;
* when the old revision of a file cannot be read at all (not YAML, no list of
  resources), every current entry of that file counts as changed. Old entries
  that do not validate against today's schema are left out of the comparison,
  so their current versions count as changed (see
  pipeline.catalogue.load_resources_from_text);
* entries removed since REF are not reported: there is nothing to check.

git runs as a subprocess (no shell), with a timeout. YAML is read only by
pipeline.catalogue.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from pipeline.catalogue import (
    CatalogueError,
    catalogue_paths,
    load_catalogue,
    load_resources_from_text,
)
from pipeline.models import Catalogue, Resource, SourceLocation

GIT_TIMEOUT = 60.0  # seconds for one git command
_NOWHERE = SourceLocation("", 0)


class ChangesError(Exception):
    """The entries changed since a ref cannot be told: no git, no repository, unknown ref."""


def changed_ids(
    paths: Sequence[Path], ref: str, cwd: Path | None = None, current: Catalogue | None = None
) -> set[str]:
    """Ids of the current catalogue's entries that are new or changed since git `ref`.

    `paths` are the catalogue files and folders, as for load_catalogue;
    relative ones are taken relative to `cwd` (default: the current
    directory), where git also runs. Raises ChangesError when git is missing,
    `cwd` is not inside a git work tree, `ref` names no commit, or a catalogue
    file lies outside the repository; CatalogueError when the current
    catalogue does not load. `current` is that catalogue when the caller has
    loaded it from the same `paths` already (100,000 entries take seconds).
    """
    base = cwd or Path.cwd()
    root = _toplevel(base, ref)
    commit = _resolve(ref, base)
    files = catalogue_paths([p if cwd is None else cwd / p for p in paths])
    by_file = _resources_by_file(current or load_catalogue(files))
    tracked = _files_at(commit, root, ref)
    changed: set[str] = set()
    for file in files:
        rel = _relative(file, root)
        old = _old_resources(commit, rel, root, ref) if rel in tracked else None
        changed |= _changed(by_file[str(file)], old)
    return changed


def _resources_by_file(catalogue: Catalogue) -> dict[str, tuple[Resource, ...]]:
    """The current catalogue's resources, keyed by the label of the file they come from."""
    return {hub.source: hub.resources for hub in catalogue.hubs}


def _changed(current: tuple[Resource, ...], old: tuple[Resource, ...] | None) -> set[str]:
    """Ids in `current` that `old` lacks or holds with other fields (all when old is None)."""
    if old is None:
        return {r.id for r in current}
    before = {r.id: _comparable(r) for r in old}
    return {r.id for r in current if before.get(r.id) != _comparable(r)}


def _comparable(resource: Resource) -> Resource:
    """`resource` without where it is written, so that only its content compares."""
    return replace(resource, source=_NOWHERE)


def _old_resources(commit: str, rel: str, root: Path, ref: str) -> tuple[Resource, ...] | None:
    """The entries of `rel` at `commit`, or None when that revision cannot be read at all."""
    data = _git(["show", "--no-textconv", f"{commit}:{rel}"], root, ref)
    try:
        return load_resources_from_text(f"{ref}:{rel}", data)
    except CatalogueError:
        return None


def _toplevel(cwd: Path, ref: str) -> Path:
    """The root of the git work tree holding `cwd`, or ChangesError."""
    done = _run(["rev-parse", "--show-toplevel"], cwd, ref)
    if done.returncode != 0:
        raise ChangesError(
            f"--changed-since {ref}: {cwd} is not inside a git repository "
            "(the option compares the catalogue with a git commit)"
        )
    return Path(done.stdout.decode().strip())


def _resolve(ref: str, cwd: Path) -> str:
    """The full commit id `ref` names, or ChangesError naming the ref."""
    if not ref.strip() or ref.startswith("-"):
        raise ChangesError(f"--changed-since: '{ref}' is not a git ref")
    done = _run(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd, ref)
    if done.returncode != 0:
        raise ChangesError(
            f"--changed-since: '{ref}' names no commit in this repository "
            "(a misspelt branch, or a shallow clone without it: fetch it, "
            "e.g. actions/checkout with fetch-depth: 0)"
        )
    return done.stdout.decode().strip()


def _files_at(commit: str, root: Path, ref: str) -> set[str]:
    """Every file path (relative to the repository root, with /) in `commit`'s tree."""
    out = _git(["ls-tree", "-r", "-z", "--full-tree", "--name-only", commit], root, ref)
    return {name.decode("utf-8", "surrogateescape") for name in out.split(b"\0") if name}


def _relative(file: Path, root: Path) -> str:
    """`file` relative to the repository root, as git names it, or ChangesError."""
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise ChangesError(
            f"--changed-since: catalogue file {file} is outside the git repository {root}"
        ) from None


def _git(args: list[str], cwd: Path, ref: str) -> bytes:
    """Run `git ARGS` in `cwd` and return its output, or raise ChangesError."""
    done = _run(args, cwd, ref)
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        detail = reason[-1] if reason else f"exit status {done.returncode}"
        raise ChangesError(f"--changed-since {ref}: git {args[0]} failed in {cwd}: {detail}")
    return bytes(done.stdout)


def _run(args: list[str], cwd: Path, ref: str) -> subprocess.CompletedProcess[bytes]:
    """Run `git ARGS` in `cwd` (no shell, with a timeout); ChangesError if it cannot run."""
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise ChangesError(f"--changed-since {ref}: git is not installed") from None
    except subprocess.TimeoutExpired:
        raise ChangesError(
            f"--changed-since {ref}: 'git {args[0]}' took over {GIT_TIMEOUT:.0f} s"
        ) from None
    except OSError as exc:
        raise ChangesError(f"--changed-since {ref}: cannot run git in {cwd}: {exc}") from None
