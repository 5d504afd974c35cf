"""Edit a catalogue or acknowledgements file in place, the way a curator would.

`edit_resource` (curate accept) and the acknowledgements writer change a file
with a ruamel.yaml round trip that keeps comments, blank lines, key order,
quotes and indentation, and replace it atomically; a file that ruamel.yaml
would not write back byte for byte is refused rather than reformatted.
"""

from __future__ import annotations

import codecs
import io
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString, ScalarString
from ruamel.yaml.tokens import CommentToken

from pipeline.atomic import write_atomic
from pipeline.catalogue.problems import NO_ID, CatalogueError, Problem
from pipeline.catalogue.yaml import YAMLError, entries_of, error_line, error_text, round_trip

# Field order of a catalogue entry and of an acknowledgement: a field that is
# added goes after the fields that precede it here.
RESOURCE_FIELDS = (
    "id", "title", "url", "publisher", "kind", "format", "pages", "language", "audience",
    "phases", "added", "last_reviewed", "notes", "check",
)  # fmt: skip
ACKNOWLEDGEMENT_FIELDS = ("id", "code", "reason", "by", "on", "until", "evidence")
WIDE = 1_000_000  # never fold a long line that the curator wrote on one line


@dataclass
class Edit:
    """A file opened for editing: its YAML tree and how to write it back identically."""

    path: Path
    text: str
    data: Any
    yaml: YAML
    bom: bool = False
    crlf: bool = False


def edit_resource(path: Path, resource_id: str, values: Mapping[str, Any]) -> None:
    """Set fields of one catalogue entry and save the file atomically.

    Everything else stays byte for byte: comments, blank lines, key order,
    quotes and indentation. A changed value keeps its quote style; a field the
    entry lacks is added where RESOURCE_FIELDS puts it. Raises CatalogueError
    when the file cannot be read or written, has no entry `resource_id`, or
    cannot be written back without changing its layout (then edit by hand).
    """
    edit = open_edit(path)
    entry = entry_with(edit.data, "resources", id=resource_id)
    if entry is None:
        raise CatalogueError([Problem(str(path), 1, resource_id, "no resource with this id here")])
    for key, value in values.items():
        set_field(entry, key, value, RESOURCE_FIELDS)
    save_edit(edit)


def open_edit(path: Path, new_file: str | None = None) -> Edit:
    """Read `path` for a round-trip edit (or start from `new_file` text when it is
    missing); refuse a file that ruamel.yaml would not write back identically."""
    if new_file is not None and not path.exists():
        return parse_edit(path, new_file)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise edit_error(path, 0, f"cannot read the file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise edit_error(path, 1, "the file is not UTF-8 text; save it as UTF-8") from exc
    crlf = "\r\n" in text
    edit = parse_edit(path, text.replace("\r\n", "\n"), raw.startswith(codecs.BOM_UTF8), crlf)
    if edit.data is not None:  # an empty or comments-only file has no layout to lose
        check_round_trip(edit)
    return edit


def parse_edit(path: Path, text: str, bom: bool = False, crlf: bool = False) -> Edit:
    """Parse `text` with a round-trip YAML set up for the file's own indentation."""
    yaml = editor(*_guess_layout(text))
    try:
        data = yaml.load(text)
    except YAMLError as exc:
        line = error_line(exc)
        raise edit_error(path, line, f"invalid YAML: {error_text(exc)}") from exc
    return Edit(path, text, data, yaml, bom, crlf)


def editor(mapping: int, sequence: int, offset: int) -> YAML:
    """A round-trip YAML that keeps quotes, long lines and the given indentation."""
    yaml = round_trip()
    yaml.preserve_quotes = True
    yaml.width = WIDE
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _guess_layout(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file writes them;
    2, 4, 2 (the shipped files' layout) for whatever the file does not show."""
    lines = [ln for ln in text.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
    mapping = sequence = offset = None
    for above, line in itertools.pairwise(lines):
        if not above.rstrip().endswith(":"):
            continue
        base, inner, content = _indent(above), _indent(line), line.lstrip()
        if content.startswith("- ") and inner >= base and offset is None:
            offset = inner - base
            sequence = offset + 1 + _indent(content[1:])
        elif inner > base and not content.startswith("-") and mapping is None:
            mapping = inner - base
    offset = 2 if offset is None else offset
    return mapping or 2, sequence or offset + 2, offset


def _indent(line: str) -> int:
    """Number of leading spaces."""
    return len(line) - len(line.lstrip(" "))


def check_round_trip(edit: Edit) -> None:
    """Refuse to edit a file whose unchanged tree would not be written back as it is."""
    written = _dump(edit)
    if written == edit.text:
        return
    old, new = edit.text.split("\n"), written.split("\n")
    line = next((i + 1 for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)))
    raise edit_error(
        edit.path,
        line,
        "curate cannot change this file without also changing its layout here (unusual "
        "indentation or quoting); make the change by hand",
    )


def _dump(edit: Edit) -> str:
    """The YAML text of the (edited) tree."""
    out = io.StringIO()
    edit.yaml.dump(edit.data, out)
    return out.getvalue()


def edited_bytes(edit: Edit) -> bytes:
    """The edited tree as the file's bytes, with its BOM and line endings."""
    text = _dump(edit)
    if edit.crlf:
        text = text.replace("\n", "\r\n")
    return (codecs.BOM_UTF8 if edit.bom else b"") + text.encode("utf-8")


def save_edit(edit: Edit) -> None:
    """Write the edited tree back atomically, with the file's BOM and line endings."""
    data = edited_bytes(edit)
    try:
        write_atomic(edit.path, data)
    except OSError as exc:
        raise edit_error(edit.path, 0, f"cannot save the file: {exc.strerror or exc}") from exc


def edit_error(path: Path, line: int, message: str) -> CatalogueError:
    """A CatalogueError with the one reason an edit failed."""
    return CatalogueError([Problem(str(path), line, NO_ID, message)])


def entry_with(data: Any, key: str, **wanted: str) -> CommentedMap | None:
    """The first entry of the list `key` whose fields have the `wanted` values."""
    if not isinstance(data, CommentedMap):
        return None
    return next(
        (e for e in entries_of(data, key)
         if isinstance(e, CommentedMap) and all(e.get(k) == v for k, v in wanted.items())),
        None,
    )


def set_field(entry: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    """Set `entry[key]`, keeping its quote style, or add it in `order`'s place."""
    if key in entry:
        entry[key] = _styled_like(entry[key], value)
        return
    before = set(order[: order.index(key)]) if key in order else set(order)
    keys = list(entry)
    position = max((i + 1 for i, k in enumerate(keys) if k in before), default=len(keys))
    tail = take_tail(entry, keys[position - 1]) if position else ""
    entry.insert(position, key, value)
    give_tail(entry, key, tail)


def append_entry(entries: CommentedSeq, entry: CommentedMap) -> None:
    """Add `entry` at the end of a block list; the comment lines below the
    last entry stay last."""
    tail = take_tail(entries, len(entries) - 1) if entries else ""
    entries.append(entry)
    give_tail(entries, len(entries) - 1, tail)


def delete_field(entry: CommentedMap, key: str) -> None:
    """Remove `entry[key]`; the comment lines below it stay where they were."""
    keys = list(entry)
    tail = take_tail(entry, key)
    del entry[key]
    index = keys.index(key)
    if index:
        give_tail(entry, keys[index - 1], tail)


def _styled_like(old: Any, new: Any) -> Any:
    """`new`, written in the quote or block style of `old` when both are text."""
    if isinstance(new, str) and isinstance(old, ScalarString):
        return type(old)(str(new))
    if isinstance(new, str) and isinstance(old, str):
        return str(new)
    return new


def _slot(node: Any, key: Any) -> tuple[Any, Any, int]:
    """Where ruamel.yaml keeps the comment after `node[key]` (its end-of-line
    comment and the blank and comment lines below): inside the last item of a
    nested block list or mapping, else on the key itself."""
    value = node[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and value and not value.fa.flow_style():
        last = list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1
        return _slot(value, last)
    return node, key, 2 if isinstance(node, CommentedMap) else 0


def take_tail(node: Any, key: Any) -> str:
    """Detach the blank and comment lines below `node[key]`, leaving its
    end-of-line comment; they belong above whatever comes next."""
    holder, slot_key, position = _slot(node, key)
    slot = holder.ca.items.get(slot_key)
    token = slot[position] if slot and len(slot) > position else None
    if token is None:
        return ""
    text = str(token.value)
    if isinstance(holder[slot_key], (FoldedScalarString, LiteralScalarString)):
        eol, tail = "", text  # a block scalar ends its own line
    elif text.startswith("#"):
        eol, _, tail = text.partition("\n")
        eol += "\n"
    else:
        eol, tail = "", text[1:]
    if eol:
        token.value = eol
    else:
        slot[position] = None
    return tail


def give_tail(node: Any, key: Any, tail: str) -> None:
    """Put the blank and comment lines `tail` below `node[key]`."""
    if not tail:
        return
    holder, slot_key, position = _slot(node, key)
    slot = holder.ca.items.setdefault(slot_key, [None, None, None, None])
    token = slot[position]
    if token is None:
        slot[position] = CommentToken("\n" + tail, CommentMark(0), None)
    else:
        token.value = str(token.value) + tail
