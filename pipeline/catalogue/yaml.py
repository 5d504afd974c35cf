"""The only YAML reader: every catalogue and acknowledgements file goes through here.

Three readers, in the order a file meets them:

1. refused_construct(): anchors, aliases and merge keys are refused before
   anything is built. Nested aliases expand without limit (a 500-byte file
   can stand for billions of items), and a catalogue needs none of them.
2. fast_tree(): plain data from libyaml's parse events, with the line of
   each resource and of `hub` kept aside. Most files are valid, and then that
   is all that is needed.
3. round_trip(): ruamel.yaml's round trip, whose every mapping and list knows
   its lines, for a file with a problem to locate, or with anything the fast
   reader does not handle exactly as ruamel.yaml would.

Why the fast reader walks events rather than using PyYAML's own C loader
(`CSafeLoader`, whose nodes carry marks): measured on the 100,000-entry file
of `make bench-catalogue` (47 MB), the C loader's composing and constructing
took 34 s and 1.5 GB (a Python Mark object per node, a Python resolver call
per scalar); the event reader takes 5 s and 240 MB, within the targets of 30 s
and 400 MB.

line_at() and its helpers find the line of a path in a round-trip tree.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from pipeline.catalogue.problems import LIST_KEYS, NO_ID

__all__ = ["YAMLError"]

# -- 1. anchors, aliases and merge keys -------------------------------------------

# Where one of them may start: "&name" or "*name" after a space, a bracket, a
# comma or a dash, or a "<<" key. A URL's "a=1&b=2" or a title's "Q&A" never
# matches; a file that matches is scanned properly below.
_MAYBE_CONSTRUCT = re.compile(rb"(?:^|[\s\[{,])[&*][^\s,\]}]|(?:^|[\s{,])<<\s*:", re.MULTILINE)


def refused_construct(raw: bytes, where: str) -> tuple[int, str] | None:
    """(line, message) of the first alias in the file (else the first anchor,
    else the first merge key), or None. Read from parse events, which never
    expand anything; a file that does not parse is left to the readers."""
    if not _MAYBE_CONSTRUCT.search(raw):
        return None
    found: dict[str, tuple[int, str]] = {}
    try:
        for event in pyyaml.parse(raw, Loader=_FAST_LOADER):
            _note_construct(event, where, found)
            if "alias" in found:
                break
    except pyyaml.YAMLError:
        pass
    return found.get("alias") or found.get("anchor") or found.get("merge")


def _note_construct(event: Any, where: str, found: dict[str, tuple[int, str]]) -> None:
    line = event.start_mark.line + 1
    if isinstance(event, AliasEvent):
        found["alias"] = (line, f"YAML aliases (*{event.anchor}) are not allowed in {where}")
    elif getattr(event, "anchor", None) is not None:
        found.setdefault("anchor",
                         (line, f"YAML anchors (&{event.anchor}) are not allowed in {where}"))
    elif isinstance(event, ScalarEvent) and event.value == "<<" and event.implicit[0]:
        found.setdefault("merge", (line, f"YAML merge keys (<<) are not allowed in {where}"))


# -- 2. the fast reader: libyaml events straight to plain data ------------------
#
# ruamel.yaml's round trip is slow and memory-hungry on big files (it keeps
# comments and positions of everything). Most files load without a problem,
# and then only the position of each resource (and of `hub`) is needed. The
# fast reader builds plain dicts and lists from libyaml's parse events,
# resolving plain scalars exactly as ruamel.yaml (YAML 1.2) does for the
# values a catalogue uses: null, true/false, decimal whole numbers, YYYY-MM-DD
# dates and text. Anything else — tags, anchors and aliases, merge keys,
# duplicate keys, other numbers or timestamps, a %YAML directive, characters
# whose handling differs between the parsers — is left to ruamel.yaml, and so
# is every file with a problem: the fast path never decides what a curator
# reads, it only skips the slow path when there is nothing to report.

_FAST_LOADER: Any = getattr(pyyaml, "CSafeLoader", None) or pyyaml.SafeLoader
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NUMBER_START = frozenset("-+.0123456789")
# First characters of the plain scalars that may be something other than text.
_SPECIAL_START = _NUMBER_START | frozenset("~nNtTfF<=")
_DECIMAL = re.compile(r"0|-?[1-9][0-9]*")
_YMD = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_STR_TAG = "tag:yaml.org,2002:str"
# Bytes that libyaml and ruamel.yaml treat differently: NEL, LS and PS as line
# breaks, a byte order mark after the start, tabs, a lone CR (not before LF).
_TRICKY_BYTES = (b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\t")
# Block scalar (| or >) headers that ruamel.yaml may reject and libyaml not:
# a first line holding only spaces ("more indented follow up line than first"),
# or a '#' straight after the header.
_TRICKY_BLOCK_HEADER = re.compile(rb"[|>][-+0-9]*(?:#|[ ]*(?:#[^\r\n]*)?\r?\n[ ]+\r?\n)")


class _NotSimple(Exception):
    """The fast reader met something it leaves to ruamel.yaml."""


@dataclass
class FastTree:
    """A catalogue file as plain data, with the lines a valid file needs."""

    data: dict[Any, Any]
    hub_line: int
    entry_lines: list[int]
    key_lines: dict[Any, int] = field(default_factory=dict)  # of each top-level key


def fast_tree(raw: bytes) -> FastTree | None:
    """The file's data read by libyaml, or None when ruamel.yaml must read it
    (anything the fast reader does not handle exactly as ruamel.yaml would)."""
    if any(b in raw for b in _TRICKY_BYTES) or raw.find(codecs.BOM_UTF8, 1) >= 0:
        return None
    if b"\r" in raw and raw.count(b"\r") != raw.count(b"\r\n"):
        return None
    if _TRICKY_BLOCK_HEADER.search(raw):
        return None
    loader = _FAST_LOADER(raw)
    try:
        return _fast_document(loader.get_event)
    except Exception:  # any error, or _NotSimple: ruamel.yaml reads and explains it
        return None
    finally:
        loader.dispose()


def _fast_document(get: Callable[[], Any]) -> FastTree:
    """The one document of a stream whose top level is a mapping."""
    if type(get()) is not StreamStartEvent:
        raise _NotSimple
    start = get()
    if type(start) is not DocumentStartEvent or start.version or start.tags:
        raise _NotSimple
    event = get()
    if type(event) is not MappingStartEvent or event.anchor is not None or event.tag is not None:
        raise _NotSimple
    data: dict[Any, Any] = {}
    key_lines: dict[Any, int] = {}
    entry_lines: list[int] = []
    while type(event := get()) is not MappingEndEvent:
        key, line = _fast_key(event), event.start_mark.line + 1
        event = get()
        if key == "resources" and type(event) is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                raise _NotSimple
            value, entry_lines = _fast_entries(get)
        else:
            value = _fast_node(get, event)
        if key in data:
            raise _NotSimple
        data[key], key_lines[key] = value, line
    if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
        raise _NotSimple
    return FastTree(data, key_lines.get("hub", 0), entry_lines, key_lines)


def _fast_entries(get: Callable[[], Any]) -> tuple[list[Any], list[int]]:
    """The items of the resources list (mappings only) and the line of each."""
    entries: list[Any] = []
    lines: list[int] = []
    while type(event := get()) is not SequenceEndEvent:
        if type(event) is not MappingStartEvent:
            raise _NotSimple  # not a set of fields: a problem to locate
        lines.append(event.start_mark.line + 1)
        entries.append(_fast_node(get, event))
    return entries, lines


def _fast_node(get: Callable[[], Any], event: Any) -> Any:
    """The value that starts with `event`: scalar, list or mapping."""
    kind = type(event)
    if event.anchor is not None or event.tag is not None:
        raise _NotSimple
    if kind is ScalarEvent:
        value = event.value
        if event.implicit[0] and (not value or value[0] in _SPECIAL_START):
            return _fast_scalar(value)
        return value
    if kind is SequenceStartEvent:
        items = []
        while type(event := get()) is not SequenceEndEvent:
            items.append(_fast_node(get, event))
        return items
    if kind is MappingStartEvent:
        mapping: dict[Any, Any] = {}
        while type(event := get()) is not MappingEndEvent:
            key = _fast_key(event)
            event = get()
            if type(event) is ScalarEvent and event.anchor is None and event.tag is None:
                value = event.value  # the common case, inline: a scalar value
                if event.implicit[0] and (not value or value[0] in _SPECIAL_START):
                    value = _fast_scalar(value)
            else:
                value = _fast_node(get, event)
            if key in mapping:
                raise _NotSimple  # ruamel.yaml rejects duplicate keys
            mapping[key] = value
        return mapping
    raise _NotSimple  # an alias


@lru_cache(maxsize=1024)
def _fast_key_text(value: str, plain: bool) -> Any:
    """A short key, resolved once per distinct key (and the one copy shared)."""
    return _fast_scalar(value) if plain else value


def _fast_key(event: Any) -> Any:
    """A mapping key: a scalar (complex keys are left to ruamel.yaml)."""
    if type(event) is not ScalarEvent or event.anchor is not None or event.tag is not None:
        raise _NotSimple
    value, plain = event.value, event.implicit[0]
    if len(value) <= 32:
        return _fast_key_text(value, plain)
    return _fast_scalar(value) if plain else value


def _fast_scalar(value: str) -> Any:
    """A plain scalar resolved as ruamel.yaml resolves it (YAML 1.2): the
    values it handles exactly, else _NotSimple."""
    if value[:1] in _NUMBER_START:
        if _DECIMAL.fullmatch(value):
            return int(value)
        if _YMD.fullmatch(value):
            return value  # a date, kept as its text (what the schema's date format checks)
        if _ruamel_resolves(value) != _STR_TAG:
            raise _NotSimple  # another number, or a timestamp
        return value
    if value in _NULLS:
        return None
    if (flag := _BOOLS.get(value)) is not None:
        return flag
    if value in ("<<", "="):
        raise _NotSimple  # a merge key, or the YAML 'value' key
    return value


@cache
def _ruamel_resolver() -> VersionedResolver:
    return VersionedResolver()


def _ruamel_resolves(value: str) -> str:
    """The tag ruamel.yaml gives a plain scalar `value`."""
    return str(_ruamel_resolver().resolve(ScalarNode, value, (True, False)))



# -- 3. the round trip: ruamel.yaml, every node with its line -----------------------


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that keeps an impossible date such as 2024-02-30 as text.

    ruamel.yaml would raise a bare ValueError without a line; as text, the value
    reaches the schema's date check and is reported like any other bad date.
    """

    def construct_lenient_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return self.construct_yaml_timestamp(node, values)
        except ValueError:
            return self.construct_scalar(node)


_Constructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _Constructor.construct_lenient_timestamp
)


def round_trip() -> YAML:
    """A round-trip loader, so that every mapping and list knows its line."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    return yaml


def error_line(exc: YAMLError) -> int:
    """The 1-based line the YAML parser complained about (1 when it gave none)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


def error_text(exc: YAMLError) -> str:
    """The parser's own short description of the problem."""
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    text = "; ".join(str(p) for p in parts if p)
    return text or str(exc).splitlines()[0]




# -- where things are in a round-trip tree --------------------------------------


def line_at(root: Any, path: Sequence[str | int]) -> int:
    """1-based line of the deepest node of `path` present in the tree."""
    node, line = root, node_line(root)
    for step in path:
        if isinstance(node, CommentedMap) and (key := _find_key(node, step)) is not None:
            line = _key_line(node, key)
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
            line = node.lc.item(step)[0] + 1
            node = node[step]
        else:
            break
    return line


def _find_key(mapping: CommentedMap, step: str | int) -> Any:
    """The real key of `mapping` whose text is `step` (keys were str()-ed for validation)."""
    return next((k for k in mapping if str(k) == str(step)), None)


def _key_line(mapping: CommentedMap, key: Any) -> int:
    """Line of `key` in `mapping`; the mapping's own line for merged (<<) keys."""
    try:
        return int(mapping.lc.key(key)[0]) + 1
    except (KeyError, TypeError):
        return node_line(mapping)


def node_line(node: Any) -> int:
    """1-based line where a mapping or list starts (1 for plain values)."""
    lc = getattr(node, "lc", None)
    return int(lc.line) + 1 if lc is not None and lc.line is not None else 1


def entries_of(data: Mapping[Any, Any], key: str = "resources") -> list[Any]:
    """The entries of a file's list `key`, or none when it is not a list."""
    entries = data.get(key)
    return list(entries) if isinstance(entries, list) else []


def entry_id(entry: Any) -> str:
    """The id an entry declares, or '-' when it has none usable."""
    rid = entry.get("id") if isinstance(entry, dict) else None
    return str(rid) if isinstance(rid, str) and rid.strip() else NO_ID


def id_at(root: Any, path: Sequence[str | int]) -> str:
    """The id of the resource a path points into ('-' outside resources)."""
    if len(path) < 2 or path[0] not in LIST_KEYS or not isinstance(path[1], int):
        return NO_ID
    entries = entries_of(root, str(path[0])) if isinstance(root, CommentedMap) else []
    return entry_id(entries[path[1]]) if path[1] < len(entries) else NO_ID
