"""The markup walk (features/markup.py): which parts of the markup signatures read."""

from __future__ import annotations

from tests.feature_pages import features, ld_json


def test_json_ld_text_is_not_scanned_as_code() -> None:
    # articleBody holds the article's words: a mention is not the vendor.
    head = ld_json(
        {"@type": "NewsArticle", "articleBody": "Sites use cdn.tinypass.com and OneTrust"}
    )
    assert features(head=head).markers == frozenset()
