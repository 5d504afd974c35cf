"""Read a PDF body: page count and Info-dictionary title.

PDFium (pypdfium2) reads first: on real guides it is 20 to 60 times faster
than pypdf (a 352-page, 2.5 MB file: 4 ms against 90). Its page count is
the page tree's /Count; when the tree holds no page at the last index that
/Count claims, pypdf, which counts by walking the tree, reads the file
instead, and PDFium's count stands only if pypdf cannot read it either
(pdf.js's fuzzed poppler-937 file: one page, by every other reader too).
pypdf also reads what PDFium cannot open. (A /Count smaller than the tree
goes unnoticed: PDFium's count stands.) A file only counts as damaged when
neither reader can open it. Pure: bytes in, `Extraction` out, never
raising.
"""

from __future__ import annotations

import io
import logging
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pypdfium2 as pdfium
from pypdf import PasswordType, PdfReader
from pypdf.errors import FileNotDecryptedError

from pipeline.extract.titles import normalise_whitespace
from pipeline.models import Extraction

# Bodies beyond this are not parsed at all (the fetcher caps bodies too;
# this guards callers that do not).
MAX_PDF_BYTES = 200_000_000
# Problem messages quote reader errors; keep them short for the report.
MAX_ERROR_CHARS = 120
PASSWORD_REQUIRED = "encrypted: password required"
# PDFium's FPDF_ERR_PASSWORD: the document needs a password we lack.
_PDFIUM_PASSWORD_ERROR = 4
# PDFium is not thread-safe: no two of its calls may run at once, not even on
# different documents, or the process crashes or corrupts memory (pypdfium2's
# documentation). curate extracts in its fetching threads, so every PDFium
# call, from opening to closing a document, holds this lock.
PDFIUM_LOCK = threading.Lock()

# pypdf logs a warning for every repair it makes with strict=False; on
# untrusted files that is noise, never information for a curator.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class _Attempt:
    """What one reader made of the body: a result, or why it failed."""

    extraction: Extraction | None = None
    error: str = ""
    needs_password: bool = False
    # PDFium only: the page tree has no page at the last index /Count claims.
    count_unconfirmed: bool = False


def extract_pdf(body: bytes) -> Extraction:
    """Count pages and read the title of a PDF body, never raising.

    A file that needs a real user password is not damaged (it opens for
    anyone who has the password), so it comes back with damaged=False and
    problem=PASSWORD_REQUIRED. Damaged means neither reader could open it.
    """
    if len(body) > MAX_PDF_BYTES:
        return Extraction(reader="", problem=f"not read: larger than {MAX_PDF_BYTES} bytes")
    pdfium = read_with_pdfium(body)
    if pdfium.extraction is not None and not pdfium.count_unconfirmed:
        return pdfium.extraction
    pypdf = read_with_pypdf(body)
    if pypdf.extraction is not None:
        return pypdf.extraction
    if pdfium.extraction is not None:  # no tree to walk either: /Count is all there is
        return pdfium.extraction
    if pdfium.needs_password or pypdf.needs_password:
        reader = "pdfium" if pdfium.needs_password else "pypdf"
        return Extraction(reader=reader, damaged=False, problem=PASSWORD_REQUIRED)
    return Extraction(damaged=True, problem=f"pypdf: {pypdf.error}; pdfium: {pdfium.error}")


def read_with_pypdf(body: bytes) -> _Attempt:
    """Open the body with pypdf (lenient mode) and read pages and title.

    Encrypted files are tried with the empty user password, with which
    many "protected" PDFs (print or copy restrictions only) open freely.
    """
    try:
        with _quiet():
            reader = PdfReader(io.BytesIO(body), strict=False)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                return _Attempt(error="encrypted", needs_password=True)
            pages = len(reader.pages)
            title = _read_pypdf_title(reader)
    except FileNotDecryptedError:
        return _Attempt(error="encrypted", needs_password=True)
    except Exception as error:  # any parse failure of hostile input is data
        return _Attempt(error=describe_error(error))
    if pages == 0:
        return _Attempt(error="no pages found")
    return _Attempt(Extraction(title=title, pages=pages, reader="pypdf"))


def _read_pypdf_title(reader: PdfReader) -> str | None:
    """The Info /Title, or None; a broken Info dictionary is not fatal.

    Files with a damaged Info object still have countable pages, so a
    failure here must not send the file to the fallback reader.
    """
    try:
        metadata = reader.metadata
        raw = metadata.get("/Title") if metadata is not None else None
    except Exception:  # broken Info dictionary in a file otherwise readable
        return None
    return clean_title(raw)


def read_with_pdfium(body: bytes) -> _Attempt:
    """Open the body with PDFium and read pages and title.

    PDFium recovers files whose cross-reference data is broken or fuzzed
    (pdf.js's poppler-937 fuzzed file, which pypdf cannot open). One
    document at a time in the whole process (PDFIUM_LOCK).
    """
    with PDFIUM_LOCK:
        return _read_with_pdfium(body)


def _read_with_pdfium(body: bytes) -> _Attempt:
    try:
        document = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == _PDFIUM_PASSWORD_ERROR:
            return _Attempt(error="encrypted", needs_password=True)
        return _Attempt(error=describe_error(error))
    except Exception as error:  # anything else from the binding is data too
        return _Attempt(error=describe_error(error))
    try:
        pages = len(document)
        confirmed = pages == 0 or _has_page(document, pages - 1)
        title = _read_pdfium_title(document)
    except Exception as error:  # a failure after opening: treat as unreadable
        return _Attempt(error=describe_error(error))
    finally:
        document.close()
    if pages == 0:
        return _Attempt(error="no pages found")
    extraction = Extraction(title=title, pages=pages, reader="pdfium")
    return _Attempt(extraction, count_unconfirmed=not confirmed)


def _has_page(document: pdfium.PdfDocument, index: int) -> bool:
    """Whether the page tree holds a page at index (its size is readable);
    cheap: the page is found, not loaded."""
    try:
        document.get_page_size(index)
    except pdfium.PdfiumError:
        return False
    return True


def _read_pdfium_title(document: pdfium.PdfDocument) -> str | None:
    """The Info /Title via PDFium, or None when unreadable."""
    try:
        return clean_title(document.get_metadata_dict().get("Title"))
    except Exception:  # broken Info dictionary in a file otherwise readable
        return None


def clean_title(raw: object) -> str | None:
    """A usable title from an Info /Title value, or None.

    Whitespace is normalised and trailing NULs dropped. Empty titles and
    titles still holding control, surrogate or unassigned characters
    (producers that wrote raw binary or a wrong encoding there) are treated
    as absent: they are junk, not a title a curator could compare.
    """
    if not isinstance(raw, str):
        return None
    # Some producers (ImageMagick) write the C string terminator into the
    # value: "imagemagick-images\x00". The text before it is the title.
    title = normalise_whitespace(raw.rstrip("\x00"))
    if not title or any(unicodedata.category(ch) in ("Cc", "Cn", "Cs") for ch in title):
        return None
    return title


def describe_error(error: BaseException) -> str:
    """A one-line, bounded description of a reader's exception."""
    message = normalise_whitespace(str(error)) or type(error).__name__
    return message[:MAX_ERROR_CHARS]


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence pypdf's PdfReadWarning and similar noise while reading."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
