"""Headings and meta refresh (features/structure.py): order, normalisation, caps."""

from __future__ import annotations

import pytest

from pipeline.extract.features.structure import (
    MAX_HEADING_CHARS,
    MAX_HEADINGS,
    MAX_REFRESH_CHARS,
)
from tests.feature_pages import features


def test_headings_in_order_normalised_and_bounded() -> None:
    body = (
        "<h2>Before  treatment</h2><h3>skipped</h3><h1>Living\n with <em>CAR-T</em></h1>"
        "<h2>   </h2><h2>" + "x" * 500 + "</h2>" + "<h2>More</h2>" * 20
    )
    headings = features(body).headings
    assert headings[:2] == ("Before treatment", "Living with CAR-T")
    assert headings[2] == "x" * MAX_HEADING_CHARS
    assert len(headings) == MAX_HEADINGS


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("0; url=https://example.org/new", "https://example.org/new"),
        ("0;URL='/moved'", "/moved"),
        ("5, url='/later'", "/later"),
        ("0; https://example.org/bare", "https://example.org/bare"),
        ("600", ""),
        ("", ""),
        ("0; url=/" + "a" * 2000, "/" + "a" * (MAX_REFRESH_CHARS - 1)),
    ],
)
def test_meta_refresh(content: str, expected: str) -> None:
    head = f'<meta http-equiv="Refresh" content="{content}">'
    assert features(head=head).meta_refresh == expected


def test_no_meta_refresh() -> None:
    assert features().meta_refresh == ""
