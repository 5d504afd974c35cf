"""Title normalisation and the loose comparison behind `title-changed`."""

from __future__ import annotations

import re
import sys

import pytest

from pipeline.extract.titles import normalise_title, normalise_whitespace, titles_match


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("CAR-T Cell Therapy", "car-t cell therapy"),
        ("  Side\teffects\n of   CAR-T  ", "side effects of car-t"),
        ("Fatigue\u00a0and\u00a0CAR-T", "fatigue and car-t"),
        ("\u6cbb\u7597\u3000\u6307\u5357", "\u6cbb\u7597 \u6307\u5357"),
        ("PG&amp;E begins", "pg&e begins"),
        ("Caf&eacute; &#8211; menu", "caf\u00e9 \u2013 menu"),
        ("\uff23\uff21\uff32\uff0d\uff34", "car-t"),  # full-width forms (NFKC)
        ("STRASSE", "strasse"),
        ("Stra\u00dfe", "strasse"),  # casefold, not lower()
        ("", ""),
    ],
)
def test_normalise_title(raw: str, normalised: str) -> None:
    assert normalise_title(raw) == normalised


@pytest.mark.parametrize(
    ("expected", "observed"),
    [
        ("CAR-T Cell Therapy Program", "CAR-T Cell Therapy Program"),
        ("car-t cell therapy program", "CAR-T  Cell Therapy\u00a0Program"),
        ("CAR-T Cell Therapy Program", "CAR-T Cell Therapy Program - Mayo Clinic"),
        ("CAR-T Cell Therapy Program - Mayo Clinic", "CAR-T Cell Therapy Program"),
        ("Overview", "Mayo Clinic | Overview"),
        ("Living with CAR-T", "Living with CAR-T \u2013 Leukaemia Care"),
        ("Living with CAR-T", "Living with CAR-T \u2014 Leukaemia Care"),
        ("Glossary", "Glossary :: Blood Cancer UK"),
        ("Standalone binaries", "Standalone binaries \u00b7 V8"),
        ("Living with CAR-T.", "Living with CAR-T"),
        (
            "Les Fran\u00e7ais travaillent-ils trop peu ?",
            "Les Fran\u00e7ais travaillent-ils trop peu",
        ),
        ("What is CAR-T?", "What is CAR-T? | NHS"),
        ("PG&amp;E begins new mass power shutoff", "PG&E begins new mass power shutoff"),
        ("A - B", "A - B - Site"),  # one suffix removed from the observed title
    ],
)
def test_titles_match(expected: str, observed: str) -> None:
    assert titles_match(expected, observed)


@pytest.mark.parametrize(
    ("expected", "observed"),
    [
        ("CAR-T Cell Therapy Program", "Page not found"),
        ("CAR-T Cell Therapy Program", "CAR-T Cell Therapy"),
        ("Overview", "Symptoms and causes - Mayo Clinic"),
        # Sharing only the site name is not a match.
        ("Mayo Clinic | Overview", "Mayo Clinic | Side effects"),
        ("Overview - Mayo Clinic", "Risks - Mayo Clinic"),
        # A hyphen inside a word is not a separator.
        ("CAR", "CAR-T"),
        ("T", "CAR-T"),
        # Only one affix is cut: "B" is not "A - B - Site" minus a site.
        ("B", "A - B - Site"),
        ("Living with CAR-T", "Living with myeloma"),
        ("CAR-T Cell Therapy Program", ""),
        ("", "CAR-T Cell Therapy Program"),
    ],
)
def test_titles_do_not_match(expected: str, observed: str) -> None:
    assert not titles_match(expected, observed)


def test_normalise_whitespace_collapses_exactly_what_backslash_s_matches() -> None:
    # Stored titles and fingerprinted text were normalised with re.sub(r"\s+", " ").
    spaces = [
        chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace() or re.match(r"\s", chr(c))
    ]
    text = " a".join(spaces) + "\x1c\x1fb\u200bc\ufeffd \u00a0 "
    assert normalise_whitespace(text) == re.sub(r"\s+", " ", text).strip()
