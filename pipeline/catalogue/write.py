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

from pipeline.catalogue.edit import RESOURCE_FIELDS, WIDE
from pipeline.catalogue.yaml import round_trip


def catalogue_text(header: str, hub: str, title: str, description: str,
                   entries: Sequence[Mapping[str, Any]]) -> str:
    """A catalogue file: `header` as comment lines, then hub, title and resources."""
    data = CommentedMap(hub=hub, title=title)
    if description:
        data["description"] = description
    resources = CommentedSeq(CommentedMap((k, e[k]) for k in RESOURCE_FIELDS if k in e)
                             for e in entries)
    for entry in resources:
        for key in ("audience", "phases"):
            if isinstance(entry.get(key), list):
                entry[key] = _flow(entry[key])
    data["resources"] = resources
    yaml = round_trip()
    yaml.width = WIDE
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(data, out)
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comments + out.getvalue()


def _flow(items: list[Any]) -> CommentedSeq:
    flow = CommentedSeq(items)
    flow.fa.set_flow_style()
    return flow
