"""Markers found in the visible text and the title: walls and interstitials that say so.

Parked landers, challenge pages and registration or log-in walls are often
recognisable only by what they say ("This domain is for sale", "Just a
moment...", "Register to watch"). Script text is never read here.
"""

from __future__ import annotations

import unicodedata

from pipeline.extract.features.interstitials import akamai_denied
from pipeline.extract.features.markers import TEXT_PLACE_SIGNATURES
from pipeline.extract.features.signatures import (
    PARKING_TEXT_CHARS,
    Where,
    found_markers,
    needles_by_place,
)
from pipeline.extract.titles import normalise_whitespace

_TEXT_PLACE_NEEDLES = needles_by_place(TEXT_PLACE_SIGNATURES)

def read_text_markers(text: str, title: str | None) -> frozenset[str]:
    """Markers found in the visible text and the title (never in script text).

    Matching is case-insensitive on whitespace-normalised NFKC text, with
    typographic apostrophes read as "'".
    """
    folded_title = fold(title or "")
    folded_text = fold(text)
    places = {
        Where.TITLE: folded_title,
        Where.TEXT: f"{folded_title} {folded_text}",
        Where.LEAD: f"{folded_title} {folded_text[:PARKING_TEXT_CHARS]}",
    }
    found = found_markers(_TEXT_PLACE_NEEDLES, places)
    if akamai_denied(folded_title, folded_text):
        found.add("challenge:akamai")
    return frozenset(found)


def fold(text: str) -> str:
    """Text as the phrase signatures expect it: NFKC, casefolded, one space.

    NFKC turns "…" into "..." (Cloudflare's title) and full-width letters
    into ASCII; curly apostrophes become straight ones.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return normalise_whitespace(folded)
