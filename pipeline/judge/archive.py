"""The `archived-copy` suggestion: a web-archive capture of a broken resource.

Pure: pipeline.fetch.wayback does the look-up and hands over an
ArchiveCapture (or None); this module only words the finding.
"""

from __future__ import annotations

from pipeline.models import ArchiveCapture, Finding, FindingCode


def archive_finding(capture: ArchiveCapture | None) -> Finding | None:
    """An info finding suggesting the capture to curators; None without a capture."""
    if capture is None:
        return None
    day = capture.captured_at.date().isoformat()
    message = (
        f"The Wayback Machine has a copy from {day}: {capture.capture_url} — consider "
        "linking it while the publisher's page is gone"
    )
    return Finding(FindingCode.ARCHIVED_COPY, message, evidence=capture.lookup_url)
