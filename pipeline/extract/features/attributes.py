"""Attribute values as bounded strings, shared by every reader of the tree.

An attribute value may come as a string, a list or None; the markup walk,
the forms and the metadata readers all need one string, and
MAX_ATTRIBUTE_CHARS is how much of one value any of them reads.
"""

from __future__ import annotations

from typing import Any

# An element of a parsed page: an lxml element, or a tree.Node.
Element = Any
MAX_ATTRIBUTE_CHARS = 4_000  # per attribute value: skips most of a data: URI


def attribute_text(value: object) -> str:
    """An attribute value as one string ("" when missing)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)
