"""Read an HTML body: decode it, then take its title, language, text and features.

Pure: bytes in, `Extraction` out. Bodies are untrusted, so input and output
are capped and no input makes these functions raise.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

import charset_normalizer
from bs4.dammit import EncodingDetector

from pipeline.extract.features import read_features, read_text_markers
from pipeline.extract.fingerprint import simhash
from pipeline.extract.titles import normalise_whitespace
from pipeline.extract.tree import (
    Document,
    ancestors,
    attribute,
    document_strings,
    get_text,
    matching,
    parse_document,
    strings,
)
from pipeline.models import Extraction

MAX_PARSE_BYTES = 5_000_000
MAX_TEXT_CHARS = 200_000
# bs4's EncodingDetector sniffs a BOM too, but reads FF FE 00 00 as UTF-32
# and needs four bytes before it reads a UTF-16 mark; browsers know no UTF-32
# and read FF FE / FE FF as UTF-16 whatever follows (WHATWG "BOM sniff").
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What browsers do with declared labels (WHATWG Encoding standard): GB2312
# and GBK pages are decoded as GB18030, their superset; Latin-1 and ASCII
# labels mean windows-1252.
_BROWSER_CODECS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
}
# A <meta> that could be read by an ASCII-compatible scan cannot be in
# UTF-16, so browsers treat a UTF-16 <meta> label as UTF-8.
_UTF16_CODECS = frozenset({"utf-16", "utf-16-le", "utf-16-be"})
_INVISIBLE = frozenset({"script", "style", "noscript", "template"})
_OG_TITLE = re.compile(r"^\s*og:title\s*$", re.I)


@dataclass(frozen=True)
class HtmlTitles:
    """Every title a page carries, each normalised; None when absent or empty.

    `title` is the first <title> outside <svg>; `og_title` the og:title meta;
    `h1` the text of the page's only <h1> (None when there are several).
    """

    title: str | None = None
    og_title: str | None = None
    h1: str | None = None

    @property
    def best(self) -> str | None:
        """The title a reader would call the page's: <title>, og:title, lone h1."""
        return self.title or self.og_title or self.h1


def extract_html(body: bytes, header_charset: str | None = None) -> Extraction:
    """Read title, language, visible text, fingerprint and page features.

    The document is parsed once. `header_charset` is the charset parameter
    of the HTTP Content-Type, if any; it outranks a <meta> declaration, as
    in browsers. `text_length` counts the whole visible text (of the first
    MAX_PARSE_BYTES of the body), before `text` is capped at MAX_TEXT_CHARS;
    the fingerprint is of the capped text.
    """
    document = parse_document(decode_html(body, header_charset))
    if document is None:
        return Extraction(reader="html", problem="unparseable HTML")
    titles = read_titles(document)
    language = read_language(document)
    features = read_features(document)
    full_text = read_text(document)
    text = full_text[:MAX_TEXT_CHARS]
    markers = features.markers | read_text_markers(text, titles.title)
    return Extraction(
        title=titles.best,
        language=language,
        text=text,
        reader="html",
        text_length=len(full_text),
        fingerprint=simhash(text),
        features=replace(features, markers=markers),
    )


def title_candidates(body: bytes, header_charset: str | None = None) -> HtmlTitles:
    """All titles of an HTML body, for looser comparisons than `extract_html`'s."""
    document = parse_document(decode_html(body, header_charset))
    return HtmlTitles() if document is None else read_titles(document)


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


def decode_html(body: bytes, header_charset: str | None = None) -> str:
    """Decode the first MAX_PARSE_BYTES of a body to text, never raising.

    Order: a byte-order mark, the HTTP charset, a <meta> declaration (found
    by bs4's EncodingDetector), then detection. A declared charset that the
    bytes contradict loses to UTF-8 (see `choose_declared_codec`).
    """
    data = body[:MAX_PARSE_BYTES]
    # A BOM is an unambiguous signature: browsers let it outrank even the
    # HTTP header (WHATWG "decode" algorithm).
    codec = sniff_bom(data)
    if codec is None:
        codec = choose_declared_codec(data, to_codec(header_charset))
    if codec is None:
        codec = choose_declared_codec(data, read_meta_codec(data))
    if codec is None:
        codec = detect_codec(data)
    return data.decode(codec, errors="replace")


def sniff_bom(data: bytes) -> str | None:
    """The codec a leading byte-order mark names, or None."""
    return next((codec for bom, codec in _BOMS if data.startswith(bom)), None)


def to_codec(label: str | None) -> str | None:
    """Python codec for a charset label as browsers read it; None if unknown.

    Unknown labels (and non-text codecs such as "base64", which Python's
    registry would otherwise accept) return None so detection takes over.
    """
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
        "".encode(name)  # rejects bytes-to-bytes codecs (base64, zlib, ...)
    except (LookupError, ValueError):
        return None
    return _BROWSER_CODECS.get(name, name)


def find_meta_charset(data: bytes) -> str | None:
    """The charset a <meta> (or an XML declaration) names near the start, or None.

    bs4's search: an XML declaration in the first 1024 bytes, else a <meta>
    charset (either form) in the first 2048 bytes or 5 % of the body.
    """
    return EncodingDetector.find_declared_encoding(data, is_html=True)


def read_meta_codec(data: bytes) -> str | None:
    """The codec a <meta> declares, as browsers apply it; None if unknown."""
    codec = to_codec(find_meta_charset(data))
    return "utf-8" if codec in _UTF16_CODECS else codec


def choose_declared_codec(data: bytes, codec: str | None) -> str | None:
    """Keep a declared codec unless the bytes show it is wrong; then UTF-8.

    Real cases: readability's qq.com page, whose <meta> claims GB2312 but
    whose bytes are UTF-8 (a strict GB18030 decode fails); and servers whose
    default header (Apache's `AddDefaultCharset ISO-8859-1`) mislabels UTF-8
    pages, where cp1252 decodes "successfully" into mojibake. So UTF-8 wins
    whenever the bytes are valid UTF-8 and either the declared codec fails
    strictly or the body has non-ASCII bytes: legacy-encoded text practically
    never forms valid UTF-8.
    """
    if codec is None or codec == "utf-8" or not decodes_strictly(data, "utf-8"):
        return codec
    if data.isascii() and decodes_strictly(data, codec):
        return codec
    return "utf-8"


def decodes_strictly(data: bytes, codec: str) -> bool:
    """Whether data decodes without error (a sequence cut at the end is fine).

    The body may be truncated by MAX_PARSE_BYTES or by the fetcher's size
    cap, so an incomplete final character must not count as an error.
    """
    try:
        codecs.getincrementaldecoder(codec)(errors="strict").decode(data, final=False)
    except (UnicodeError, LookupError):  # UTF-16 without a BOM is a plain UnicodeError
        return False
    return True


def detect_codec(data: bytes) -> str:
    """Guess the codec of undeclared bytes: UTF-8 if valid, else charset-normalizer.

    Not bs4's guess: EncodingDetector asks whichever of cchardet, chardet or
    charset-normalizer happens to be installed, before it tries UTF-8. UTF-8
    first is exact and fast, and the one detector asked is a dependency.
    """
    if decodes_strictly(data, "utf-8"):
        return "utf-8"
    try:
        guess = charset_normalizer.from_bytes(data).best()
    except Exception:  # a detector bug must not lose the page: fall back below
        guess = None
    codec = to_codec(guess.encoding) if guess is not None else None
    # Nothing recognised: UTF-8 with replacement keeps the ASCII markup and
    # most of the text readable, which is all the title needs.
    return codec or "utf-8"


# --------------------------------------------------------------------------
# Parsing and reading
# --------------------------------------------------------------------------


def read_titles(document: Document) -> HtmlTitles:
    """Collect the <title>, og:title and lone-<h1> titles of a parsed page."""
    return HtmlTitles(
        title=read_title(document),
        og_title=read_og_title(document),
        h1=read_single_h1(document),
    )


def read_title(document: Document) -> str | None:
    """Text of the document's first <title>, skipping SVG and MathML titles.

    Inline SVG icons carry their own <title> (a tooltip, e.g. "Search"),
    which document.title ignores.
    """
    for element in document.iter("title"):
        if not any(node.tag in ("svg", "math") for node in ancestors(element)):
            return _clean(get_text(element))
    return None


def read_og_title(document: Document) -> str | None:
    """The Open Graph title; some sites write name= instead of property=."""
    for name in ("property", "name"):
        meta = next(matching(document.iter("meta"), name, _OG_TITLE), None)
        if meta is not None:
            title = _clean(attribute(meta, "content"))
            if title:
                return title
    return None


def read_single_h1(document: Document) -> str | None:
    """The text of the only <h1>; None when there are none or several.

    With several h1 elements (site logo plus article heading, say) none of
    them can be trusted as the page's title.
    """
    headings = list(islice(document.iter("h1"), 2))
    return _clean(get_text(headings[0], " ")) if len(headings) == 1 else None


def read_language(document: Document) -> str | None:
    """The <html lang> attribute, or None when absent or empty."""
    root = next(document.iter("html"), None)
    return None if root is None else _clean(attribute(root, "lang"))


def read_text(document: Document) -> str:
    """Visible text, whitespace-normalised (uncapped: the caller caps it).

    Reads <body> when there is one (the <title> is not page text) and
    leaves out script, style, noscript and template content (never shown
    as text), as if those elements were removed first.
    """
    body = next((b for b in document.iter("body") if not _invisible(b)), None)
    if body is None:
        return normalise_whitespace(" ".join(document_strings(document, _INVISIBLE)))
    return normalise_whitespace(" ".join(strings(body, _INVISIBLE)))


def _invisible(element: Any) -> bool:
    """Whether an element lies inside script, style, noscript or template."""
    return any(node.tag in _INVISIBLE for node in ancestors(element))


def _clean(value: str | None) -> str | None:
    """A whitespace-normalised string, or None for missing or blank values."""
    if value is None:
        return None
    return normalise_whitespace(value) or None
