"""Where the problems of a fast-read file are, without reading the whole file again.

A large file with one bad entry used to be read again whole by ruamel.yaml
to find that entry's lines: 18 s for 10,000 entries. The fast reader already
knows where each entry starts and where each top-level key is, so only the
bad entries' own lines are read with ruamel.yaml, each as a little YAML
list of one item, and every problem is located and worded exactly as a
whole-file read would. Where that cannot be done exactly (flow-style
entries, a problem deep inside a top-level value, very many bad entries),
locate() answers None and the whole file is read as before.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pipeline.catalogue.files import SourceFile
from pipeline.catalogue.messages import explain
from pipeline.catalogue.problems import NO_ID, Problem
from pipeline.catalogue.validate import (
    catalogue_validator,
    entry_issues,
    entry_validator,
    plain,
    quick_check,
)
from pipeline.catalogue.yaml import FastTree, YAMLError, entry_id, line_at, round_trip

MAX_BAD_ENTRIES = 200  # beyond this, one whole-file read is no slower than many small ones
_BLOCK_ITEM = re.compile(r"[ ]*- \S")  # "  - id: ..." : an entry that starts on its dash line
_LINE_END = re.compile(rb"\n")


def locate(file: SourceFile, tree: FastTree) -> list[Problem] | None:
    """Every problem of a fast-read file, located as a whole-file read would,
    or None when only a whole-file read can say."""
    entries = tree.data.get("resources", [])
    if not isinstance(entries, list):
        return None
    top = _top_problems(file, tree)
    bad = [i for i, entry in enumerate(entries) if _is_bad(entry)]
    if top is None or len(bad) > MAX_BAD_ENTRIES:
        return None
    starts = line_starts(file.raw)
    found: list[Problem] = list(top)
    for index in bad:
        located = _entry_problems(file, tree, starts, index)
        if located is None:
            return None
        found += located
    return found


def _is_bad(entry: Any) -> bool:
    """An entry of the fast reader's (plain data) with a problem of its own."""
    return not quick_check("resource")(entry) or any(entry_issues(entry))


def _top_problems(file: SourceFile, tree: FastTree) -> list[Problem] | None:
    """Problems of the top-level fields (the entries left out), or None if one
    lies deeper than a top-level key (its line needs the whole tree)."""
    top = {**tree.data, "resources": []} if "resources" in tree.data else dict(tree.data)
    first = min(tree.key_lines.values(), default=1)
    key_lines = {str(key): line for key, line in tree.key_lines.items()}  # as plain() keys
    found = []
    for error in catalogue_validator().iter_errors(plain(top)):
        for path, message in explain(error):
            if len(path) > 1:
                return None
            line = key_lines.get(str(path[0]), first) if path else first
            found.append(Problem(file.label, line, NO_ID, message))
    return found


def line_starts(raw: bytes) -> array[int]:
    """The byte offset where each line of raw starts (lines end at LF, as the
    fast reader counts them; it leaves files with other line breaks alone)."""
    starts = array("q", [0])
    starts.extend(match.end() for match in _LINE_END.finditer(raw))
    return starts


def _entry_problems(
    file: SourceFile, tree: FastTree, starts: array[int], index: int
) -> list[Problem] | None:
    """The problems of entry `index`, from its own lines read as a list of one."""
    start = tree.entry_lines[index]
    end = _entry_end(tree, index, len(starts))
    text = file.raw[starts[start - 1]:starts[end] if end < len(starts) else None]
    if not _BLOCK_ITEM.match(text.decode("utf-8", "replace")):
        return None
    try:
        read = round_trip().load(text.decode("utf-8"))
    except (YAMLError, UnicodeDecodeError):
        return None
    if not (isinstance(read, CommentedSeq) and len(read) == 1
            and isinstance(read[0], CommentedMap)):
        return None
    return list(_located(file, read, index, start - 1))


def _entry_end(tree: FastTree, index: int, last: int) -> int:
    """The line before whatever follows entry `index`: the next entry, a later
    top-level key, or the end of the file."""
    start = tree.entry_lines[index]
    after = [line for line in (*tree.entry_lines[index + 1:index + 2],
                               *tree.key_lines.values()) if line > start]
    return min(after, default=last + 1) - 1


def _located(file: SourceFile, read: CommentedSeq, index: int, offset: int
             ) -> Iterator[Problem]:
    """The entry's schema problems and the checks a schema cannot express,
    at their lines in the file (`offset`: lines before the entry's first)."""
    entry, rid = read[0], entry_id(read[0])
    for error in entry_validator().iter_errors(plain(entry)):
        error.path.extendleft([index, "resources"])  # as if found in the whole file
        for path, message in explain(error):
            yield Problem(file.label, line_at(read, [0, *path[2:]]) + offset, rid, message)
    for field, message in entry_issues(entry):
        yield Problem(file.label, line_at(read, [0, field]) + offset, rid, message)
