"""The curator-facing wording: each schema error turned into plain-words messages.

jsonschema says what is wrong in its terms ("'pfd' is not one of [...]");
a curator reads "format 'pfd' is not one of: pdf, html, video, image (did you
mean 'pdf'?)". Each message names the field as the curator writes it
(check.max_bytes), says what was found, and suggests the nearest fix.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

from jsonschema import ValidationError

from pipeline.catalogue.problems import LIST_KEYS

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a set of fields (name: value)",
}



def explain(error: ValidationError) -> list[tuple[list[str | int], str]]:
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
    if name in LIST_KEYS and not path:
        return f"missing required field '{name}' (write '{name}: []' if there are none yet)"
    return f"missing required field '{name}'"


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """The hint " (did you mean 'X'?)" naming the closest of `known` to a
    mistyped `name`, '' when none is close (catalogue and review messages)."""
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unknown_message(key: str, allowed: list[str]) -> str:
    """'unknown field', with the nearest allowed name or else the full list."""
    hint = did_you_mean(str(key), allowed)
    return f"unknown field '{key}'" + (hint or f" (allowed: {', '.join(allowed)})")


def _type_message(label: str, value: Any, expected: str, path: list[str | int]) -> str:
    """A wrong type, named in plain words; null values are called empty."""
    if len(path) == 2 and path[0] in LIST_KEYS:
        label, expected = f"each entry of '{path[0]}'", "object"
    if value is None:
        hint = f" (write '{path[0]}: []' for an empty list)" if _is_list_key(path) else ""
        return f"{label} has no value{hint}"
    return f"{label} must be {_TYPE_WORDS.get(expected, expected)}, not {describe(value)}"


def _enum_message(label: str, value: Any, allowed: list[Any], path: list[str | int]) -> str:
    """A value outside its list of choices, with the nearest choice if any."""
    choices = ", ".join(str(a) for a in allowed)
    hint = did_you_mean(str(value), [str(a) for a in allowed])
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
    inner = path[2:] if path[:1] and path[0] in LIST_KEYS and len(path) >= 2 else path
    return ".".join(str(p) for p in inner if isinstance(p, str))


def _is_list_key(path: list[str | int]) -> bool:
    """True when `path` is exactly one of the top-level lists (resources, acknowledgements)."""
    return len(path) == 1 and path[0] in LIST_KEYS


def describe(value: Any) -> str:
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


def pages_message(fmt: Any) -> str:
    """Explain that only PDFs have a page count."""
    if fmt is None:
        return "'pages' is only for PDFs: add 'format: pdf' or remove 'pages'"
    return f"'pages' is only for PDFs, but format is '{fmt}': remove 'pages' or use 'format: pdf'"
