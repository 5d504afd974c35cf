"""The extractors against real PDFs and saved pages (../shared/realworld).

The corpus and its ground truth are described in ../shared/realworld/README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pipeline.extract.html import extract_html
from pipeline.extract.pdf import extract_pdf
from pipeline.extract.titles import normalise_whitespace
from pipeline.mediatype import parse_content_type

REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"
MANIFEST = REALWORLD / "manifest.yaml"

pytestmark = pytest.mark.skipif(
    not MANIFEST.is_file(),
    reason="../shared/realworld is absent (a user's clone): real-world corpus tests need it",
)


def load_entries(kind: str) -> list[Any]:
    """Manifest entries of one kind as pytest params with the manifest ids."""
    if not MANIFEST.is_file():
        return []
    manifest = YAML(typ="safe").load(MANIFEST.read_text(encoding="utf-8"))
    return [
        pytest.param(entry, id=entry["id"]) for entry in manifest["files"] if entry["kind"] == kind
    ]


def read_body(entry: dict[str, Any]) -> bytes:
    return (REALWORLD / entry["file"]).read_bytes()


@pytest.mark.parametrize("entry", load_entries("pdf"))
def test_pdf(entry: dict[str, Any]) -> None:
    result = extract_pdf(read_body(entry))
    expected = entry["expected"]
    if not entry["scored"]:
        # Informational (a real user password): no count without it, and
        # a file that opens with the password is not damaged.
        assert result.pages in (None, expected.get("pages"))
        assert result.damaged is False
        return
    assert result.damaged is False, result.problem
    assert result.pages == expected["pages"]
    if "title" in expected:
        assert result.title is not None
        assert normalise_whitespace(result.title) == normalise_whitespace(expected["title"])


@pytest.mark.parametrize("entry", load_entries("html"))
def test_html(entry: dict[str, Any]) -> None:
    charset = parse_content_type(entry["content_type"]).charset
    result = extract_html(read_body(entry), header_charset=charset)
    assert result.title == entry["expected"]["title"]
    if "lang" in entry:
        assert result.language == entry["lang"]
    assert result.text
