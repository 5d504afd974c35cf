"""The acknowledgements file (catalogue/acknowledgements.yaml): read and record.

Read like a catalogue file, against schemas/acknowledgements.schema.json plus
what a schema cannot express (real dates, `until` not before `on`, each id
and code acknowledged once), with the same FILE:LINE problems; recorded with
the round-trip editor, so its comments survive. pipeline.review holds the
rules of what an acknowledgement mutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from pipeline.catalogue.build import as_date
from pipeline.catalogue.edit import (
    ACKNOWLEDGEMENT_FIELDS,
    Edit,
    append_entry,
    check_round_trip,
    delete_field,
    edit_error,
    entry_with,
    open_edit,
    parse_edit,
    save_edit,
    set_field,
)
from pipeline.catalogue.files import SourceFile
from pipeline.catalogue.load import read_file
from pipeline.catalogue.messages import describe
from pipeline.catalogue.problems import NO_ID, CatalogueError, Problem
from pipeline.catalogue.validate import (
    ACKNOWLEDGEMENTS_SCHEMA_PATH,
    schema_problems,
    schema_validator,
)
from pipeline.catalogue.yaml import entries_of, entry_id, line_at, node_line
from pipeline.models import SourceLocation

_QUOTED_ACKNOWLEDGEMENT_FIELDS = frozenset({"reason", "by", "evidence"})
IN_ACKNOWLEDGEMENTS = "an acknowledgements file"


@dataclass(frozen=True)
class ListEntry:
    """One validated entry of a list file: plain values (dates as dates) and
    where it was declared."""

    source: SourceLocation
    fields: Mapping[str, Any]


def read_acknowledgements(path: Path) -> tuple[ListEntry, ...]:
    """The entries of an acknowledgements file, validated against
    schemas/acknowledgements.schema.json and the checks a schema cannot express
    (real dates, `until` not before `on`, each id and code acknowledged once).

    A missing or empty file acknowledges nothing. Raises CatalogueError listing
    every problem as FILE:LINE: id: message.
    """
    if not path.exists():
        return ()
    file = read_file(path, path.name, _acknowledgement_problems, where=IN_ACKNOWLEDGEMENTS)
    if file.problems:
        raise CatalogueError(sorted(dict.fromkeys(file.problems), key=lambda p: p.line))
    if file.data is None:
        return ()
    return tuple(
        ListEntry(
            SourceLocation(file.label, line_at(file.data, ["acknowledgements", index])),
            {str(k): _plain_value(str(k), v) for k, v in entry.items()},
        )
        for index, entry in enumerate(entries_of(file.data, "acknowledgements"))
    )


def save_acknowledgement(path: Path, fields: Mapping[str, Any], header: str) -> None:
    """Record one acknowledgement in the file, atomically, keeping its comments.

    An entry with the same id and code is updated in place (fields absent from
    `fields` are removed from it); otherwise the entry is added at the end.
    A missing file is created with `header` (comment lines) at the top.
    Raises CatalogueError as edit_resource does.
    """
    edit = open_edit(path, new_file=header + "acknowledgements:\n")
    if edit.data is None:  # an empty file, or comments only
        start = edit.text.rstrip("\n") + "\n" if edit.text.strip() else header
        edit = parse_edit(path, start + "acknowledgements:\n", edit.bom, edit.crlf)
        check_round_trip(edit)
    entries = _acknowledgement_list(edit)
    values = {k: _ack_value(k, v) for k, v in fields.items() if v is not None}
    existing = entry_with(edit.data, "acknowledgements", id=fields["id"], code=fields["code"])
    if existing is None:
        append_entry(entries, CommentedMap((k, values[k]) for k in ACKNOWLEDGEMENT_FIELDS
                                           if k in values))
    else:
        _update_entry(existing, values, ACKNOWLEDGEMENT_FIELDS)
    save_edit(edit)


def _acknowledgement_list(edit: Edit) -> CommentedSeq:
    """The file's list of acknowledgements, created (block style) if it is empty."""
    if not isinstance(edit.data, CommentedMap):
        raise edit_error(edit.path, 1, "the file must be a set of fields (acknowledgements)")
    entries = edit.data.get("acknowledgements")
    if entries is None:
        entries = edit.data["acknowledgements"] = CommentedSeq()
    if not isinstance(entries, CommentedSeq):
        raise edit_error(edit.path, line_at(edit.data, ["acknowledgements"]),
                          "'acknowledgements' must be a list")
    if not entries:
        entries.fa.set_block_style()
    return entries


def _update_entry(entry: CommentedMap, values: Mapping[str, Any], order: Sequence[str]) -> None:
    """Make `entry` hold exactly `values`, keeping comments and quote styles."""
    for key in order:
        if key in values:
            set_field(entry, key, values[key], order)
        elif key in entry:
            delete_field(entry, key)


def _ack_value(key: str, value: Any) -> Any:
    """A value as the acknowledgements file writes it: free text double-quoted."""
    if key in _QUOTED_ACKNOWLEDGEMENT_FIELDS and isinstance(value, str):
        return DoubleQuotedScalarString(value)
    return value


def _plain_value(key: str, value: Any) -> Any:
    """A validated YAML value as plain Python: dates as dates, text as str."""
    if key in ("on", "until", "added", "last_reviewed"):
        return as_date(value)
    return str(value) if isinstance(value, str) else value


def _acknowledgement_problems(file: SourceFile) -> Iterator[Problem]:
    """Shape, schema and semantic problems of an acknowledgements file."""
    data = file.data
    if data is None:
        return
    if not isinstance(data, CommentedMap):
        yield Problem(file.label, node_line(data), NO_ID,
                      f"the file must be a set of fields (acknowledgements), not {describe(data)}")
        return
    yield from schema_problems(file, schema_validator(ACKNOWLEDGEMENTS_SCHEMA_PATH))
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(entries_of(data, "acknowledgements")):
        if isinstance(entry, CommentedMap):
            yield from _acknowledgement_entry_problems(file, index, entry, seen)


def _acknowledgement_entry_problems(
    file: SourceFile, index: int, entry: CommentedMap, seen: dict[tuple[str, str], int]
) -> Iterator[Problem]:
    """`until` before `on`, and an id and code acknowledged twice."""
    rid = entry_id(entry)
    path: list[str | int] = ["acknowledgements", index]
    on, until = entry.get("on"), entry.get("until")
    if isinstance(on, dt.date) and isinstance(until, dt.date) and until < on:
        yield Problem(file.label, line_at(file.data, [*path, "until"]), rid,
                      f"until {until.isoformat()} is before on {on.isoformat()}")
    key, line = (rid, str(entry.get("code"))), line_at(file.data, path)
    if rid != NO_ID and key in seen:
        yield Problem(file.label, line, rid,
                      f"'{key[1]}' is acknowledged twice (also at line {seen[key]}); keep one")
    seen.setdefault(key, line)
