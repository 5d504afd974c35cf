"""Page features as a whole (features/__init__.py: read_features), through extract_html.

The extraction fields filled alongside them, hostile markup that must
never raise, then a false-positive survey over the real pages of
../shared/realworld, none of which is a wall.
"""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.extract.html import MAX_TEXT_CHARS, extract_html
from pipeline.mediatype import parse_content_type
from tests.feature_pages import page
from tests.test_realworld import MANIFEST, load_entries, read_body

# --------------------------------------------------------------------------
# Extraction fields
# --------------------------------------------------------------------------


def test_text_length_fingerprint_and_features_are_filled() -> None:
    result = extract_html(page("<h1>Guide</h1>"))
    assert result.text_length == len(result.text) > 0
    assert result.fingerprint is not None
    assert result.features is not None and result.features.headings == ("Guide",)


def test_text_length_counts_text_beyond_the_cap() -> None:
    result = extract_html(page("<p>" + "word " * 100_000 + "</p>"))
    assert len(result.text) == MAX_TEXT_CHARS
    assert result.text_length > MAX_TEXT_CHARS


def test_short_page_has_no_fingerprint() -> None:
    result = extract_html(b"<html><title>Not found</title><body>Not found</body></html>")
    assert result.fingerprint is None
    assert result.text_length == len("Not found")


@pytest.mark.parametrize(
    "body",
    [
        b"<div>" * 50_000 + b"<form><input type=password></form>",
        b"<form>" * 5_000,
        b"<input type=password>" * 5_000,
        b'<div class="' + b"a" * 3_000_000 + b'">',
        b'<script type="application/ld+json">' + b"{" * 200 + b"</script>" * 50,
        b"<meta http-equiv=refresh content='\x00\x00'>",
        b"<html><head><title>Just a moment...</title></head></html>",
        b"<iframe src=\xff\xfe></iframe><video><source src></video>",
    ],
    ids=[
        "deep",
        "many-forms",
        "many-passwords",
        "huge-attribute",
        "bad-json-ld",
        "nul",
        "no-body",
        "bad-bytes",
    ],
)
def test_hostile_markup_never_raises(body: bytes) -> None:
    result = extract_html(body)
    assert result.features is not None


# --------------------------------------------------------------------------
# Real-world false-positive survey
# --------------------------------------------------------------------------


# Real, freely readable articles (../shared/realworld/README.md): none is a
# challenge or a parked domain, and none asks visitors to register or log in.
FORBIDDEN_ON_REAL_PAGES = (
    "text:register-to-watch",
    "text:register-to-download",
    "text:login-required",
)


@pytest.mark.skipif(
    not MANIFEST.is_file(),
    reason="../shared/realworld is absent (a user's clone): the false-positive survey needs it",
)
@pytest.mark.parametrize("entry", load_entries("html"))
def test_no_wall_markers_on_real_pages(entry: dict[str, Any]) -> None:
    charset = parse_content_type(entry["content_type"]).charset
    result = extract_html(read_body(entry), header_charset=charset)
    assert result.features is not None
    markers = result.features.markers
    assert not result.features.has_marker("challenge"), markers
    assert not result.features.has_marker("parking"), markers
    assert not markers & set(FORBIDDEN_ON_REAL_PAGES), markers
    assert result.fingerprint is not None
    assert result.text_length >= len(result.text) > 0
