"""What the link farm serves: the deterministic mix of answers and their bodies.

`/u/<n>` answers according to `kind_of(n)`, so the runner knows every
verdict curate should reach without asking the farm. Bodies are built from
n alone (a seeded word list), identical on every request and every night.
"""

from __future__ import annotations

import functools
import hashlib
import io
import random
from dataclasses import dataclass

from pypdf import PdfWriter
from pypdf.generic import ContentStream, DictionaryObject, NameObject

HTML, PDF, MISSING, MOVED, ERROR, LIMITED = "html", "pdf", "404", "301", "500", "429"

# n % 20 -> kind; n % 100 == 99 (a 1 % share) overrides it with a 429.
_BY_REMAINDER = (HTML,) * 13 + (MISSING, MISSING, MOVED, ERROR, PDF, PDF, PDF)

# The availability curate must report for each kind (README "Verdicts").
EXPECTED = {
    HTML: "available",
    PDF: "available",
    MISSING: "broken",
    MOVED: "redirected",
    ERROR: "server-error",
    LIMITED: "blocked",
}

PDF_TITLE = "Living with CAR T-cell therapy: a two-page leaflet"
PDF_PAGES = 2
LAST_MODIFIED = "Wed, 04 Nov 2026 08:00:00 GMT"
RETRY_AFTER = "1"

_VOCABULARY = (
    "treatment infusion cells care team hospital nurse follow-up fever family carer "
    "questions doctor weeks recovery blood tests appointment medicine support stay "
    "centre monitor symptoms rest travel plan therapy collection bridging screening "
    "lymphocytes immune response checks diary temperature visit clinic advice help "
    "patients together daily routine months guidance tiredness appetite water sleep"
)
_WORDS = tuple(_VOCABULARY.split())


def kind_of(n: int) -> str:
    """The kind of answer `/u/<n>` gets."""
    if n % 1000 == 99:
        return LIMITED
    return _BY_REMAINDER[n % 20]


def host_index(n: int, hosts: int) -> int:
    """Which farm host URL n lives on: every host gets the same mix of kinds.

    Plain n % hosts would give each host only the kinds of a few remainders
    (50 and 20 share a factor of 10); shifting by n // 20 spreads them.
    """
    return (n + n // 20) % hosts


def title_of(n: int) -> str:
    """The unique <title> of page n (PDFs share PDF_TITLE)."""
    if kind_of(n) == PDF:
        return PDF_TITLE
    first, second = _words(n, 2)
    return f"Patient guide {n}: {first} and {second}"


def _words(n: int, count: int) -> list[str]:
    rng = random.Random(n)
    return [rng.choice(_WORDS) for _ in range(count)]


def _sentences(n: int, count: int) -> str:
    rng = random.Random(n * 7919 + 1)
    out = []
    for _ in range(count):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(9, 16))]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


@functools.lru_cache(maxsize=4096)
def html_page(n: int) -> bytes:
    """A small patient-information page with about 1 KB of readable text."""
    title = title_of(n)
    text = _sentences(n, 12)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1>"
        f"<p>{text}</p></main></body></html>"
    ).encode()


def not_found_page() -> bytes:
    """The small body of every 404 (and of a soft-404 probe's answer)."""
    return b"<!doctype html><html><head><title>404</title></head><body>No such page</body></html>"


def status_page(status: int) -> bytes:
    """A tiny body for a 500 or a 429."""
    return f"<!doctype html><html><body>HTTP {status}</body></html>".encode()


@functools.cache
def pdf_document() -> bytes:
    """A small two-page PDF with an Info /Title, made once with pypdf."""
    writer = PdfWriter()
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })
    for number in range(1, PDF_PAGES + 1):
        page = writer.add_blank_page(595, 842)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
        })
        stream = ContentStream(None, None)
        stream.set_data(f"BT /F1 14 Tf 72 760 Td ({PDF_TITLE}, page {number}) Tj ET".encode())
        page.replace_contents(stream)
    writer.add_metadata({"/Title": PDF_TITLE})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'


@dataclass(frozen=True)
class Answer:
    """One HTTP answer before the farm writes it."""

    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
