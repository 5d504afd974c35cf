"""Valid catalogue entries -> the typed models of pipeline.models (Hub, Resource).

Runs only on what validate.py passed, so every value is known to have the
right type; a fast-read file's entries are let go one by one as they are
converted, so that a big file never holds both in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from pipeline.catalogue.files import SourceFile
from pipeline.catalogue.validate import entry_line
from pipeline.catalogue.yaml import entries_of
from pipeline.models import CheckOptions, Format, Hub, Resource, SourceLocation


def hub_of(file: SourceFile) -> Hub:
    """The Hub model of a valid file (which lets go of its tree)."""
    data = file.data
    slug = str(data["hub"])
    # Each entry of a fast-read tree is let go once converted, so that a big
    # file never has both all its entries and all its resources in memory.
    entries = _drained(data["resources"]) if file.entry_lines is not None else entries_of(data)
    resources = tuple(
        resource_of(entry, slug, SourceLocation(file.label, entry_line(file, i)))
        for i, entry in enumerate(entries)
    )
    file.data = None
    return Hub(
        slug=slug,
        title=str(data["title"]),
        description=str(data.get("description", "")),
        source=file.label,
        resources=resources,
    )


def _drained(items: list[Any]) -> Iterator[Any]:
    """The items of `items`, each removed from the list as it is handed out."""
    for index, item in enumerate(items):
        items[index] = None
        yield item
        del item


def resource_of(entry: Mapping[Any, Any], hub: str, source: SourceLocation) -> Resource:
    """The Resource model of a valid entry."""
    fmt = entry.get("format")
    return Resource(
        id=str(entry["id"]),
        title=str(entry["title"]),
        url=str(entry["url"]),
        hub=hub,
        source=source,
        publisher=str(entry.get("publisher", "")),
        kind=str(entry.get("kind", "")),
        format=Format(str(fmt)) if fmt is not None else None,
        pages=int(entry["pages"]) if "pages" in entry else None,
        language=str(entry.get("language", "")),
        audience=tuple(str(a) for a in entry.get("audience", ())),
        phases=tuple(str(p) for p in entry.get("phases", ())),
        added=as_date(entry.get("added")),
        last_reviewed=as_date(entry.get("last_reviewed")),
        notes=str(entry.get("notes", "")),
        check=_check_options(entry.get("check")),
    )


_NO_CHECK_OPTIONS = CheckOptions()  # shared: frozen, and most resources have no `check`


def _check_options(data: Any) -> CheckOptions:
    """The CheckOptions of a valid `check` mapping (defaults when absent)."""
    if not data:
        return _NO_CHECK_OPTIONS
    max_bytes = data.get("max_bytes")
    return CheckOptions(
        skip=bool(data.get("skip", False)),
        skip_reason=str(data.get("skip_reason", "")),
        accept_status=tuple(int(s) for s in data.get("accept_status", ())),
        max_bytes=int(max_bytes) if max_bytes is not None else None,
    )


def as_date(value: Any) -> dt.date | None:
    """A validated YAML date or YYYY-MM-DD text as a date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
