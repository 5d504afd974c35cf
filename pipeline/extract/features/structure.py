"""The page's outline and where it sends visitors: its headings and meta refresh.

Headings let the judge tell a "Page not found" template from the article;
a meta refresh is a redirect the HTTP layer never sees.
"""

from __future__ import annotations

import re
from itertools import islice

from pipeline.extract.features.attributes import attribute_text
from pipeline.extract.titles import normalise_whitespace
from pipeline.extract.tree import Document, get_text, matching

MAX_HEADINGS = 10
MAX_HEADING_CHARS = 200
MAX_REFRESH_CHARS = 500


def read_headings(document: Document) -> tuple[str, ...]:
    """Texts of the h1 and h2 elements in document order, non-empty, bounded."""
    headings = []
    for element in islice(document.iter("h1", "h2"), MAX_HEADINGS * 5):
        text = normalise_whitespace(get_text(element, " "))[:MAX_HEADING_CHARS]
        if text:
            headings.append(text)
        if len(headings) == MAX_HEADINGS:
            break
    return tuple(headings)


_REFRESH = re.compile(r"^\s*refresh\s*$", re.IGNORECASE)
# content="0; url=/new", "0;URL='/new'", "5, /new": a delay, a separator, an
# optional "url=", then the target (HTML "shared declarative refresh steps").
_REFRESH_CONTENT = re.compile(
    r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(.*)$", re.IGNORECASE | re.DOTALL
)


def read_meta_refresh(document: Document) -> str:
    """Target URL of the first <meta http-equiv=refresh>, '' if none or no URL.

    The delay is not kept: a 0-second refresh is a redirect, a 600-second
    one to the same URL is a news page reloading itself; the judge compares
    the target with the page's own URL.
    """
    meta = next(matching(document.iter("meta"), "http-equiv", _REFRESH), None)
    if meta is None:
        return ""
    match = _REFRESH_CONTENT.match(attribute_text(meta.get("content"))[: 2 * MAX_REFRESH_CHARS])
    target = match.group(1).strip().strip("'\"").strip() if match else ""
    return target[:MAX_REFRESH_CHARS]
