"""Load the catalogue: files -> YAML -> validated -> models, or every problem at once.

A catalogue that does not load is never half-used: every problem in every
file is collected, then raised at once as a CatalogueError whose lines read
`FILE:LINE: id: message`.

Reading has two speeds. Each file is first read by the fast reader (plain
data from libyaml, a compiled check of the schema); a file that passes
everything is used as read. A file with any problem, or anything the fast
reader does not handle exactly as ruamel.yaml would, is read again with
ruamel.yaml's round trip, which locates every problem: the problems reported,
and the catalogue loaded, are the same either way. Anchors, aliases and merge
keys are refused before either reader builds anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pipeline.catalogue.build import hub_of, resource_of
from pipeline.catalogue.files import (
    SourceFile,
    add_to_digest,
    decoded,
    digest_of,
    expand,
    read_bytes,
)
from pipeline.catalogue.locate import locate
from pipeline.catalogue.problems import NO_ID, CatalogueError, Problem
from pipeline.catalogue.validate import (
    catalogue_validator,
    cross_file_problems,
    entry_line,
    entry_problems,
    fast_valid,
    file_problems,
    plain,
)
from pipeline.catalogue.yaml import (
    YAMLError,
    entries_of,
    entry_id,
    error_line,
    error_text,
    fast_tree,
    node_line,
    refused_construct,
    round_trip,
)
from pipeline.models import Catalogue, Resource, SourceLocation

IN_A_CATALOGUE = "a catalogue"


def load_catalogue(paths: Sequence[Path | str]) -> Catalogue:
    """Load, validate and convert the catalogue files found under `paths`.

    Raises CatalogueError listing every problem across all files, so a curator
    can fix them in one go; nothing is returned for a half-valid catalogue.
    """
    return _catalogue_of(*_read_all(expand(paths)))


def load_catalogue_bytes(path: Path, data: bytes) -> Catalogue:
    """load_catalogue of one file that is about to be written to `path` as `data`.

    `curate import` checks what it would write before writing it; the
    problems name `path`, the file the curator asked for.
    """
    file = SourceFile(path=path, name=path.name, raw=data)
    return _catalogue_of([_checked(file)], digest_of([file]))


def _catalogue_of(files: list[SourceFile], digest: str) -> Catalogue:
    """The catalogue of files read and checked one by one; every problem raised at once."""
    problems = [p for f in files for p in f.problems]
    problems += cross_file_problems(files)
    if problems:
        order = {f.label: i for i, f in enumerate(files)}
        unique = dict.fromkeys(problems)
        raise CatalogueError(sorted(unique, key=lambda p: (order.get(p.file, 0), p.line)))
    return Catalogue(hubs=tuple(hub_of(f) for f in files), digest=digest)


def _read_all(found: list[tuple[Path, str]]) -> tuple[list[SourceFile], str]:
    """Read every catalogue file (in load order) and compute the digest.

    Files are read in the digest's order (by name), so that each file's bytes
    are hashed and let go as soon as it is parsed; when two files share a name
    their bytes decide the order, so then all bytes are kept until the end.
    """
    names = [name for _, name in found]
    if len(set(names)) < len(names):
        files = [read_file(path, name, fast=True) for path, name in found]
        return files, digest_of(files)
    read: dict[int, SourceFile] = {}
    digest = hashlib.sha256()
    for index in sorted(range(len(found)), key=names.__getitem__):
        file = read[index] = read_file(*found[index], fast=True)
        add_to_digest(digest, file.name, file.raw)
        file.raw = b""
    return [read[i] for i in range(len(found))], digest.hexdigest()


def read_file(
    path: Path,
    name: str,
    check: Callable[[SourceFile], Iterable[Problem]] | None = None,
    fast: bool = False,
    where: str = IN_A_CATALOGUE,
) -> SourceFile:
    """Read and parse one file, then collect everything wrong inside it
    (as a catalogue file unless another `check` is given).

    With `fast`, a catalogue file is first read by the fast reader; only when
    that finds a problem, or something it leaves to ruamel.yaml, is the file
    read again with ruamel.yaml to locate every problem precisely.
    """
    file = SourceFile(path=path, name=name)
    return _checked(file, check, fast, where) if read_bytes(file) else file


def _checked(
    file: SourceFile,
    check: Callable[[SourceFile], Iterable[Problem]] | None = None,
    fast: bool = True,
    where: str = IN_A_CATALOGUE,
) -> SourceFile:
    """Parse file.raw and collect its problems (see read_file)."""
    if not _parsed(file, where, fast, locating=check is None):
        return file
    if file.entry_lines is None:  # read by ruamel.yaml: its problems are still to find
        file.problems = tuple((check or file_problems)(file))
    return file


def _parsed(file: SourceFile, where: str, fast: bool, locating: bool = False) -> bool:
    """Parse file.raw: with the fast reader when `fast` and it can, else with
    ruamel.yaml's round trip. False (the one problem recorded) when it cannot
    be read at all: not UTF-8, a refused YAML construct, invalid YAML."""
    if not _readable(file, where):
        return False
    if fast and _read_fast(file, locating):
        return True
    try:
        file.data = round_trip().load(decoded(file) or "")
    except YAMLError as exc:
        file.fail(error_line(exc), f"invalid YAML: {error_text(exc)}")
        return False
    return True


def _readable(file: SourceFile, where: str) -> bool:
    """UTF-8 text without anchors, aliases or merge keys (else the problem is recorded)."""
    if decoded(file) is None:
        return False
    refused = refused_construct(file.raw, where)
    if refused is not None:
        file.fail(*refused)
        return False
    return True


def _read_fast(file: SourceFile, locating: bool = False) -> bool:
    """Use the fast reader's data if the file is certainly valid, or, when
    `locating`, if its problems can be located without a whole-file read
    (file.problems then holds them); else False."""
    tree = fast_tree(file.raw)
    if tree is None:
        return False
    if not fast_valid(tree.data):
        located = locate(file, tree) if locating else None
        if located is None:
            return False
        file.problems = tuple(located)
    file.data, file.hub_line, file.entry_lines = tree.data, tree.hub_line, tree.entry_lines
    return True


# -- lenient loading of one file's bytes (an old revision, for --changed-since) --


def load_resources_from_text(label: str, data: bytes) -> tuple[Resource, ...]:
    """The resources of one catalogue file given as bytes, read leniently.

    Made for old revisions of a file (`git show REF:path`), which need not
    validate against today's schema. Unlike load_catalogue, problems do not
    reject the file: each entry is judged on its own and returned only if it
    passes every check load_catalogue applies to an entry (schema and the
    checks a schema cannot express), so an entry returned here converts
    exactly as load_catalogue would convert it. Entries with a problem, and
    entries whose id appears more than once in the file, are left out.
    Problems outside the entries (a missing title, an unknown top-level
    field) are ignored; a missing or invalid hub slug becomes ''.

    Raises CatalogueError when nothing can be read at all: the bytes are not
    UTF-8, not YAML, empty, not a set of fields, or 'resources' is not a
    list. `label` names the file in problems and in each SourceLocation.
    """
    file = _parse(SourceFile(path=Path(label), name=Path(label).name, raw=data))
    if file.problems:
        raise CatalogueError(file.problems)
    entries = entries_of(file.data)
    fast = file.entry_lines is not None  # then the file has no problem at all
    bad = (set() if fast else _bad_entries(file)) | _repeated_entries(entries)
    hub = file.data.get("hub")
    slug = hub if isinstance(hub, str) else ""
    return tuple(
        resource_of(entry, slug, SourceLocation(label, entry_line(file, i)))
        for i, entry in enumerate(entries)
        if i not in bad
    )


def _parse(file: SourceFile) -> SourceFile:
    """Decode and parse `file.raw`; on failure `file.problems` holds the one reason."""
    if not _parsed(file, IN_A_CATALOGUE, fast=True) or file.entry_lines is not None:
        return file
    if not isinstance(file.data, CommentedMap) or not isinstance(
        file.data.get("resources"), CommentedSeq
    ):
        return file.fail(node_line(file.data), "no list of resources to read")
    return file


def _bad_entries(file: SourceFile) -> set[int]:
    """Indexes of the entries of a parsed file that have any problem of their own."""
    bad = {
        path[1]
        for error in catalogue_validator().iter_errors(plain(file.data))
        if len(path := list(error.absolute_path)) >= 2
        and path[0] == "resources"
        and isinstance(path[1], int)
    }
    for index, entry in enumerate(entries_of(file.data)):
        if not isinstance(entry, CommentedMap) or any(entry_problems(file, index, entry)):
            bad.add(index)
    return bad


def _repeated_entries(entries: list[Any]) -> set[int]:
    """Indexes of the entries whose id is used by another entry of the same list."""
    ids = [entry_id(entry) for entry in entries]
    return {i for i, rid in enumerate(ids) if rid != NO_ID and ids.count(rid) > 1}


