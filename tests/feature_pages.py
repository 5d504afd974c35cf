"""Small HTML pages for the page-feature tests, and the features read from them.

Each page holds a paragraph of article text in <main>; `features` reads a
page the way the checker does, through extract_html.
"""

from __future__ import annotations

import json

from pipeline.extract.html import extract_html
from pipeline.models import PageFeatures

ARTICLE = "<p>" + "Patients can read this guide about their treatment and recovery. " * 10 + "</p>"


def page(body: str = "", head: str = "", title: str = "Living with CAR-T") -> bytes:
    """A small HTML document with some article text."""
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head>"
        f"<body><main>{ARTICLE}{body}</main></body></html>"
    ).encode()


def features(body: str = "", head: str = "", title: str = "Living with CAR-T") -> PageFeatures:
    result = extract_html(page(body, head, title)).features
    assert result is not None
    return result


def script(src: str) -> str:
    return f'<script src="{src}"></script>'


def inline(code: str) -> str:
    return f"<script>{code}</script>"


def ld_json(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'
