"""Title normalisation and comparison for the `title-changed` finding.

The catalogue holds the title as a curator typed it; pages and PDFs carry
their own. The two rarely agree byte for byte (entities, no-break spaces,
case, a site name glued on with " | "), so the judge compares them loosely
here. Pure string functions: no I/O.
"""

from __future__ import annotations

import html
import unicodedata

# Separators sites use to glue their own name onto a page title
# ("Overview - Mayo Clinic", "Mayo Clinic | Overview"). Spaces on both sides
# are required so that hyphenated words ("CAR-T") are never split.
# Escapes: en dash U+2013, em dash U+2014, middle dot U+00B7.
SITE_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ", " \u00b7 ")

# Punctuation a title may gain or lose at its end between two editions
# ("Living with CAR-T." vs "Living with CAR-T", "FAQ:" vs "FAQ").
# Escapes: ellipsis U+2026 and the dashes and dot above.
_TRAILING_PUNCTUATION = ".,;:!?|-\u2026\u00b7\u2013\u2014"


def normalise_whitespace(s: str) -> str:
    """Collapse every run of Unicode whitespace to one space and trim.

    Unicode whitespace includes U+00A0 (no-break space) and U+3000
    (ideographic space), which real titles contain. str.split() splits at
    exactly the characters `\\s` matches in a str pattern (str.isspace), and
    is several times faster than re.sub on page-sized text.
    """
    return " ".join(s.split())


def normalise_title(s: str) -> str:
    """Reduce a title to a canonical form for comparison.

    Decodes HTML character references (catalogues sometimes hold `&amp;`),
    applies NFKC (full-width and compatibility forms), collapses whitespace
    and casefolds.
    """
    decoded = html.unescape(s)
    folded = unicodedata.normalize("NFKC", decoded)
    return normalise_whitespace(folded).casefold()


def titles_match(expected: str, observed: str) -> bool:
    """Whether an observed title is the expected one, allowing a site affix.

    True when both normalise to the same text, or when one of them equals
    the other with one site name cut from its start or end (at one of
    SITE_SEPARATORS), ignoring trailing punctuation. Two titles that merely
    share a site name ("Mayo Clinic | Overview" and "Mayo Clinic | Risks")
    do not match: the remainder must equal the whole other title.
    """
    left = _strip_trailing_punctuation(normalise_title(expected))
    right = _strip_trailing_punctuation(normalise_title(observed))
    if not left or not right:
        return left == right
    return left == right or left in _strip_site_affix(right) or right in _strip_site_affix(left)


def _strip_site_affix(title: str) -> set[str]:
    """The title with one site prefix or suffix removed, every way it can be.

    Only one segment is cut, at the outermost separator on either side, so
    "A - B - Site" yields "A - B" and "B - Site", never "B" alone.
    """
    cores: set[str] = set()
    for separator in SITE_SEPARATORS:
        head, sep, _ = title.rpartition(separator)
        if sep:
            cores.add(_strip_trailing_punctuation(head))
        _, sep, tail = title.partition(separator)
        if sep:
            cores.add(_strip_trailing_punctuation(tail))
    cores.discard("")
    return cores


def _strip_trailing_punctuation(s: str) -> str:
    """Drop punctuation and spaces at the end of an already-normalised title."""
    return s.rstrip(_TRAILING_PUNCTUATION + " ")
