"""The `archived-copy` suggestion: a web-archive capture of a broken resource.

Pure: pipeline.fetch.wayback does the look-up and hands over an
ArchiveLookup (or None); this module only words the finding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.models import Finding, FindingCode


@dataclass(frozen=True)
class ArchiveLookup:
    """The newest capture of `url`: where to read it and when it was taken (UTC).

    `lookup_url` is the address that was asked (the finding's evidence).
    """

    url: str
    lookup_url: str
    capture_url: str
    captured_at: dt.datetime


def archive_finding(lookup: ArchiveLookup | None) -> Finding | None:
    """An info finding suggesting the capture to curators; None without a capture."""
    if lookup is None:
        return None
    day = lookup.captured_at.date().isoformat()
    message = (
        f"The Wayback Machine has a copy from {day}: {lookup.capture_url} — consider "
        "linking it while the publisher's page is gone"
    )
    return Finding(FindingCode.ARCHIVED_COPY, message, evidence=lookup.lookup_url)
