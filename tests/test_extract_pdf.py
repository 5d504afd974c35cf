"""PDF extraction: page counts, titles, PDFium first, the pypdf fallback and damage."""

from __future__ import annotations

import io
import threading

import pytest
from pypdf import PdfWriter

from pipeline.extract import extract, looks_like_pdf, pdf
from pipeline.extract.pdf import (
    PASSWORD_REQUIRED,
    clean_title,
    extract_pdf,
    read_with_pdfium,
    read_with_pypdf,
)
from pipeline.models import Extraction


def make_pdf(
    pages: int,
    title: str | None = None,
    user_password: str | None = None,
) -> bytes:
    """A PDF of blank A4 pages, optionally titled and RC4-encrypted.

    RC4 needs no optional crypto dependency in pypdf.
    """
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if title is not None:
        writer.add_metadata({"/Title": title})
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("pages", [1, 3, 92])
def test_page_count(pages: int) -> None:
    result = extract_pdf(make_pdf(pages))
    assert (result.pages, result.reader, result.damaged) == (pages, "pdfium", False)


def test_title_from_info_dictionary() -> None:
    result = extract_pdf(make_pdf(2, title="  CAR-T\n cell therapy:\ta guide "))
    assert result.title == "CAR-T cell therapy: a guide"


@pytest.mark.parametrize("title", ["", "   ", "\x01\x02junk", "abc\x07def"])
def test_empty_or_junk_title_is_absent(title: str) -> None:
    assert extract_pdf(make_pdf(1, title=title)).title is None


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Guide\r\n", "Guide"),
        ("imagemagick-images\x00", "imagemagick-images"),  # C terminator written by ImageMagick
        ("\u3042\u3044\u3061", "\u3042\u3044\u3061"),
        ("bad\x00middle", None),
        (b"bytes", None),
        (None, None),
    ],
)
def test_clean_title(raw: object, cleaned: str | None) -> None:
    assert clean_title(raw) == cleaned


def test_empty_user_password_opens_freely() -> None:
    result = extract_pdf(make_pdf(3, title="Open", user_password=""))
    assert (result.pages, result.title, result.damaged, result.problem) == (3, "Open", False, "")


def test_real_user_password_is_not_damage() -> None:
    body = make_pdf(3, title="Secret", user_password="s3cret")
    result = extract_pdf(body)
    assert result.pages is None
    assert result.damaged is False
    assert result.problem == PASSWORD_REQUIRED
    assert read_with_pdfium(body).needs_password


def test_a_page_count_that_overstates_the_page_tree_is_counted_by_pypdf() -> None:
    """PDFium trusts the tree's /Count; pypdf walks the tree and counts the pages."""
    body = make_pdf(3, title="Three").replace(b"/Count 3", b"/Count 5", 1)
    assert read_with_pdfium(body).count_unconfirmed
    result = extract_pdf(body)
    assert (result.pages, result.title, result.reader) == (3, "Three", "pypdf")


def test_a_page_count_that_understates_the_page_tree_is_taken_as_given() -> None:
    """The known limit of reading PDFium first: a /Count too small goes unnoticed."""
    body = make_pdf(3).replace(b"/Count 3", b"/Count 2", 1)
    assert (extract_pdf(body).pages, read_with_pypdf(body).extraction) == (2, Extraction(
        pages=3, reader="pypdf"))


def test_pypdf_reads_what_pdfium_cannot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "read_with_pdfium", lambda body: pdf._Attempt(error="unreadable"))
    result = extract_pdf(make_pdf(4, title="Fallback"))
    assert (result.pages, result.title, result.reader) == (4, "Fallback", "pypdf")


def test_pdfium_reads_what_pypdf_cannot() -> None:
    # /Kids pointing at a missing object: pypdf raises, PDFium recovers.
    body = make_pdf(3, title="Recovered").replace(b"/Kids [", b"/Kids 99 0 R [", 1)
    assert read_with_pypdf(body).extraction is None
    result = extract_pdf(body)
    assert (result.pages, result.title, result.reader, result.damaged) == (
        3,
        "Recovered",
        "pdfium",
        False,
    )


def test_pdfium_reads_a_tree_pypdf_finds_no_pages_in() -> None:
    # A misspelt /Type on the page tree root: pypdf sees no pages.
    body = make_pdf(3).replace(b"/Type /Pages", b"/Type /Pagex", 1)
    assert read_with_pypdf(body).error == "no pages found"
    result = extract_pdf(body)
    assert (result.pages, result.reader) == (3, "pdfium")


def test_truncated_pdf_is_damaged() -> None:
    body = make_pdf(3)
    result = extract_pdf(body[: body.rindex(b"trailer")])
    assert result.damaged is True
    assert result.pages is None
    assert result.problem.startswith("pypdf: ")
    assert "; pdfium: " in result.problem


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not a pdf at all",
        b"%PDF-1.7\n" + bytes(range(256)) * 20,
        b"%PDF-1.4\n%%EOF\n",
    ],
)
def test_garbage_is_damaged_without_raising(body: bytes) -> None:
    result = extract_pdf(body)
    assert result.damaged is True
    assert result.pages is None
    assert len(result.problem) < 300


def test_extract_dispatches_pdf_by_type_and_by_magic() -> None:
    body = make_pdf(2)
    assert extract(body, "application/pdf").pages == 2
    assert extract(body, "application/octet-stream").pages == 2
    assert extract(b"garbage", "application/pdf").damaged is True


def test_pdf_header_after_leading_junk() -> None:
    body = b"\r\n\r\n" + make_pdf(4)
    assert looks_like_pdf(body)
    assert extract(body, "text/plain").pages == 4


def test_pdfium_is_never_called_from_two_threads_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDFium is not thread-safe; curate reads PDFs in its fetching threads."""
    real_document = pdf.pdfium.PdfDocument
    inside: list[threading.Event] = []
    overlapped = threading.Event()

    def watched_document(body: bytes) -> object:
        mine = threading.Event()
        inside.append(mine)
        if len(inside) > 1 and not inside[0].is_set():
            overlapped.set()  # another thread is still between open and close
        if len(inside) == 1:
            overlapped.wait(0.3)  # room for a second thread to come in, were it allowed
        document = real_document(body)
        original_close = document.close

        def close() -> None:
            mine.set()
            original_close()

        document.close = close  # type: ignore[method-assign]
        return document

    monkeypatch.setattr(pdf.pdfium, "PdfDocument", watched_document)
    body = make_pdf(2)
    threads = [threading.Thread(target=read_with_pdfium, args=(body,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert len(inside) == 2 and not overlapped.is_set()
