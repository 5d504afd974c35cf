"""What the simulated hub serves: HTML pages, PDFs, a PNG and hostile bodies.

Everything here is pure and deterministic (same bytes every run), so tests
can compare hashes across runs. The PDFs are built once per process with
pypdf and cached; nothing in this module does network I/O.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pypdf import PdfWriter
from pypdf.generic import ContentStream, DictionaryObject, NameObject

GUIDE_TITLE = "The CAR T-Cell Therapy Clinical Trial Journey \u2013 A Guide for Patients and Carers"
GUIDE_PAGES = 92
FACT_SHEET_TITLE = "Cell therapy treatment experience fact sheet"
FACT_SHEET_PAGES = 1
LATIN1_TITLE = "Thérapie CAR-T : étapes du traitement"
GUIDE_LAST_MODIFIED = "Tue, 12 Mar 2024 09:00:00 GMT"

CHUNK_SIZE = 64 * 1024
OVERSIZED_LIMIT = 64 * 1024 * 1024
OVERSIZED_DECLARED_LENGTH = 200 * 1024 * 1024

HTML_UTF8 = "text/html; charset=utf-8"
PHASES = ("Screening", "Collection", "Bridging", "Infusion", "Follow-up")


@dataclass(frozen=True)
class Document:
    """One static answer: its media type, its bytes, and when it last changed.

    A document with a `last_modified` date sends ETag and Last-Modified and
    answers conditional requests with 304, like a real static file server.
    """

    content_type: str
    body: bytes
    last_modified: str = ""

    @property
    def etag(self) -> str:
        """A strong ETag derived from the body, stable across runs."""
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------


def html_page(title: str, body: str, *, lang: str = "en", charset: str = "utf-8") -> str:
    """A complete HTML document; `body` is trusted markup, `title` is escaped."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="{charset}">\n'
        f"<title>{html.escape(title, quote=False)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"</head>\n<body>\n<main>\n<h1>{html.escape(title, quote=False)}</h1>\n{body}\n</main>\n"
        "</body>\n</html>\n"
    )


def paragraphs(*texts: str) -> str:
    """Escaped <p> elements, one per text."""
    return "\n".join(f"<p>{html.escape(text, quote=False)}</p>" for text in texts)


def utf8_page(title: str, body: str) -> Document:
    """An English UTF-8 HTML document declared as such in its Content-Type."""
    return Document(HTML_UTF8, html_page(title, body).encode("utf-8"))


def status_page(status: int, phrase: str) -> bytes:
    """The small HTML body that accompanies an error or redirect status."""
    title = f"{status} {phrase}"
    return html_page(title, paragraphs(f"The server answered {title}.")).encode("utf-8")


def _mayo_infographic() -> Document:
    """The Mayo Clinic infographic page: the typical healthy HTML resource."""
    body = paragraphs(
        "CAR-T cell therapy uses your own immune cells to fight certain blood cancers. "
        "This infographic walks you through each step of the program, from your first "
        "appointment to the months of follow-up care after treatment.",
        "Evaluation: your care team reviews your medical history, runs blood tests and "
        "scans, and confirms that CAR-T cell therapy is a suitable option for you.",
        "Cell collection: during apheresis, blood is drawn from a vein, T cells are "
        "separated out, and the rest of the blood is returned to your body. The "
        "collection usually takes three to six hours.",
        "Manufacturing and bridging: your T cells are sent to a laboratory and engineered "
        "to recognise your cancer. While you wait, some people receive bridging therapy "
        "to keep the disease under control.",
        "Infusion and recovery: after a short course of chemotherapy, the CAR-T cells are "
        "given through a drip. You stay close to the treatment centre for about four "
        "weeks so the team can watch for side effects such as cytokine release syndrome.",
    )
    return utf8_page("Infographic: Mayo Clinic CAR-T Cell Therapy Program - Mayo Clinic", body)


def _mayo_program() -> Document:
    """The Mayo Clinic programme overview, target of the 301 redirect."""
    body = paragraphs(
        "The CAR-T Cell Therapy Program brings together haematologists, nurses, "
        "pharmacists and social workers who care for people receiving CAR-T cell therapy.",
        "Our specialists treat adults and children with lymphoma, leukaemia and multiple "
        "myeloma, both with approved products and within clinical trials.",
        "Patients and carers receive education sessions before treatment, and a dedicated "
        "coordinator is available throughout the treatment and follow-up period.",
    )
    return utf8_page("CAR-T Cell Therapy Program - Overview - Mayo Clinic", body)


def _gilead() -> Document:
    """The Kite / Gilead company information page."""
    body = paragraphs(
        "CAR T cell therapy is a type of immunotherapy in which a patient's T cells are "
        "modified to find and attack cancer cells.",
        "Kite, a Gilead Company, develops cell therapies for blood cancers and works with "
        "authorised treatment centres to deliver them to patients.",
        "Talk to your doctor about whether CAR T cell therapy could be right for you.",
    )
    return utf8_page("CAR T Cell Therapy | Kite, a Gilead Company", body)


def _mpe_webinar() -> Document:
    """The Myeloma Patients Europe webinar page (the video itself is not embedded)."""
    body = paragraphs(
        "In this recorded webinar, a haematologist and two people who received CAR-T "
        "cell therapy for myeloma share their experience of the treatment.",
        "Topics include eligibility, travelling to a treatment centre, side effects in the "
        "first weeks, and life after CAR-T. Duration: 58 minutes.",
    )
    return utf8_page("Webinar | Doctor and patients' perspective on myeloma CAR-T", body)


_GLOSSARY = (
    ("Apheresis", "A procedure that collects white blood cells from the blood."),
    ("Bridging therapy", "Treatment given while the CAR T-cells are being made."),
    ("CAR T-cells", "T cells engineered to carry a chimeric antigen receptor."),
    ("Cytokine release syndrome", "A common side effect causing fever and low blood pressure."),
    ("ICANS", "Immune effector cell-associated neurotoxicity syndrome."),
    ("Lymphodepleting chemotherapy", "Short chemotherapy that prepares the body for infusion."),
)


def _glossary() -> Document:
    """The NA-ATTC glossary page: a definition list."""
    items = "\n".join(
        f"<dt>{html.escape(term)}</dt><dd>{html.escape(meaning)}</dd>"
        for term, meaning in _GLOSSARY
    )
    return utf8_page(
        "The CAR T-Cell Therapy Clinical Journey Guide \u2013 Glossary", f"<dl>\n{items}\n</dl>"
    )


def _latin1_page() -> Document:
    """A French page in ISO-8859-1 whose Content-Type carries no charset.

    Only the <meta charset> tells the reader how to decode it, which is
    what tests of encoding detection need.
    """
    body = paragraphs(
        "La thérapie CAR-T se déroule en plusieurs étapes : le bilan préalable, le "
        "prélèvement des lymphocytes, la fabrication des cellules, puis la réinjection.",
        "Après la perfusion, le patient reste à proximité du centre pendant environ "
        "quatre semaines afin de surveiller les effets indésirables.",
    )
    page = html_page(LATIN1_TITLE, body, lang="fr", charset="iso-8859-1")
    return Document("text/html", page.encode("iso-8859-1"))


def _home(paths: Sequence[str]) -> Document:
    """The hub's home page, linking (relatively) to every content path."""
    links = "\n".join(
        f'<li><a href="{html.escape(path)}">{html.escape(path)}</a></li>' for path in paths
    )
    body = paragraphs(
        "A simulated copy of a patient-information hub about CAR T-cell therapy, "
        "served on loopback for tests and demos."
    )
    return utf8_page("Simulated patient hub", f"{body}\n<ul>\n{links}\n</ul>")


@functools.cache
def documents() -> dict[str, Document]:
    """Every static route of the hub, by path. Built once per process."""
    docs: dict[str, Document] = {
        "/mayo/car-t-infographic": _mayo_infographic(),
        "/mayo/car-t-program": _mayo_program(),
        "/attc/car-t-clinical-journey-guide.pdf": Document(
            "application/pdf", guide_pdf(), last_modified=GUIDE_LAST_MODIFIED
        ),
        "/bms/car-t-infographic.png": Document("image/png", png_image()),
        "/bms/cell-therapy-fact-sheet.pdf": Document("application/pdf", fact_sheet_pdf()),
        "/gilead/car-t": _gilead(),
        "/mpe/webinar-myeloma-car-t": _mpe_webinar(),
        "/attc/glossary": _glossary(),
        "/latin1-page": _latin1_page(),
        "/guide-now-html": utf8_page(
            "Download our guide",
            paragraphs("The guide is now available as a web page. Read it online below."),
        ),
        "/damaged.pdf": Document("application/pdf", damaged_pdf()),
        "/title-changed": utf8_page(
            "A completely different page title",
            paragraphs("This page was rewritten and now covers a different subject."),
        ),
    }
    docs["/"] = _home(sorted(docs))
    return docs


# --------------------------------------------------------------------------
# PDF, PNG and hostile bodies
# --------------------------------------------------------------------------


def _pdf_string(text: str) -> str:
    """Escape text for a PDF literal string (ASCII only, as Helvetica expects)."""
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _text_stream(lines: Sequence[str]) -> bytes:
    """A page content stream that draws `lines` top-down in 12 pt Helvetica."""
    ops = ["BT", "/F1 12 Tf", "16 TL", "72 770 Td"]
    ops += [f"({_pdf_string(line)}) Tj T*" for line in lines]
    ops.append("ET")
    return "\n".join(ops).encode("ascii")


def build_pdf(title: str, pages: Sequence[Sequence[str]]) -> bytes:
    """A valid PDF with one A4 page per entry of `pages`, each carrying its lines.

    The font is a standard Type 1 font referenced by name, so nothing is
    embedded and even a 92-page document takes milliseconds to build.
    """
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    for lines in pages:
        page = writer.add_blank_page(595, 842)
        fonts = DictionaryObject({NameObject("/F1"): font})
        page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
        stream = ContentStream(None, writer)
        stream.set_data(_text_stream(lines))
        page.replace_contents(stream)
    writer.add_metadata({"/Title": title, "/Producer": "curate simulated hub"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@functools.cache
def guide_pdf() -> bytes:
    """The NA-ATTC patient guide: exactly 92 pages, each with a little text."""
    pages = []
    for number in range(GUIDE_PAGES):
        part = number * len(PHASES) // GUIDE_PAGES
        pages.append(
            [
                "The CAR T-Cell Therapy Clinical Trial Journey",
                f"Part {part + 1}: {PHASES[part]}",
                f"Page {number + 1} of {GUIDE_PAGES}",
            ]
        )
    return build_pdf(GUIDE_TITLE, pages)


@functools.cache
def fact_sheet_pdf() -> bytes:
    """The Bristol Myers Squibb fact sheet: exactly one page."""
    lines = [
        "Cell therapy treatment experience",
        "What to expect before, during and after CAR T cell therapy.",
    ]
    return build_pdf(FACT_SHEET_TITLE, [lines])


@functools.cache
def damaged_pdf() -> bytes:
    """Bytes that start like a PDF but that no reader (pypdf, PDFium) can open.

    Deterministic junk from a hash chain: no xref, no trailer, no %%EOF.
    """
    junk = b""
    block = b"curate-damaged-pdf"
    while len(junk) < 4096:
        block = hashlib.sha256(block).digest()
        junk += block
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + junk


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, tag, data, CRC of tag and data."""
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


@functools.cache
def png_image(width: int = 48, height: int = 32) -> bytes:
    """A small valid RGB PNG (a colour gradient) built without any imaging library."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 5 % 256, y * 8 % 256, 160)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def trickle_bytes() -> Iterator[bytes]:
    """The slow page, one byte at a time: an HTML start, then spaces forever."""
    yield from (bytes((b,)) for b in b"<!DOCTYPE html><html><head><title>Slow server</title>")
    while True:
        yield b" "


def oversized_chunks() -> Iterator[bytes]:
    """At most OVERSIZED_LIMIT bytes of a fake PDF, in CHUNK_SIZE pieces."""
    first = b"%PDF-1.7\n"
    yield first + b"0" * (CHUNK_SIZE - len(first))
    filler = b"0" * CHUNK_SIZE
    for _ in range(OVERSIZED_LIMIT // CHUNK_SIZE - 1):
        yield filler
