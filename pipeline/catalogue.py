"""Load the catalogue: the YAML files that say what each hub promises patients.

This is the only module that reads YAML. It validates every file against
schemas/catalogue.schema.json, adds the checks a schema cannot express (real
web addresses, ids unique across files, page counts only on PDFs) and turns
the result into the typed models of pipeline.models.

A catalogue that does not load is never half-used: every problem in every file
is collected, then raised at once as a CatalogueError whose lines read
`FILE:LINE: id: message`, worded for curators rather than programmers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import YAMLError

from pipeline.models import Catalogue, CheckOptions, Format, Hub, Resource, SourceLocation

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "catalogue.schema.json"
YAML_SUFFIXES = (".yaml", ".yml")
NO_ID = "-"

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
    name (hidden files, such as editor lock files, are ignored). A path that does
    not exist, or a folder without catalogue files, raises CatalogueError.
    """
    return [path for path, _ in _expand(paths)]


def load_catalogue(paths: Sequence[Path | str]) -> Catalogue:
    """Load, validate and convert the catalogue files found under `paths`.

    Raises CatalogueError listing every problem across all files, so a curator
    can fix them in one go; nothing is returned for a half-valid catalogue.
    """
    files = [_read(path, name) for path, name in _expand(paths)]
    problems = [p for f in files for p in f.problems]
    problems += _cross_file_problems(files)
    if problems:
        order = {f.label: i for i, f in enumerate(files)}
        unique = dict.fromkeys(problems)
        raise CatalogueError(sorted(unique, key=lambda p: (order.get(p.file, 0), p.line)))
    hubs = tuple(_hub(f) for f in files)
    return Catalogue(hubs=hubs, digest=_digest(files))


# --------------------------------------------------------------------------
# Finding and reading files
# --------------------------------------------------------------------------


@dataclass
class _File:
    """One catalogue file: where it is, its bytes, its YAML tree and its problems."""

    path: Path
    name: str
    raw: bytes = b""
    data: Any = None
    problems: tuple[Problem, ...] = ()

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
        if p.suffix in YAML_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


def _read(path: Path, name: str) -> _File:
    """Read and parse one file, then collect everything wrong inside it."""
    file = _File(path=path, name=name)
    try:
        file.raw = path.read_bytes()
        text = file.raw.decode("utf-8-sig")
    except OSError as exc:
        return _failed(file, 0, f"cannot read the file: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        line = file.raw.count(b"\n", 0, exc.start) + 1
        return _failed(file, line, "the file is not UTF-8 text; save it as UTF-8")
    try:
        file.data = _yaml().load(text)
    except YAMLError as exc:
        return _failed(file, _yaml_error_line(exc), f"invalid YAML: {_yaml_error_text(exc)}")
    file.problems = tuple(_file_problems(file))
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


def _schema_problems(file: _File) -> Iterator[Problem]:
    """Every schema violation of `file`, each worded and located for curators."""
    for error in _validator().iter_errors(_plain(file.data)):
        for path, message in _explain(error):
            line = _line_at(file.data, path)
            yield Problem(file.label, line, _id_at(file.data, path), message)


def _entry_problems(file: _File, index: int, entry: Any) -> Iterator[Problem]:
    """Checks on one resource that the schema cannot express."""
    if not isinstance(entry, CommentedMap):
        return
    rid = _entry_id(entry)
    url = entry.get("url")
    if isinstance(url, str) and url.strip() and (message := _url_problem(url)):
        yield Problem(file.label, _line_at(file.data, ["resources", index, "url"]), rid, message)
    if "pages" in entry and entry.get("format") != "pdf":
        line = _line_at(file.data, ["resources", index, "pages"])
        yield Problem(file.label, line, rid, _pages_message(entry.get("format")))


def _url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) address with a host, or None when it is fine."""
    if any(ch.isspace() for ch in url):
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
    if name == "resources" and not path:
        return "missing required field 'resources' (write 'resources: []' if there are none yet)"
    return f"missing required field '{name}'"


def _unknown_message(key: str, allowed: list[str]) -> str:
    """'unknown field', with the nearest allowed name or else the full list."""
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown field '{key}' (did you mean '{close[0]}'?)"
    return f"unknown field '{key}' (allowed: {', '.join(allowed)})"


def _type_message(label: str, value: Any, expected: str, path: list[str | int]) -> str:
    """A wrong type, named in plain words; null values are called empty."""
    if len(path) == 2 and path[0] == "resources":
        label, expected = "each entry of 'resources'", "object"
    if value is None:
        hint = " (write 'resources: []' for an empty list)" if path == ["resources"] else ""
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
    inner = path[2:] if path[:1] == ["resources"] and len(path) >= 2 else path
    return ".".join(str(p) for p in inner if isinstance(p, str))


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


def _entries(data: CommentedMap) -> list[Any]:
    """The resource entries of a file, or none when 'resources' is not a list."""
    resources = data.get("resources")
    return list(resources) if isinstance(resources, CommentedSeq) else []


def _entry_id(entry: Any) -> str:
    """The id an entry declares, or '-' when it has none usable."""
    rid = entry.get("id") if isinstance(entry, CommentedMap) else None
    return str(rid) if isinstance(rid, str) and rid.strip() else NO_ID


def _id_at(root: Any, path: Sequence[str | int]) -> str:
    """The id of the resource a path points into ('-' outside resources)."""
    if len(path) < 2 or path[0] != "resources" or not isinstance(path[1], int):
        return NO_ID
    entries = _entries(root) if isinstance(root, CommentedMap) else []
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
        if isinstance(file.data, CommentedMap):
            problems += _duplicate_hub(file, hubs)
            problems += _duplicate_ids(file, ids)
    return problems


def _duplicate_hub(file: _File, seen: dict[str, str]) -> Iterator[Problem]:
    """The file's hub slug if an earlier file declared it; records it in `seen`."""
    hub = file.data.get("hub")
    if not isinstance(hub, str) or not hub:
        return
    line = _line_at(file.data, ["hub"])
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
        line = _line_at(file.data, ["resources", index])
        if rid in seen:
            yield Problem(file.label, line, rid, f"duplicate id: also used at {seen[rid]}")
        else:
            seen[rid] = f"{file.label}:{line}"


# --------------------------------------------------------------------------
# Converting to models
# --------------------------------------------------------------------------


def _hub(file: _File) -> Hub:
    """The Hub model of a valid file."""
    data = file.data
    slug = str(data["hub"])
    resources = tuple(
        _resource(entry, slug, SourceLocation(file.label, _line_at(data, ["resources", i])))
        for i, entry in enumerate(_entries(data))
    )
    return Hub(
        slug=slug,
        title=str(data["title"]),
        description=str(data.get("description", "")),
        source=file.label,
        resources=resources,
    )


def _resource(entry: CommentedMap, hub: str, source: SourceLocation) -> Resource:
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


def _check(data: Any) -> CheckOptions:
    """The CheckOptions of a valid `check` mapping (defaults when absent)."""
    if not data:
        return CheckOptions()
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
    bad = _bad_entries(file) | _repeated_entries(entries)
    hub = file.data.get("hub")
    slug = hub if isinstance(hub, str) else ""
    return tuple(
        _resource(entry, slug, SourceLocation(label, _line_at(file.data, ["resources", i])))
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
