"""Load the catalogue: the YAML files that say what each hub promises patients.

This is the only module that reads YAML. It validates every file against
schemas/catalogue.schema.json, adds the checks a schema cannot express (real
web addresses, ids unique across files, page counts only on PDFs) and turns
the result into the typed models of pipeline.models.

A catalogue that does not load is never half-used: every problem in every file
is collected, then raised at once as a CatalogueError whose lines read
`FILE:LINE: id: message`, worded for curators rather than programmers.

Reading has two speeds. Each file is first read by a fast reader (libyaml
through PyYAML, plain data, a compiled check of the schema); a file that
passes everything is used as read. A file with any problem, or anything the
fast reader does not handle exactly as ruamel.yaml would, is read again with
ruamel.yaml's round trip, which locates every problem: the problems reported,
and the catalogue loaded, are the same either way.

It is also the only module that writes YAML: `edit_resource` (curate accept)
and `save_acknowledgement` (curate acknowledge) edit a file with a ruamel.yaml
round trip that keeps comments, blank lines, key order, quotes and
indentation, and replace it atomically. `read_acknowledgements` loads
catalogue/acknowledgements.yaml against schemas/acknowledgements.schema.json
with the same FILE:LINE problems; pipeline.review holds the rules.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import hashlib
import io
import itertools
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml as pyyaml
from jsonschema import Draft202012Validator, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    ScalarString,
)
from ruamel.yaml.tokens import CommentToken
from yaml.events import (
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

from pipeline import SCHEMAS_DIR
from pipeline.models import Catalogue, CheckOptions, Format, Hub, Resource, SourceLocation

SCHEMA_PATH = SCHEMAS_DIR / "catalogue.schema.json"
YAML_SUFFIXES = (".yaml", ".yml")
NO_ID = "-"
ACKNOWLEDGEMENTS_SCHEMA_PATH = SCHEMA_PATH.with_name("acknowledgements.schema.json")
# The acknowledgements file lives beside the catalogue but is not a hub page.
ACKNOWLEDGEMENTS_NAME = "acknowledgements.yaml"
# Top-level keys holding a list of entries, each with an id: resources, acknowledgements.
_LIST_KEYS = ("resources", "acknowledgements")

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a set of fields (name: value)",
}


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the catalogue, located for a curator."""

    file: str
    line: int
    id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.id}: {self.message}"


class CatalogueError(Exception):
    """The catalogue did not load; `problems` lists every reason, in file/line order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def catalogue_paths(paths: Sequence[Path | str]) -> list[Path]:
    """Expand files and folders into the catalogue files to load, in load order.

    A folder contributes every *.yaml / *.yml file directly inside it, sorted by
    name (hidden files, such as editor lock files, are ignored, and so is
    acknowledgements.yaml, which records reviews rather than a hub page). A path that does
    not exist, or a folder without catalogue files, raises CatalogueError.
    """
    return [path for path, _ in _expand(paths)]


def load_catalogue(paths: Sequence[Path | str]) -> Catalogue:
    """Load, validate and convert the catalogue files found under `paths`.

    Raises CatalogueError listing every problem across all files, so a curator
    can fix them in one go; nothing is returned for a half-valid catalogue.
    """
    files, digest = _read_all(_expand(paths))
    problems = [p for f in files for p in f.problems]
    problems += _cross_file_problems(files)
    if problems:
        order = {f.label: i for i, f in enumerate(files)}
        unique = dict.fromkeys(problems)
        raise CatalogueError(sorted(unique, key=lambda p: (order.get(p.file, 0), p.line)))
    hubs = tuple(_hub(f) for f in files)
    return Catalogue(hubs=hubs, digest=digest)


# --------------------------------------------------------------------------
# Finding and reading files
# --------------------------------------------------------------------------


@dataclass
class _File:
    """One catalogue file: where it is, its bytes, its YAML tree and its problems.

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


def _expand(paths: Sequence[Path | str]) -> list[tuple[Path, str]]:
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


def _read_all(found: list[tuple[Path, str]]) -> tuple[list[_File], str]:
    """Read every catalogue file (in load order) and compute the digest.

    Files are read in the digest's order (by name), so that each file's bytes
    are hashed and let go as soon as it is parsed; when two files share a name
    their bytes decide the order, so then all bytes are kept until the end.
    """
    names = [name for _, name in found]
    if len(set(names)) < len(names):
        files = [_read(path, name, fast=True) for path, name in found]
        return files, _digest(files)
    read: dict[int, _File] = {}
    digest = hashlib.sha256()
    for index in sorted(range(len(found)), key=names.__getitem__):
        file = read[index] = _read(*found[index], fast=True)
        for part in (file.name.encode("utf-8"), b"\0", file.raw, b"\0"):
            digest.update(part)
        file.raw = b""
    return [read[i] for i in range(len(found))], digest.hexdigest()


def _read(
    path: Path,
    name: str,
    check: Callable[[_File], Iterable[Problem]] | None = None,
    fast: bool = False,
) -> _File:
    """Read and parse one file, then collect everything wrong inside it
    (as a catalogue file unless another `check` is given).

    With `fast`, a catalogue file is first read by the fast reader (libyaml);
    only when that finds a problem, or something it leaves to ruamel.yaml, is
    the file read again with ruamel.yaml to locate every problem precisely.
    """
    file = _File(path=path, name=name)
    try:
        file.raw = path.read_bytes()
        text = file.raw.decode("utf-8-sig")
    except OSError as exc:
        return _failed(file, 0, f"cannot read the file: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        line = file.raw.count(b"\n", 0, exc.start) + 1
        return _failed(file, line, "the file is not UTF-8 text; save it as UTF-8")
    if fast:
        del text  # the fast reader parses the bytes; keep one copy of a big file
        tree = _fast_tree(file.raw)
        if tree is not None and _fast_valid(tree.data):
            file.data, file.hub_line, file.entry_lines = tree.data, tree.hub_line, tree.entry_lines
            return file
        del tree
        text = file.raw.decode("utf-8-sig")
    try:
        file.data = _yaml().load(text)
    except YAMLError as exc:
        return _failed(file, _yaml_error_line(exc), f"invalid YAML: {_yaml_error_text(exc)}")
    file.problems = tuple((check or _file_problems)(file))
    return file


def _failed(file: _File, line: int, message: str) -> _File:
    """Mark `file` as unusable with a single problem."""
    file.problems = (Problem(file.label, line, NO_ID, message),)
    file.data = None
    return file


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


def _yaml() -> YAML:
    """A round-trip loader, so that every mapping and list knows its line."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    return yaml


def _yaml_error_line(exc: YAMLError) -> int:
    """The 1-based line the YAML parser complained about (1 when it gave none)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + 1 if mark is not None else 1


def _yaml_error_text(exc: YAMLError) -> str:
    """The parser's own short description of the problem."""
    parts = [getattr(exc, "context", None), getattr(exc, "problem", None)]
    text = "; ".join(str(p) for p in parts if p)
    return text or str(exc).splitlines()[0]


# --------------------------------------------------------------------------
# The fast reader: libyaml events straight to plain data
# --------------------------------------------------------------------------
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
class _FastTree:
    """A catalogue file as plain data, with the lines a valid file needs."""

    data: dict[Any, Any]
    hub_line: int
    entry_lines: list[int]


def _fast_tree(raw: bytes) -> _FastTree | None:
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


def _fast_document(get: Callable[[], Any]) -> _FastTree:
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
    hub_line = 0
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
        data[key] = value
        if key == "hub":
            hub_line = line
    if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
        raise _NotSimple
    return _FastTree(data, hub_line, entry_lines)


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
        if ymd := _YMD.fullmatch(value):
            return dt.date(int(ymd[1]), int(ymd[2]), int(ymd[3]))  # ValueError: not simple
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


def _fast_valid(data: Any) -> bool:
    """True when a fast-read file certainly has no problem of its own: it
    passes the schema and the checks a schema cannot express. False means
    there may be one, and ruamel.yaml must read the file to locate it."""
    if not isinstance(data, dict) or not _fast_validator()(data):
        return False
    return not any(any(_entry_issues(e)) for e in data["resources"])


# --------------------------------------------------------------------------
# Problems inside one file
# --------------------------------------------------------------------------


def _file_problems(file: _File) -> Iterator[Problem]:
    """Shape, schema and semantic problems of one parsed file."""
    data = file.data
    if data is None:
        yield Problem(file.label, 1, NO_ID, "the file is empty; it needs hub, title and resources")
        return
    if not isinstance(data, CommentedMap):
        line = _node_line(data)
        what = _describe(data)
        yield Problem(
            file.label,
            line,
            NO_ID,
            f"the file must be a set of fields (hub, title, resources), not {what}",
        )
        return
    yield from _schema_problems(file)
    for index, entry in enumerate(_entries(data)):
        yield from _entry_problems(file, index, entry)


def _schema_problems(
    file: _File, validator: Draft202012Validator | None = None
) -> Iterator[Problem]:
    """Every schema violation of `file`, each worded and located for curators
    (against the catalogue schema unless another validator is given)."""
    for error in (validator or _validator()).iter_errors(_plain(file.data)):
        for path, message in _explain(error):
            line = _line_at(file.data, path)
            yield Problem(file.label, line, _id_at(file.data, path), message)


def _entry_problems(file: _File, index: int, entry: Any) -> Iterator[Problem]:
    """Checks on one resource that the schema cannot express."""
    if not isinstance(entry, CommentedMap):
        return
    rid = _entry_id(entry)
    for field, message in _entry_issues(entry):
        yield Problem(file.label, _line_at(file.data, ["resources", index, field]), rid, message)


def _entry_issues(entry: Mapping[Any, Any]) -> Iterator[tuple[str, str]]:
    """(field, message) for each check on one resource that the schema cannot express."""
    url = entry.get("url")
    if isinstance(url, str) and url.strip() and (message := _url_problem(url)):
        yield "url", message
    if "pages" in entry and entry.get("format") != "pdf":
        yield "pages", _pages_message(entry.get("format"))


def _url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) address with a host, or None when it is fine."""
    if (plain := _PLAIN_URL.fullmatch(url)) and int(plain[1] or 0) <= 65535:
        return None  # the common case, answered without urlsplit (same answer)
    return _url_problem_checked(url)


# http(s)://host[:port][/?#rest]: printable ASCII only, an ASCII host name and at
# most five port digits. urlsplit takes such a URL apart without complaint and
# finds the host, so _url_problem_checked would find nothing wrong with it
# (the port is in range when at most 65535).
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::([0-9]{1,5}))?(?:[/?#][!-~]*)?")


def _url_problem_checked(url: str) -> str | None:
    """_url_problem, worked out in full."""
    if not (url.isprintable() and " " not in url) and any(ch.isspace() for ch in url):
        return f"url '{url}' contains a space or line break"
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port
    except ValueError:
        return f"url '{url}' is not a valid web address"
    if not parts.scheme and re.match(r"^[\w-]+(\.[\w-]+)+(/|$)", url):
        return f"url '{url}' has no http:// or https:// (did you mean 'https://{url}'?)"
    if parts.scheme.lower() not in ("http", "https"):
        return f"url '{url}' must start with http:// or https://"
    if not host:
        return f"url '{url}' has no host name (e.g. https://www.example.org/...)"
    return None


def _pages_message(fmt: Any) -> str:
    """Explain that only PDFs have a page count."""
    if fmt is None:
        return "'pages' is only for PDFs: add 'format: pdf' or remove 'pages'"
    return f"'pages' is only for PDFs, but format is '{fmt}': remove 'pages' or use 'format: pdf'"


# --------------------------------------------------------------------------
# Explaining schema errors
# --------------------------------------------------------------------------


def _explain(error: ValidationError) -> list[tuple[list[str | int], str]]:
    """Turn one schema error into (path, curator message) pairs."""
    path = list(error.absolute_path)
    label = _label(path)
    value = error.instance
    if value is None and error.validator not in ("required", "additionalProperties"):
        return [(path, _type_message(label, value, "", path))]
    match error.validator:
        case "required":
            return [(path, _missing_message(name, path)) for name in _missing(error)]
        case "additionalProperties":
            allowed = list(error.schema.get("properties", {}))
            extras = [k for k in value if k not in allowed]
            return [([*path, k], _unknown_message(k, allowed)) for k in extras]
        case "type":
            return [(path, _type_message(label, value, str(error.validator_value), path))]
        case "enum":
            return [(path, _enum_message(label, value, list(error.validator_value), path))]
        case "pattern":
            return [(path, _pattern_message(label, value, path))]
        case "format":
            return [(path, f"{label} '{value}' is not a valid date (write YYYY-MM-DD)")]
        case "minimum" | "maximum":
            return [(path, _range_message(label, value, error.schema))]
        case "uniqueItems":
            index = _first_repeat(value)
            return [([*path, index], f"{label} lists '{value[index]}' more than once")]
    return [(path, f"{label or 'the file'}: {error.message}")]


def _missing(error: ValidationError) -> list[str]:
    """Required fields absent from the erroneous mapping."""
    return [name for name in error.validator_value if name not in error.instance]


def _missing_message(name: str, path: list[str | int]) -> str:
    """'missing required field', with a hint for an empty resource list."""
    if name in _LIST_KEYS and not path:
        return f"missing required field '{name}' (write '{name}: []' if there are none yet)"
    return f"missing required field '{name}'"


def _unknown_message(key: str, allowed: list[str]) -> str:
    """'unknown field', with the nearest allowed name or else the full list."""
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown field '{key}' (did you mean '{close[0]}'?)"
    return f"unknown field '{key}' (allowed: {', '.join(allowed)})"


def _type_message(label: str, value: Any, expected: str, path: list[str | int]) -> str:
    """A wrong type, named in plain words; null values are called empty."""
    if len(path) == 2 and path[0] in _LIST_KEYS:
        label, expected = f"each entry of '{path[0]}'", "object"
    if value is None:
        hint = f" (write '{path[0]}: []' for an empty list)" if _is_list_key(path) else ""
        return f"{label} has no value{hint}"
    return f"{label} must be {_TYPE_WORDS.get(expected, expected)}, not {_describe(value)}"


def _enum_message(label: str, value: Any, allowed: list[Any], path: list[str | int]) -> str:
    """A value outside its list of choices, with the nearest choice if any."""
    choices = ", ".join(str(a) for a in allowed)
    close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    if path and isinstance(path[-1], int):
        return f"{label} contains '{value}', which is not one of: {choices}{hint}"
    return f"{label} '{value}' is not one of: {choices}{hint}"


def _pattern_message(label: str, value: Any, path: list[str | int]) -> str:
    """Explain the expected form of slugs, language tags and non-blank text."""
    field = next((p for p in reversed(path) if isinstance(p, str)), "")
    if field in ("id", "hub"):
        slug = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
        hint = f" (e.g. '{slug}')" if slug else ""
        return (
            f"{label} '{value}' is not a valid id: use lower-case letters, digits and "
            f"single hyphens{hint}"
        )
    if field == "language":
        return f"language '{value}' is not a language tag such as 'en', 'fr' or 'pt-BR'"
    return f"{label} is empty"


def _range_message(label: str, value: Any, schema: dict[str, Any]) -> str:
    """A number out of range, with HTTP statuses explained as such."""
    if label.endswith("accept_status"):
        return f"{label}: {value} is not an HTTP status (100-599)"
    if "minimum" in schema and value < schema["minimum"]:
        return f"{label} must be {schema['minimum']} or more, not {value}"
    return f"{label} must be {schema['maximum']} or less, not {value}"


def _first_repeat(items: list[Any]) -> int:
    """Index of the first item equal to an earlier one."""
    seen: list[Any] = []
    for index, item in enumerate(items):
        if item in seen:
            return index
        seen.append(item)
    return 0


def _label(path: list[str | int]) -> str:
    """The field a path names, as curators write it (e.g. check.max_bytes)."""
    inner = path[2:] if path[:1] and path[0] in _LIST_KEYS and len(path) >= 2 else path
    return ".".join(str(p) for p in inner if isinstance(p, str))


def _is_list_key(path: list[str | int]) -> bool:
    """True when `path` is exactly one of the top-level lists (resources, acknowledgements)."""
    return len(path) == 1 and path[0] in _LIST_KEYS


def _describe(value: Any) -> str:
    """A short plain-words description of a YAML value."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return f"'{value}'"


@cache
def _validator() -> Draft202012Validator:
    """The catalogue schema's validator, with format (date) checking on."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


# A check of plain data against the catalogue schema that answers only "is it
# certainly valid?", far faster than jsonschema. It understands the keywords
# the schema uses; it is strict where it is unsure (True always means
# jsonschema would accept `_plain(data)`), and a schema using any other keyword
# makes it fall back to jsonschema itself.

_Check = Callable[[Any], bool]
_SCHEMA_NOTES = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default"}
)
_JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda x: type(x) is str or type(x) is dt.date,  # a date is YYYY-MM-DD text
    "integer": lambda x: type(x) is int,
    "number": lambda x: type(x) is int or type(x) is float,
    "boolean": lambda x: type(x) is bool,
    "null": lambda x: x is None,
    "array": lambda x: type(x) is list,
    "object": lambda x: type(x) is dict,
}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Unsupported(Exception):
    """The schema uses a keyword the fast check does not know."""


@cache
def _fast_validator() -> _Check:
    """The fast "certainly valid" check of the catalogue schema (with dates
    checked, as _validator does), or jsonschema's own when it cannot be built."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    try:
        return _compile_schema(schema, schema, ())
    except _Unsupported:
        return lambda data: bool(_validator().is_valid(_plain(data)))


def _compile_schema(schema: Any, root: Mapping[str, Any], refs: tuple[str, ...]) -> _Check:
    """A check for `schema` (part of `root`); `refs` are the $refs being followed."""
    if schema is True or schema == {}:
        return lambda x: True
    if not isinstance(schema, dict):
        raise _Unsupported
    checks: list[_Check] = []
    if "type" in schema:
        checks.append(_type_check(schema["type"]))
    object_keys = ("properties", "additionalProperties", "required")
    if any(k in schema for k in object_keys):
        checks.append(_object_check(schema, root, refs))
    for key, value in schema.items():
        if key in _SCHEMA_NOTES or key == "type" or key in object_keys:
            continue
        checks.append(_keyword_check(key, value, root, refs))
    return _all_of(checks)


def _keyword_check(key: str, value: Any, root: Mapping[str, Any], refs: tuple[str, ...]) -> _Check:
    """The check of one keyword (other than type and the object keywords)."""
    match key:
        case "$ref":
            if not isinstance(value, str) or not value.startswith("#/$defs/") or value in refs:
                raise _Unsupported
            target = root.get("$defs", {}).get(value.removeprefix("#/$defs/"))
            if target is None:
                raise _Unsupported
            return _compile_schema(target, root, (*refs, value))
        case "enum" if all(type(v) is str for v in value):
            allowed = frozenset(value)
            return lambda x: (text := _as_text(x)) is not None and text in allowed
        case "pattern":
            search = re.compile(value).search
            return lambda x: (text := _as_text(x)) is None or search(text) is not None
        case "format" if value == "date":
            return lambda x: type(x) is not str or _is_iso_date(x)
        case "minimum":
            return lambda x: type(x) not in (int, float) or x >= value
        case "maximum":
            return lambda x: type(x) not in (int, float) or x <= value
        case "items" if isinstance(value, dict):
            item = _compile_schema(value, root, refs)
            return lambda x: type(x) is not list or all(item(i) for i in x)
        case "uniqueItems" if value is True:
            return _unique_items
    raise _Unsupported


def _type_check(expected: Any) -> _Check:
    """The `type` keyword: one type name or a list of them."""
    names = [expected] if isinstance(expected, str) else expected
    if not isinstance(names, list) or not all(n in _JSON_TYPES for n in names):
        raise _Unsupported
    checks = [_JSON_TYPES[n] for n in names]
    return checks[0] if len(checks) == 1 else lambda x: any(c(x) for c in checks)


def _object_check(
    schema: Mapping[str, Any], root: Mapping[str, Any], refs: tuple[str, ...]
) -> _Check:
    """properties, additionalProperties (true or false) and required, together."""
    properties = {
        str(k): _compile_schema(v, root, refs) for k, v in schema.get("properties", {}).items()
    }
    extra = schema.get("additionalProperties", True)
    if extra not in (True, False):
        raise _Unsupported
    required = tuple(schema.get("required", ()))

    def check(x: Any) -> bool:
        if type(x) is not dict:
            return True
        for key, value in x.items():
            if type(key) is not str:
                return False  # _plain would turn it into text: unsure
            sub = properties.get(key)
            if sub is None:
                if not extra:
                    return False
            elif not sub(value):
                return False
        return all(name in x for name in required)

    return check


def _all_of(checks: list[_Check]) -> _Check:
    """A check passing when every one of `checks` passes."""
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    first, rest = checks[0], _all_of(checks[1:])
    return lambda x: first(x) and rest(x)


def _as_text(value: Any) -> str | None:
    """`value` as the text jsonschema sees (dates as YYYY-MM-DD), None if not text."""
    if type(value) is str:
        return value
    return value.isoformat() if type(value) is dt.date else None


def _is_iso_date(text: str) -> bool:
    """A real calendar date written YYYY-MM-DD (as jsonschema's date format)."""
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _unique_items(x: Any) -> bool:
    """uniqueItems, for lists of text and whole numbers only (others: unsure)."""
    if type(x) is not list:
        return True
    if not all(type(i) is str or type(i) is int for i in x):
        return False
    return len({(type(i), i) for i in x}) == len(x)


def _plain(node: Any) -> Any:
    """A JSON-like copy of a YAML tree for validation: dates become YYYY-MM-DD text."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    if isinstance(node, bool) or node is None:
        return node
    for kind in (int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return str(node)


# --------------------------------------------------------------------------
# Locating things in the YAML tree
# --------------------------------------------------------------------------


def _line_at(root: Any, path: Sequence[str | int]) -> int:
    """1-based line of the deepest node of `path` present in the tree."""
    node, line = root, _node_line(root)
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
        return _node_line(mapping)


def _node_line(node: Any) -> int:
    """1-based line where a mapping or list starts (1 for plain values)."""
    lc = getattr(node, "lc", None)
    return int(lc.line) + 1 if lc is not None and lc.line is not None else 1


def _entries(data: Mapping[Any, Any], key: str = "resources") -> list[Any]:
    """The entries of a file's list `key`, or none when it is not a list."""
    entries = data.get(key)
    return list(entries) if isinstance(entries, list) else []


def _entry_id(entry: Any) -> str:
    """The id an entry declares, or '-' when it has none usable."""
    rid = entry.get("id") if isinstance(entry, dict) else None
    return str(rid) if isinstance(rid, str) and rid.strip() else NO_ID


def _id_at(root: Any, path: Sequence[str | int]) -> str:
    """The id of the resource a path points into ('-' outside resources)."""
    if len(path) < 2 or path[0] not in _LIST_KEYS or not isinstance(path[1], int):
        return NO_ID
    entries = _entries(root, str(path[0])) if isinstance(root, CommentedMap) else []
    return _entry_id(entries[path[1]]) if path[1] < len(entries) else NO_ID


# --------------------------------------------------------------------------
# Across files
# --------------------------------------------------------------------------


def _cross_file_problems(files: list[_File]) -> list[Problem]:
    """Resource ids and hub slugs used twice anywhere in the catalogue."""
    problems: list[Problem] = []
    ids: dict[str, str] = {}
    hubs: dict[str, str] = {}
    for file in files:
        if isinstance(file.data, dict):
            problems += _duplicate_hub(file, hubs)
            problems += _duplicate_ids(file, ids)
    return problems


def _duplicate_hub(file: _File, seen: dict[str, str]) -> Iterator[Problem]:
    """The file's hub slug if an earlier file declared it; records it in `seen`."""
    hub = file.data.get("hub")
    if not isinstance(hub, str) or not hub:
        return
    line = file.hub_line if file.entry_lines is not None else _line_at(file.data, ["hub"])
    if hub in seen:
        yield Problem(file.label, line, NO_ID, f"hub '{hub}' is already declared at {seen[hub]}")
    else:
        seen[hub] = f"{file.label}:{line}"


def _duplicate_ids(file: _File, seen: dict[str, str]) -> Iterator[Problem]:
    """Entries of `file` whose id was used earlier; records new ids in `seen`."""
    for index, entry in enumerate(_entries(file.data)):
        rid = _entry_id(entry)
        if rid == NO_ID:
            continue
        line = _entry_line(file, index)
        if rid in seen:
            yield Problem(file.label, line, rid, f"duplicate id: also used at {seen[rid]}")
        else:
            seen[rid] = f"{file.label}:{line}"


def _entry_line(file: _File, index: int) -> int:
    """Line of resource `index` of `file` (where its first field is)."""
    if file.entry_lines is not None:
        return file.entry_lines[index]
    return _line_at(file.data, ["resources", index])


# --------------------------------------------------------------------------
# Converting to models
# --------------------------------------------------------------------------


def _hub(file: _File) -> Hub:
    """The Hub model of a valid file (which lets go of its tree)."""
    data = file.data
    slug = str(data["hub"])
    # Each entry of a fast-read tree is let go once converted, so that a big
    # file never has both all its entries and all its resources in memory.
    entries = _drained(data["resources"]) if file.entry_lines is not None else _entries(data)
    resources = tuple(
        _resource(entry, slug, SourceLocation(file.label, _entry_line(file, i)))
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


def _resource(entry: Mapping[Any, Any], hub: str, source: SourceLocation) -> Resource:
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
        added=_date(entry.get("added")),
        last_reviewed=_date(entry.get("last_reviewed")),
        notes=str(entry.get("notes", "")),
        check=_check(entry.get("check")),
    )


_NO_CHECK_OPTIONS = CheckOptions()  # shared: frozen, and most resources have no `check`


def _check(data: Any) -> CheckOptions:
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


def _date(value: Any) -> dt.date | None:
    """A validated YAML date or YYYY-MM-DD text as a date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _digest(files: list[_File]) -> str:
    """sha256 of every file's name and bytes, in name order: changes iff the catalogue does."""
    digest = hashlib.sha256()
    for name, raw in sorted((f.name, f.raw) for f in files):
        digest.update(name.encode("utf-8") + b"\0" + raw + b"\0")
    return digest.hexdigest()


# --------------------------------------------------------------------------
# Lenient loading of one file's bytes (an old revision, for --changed-since)
# --------------------------------------------------------------------------


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
    file = _parse(_File(path=Path(label), name=Path(label).name, raw=data))
    if file.problems:
        raise CatalogueError(file.problems)
    entries = _entries(file.data)
    fast = file.entry_lines is not None  # then the file has no problem at all
    bad = (set() if fast else _bad_entries(file)) | _repeated_entries(entries)
    hub = file.data.get("hub")
    slug = hub if isinstance(hub, str) else ""
    return tuple(
        _resource(entry, slug, SourceLocation(label, _entry_line(file, i)))
        for i, entry in enumerate(entries)
        if i not in bad
    )


def _parse(file: _File) -> _File:
    """Decode and parse `file.raw`; on failure `file.problems` holds the one reason."""
    try:
        text = file.raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = file.raw.count(b"\n", 0, exc.start) + 1
        return _failed(file, line, "the file is not UTF-8 text; save it as UTF-8")
    tree = _fast_tree(file.raw)
    if tree is not None and _fast_valid(tree.data):  # a valid file: read fast, as load_catalogue
        file.data, file.hub_line, file.entry_lines = tree.data, tree.hub_line, tree.entry_lines
        return file
    try:
        file.data = _yaml().load(text)
    except YAMLError as exc:
        return _failed(file, _yaml_error_line(exc), f"invalid YAML: {_yaml_error_text(exc)}")
    if not isinstance(file.data, CommentedMap) or not isinstance(
        file.data.get("resources"), CommentedSeq
    ):
        return _failed(file, _node_line(file.data), "no list of resources to read")
    return file


def _bad_entries(file: _File) -> set[int]:
    """Indexes of the entries of a parsed file that have any problem of their own."""
    bad = {
        path[1]
        for error in _validator().iter_errors(_plain(file.data))
        if len(path := list(error.absolute_path)) >= 2
        and path[0] == "resources"
        and isinstance(path[1], int)
    }
    for index, entry in enumerate(_entries(file.data)):
        if not isinstance(entry, CommentedMap) or any(_entry_problems(file, index, entry)):
            bad.add(index)
    return bad


def _repeated_entries(entries: list[Any]) -> set[int]:
    """Indexes of the entries whose id is used by another entry of the same list."""
    ids = [_entry_id(entry) for entry in entries]
    return {i for i, rid in enumerate(ids) if rid != NO_ID and ids.count(rid) > 1}


# --------------------------------------------------------------------------
# Round-trip editing (curate accept, curate acknowledge)
# --------------------------------------------------------------------------

# Field order of a catalogue entry and of an acknowledgement: a field that is
# added goes after the fields that precede it here.
RESOURCE_FIELDS = (
    "id", "title", "url", "publisher", "kind", "format", "pages", "language", "audience",
    "phases", "added", "last_reviewed", "notes", "check",
)  # fmt: skip
ACKNOWLEDGEMENT_FIELDS = ("id", "code", "reason", "by", "on", "until", "evidence")
_QUOTED_ACKNOWLEDGEMENT_FIELDS = frozenset({"reason", "by", "evidence"})
_WIDE = 1_000_000  # never fold a long line that the curator wrote on one line


@dataclass
class _Edit:
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
    edit = _open_edit(path)
    entry = _entry_with(edit.data, "resources", id=resource_id)
    if entry is None:
        raise CatalogueError([Problem(str(path), 1, resource_id, "no resource with this id here")])
    for key, value in values.items():
        _set_field(entry, key, value, RESOURCE_FIELDS)
    _save_edit(edit)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` all at once: a temporary file in the same
    folder, flushed to disk, then renamed over the original (os.replace), so a
    reader or a crash sees the old file or the new one, never half of each.
    The file keeps its permissions. Raises OSError; the temporary file is gone."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644)
        os.replace(temp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def _open_edit(path: Path, new_file: str | None = None) -> _Edit:
    """Read `path` for a round-trip edit (or start from `new_file` text when it is
    missing); refuse a file that ruamel.yaml would not write back identically."""
    if new_file is not None and not path.exists():
        return _parse_edit(path, new_file)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise _edit_error(path, 0, f"cannot read the file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise _edit_error(path, 1, "the file is not UTF-8 text; save it as UTF-8") from exc
    crlf = "\r\n" in text
    edit = _parse_edit(path, text.replace("\r\n", "\n"), raw.startswith(codecs.BOM_UTF8), crlf)
    if edit.data is not None:  # an empty or comments-only file has no layout to lose
        _check_round_trip(edit)
    return edit


def _parse_edit(path: Path, text: str, bom: bool = False, crlf: bool = False) -> _Edit:
    """Parse `text` with a round-trip YAML set up for the file's own indentation."""
    yaml = _editor(*_guess_layout(text))
    try:
        data = yaml.load(text)
    except YAMLError as exc:
        line = _yaml_error_line(exc)
        raise _edit_error(path, line, f"invalid YAML: {_yaml_error_text(exc)}") from exc
    return _Edit(path, text, data, yaml, bom, crlf)


def _editor(mapping: int, sequence: int, offset: int) -> YAML:
    """A round-trip YAML that keeps quotes, long lines and the given indentation."""
    yaml = _yaml()
    yaml.preserve_quotes = True
    yaml.width = _WIDE
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


def _check_round_trip(edit: _Edit) -> None:
    """Refuse to edit a file whose unchanged tree would not be written back as it is."""
    written = _dump(edit)
    if written == edit.text:
        return
    old, new = edit.text.split("\n"), written.split("\n")
    line = next((i + 1 for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)))
    raise _edit_error(
        edit.path,
        line,
        "curate cannot change this file without also changing its layout here (unusual "
        "indentation or quoting); make the change by hand",
    )


def _dump(edit: _Edit) -> str:
    """The YAML text of the (edited) tree."""
    out = io.StringIO()
    edit.yaml.dump(edit.data, out)
    return out.getvalue()


def _save_edit(edit: _Edit) -> None:
    """Write the edited tree back atomically, with the file's BOM and line endings."""
    text = _dump(edit)
    if edit.crlf:
        text = text.replace("\n", "\r\n")
    data = (codecs.BOM_UTF8 if edit.bom else b"") + text.encode("utf-8")
    try:
        write_bytes_atomic(edit.path, data)
    except OSError as exc:
        raise _edit_error(edit.path, 0, f"cannot save the file: {exc.strerror or exc}") from exc


def _edit_error(path: Path, line: int, message: str) -> CatalogueError:
    """A CatalogueError with the one reason an edit failed."""
    return CatalogueError([Problem(str(path), line, NO_ID, message)])


def _entry_with(data: Any, key: str, **wanted: str) -> CommentedMap | None:
    """The first entry of the list `key` whose fields have the `wanted` values."""
    if not isinstance(data, CommentedMap):
        return None
    return next(
        (e for e in _entries(data, key)
         if isinstance(e, CommentedMap) and all(e.get(k) == v for k, v in wanted.items())),
        None,
    )


def _set_field(entry: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    """Set `entry[key]`, keeping its quote style, or add it in `order`'s place."""
    if key in entry:
        entry[key] = _styled_like(entry[key], value)
        return
    before = set(order[: order.index(key)]) if key in order else set(order)
    keys = list(entry)
    position = max((i + 1 for i, k in enumerate(keys) if k in before), default=len(keys))
    tail = _take_tail(entry, keys[position - 1]) if position else ""
    entry.insert(position, key, value)
    _give_tail(entry, key, tail)


def _delete_field(entry: CommentedMap, key: str) -> None:
    """Remove `entry[key]`; the comment lines below it stay where they were."""
    keys = list(entry)
    tail = _take_tail(entry, key)
    del entry[key]
    index = keys.index(key)
    if index:
        _give_tail(entry, keys[index - 1], tail)


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


def _take_tail(node: Any, key: Any) -> str:
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


def _give_tail(node: Any, key: Any, tail: str) -> None:
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


# --------------------------------------------------------------------------
# The acknowledgements file
# --------------------------------------------------------------------------


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
    file = _read(path, path.name, _acknowledgement_problems)
    if file.problems:
        raise CatalogueError(sorted(dict.fromkeys(file.problems), key=lambda p: p.line))
    if file.data is None:
        return ()
    return tuple(
        ListEntry(
            SourceLocation(file.label, _line_at(file.data, ["acknowledgements", index])),
            {str(k): _plain_value(str(k), v) for k, v in entry.items()},
        )
        for index, entry in enumerate(_entries(file.data, "acknowledgements"))
    )


def save_acknowledgement(path: Path, fields: Mapping[str, Any], header: str) -> None:
    """Record one acknowledgement in the file, atomically, keeping its comments.

    An entry with the same id and code is updated in place (fields absent from
    `fields` are removed from it); otherwise the entry is added at the end.
    A missing file is created with `header` (comment lines) at the top.
    Raises CatalogueError as edit_resource does.
    """
    edit = _open_edit(path, new_file=header + "acknowledgements:\n")
    if edit.data is None:  # an empty file, or comments only
        start = edit.text.rstrip("\n") + "\n" if edit.text.strip() else header
        edit = _parse_edit(path, start + "acknowledgements:\n", edit.bom, edit.crlf)
        _check_round_trip(edit)
    entries = _acknowledgement_list(edit)
    values = {k: _ack_value(k, v) for k, v in fields.items() if v is not None}
    existing = _entry_with(edit.data, "acknowledgements", id=fields["id"], code=fields["code"])
    if existing is None:
        _append_entry(entries, CommentedMap((k, values[k]) for k in ACKNOWLEDGEMENT_FIELDS
                                            if k in values))
    else:
        _update_entry(existing, values, ACKNOWLEDGEMENT_FIELDS)
    _save_edit(edit)


def _acknowledgement_list(edit: _Edit) -> CommentedSeq:
    """The file's list of acknowledgements, created (block style) if it is empty."""
    if not isinstance(edit.data, CommentedMap):
        raise _edit_error(edit.path, 1, "the file must be a set of fields (acknowledgements)")
    entries = edit.data.get("acknowledgements")
    if entries is None:
        entries = edit.data["acknowledgements"] = CommentedSeq()
    if not isinstance(entries, CommentedSeq):
        raise _edit_error(edit.path, _line_at(edit.data, ["acknowledgements"]),
                          "'acknowledgements' must be a list")
    if not entries:
        entries.fa.set_block_style()
    return entries


def _append_entry(entries: CommentedSeq, entry: CommentedMap) -> None:
    """Add `entry` at the end of a block list; trailing comments stay last."""
    tail = _take_tail(entries, len(entries) - 1) if entries else ""
    entries.append(entry)
    _give_tail(entries, len(entries) - 1, tail)


def _update_entry(entry: CommentedMap, values: Mapping[str, Any], order: Sequence[str]) -> None:
    """Make `entry` hold exactly `values`, keeping comments and quote styles."""
    for key in order:
        if key in values:
            _set_field(entry, key, values[key], order)
        elif key in entry:
            _delete_field(entry, key)


def _ack_value(key: str, value: Any) -> Any:
    """A value as the acknowledgements file writes it: free text double-quoted."""
    if key in _QUOTED_ACKNOWLEDGEMENT_FIELDS and isinstance(value, str):
        return DoubleQuotedScalarString(value)
    return value


def _plain_value(key: str, value: Any) -> Any:
    """A validated YAML value as plain Python: dates as dates, text as str."""
    if key in ("on", "until", "added", "last_reviewed"):
        return _date(value)
    return str(value) if isinstance(value, str) else value


def _acknowledgement_problems(file: _File) -> Iterator[Problem]:
    """Shape, schema and semantic problems of an acknowledgements file."""
    data = file.data
    if data is None:
        return
    if not isinstance(data, CommentedMap):
        yield Problem(file.label, _node_line(data), NO_ID,
                      f"the file must be a set of fields (acknowledgements), not {_describe(data)}")
        return
    yield from _schema_problems(file, _acknowledgement_validator())
    seen: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(_entries(data, "acknowledgements")):
        if isinstance(entry, CommentedMap):
            yield from _acknowledgement_entry_problems(file, index, entry, seen)


def _acknowledgement_entry_problems(
    file: _File, index: int, entry: CommentedMap, seen: dict[tuple[str, str], int]
) -> Iterator[Problem]:
    """`until` before `on`, and an id and code acknowledged twice."""
    rid = _entry_id(entry)
    path: list[str | int] = ["acknowledgements", index]
    on, until = entry.get("on"), entry.get("until")
    if isinstance(on, dt.date) and isinstance(until, dt.date) and until < on:
        yield Problem(file.label, _line_at(file.data, [*path, "until"]), rid,
                      f"until {until.isoformat()} is before on {on.isoformat()}")
    key, line = (rid, str(entry.get("code"))), _line_at(file.data, path)
    if rid != NO_ID and key in seen:
        yield Problem(file.label, line, rid,
                      f"'{key[1]}' is acknowledged twice (also at line {seen[key]}); keep one")
    seen.setdefault(key, line)


@cache
def _acknowledgement_validator() -> Draft202012Validator:
    """The acknowledgements schema's validator, with format (date) checking on."""
    schema = json.loads(ACKNOWLEDGEMENTS_SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
