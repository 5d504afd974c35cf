"""A new catalogue file's text, from entries read elsewhere (curate import).

Written through ruamel.yaml (only pipeline.catalogue writes YAML), in the
shipped files' layout, with a header saying where the entries came from;
load.py reads the result back before anything is saved.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pipeline.catalogue.edit import (
    RESOURCE_FIELDS,
    Edit,
    append_entry,
    edit_error,
    edited_bytes,
    editor,
)
from pipeline.catalogue.yaml import entries_of


def catalogue_text(header: str, hub: str, title: str, description: str,
                   entries: Sequence[Mapping[str, Any]]) -> str:
    """A catalogue file: `header` as comment lines, then hub, title and resources."""
    data = CommentedMap(hub=hub, title=title)
    if description:
        data["description"] = description
    data["resources"] = CommentedSeq(_entry(e) for e in entries)
    out = io.StringIO()
    editor(mapping=2, sequence=4, offset=2).dump(data, out)  # the shipped files' layout
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comments + out.getvalue()


def listed_urls(edit: Edit) -> list[tuple[str, str]]:
    """(id, url) of each entry of a catalogue file opened for editing, in its order."""
    return [(str(e.get("id", "")), str(e.get("url", "")))
            for e in entries_of(edit.data) if isinstance(e, CommentedMap)] \
        if isinstance(edit.data, CommentedMap) else []


def with_resources_added(edit: Edit, entries: Sequence[Mapping[str, Any]]) -> bytes:
    """The file's bytes with `entries` added at the end of its resources (in
    `edit`'s tree), and everything already there (a curator's edits, comments,
    layout) kept as it is."""
    resources = edit.data.get("resources") if isinstance(edit.data, CommentedMap) else None
    if not isinstance(resources, CommentedSeq):
        raise edit_error(edit.path, 1, "no list of resources to add to")
    for entry in entries:
        append_entry(resources, _entry(entry))
    return edited_bytes(edit)


def _entry(entry: Mapping[str, Any]) -> CommentedMap:
    mapping = CommentedMap((k, entry[k]) for k in RESOURCE_FIELDS if k in entry)
    for key in ("audience", "phases"):
        if isinstance(mapping.get(key), list):
            mapping[key] = _flow(mapping[key])
    return mapping


def _flow(items: list[Any]) -> CommentedSeq:
    flow = CommentedSeq(items)
    flow.fa.set_flow_style()
    return flow
