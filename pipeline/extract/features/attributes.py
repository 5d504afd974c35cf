"""Attribute values as bounded strings, shared by every reader of the tree.

Elements of a parsed page (lxml's, or tree.Node) hold each attribute as one
string, class-like ones included, or None when it is missing; the markup
walk, the forms and the metadata readers all want a string, and
MAX_ATTRIBUTE_CHARS is how much of one value any of them reads.
"""

from __future__ import annotations

from typing import Any

# An element of a parsed page: an lxml element, or a tree.Node.
Element = Any
MAX_ATTRIBUTE_CHARS = 4_000  # per attribute value: skips most of a data: URI


def attribute_text(value: str | None) -> str:
    """An attribute value as a string ("" when missing)."""
    return value or ""
