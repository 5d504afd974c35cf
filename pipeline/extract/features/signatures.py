"""How a trace of a vendor or a wall is written down, and how traces are found.

A `Signature` ties a marker ("<family>:<name>") to the part of the page it
is looked for in (`Where`) and a lower-case needle, optionally confirmed by
a regex. The tables live with the evidence they describe (walls.py,
interstitials.py, registration.py); the types, the builders and the scan
live here, so every table and every scanner imports one module and no
table imports another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Parked pages are short and say so at the top; the same words deep in a
# long article are a mention ("the domain is for sale" in a news story).
PARKING_TEXT_CHARS = 5_000


class Where(StrEnum):
    """Which part of the page a signature is looked for in."""

    CODE = "code"  # attributes as name=value (not link targets), inline scripts, comments
    TOKENS = "tokens"  # id and class names, space-separated
    EMBED = "embed"  # tag name and attributes of iframe/embed/object/video/... elements
    TITLE = "title"  # the <title>
    TEXT = "text"  # <title> plus the visible text
    LEAD = "lead"  # <title> plus the first PARKING_TEXT_CHARS of visible text


@dataclass(frozen=True)
class Signature:
    """A recognisable trace of a vendor or a wall.

    `needle` is lower-case and must occur in the haystack; `pattern`, when
    set, must also match there (word or domain boundaries that a plain
    substring cannot express).
    """

    marker: str
    where: Where
    needle: str
    pattern: re.Pattern[str] | None = None


def substrings(marker: str, where: Where, *needles: str) -> tuple[Signature, ...]:
    """Signatures for one marker from several plain substrings."""
    return tuple(Signature(marker, where, needle.lower()) for needle in needles)


def domains(marker: str, *names: str) -> tuple[Signature, ...]:
    """Signatures for a registrable domain or its subdomains in the markup.

    Bounded so that "dan.com" does not match "jordan.com" or "dan.community".
    """
    return tuple(
        Signature(marker, Where.CODE, d, re.compile(rf"(?<![\w-]){re.escape(d)}(?![\w-])"))
        for d in names
    )


def phrase(marker: str, where: Where, needle: str, pattern: str) -> Signature:
    """A signature confirmed by a regex (kept free of nested quantifiers)."""
    return Signature(marker, where, needle, re.compile(pattern))


# What the scans loop over: each place's signatures as (needle, pattern, marker).
Needles = dict[Where, tuple[tuple[str, re.Pattern[str] | None, str], ...]]


def needles_by_place(signatures: tuple[Signature, ...]) -> Needles:
    """Signatures as (needle, pattern, marker), grouped by where they are looked for."""
    return {
        where: tuple((s.needle, s.pattern, s.marker) for s in signatures if s.where is where)
        for where in Where
    }


def found_markers(needles: Needles, places: dict[Where, str]) -> set[str]:
    """Markers of the signatures found in each place (same test as `matches`).

    Signatures come grouped by place as (needle, pattern, marker): one
    inlined test per signature, no call, on the hot path of every page.
    """
    found = set()
    for where, haystack in places.items():
        for needle, pattern, marker in needles.get(where, ()):
            if needle in haystack and (pattern is None or pattern.search(haystack)):
                found.add(marker)
    return found


def matches(signature: Signature, haystack: str) -> bool:
    """Whether a signature occurs in a haystack (needle first: it is cheap)."""
    if signature.needle not in haystack:
        return False
    return signature.pattern is None or signature.pattern.search(haystack) is not None
