"""Judgement: from what was fetched (and the resource) to availability and findings.

Pure functions, no I/O: tested with plain tables.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from pipeline.judge.content import judge_content, observed_format
from pipeline.judge.status import explain, judge_status, permanent_target
from pipeline.models import Extraction, FetchResult, Finding, FindingCode, Judgement, Resource

__all__ = ["explain", "judge", "observed_format", "permanent_target", "resource_findings"]


def judge(
    resource: Resource,
    result: FetchResult,
    extraction: Extraction,
    today: dt.date,
    review_after_days: int,
) -> Judgement:
    """Availability plus every finding for one resource this run."""
    status = judge_status(result, resource.check.accept_status)
    findings = list(status.findings)
    if status.availability.is_reachable:
        findings.extend(judge_content(resource, result, extraction))
    findings.extend(resource_findings(resource, today, review_after_days))
    return Judgement(status.availability, tuple(findings))


def resource_findings(resource: Resource, today: dt.date, review_after_days: int) -> list[Finding]:
    """Findings about the catalogue entry itself, whatever the server said."""
    findings = []
    if is_insecure(resource.url):
        findings.append(
            Finding(
                FindingCode.INSECURE_URL,
                "The link uses http://; prefer the https:// address if the site has one",
            )
        )
    overdue = _review_overdue(resource, today, review_after_days)
    if overdue is not None:
        findings.append(overdue)
    return findings


def is_insecure(url: str) -> bool:
    """http:// to anything but loopback: browsers treat loopback as a secure
    context (W3C Secure Contexts), so local test sites are not flagged."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http":
        return False
    host = (parts.hostname or "").lower()
    return not (host == "localhost" or host.startswith("127.") or host == "::1")


def _review_overdue(resource: Resource, today: dt.date, days: int) -> Finding | None:
    if resource.last_reviewed is None:
        return None
    age = (today - resource.last_reviewed).days
    if age <= days:
        return None
    return Finding(
        FindingCode.REVIEW_OVERDUE,
        f"Last reviewed {resource.last_reviewed.isoformat()}, {age} days ago "
        f"(review is due every {days} days)",
    )
