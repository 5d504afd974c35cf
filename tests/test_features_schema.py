"""schema.org isAccessibleForFree (features/schema.py): JSON-LD and microdata, valid or not."""

from __future__ import annotations

import pytest

from tests.feature_pages import features, ld_json


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (ld_json({"@type": "NewsArticle", "isAccessibleForFree": False}), {"schema:not-free"}),
        (ld_json({"@type": "NewsArticle", "isAccessibleForFree": "False"}), {"schema:not-free"}),
        (ld_json([{"@type": "WebPage"}, {"isAccessibleForFree": "false"}]), {"schema:not-free"}),
        (
            ld_json({"@graph": [{"@type": "Article", "hasPart": {"isAccessibleForFree": False}}]}),
            {"schema:not-free"},
        ),
        (ld_json({"schema:isAccessibleForFree": {"@value": False}}), {"schema:not-free"}),
        (ld_json({"isAccessibleForFree": "http://schema.org/False"}), {"schema:not-free"}),
        (ld_json({"@type": "Article", "isAccessibleForFree": True}), {"schema:free"}),
        (ld_json({"isAccessibleForFree": "True"}), {"schema:free"}),
        (ld_json({"isAccessibleForFree": "maybe"}), set()),
        ('<meta itemprop="isAccessibleForFree" content="False">', {"schema:not-free"}),
        ('<meta itemprop="isAccessibleForFree" content="True">', {"schema:free"}),
        ('<script type="application/ld+json">{"isAccessibleForFree": false,</script>', set()),
        ('<script type="application/ld+json">' + "[" * 100_000 + "</script>", set()),
        (
            '<script type="application/ld+json">{"isAccessibleForFree": false, "x": "'
            + "a" * 250_000
            + '"}</script>',
            set(),
        ),
    ],
    ids=[
        "bool",
        "string",
        "list",
        "graph-haspart",
        "prefixed-@value",
        "schema-url",
        "free",
        "free-string",
        "unknown-value",
        "microdata",
        "microdata-free",
        "invalid-json",
        "deep-json",
        "oversized-json",
    ],
)
def test_schema_accessible_for_free(head: str, expected: set[str]) -> None:
    found = features(head=head)
    assert set(found.markers_of("schema")) == expected
