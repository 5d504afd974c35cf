"""Findings from what the body holds, compared with what the catalogue says.

Pure: the resource, the fetch and the extraction in; findings out.
"""

from __future__ import annotations

from pipeline.extract.fingerprint import similarity
from pipeline.extract.titles import titles_match
from pipeline.models import (
    Baseline,
    Extraction,
    FetchResult,
    Finding,
    FindingCode,
    Format,
    Resource,
)

CHANGED_BELOW = 0.80  # SimHash similarity under which the text is no longer the same
MIN_COMPARABLE_TEXT = 300  # characters; shorter texts swing too much to compare

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def observed_format(result: FetchResult) -> Format | None:
    """What the server actually sent, from Content-Type and magic bytes."""
    if result.body.startswith(b"%PDF-") or result.content_type == "application/pdf":
        return Format.PDF
    if result.content_type in _HTML_TYPES:
        return Format.HTML
    major = result.content_type.split("/")[0]
    if major in ("image", "video"):
        return Format(major)
    return None


def judge_content(
    resource: Resource,
    result: FetchResult,
    extraction: Extraction,
    baseline: Baseline | None = None,
) -> list[Finding]:
    """Format, PDF health, page count, title and drift findings for a 2xx answer."""
    if result.truncated:
        return [_too_large(result)]
    if result.status == 304:  # no body tonight: compare what the last good night read
        carried = [_pages_changed(resource, extraction), _title_changed(resource, extraction)]
        return [f for f in carried if f is not None]
    mismatch = _format_mismatch(resource, result)
    if mismatch is not None:
        return [mismatch]
    findings = [
        _damaged(extraction),
        _pages_changed(resource, extraction),
        _title_changed(resource, extraction),
        _content_changed(extraction, baseline),
    ]
    return [f for f in findings if f is not None]


def _too_large(result: FetchResult) -> Finding:
    return Finding(
        FindingCode.TOO_LARGE,
        "The answer is larger than the configured size cap (max_bytes); curate stopped "
        "reading, so its title and page count were not checked",
        evidence=f"Content-Length: {result.header('content-length') or 'not declared'}",
    )


def _format_mismatch(resource: Resource, result: FetchResult) -> Finding | None:
    """A PDF or image that now answers with an HTML page (or anything else)."""
    if resource.format not in (Format.PDF, Format.IMAGE):
        return None
    seen = observed_format(result)
    if seen is resource.format:
        return None
    shown = seen.value if seen else (result.content_type or "unknown content")
    return Finding(
        FindingCode.FORMAT_MISMATCH,
        f"Expected a {resource.format.value.upper()} file, but the link now returns {shown}",
        evidence=f"Content-Type: {result.header('content-type') or 'none'}",
    )


def _damaged(extraction: Extraction) -> Finding | None:
    if not extraction.damaged:
        return None
    return Finding(
        FindingCode.DAMAGED_PDF,
        "No PDF reader (pypdf, PDFium) can open this file; patients will not be able to read it",
        evidence=extraction.problem,
    )


def _pages_changed(resource: Resource, extraction: Extraction) -> Finding | None:
    if resource.pages is None or extraction.pages is None or resource.pages == extraction.pages:
        return None
    return Finding(
        FindingCode.PAGES_CHANGED,
        f"The catalogue says {resource.pages} pages; the PDF now has {extraction.pages}",
        evidence=f"read with {extraction.reader}",
    )


def _title_changed(resource: Resource, extraction: Extraction) -> Finding | None:
    observed = extraction.title
    if not observed or not resource.title or titles_match(resource.title, observed):
        return None
    return Finding(
        FindingCode.TITLE_CHANGED,
        f"The title is now \u201c{observed}\u201d; the catalogue says \u201c{resource.title}\u201d",
        evidence=f"read with {extraction.reader}",
    )


def _content_changed(extraction: Extraction, baseline: Baseline | None) -> Finding | None:
    """The readable text is no longer the one a curator approved."""
    if baseline is None or baseline.fingerprint is None or extraction.fingerprint is None:
        return None
    if min(baseline.text_length, extraction.text_length) < MIN_COMPARABLE_TEXT:
        return None
    score = similarity(baseline.fingerprint, extraction.fingerprint)
    if score >= CHANGED_BELOW:
        return None
    return Finding(
        FindingCode.CONTENT_CHANGED,
        f"The text has changed a lot since the last good night (similarity {score:.2f}); "
        "check that it is still the resource the hub promises",
        evidence=f"SimHash similarity {score:.2f} with run {baseline.run_id}; "
        f"{baseline.text_length:,} -> {extraction.text_length:,} characters",
    )
