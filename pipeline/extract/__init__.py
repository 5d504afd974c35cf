"""Extractors: bytes in, `Extraction` out (titles, page counts, language, text).

Everything in this package is pure: no network, no file I/O. `extract`
picks the reader for a body from its Content-Type and its first bytes.
"""

from __future__ import annotations

import re

from pipeline.extract.html import extract_html
from pipeline.extract.pdf import extract_pdf
from pipeline.mediatype import parse_content_type
from pipeline.models import Extraction

__all__ = ["extract", "extract_html", "extract_pdf", "looks_like_html", "looks_like_pdf"]

_PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# PDF readers accept a header anywhere in the first 1024 bytes; some
# servers and generators put junk (or a UTF-8 BOM) before "%PDF-".
PDF_HEADER_WINDOW = 1024
# The start of an HTML document, after optional BOM and whitespace: a
# subset of the WHATWG MIME-sniffing patterns for text/html.
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body|title|meta|script|style"
    rb"|iframe|div|table|h1|p|a|b|br|font|!--)(?=[\s>/])",
    re.IGNORECASE,
)


def extract(body: bytes, content_type: str, header_charset: str | None = None) -> Extraction:
    """Read a body with the reader its type calls for; empty when neither fits.

    `content_type` may be bare ("text/html") or a full header value; when
    `header_charset` is None, its charset parameter is used.
    """
    media_type, type_charset = parse_content_type(content_type)
    charset = header_charset or type_charset
    if looks_like_pdf(body):
        return extract_pdf(body)
    # Servers that answer a PDF URL with an HTML error or sign-in page still
    # label it application/pdf; reading it as HTML lets the judge see that.
    if media_type in _PDF_TYPES and not looks_like_html(body):
        return extract_pdf(body)
    if media_type in _HTML_TYPES or looks_like_html(body):
        return extract_html(body, charset)
    return Extraction()


def looks_like_pdf(body: bytes) -> bool:
    """Whether the body carries a PDF header in its first 1024 bytes."""
    return b"%PDF-" in body[:PDF_HEADER_WINDOW]


def looks_like_html(body: bytes) -> bool:
    """Whether the body starts like an HTML document (MIME sniffing)."""
    return _HTML_START.match(body[:PDF_HEADER_WINDOW]) is not None
