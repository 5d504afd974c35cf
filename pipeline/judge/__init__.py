"""Judgement: from the evidence of one resource to availability and findings.

Pure functions, no I/O: tested with plain tables. The order of the rules is
the order of precedence: a bot challenge or a sign-in redirect explains a
status code; a parked domain or a soft 404 explains a 200.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlsplit

from pipeline.judge.content import judge_content, observed_format
from pipeline.judge.soft404 import soft_404
from pipeline.judge.status import explain, judge_status, permanent_target
from pipeline.judge.video import judge_video
from pipeline.judge.walls import (
    bot_challenge,
    cookie_wall,
    login_redirect,
    parked_domain,
    password_wall,
    paywall,
    registration_wall,
)
from pipeline.models import (
    Availability,
    Evidence,
    Finding,
    FindingCode,
    Judgement,
    Resource,
)

__all__ = ["explain", "judge", "observed_format", "permanent_target", "resource_findings"]

Rule = Callable[[Resource, Evidence], Finding | None]

# Whatever the status code: these explain it better than the code does.
_BEFORE_STATUS: tuple[tuple[Availability, Rule], ...] = (
    (Availability.BLOCKED, bot_challenge),
    (Availability.GATED, login_redirect),
)
# For a 2xx HTML answer: is it really the resource, and is it free to read?
_PAGE_RULES: tuple[tuple[Availability, Rule], ...] = (
    (Availability.BROKEN, parked_domain),
    (Availability.BROKEN, soft_404),
    (Availability.GATED, password_wall),
    (Availability.GATED, paywall),
    (Availability.GATED, registration_wall),
    (Availability.GATED, cookie_wall),
)


def judge(
    resource: Resource, evidence: Evidence, today: dt.date, review_after_days: int
) -> Judgement:
    """Availability plus every finding for one resource this run."""
    verdict = judge_availability(resource, evidence)
    findings = list(verdict.findings)
    if verdict.availability.is_reachable:
        findings.extend(
            judge_content(resource, evidence.result, evidence.extraction, evidence.baseline)
        )
    findings.extend(resource_findings(resource, today, review_after_days))
    return Judgement(verdict.availability, tuple(findings), verdict.reason)


def judge_availability(resource: Resource, evidence: Evidence) -> Judgement:
    """The one availability, with the finding or reason that explains it."""
    result = evidence.result
    if result.error is not None:
        return judge_status(result, resource.check.accept_status)
    found = _first(_BEFORE_STATUS, resource, evidence)
    if found is not None:
        return found
    status = judge_status(result, resource.check.accept_status)
    if not status.availability.is_reachable:
        return status
    if evidence.extraction.features is not None:
        found = _first(_PAGE_RULES, resource, evidence)
        if found is not None:
            return found
    return _with_video(status, evidence)


def _first(
    rules: tuple[tuple[Availability, Rule], ...], resource: Resource, evidence: Evidence
) -> Judgement | None:
    for availability, rule in rules:
        finding = rule(resource, evidence)
        if finding is not None:
            return Judgement(availability, (finding,))
    return None


def _with_video(status: Judgement, evidence: Evidence) -> Judgement:
    """Let the video platform's oEmbed answer overrule a 200 watch page."""
    if evidence.video is None:
        return status
    availability, finding, reason = judge_video(evidence.video)
    if availability is not None:
        return Judgement(availability, (), reason)
    extra = (finding,) if finding is not None else ()
    return Judgement(status.availability, status.findings + extra, status.reason)


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
