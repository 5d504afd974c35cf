"""Which files make up the catalogue, and each one's bytes, read within a size cap.

A folder contributes the *.yaml / *.yml files directly inside it, by name; a
file given by name is taken as it is. The digest of a catalogue (recorded
with every run) is the sha256 of every file's name and bytes, in name order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.catalogue.problems import NO_ID, CatalogueError, Problem

YAML_SUFFIXES = (".yaml", ".yml")
# The acknowledgements file lives beside the catalogue but is not a hub page.
ACKNOWLEDGEMENTS_NAME = "acknowledgements.yaml"
# A catalogue file is text a curator edits: anything bigger is a mistake (or
# an attack from a pull request), refused before it is parsed.
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class SourceFile:
    """One catalogue (or acknowledgements) file: where it is, its bytes, its
    YAML tree and its problems.

    `data` is a ruamel.yaml round-trip tree (whose nodes know their lines), or,
    for a file the fast reader found free of problems, plain dicts and lists
    with the lines kept aside: `hub_line` and `entry_lines` (one per resource).
    """

    path: Path
    name: str
    raw: bytes = b""
    data: Any = None
    problems: tuple[Problem, ...] = ()
    hub_line: int = 0
    entry_lines: list[int] | None = None

    @property
    def label(self) -> str:
        """The file as curators see it in messages and SourceLocation."""
        return str(self.path)

    def fail(self, line: int, message: str) -> SourceFile:
        """Mark the file as unusable with a single problem."""
        self.problems = (Problem(self.label, line, NO_ID, message),)
        self.data = None
        return self


def catalogue_paths(paths: Sequence[Path | str]) -> list[Path]:
    """Expand files and folders into the catalogue files to load, in load order.

    A folder contributes every *.yaml / *.yml file directly inside it, sorted by
    name (hidden files, such as editor lock files, are ignored, and so is
    acknowledgements.yaml, which records reviews rather than a hub page). A path that does
    not exist, or a folder without catalogue files, raises CatalogueError.
    """
    return [path for path, _ in expand(paths)]


def expand(paths: Sequence[Path | str]) -> list[tuple[Path, str]]:
    """Files to load with the name each has in the digest (relative to its folder)."""
    found: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for given in map(Path, paths):
        if given.is_dir():
            inside = _folder_files(given)
            found += [(p, p.name) for p in inside]
            if not inside:
                problems.append(Problem(str(given), 0, NO_ID, "no .yaml or .yml files here"))
        elif given.is_file():
            found.append((given, given.name))
        else:
            problems.append(Problem(str(given), 0, NO_ID, "no such file or folder"))
    if problems:
        raise CatalogueError(problems)
    unique: dict[Path, tuple[Path, str]] = {}
    for path, name in found:
        unique.setdefault(path.resolve(), (path, name))
    return list(unique.values())


def _folder_files(folder: Path) -> list[Path]:
    """The catalogue files directly inside `folder`, sorted by name."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in YAML_SUFFIXES
        and p.is_file()
        and not p.name.startswith(".")
        and p.name != ACKNOWLEDGEMENTS_NAME
    )


def read_bytes(file: SourceFile) -> bool:
    """Read file.raw, within MAX_FILE_BYTES; False (with the problem recorded) if not."""
    try:
        size = file.path.stat().st_size
        if size > MAX_FILE_BYTES:
            file.fail(0, f"the file is {size / 1_048_576:.1f} MB; a catalogue file may be at "
                         f"most {MAX_FILE_BYTES // 1_048_576} MB (split it into several files)")
            return False
        file.raw = file.path.read_bytes()
    except OSError as exc:
        file.fail(0, f"cannot read the file: {exc.strerror or exc}")
        return False
    return True


def decoded(file: SourceFile) -> str | None:
    """file.raw as text (a UTF-8 byte order mark dropped), or None with the problem recorded."""
    try:
        return file.raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = file.raw.count(b"\n", 0, exc.start) + 1
        file.fail(line, "the file is not UTF-8 text; save it as UTF-8")
        return None


def digest_of(files: Sequence[SourceFile]) -> str:
    """sha256 of every file's name and bytes, in name order: changes iff the catalogue does."""
    digest = hashlib.sha256()
    for name, raw in sorted((f.name, f.raw) for f in files):
        add_to_digest(digest, name, raw)
    return digest.hexdigest()


def add_to_digest(digest: hashlib._Hash, name: str, raw: bytes) -> None:
    """One file's part of the digest: its name and its bytes, each ended by a NUL
    (fed in parts, so that a big file's bytes are never copied)."""
    for part in (name.encode("utf-8"), b"\0", raw, b"\0"):
        digest.update(part)
