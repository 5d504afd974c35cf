"""Is the catalogue right? The schema, the checks a schema cannot express, and
the checks across files, each problem located and worded for curators.

The schema (schemas/catalogue.schema.json) is checked by libraries: a yes/no
pass by fastjsonschema (compiled from the same file, with the same calendar
check of dates as jsonschema's), and, for a file that fails it, jsonschema,
whose errors say where and why (worded by messages.py). What a schema cannot
say: real http(s) addresses with a host, `pages` only on PDFs, resource ids
and hub slugs used once across all files.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import fastjsonschema
from jsonschema import Draft202012Validator
from ruamel.yaml.comments import CommentedMap

from pipeline import SCHEMAS_DIR
from pipeline.catalogue.files import SourceFile
from pipeline.catalogue.messages import describe, explain, pages_message
from pipeline.catalogue.problems import NO_ID, Problem
from pipeline.catalogue.yaml import entries_of, entry_id, id_at, line_at, node_line

SCHEMA_PATH = SCHEMAS_DIR / "catalogue.schema.json"
ACKNOWLEDGEMENTS_SCHEMA_PATH = SCHEMA_PATH.with_name("acknowledgements.schema.json")
# fastjsonschema knows drafts 4 to 7; the schema's keywords (type, properties,
# required, additionalProperties, enum, pattern, format, minimum, maximum,
# items, uniqueItems, $ref into $defs) mean the same in draft 7 as in 2020-12.
_DRAFT_7 = "http://json-schema.org/draft-07/schema#"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def schema_of(path: Path) -> dict[str, Any]:
    """A schema file, read once per run; each caller gets its own copy, since
    the validators' compilers annotate what they are given (fastjsonschema
    would then resolve a part's $ref against the whole schema's remote $id)."""
    schema: dict[str, Any] = copy.deepcopy(_schema_file(path))
    return schema


@cache
def _schema_file(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def schema_validator(path: Path) -> Draft202012Validator:
    """jsonschema's validator of a schema file, with format (date) checking on."""
    return Draft202012Validator(schema_of(path),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def catalogue_validator() -> Draft202012Validator:
    """jsonschema's validator of the catalogue schema."""
    return schema_validator(SCHEMA_PATH)


@cache
def quick_check(part: str = "") -> Callable[[Any], bool]:
    """True when plain data (dates as YYYY-MM-DD text) is valid against the
    catalogue schema (or, with `part`, against its $defs/part, e.g. one
    resource): fastjsonschema's compiled check of the schema file."""
    schema = {**schema_of(SCHEMA_PATH), "$schema": _DRAFT_7}
    if part:
        schema = {"$schema": _DRAFT_7, "$defs": schema["$defs"], "$ref": f"#/$defs/{part}"}
    check = fastjsonschema.compile(schema, formats={"date": is_iso_date})

    def valid(data: Any) -> bool:
        try:
            check(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return valid


@cache
def entry_validator() -> Draft202012Validator:
    """jsonschema's validator of one resource (the schema's $defs/resource)."""
    entry = {"$defs": schema_of(SCHEMA_PATH)["$defs"], "$ref": "#/$defs/resource"}
    return Draft202012Validator(entry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def fast_valid(data: Any) -> bool:
    """True when a fast-read file certainly has no problem of its own: it
    passes the schema and the checks a schema cannot express. False means
    there may be one, and ruamel.yaml must read the file to locate it."""
    if not isinstance(data, dict) or not quick_check()(data):
        return False
    return not any(any(entry_issues(e)) for e in data["resources"])


# -- problems inside one file ------------------------------------------------------


def file_problems(file: SourceFile) -> Iterator[Problem]:
    """Shape, schema and semantic problems of one parsed file."""
    data = file.data
    if data is None:
        yield Problem(file.label, 1, NO_ID, "the file is empty; it needs hub, title and resources")
        return
    if not isinstance(data, CommentedMap):
        line = node_line(data)
        what = describe(data)
        yield Problem(
            file.label,
            line,
            NO_ID,
            f"the file must be a set of fields (hub, title, resources), not {what}",
        )
        return
    yield from schema_problems(file)
    for index, entry in enumerate(entries_of(data)):
        yield from entry_problems(file, index, entry)


def schema_problems(
    file: SourceFile, validator: Draft202012Validator | None = None
) -> Iterator[Problem]:
    """Every schema violation of `file`, each worded and located for curators
    (against the catalogue schema unless another validator is given)."""
    for error in (validator or catalogue_validator()).iter_errors(plain(file.data)):
        for path, message in explain(error):
            line = line_at(file.data, path)
            yield Problem(file.label, line, id_at(file.data, path), message)


def entry_problems(file: SourceFile, index: int, entry: Any) -> Iterator[Problem]:
    """Checks on one resource that the schema cannot express."""
    if not isinstance(entry, CommentedMap):
        return
    rid = entry_id(entry)
    for field, message in entry_issues(entry):
        yield Problem(file.label, line_at(file.data, ["resources", index, field]), rid, message)


def entry_issues(entry: Mapping[Any, Any]) -> Iterator[tuple[str, str]]:
    """(field, message) for each check on one resource that the schema cannot express."""
    url = entry.get("url")
    if isinstance(url, str) and url.strip() and (message := url_problem(url)):
        yield "url", message
    if "pages" in entry and entry.get("format") != "pdf":
        yield "pages", pages_message(entry.get("format"))


def url_problem(url: str) -> str | None:
    """Why `url` is not an http(s) address with a host, or None when it is fine."""
    if (simple := _PLAIN_URL.fullmatch(url)) and int(simple[1] or 0) <= 65535:
        return None  # the common case, answered without urlsplit (same answer)
    return url_problem_checked(url)


# http(s)://host[:port][/?#rest]: printable ASCII only, an ASCII host name and at
# most five port digits. urlsplit takes such a URL apart without complaint and
# finds the host, so url_problem_checked would find nothing wrong with it
# (the port is in range when at most 65535).
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::([0-9]{1,5}))?(?:[/?#][!-~]*)?")


def url_problem_checked(url: str) -> str | None:
    """url_problem, worked out in full."""
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



def is_iso_date(text: str) -> bool:
    """A real calendar date written YYYY-MM-DD (as jsonschema's date format)."""
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True



def plain(node: Any) -> Any:
    """A JSON-like copy of a YAML tree for validation: dates become YYYY-MM-DD text."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, (dt.date, dt.datetime)):
        return node.isoformat()
    if isinstance(node, bool) or node is None:
        return node
    for kind in (int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return str(node)



# -- across files ---------------------------------------------------------------


def cross_file_problems(files: Sequence[SourceFile]) -> list[Problem]:
    """Resource ids and hub slugs used twice anywhere in the catalogue."""
    problems: list[Problem] = []
    ids: dict[str, str] = {}
    hubs: dict[str, str] = {}
    for file in files:
        if isinstance(file.data, dict):
            problems += _duplicate_hub(file, hubs)
            problems += _duplicate_ids(file, ids)
    return problems


def _duplicate_hub(file: SourceFile, seen: dict[str, str]) -> Iterator[Problem]:
    """The file's hub slug if an earlier file declared it; records it in `seen`."""
    hub = file.data.get("hub")
    if not isinstance(hub, str) or not hub:
        return
    line = file.hub_line if file.entry_lines is not None else line_at(file.data, ["hub"])
    if hub in seen:
        yield Problem(file.label, line, NO_ID, f"hub '{hub}' is already declared at {seen[hub]}")
    else:
        seen[hub] = f"{file.label}:{line}"


def _duplicate_ids(file: SourceFile, seen: dict[str, str]) -> Iterator[Problem]:
    """Entries of `file` whose id was used earlier; records new ids in `seen`."""
    for index, entry in enumerate(entries_of(file.data)):
        rid = entry_id(entry)
        if rid == NO_ID:
            continue
        line = entry_line(file, index)
        if rid in seen:
            yield Problem(file.label, line, rid, f"duplicate id: also used at {seen[rid]}")
        else:
            seen[rid] = f"{file.label}:{line}"


def entry_line(file: SourceFile, index: int) -> int:
    """Line of resource `index` of `file` (where its first field is)."""
    if file.entry_lines is not None:
        return file.entry_lines[index]
    return line_at(file.data, ["resources", index])
