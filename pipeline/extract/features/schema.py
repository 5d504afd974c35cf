"""What the page declares about its own access: schema.org isAccessibleForFree.

Publishers declare a paywalled article "not free" in JSON-LD or microdata
so that search engines do not take the teaser for cloaking; with a short
text, the judge reads "not free" as a paywall. JSON-LD is untrusted JSON,
so blocks, sizes and nodes walked are capped and broken blocks are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import islice

from pipeline.extract.features.attributes import attribute_text
from pipeline.extract.tree import Document, get_text, matching

MAX_JSON_LD_BLOCKS = 20
MAX_JSON_LD_CHARS = 200_000
MAX_JSON_NODES = 10_000

_LD_JSON = re.compile(r"ld\+json", re.IGNORECASE)
_ITEMPROP_FREE = re.compile(r"(?:^|\s)isaccessibleforfree(?:\s|$)", re.IGNORECASE)


def schema_markers(document: Document) -> set[str]:
    """schema:not-free / schema:free from JSON-LD and microdata declarations."""
    values = [*_json_ld_free_values(document), *_microdata_free_values(document)]
    found = set()
    if False in values:
        found.add("schema:not-free")
    if True in values:
        found.add("schema:free")
    return found


def _json_ld_free_values(document: Document) -> Iterator[bool]:
    """isAccessibleForFree values of every JSON-LD block; invalid JSON is skipped."""
    scripts = matching(document.iter("script"), "type", _LD_JSON)
    for script in islice(scripts, MAX_JSON_LD_BLOCKS):
        source = get_text(script)
        if len(source) > MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(source)
        except (ValueError, RecursionError):  # broken JSON-LD is common on real pages
            continue
        yield from _free_values(data)


def _free_values(data: object) -> Iterator[bool]:
    """Walk a JSON value (lists, @graph, nested objects) for isAccessibleForFree.

    Iterative and capped at MAX_JSON_NODES; keys may be prefixed
    ("schema:isAccessibleForFree", "http://schema.org/isAccessibleForFree").
    """
    stack, visited = [data], 0
    while stack and visited < MAX_JSON_NODES:
        node, visited = stack.pop(), visited + 1
        if isinstance(node, list):
            stack.extend(node[:MAX_JSON_NODES])
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str) and key.lower().endswith("isaccessibleforfree"):
                    truth = _truth(value)
                    if truth is not None:
                        yield truth
                if isinstance(value, dict | list):
                    stack.append(value)


def _truth(value: object) -> bool | None:
    """true/false as JSON-LD writes it: a boolean, "False", "http://schema.org/False",
    {"@value": false} or a one-element list."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("@value", value.get("@id"))
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower().rsplit("/", 1)[-1]
        return {"false": False, "true": True}.get(word)
    return None


def _microdata_free_values(document: Document) -> Iterator[bool]:
    """isAccessibleForFree from microdata: <meta itemprop=... content="False">."""
    declarations = matching(document.elements(), "itemprop", _ITEMPROP_FREE)
    for element in islice(declarations, MAX_JSON_LD_BLOCKS):
        value = element.get("content") or element.get("href") or get_text(element)
        truth = _truth(attribute_text(value)[:100])
        if truth is not None:
            yield truth
