"""Runs, results and acknowledgements for the tests of pipeline.review
(test_review_accepting, test_review_acknowledgements, test_review_listing)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from pipeline.models import (
    Availability,
    Confirmation,
    Finding,
    FindingCode,
    Format,
    Hop,
    Mode,
    Network,
    Observation,
    Resource,
    ResourceResult,
    Run,
    RunInfo,
    Severity,
    SourceLocation,
)
from pipeline.review.acknowledgements import Acknowledgement

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "catalogue" / "car-t-phases.yaml"
TODAY = dt.date(2026, 12, 1)
INFOGRAPHIC = "mayo-car-t-infographic"
GUIDE = "attc-car-t-patient-guide"
HTML_EVIDENCE = "Content-Type: text/html; charset=utf-8"


def make_resource(rid: str, **changes: Any) -> Resource:
    """A catalogue entry with plausible defaults."""
    base = Resource(
        id=rid,
        title=f"Title of {rid}",
        url=f"https://example.org/{rid}",
        hub="car-t",
        source=SourceLocation("catalogue/car-t.yaml", 1),
        format=Format.HTML,
    )
    return dataclasses.replace(base, **changes)


def seen(resource: Resource, **changes: Any) -> Observation:
    """What a fetch of `resource` saw: by default exactly what the catalogue says."""
    base = Observation(
        final_url=resource.url,
        status=200,
        content_type="text/html",
        title=resource.title,
        pages=resource.pages,
    )
    return dataclasses.replace(base, **changes)


def result_of(
    resource: Resource,
    availability: Availability = Availability.AVAILABLE,
    *findings: Finding,
    observed: Observation | None = None,
    confirmed: bool = True,
) -> ResourceResult:
    """A resource's end state, its severity derived as check.py derives it."""
    confirmation = Confirmation(failures=2 if confirmed else 1, needed=2, confirmed=confirmed)
    severity = Severity.highest(
        [availability.severity(confirmed)] + [f.effective_severity for f in findings]
    )
    return ResourceResult(
        resource, availability, severity, findings, observed or seen(resource), confirmation
    )


def run_of(*results: ResourceResult) -> Run:
    started = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
    info = RunInfo("2026-12-01T0200Z", started, started, "0.1.0", Mode.NIGHTLY, Network.OK, "d")
    return Run(info, results)


def finding(code: FindingCode, evidence: str = "", message: str = "", **kw: Any) -> Finding:
    return Finding(code, message or f"{code.value} seen", evidence=evidence, **kw)


def ack(rid: str, code: str, evidence: str | None = "", **kw: Any) -> Acknowledgement:
    fields: dict[str, Any] = {"reason": "known", "on": dt.date(2026, 11, 25)} | kw
    return Acknowledgement(rid, code, evidence=evidence, **fields)


def redirect(resource: Resource, new_url: str, *later: Hop) -> ResourceResult:
    """A resource that answered after a 301 to `new_url`."""
    hops = (Hop(resource.url, 301, new_url), *later)
    found = finding(FindingCode.PERMANENT_REDIRECT, f"301 {resource.url}")
    observed = seen(resource, final_url=hops[-1].location, redirects=hops)
    return result_of(resource, Availability.REDIRECTED, found, observed=observed)


def title_changed(resource: Resource, title: str) -> ResourceResult:
    message = (f"The title is now \u201c{title}\u201d; "
               f"the catalogue says \u201c{resource.title}\u201d")
    found = finding(FindingCode.TITLE_CHANGED, "read with html", message)
    return result_of(resource, Availability.AVAILABLE, found, observed=seen(resource, title=title))


def pages_changed(resource: Resource, pages: int) -> ResourceResult:
    message = f"The catalogue says {resource.pages} pages; the PDF now has {pages}"
    found = finding(FindingCode.PAGES_CHANGED, "read with pypdf", message)
    return result_of(resource, Availability.AVAILABLE, found, observed=seen(resource, pages=pages))


def gated(resource: Resource, *more: Finding) -> ResourceResult:
    wall = finding(FindingCode.LOGIN_WALL, "HTTP 401")
    return result_of(resource, Availability.GATED, wall, *more, observed=seen(resource, status=401))


def broken(resource: Resource, confirmed: bool = True) -> ResourceResult:
    observed = seen(resource, status=404, error="not found (HTTP 404)", title=None)
    return result_of(resource, Availability.BROKEN, observed=observed, confirmed=confirmed)


def guide_run() -> Run:
    guide = make_resource(GUIDE, format=Format.PDF, pages=92)
    mismatch = finding(FindingCode.FORMAT_MISMATCH, HTML_EVIDENCE)
    overdue = finding(FindingCode.REVIEW_OVERDUE)
    return run_of(result_of(guide, Availability.AVAILABLE, mismatch, overdue))
