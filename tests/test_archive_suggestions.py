"""The archived-copy finding: worded from a capture (pipeline.judge.archive)
and given to the broken resources of a run (pipeline.check); the look-ups'
answers come from `responses` (tests/mocked.py). How a capture is found:
tests/test_wayback.py.
"""

from __future__ import annotations

import responses

from pipeline.check import archive_suggestions
from pipeline.fetch.wayback import WAYBACK_ENDPOINT
from pipeline.judge.archive import archive_finding
from pipeline.models import (
    ArchiveCapture,
    Availability,
    Confirmation,
    FindingCode,
    Resource,
    ResourceResult,
    Severity,
    SourceLocation,
)
from tests.fakes import FakeClock
from tests.mocked import (
    asked,
    fetcher,
    mocked_http,  # noqa: F401  (the `mocked` fixture)
)
from tests.test_wayback import CAPTURE, FETCH, LOOKUP, PAGE, WHEN


def broken(rid: str, url: str, availability: Availability = Availability.BROKEN) -> ResourceResult:
    resource = Resource(rid, f"Title of {rid}", url, "car-t", SourceLocation("c.yaml", 1))
    severity = availability.severity(False)
    return ResourceResult(resource, availability, severity, (), None, Confirmation())


# --------------------------------------------------------------------------
# The finding
# --------------------------------------------------------------------------


def test_the_archived_copy_finding() -> None:
    finding = archive_finding(ArchiveCapture(PAGE, LOOKUP, CAPTURE, WHEN))
    assert finding is not None
    assert finding.code is FindingCode.ARCHIVED_COPY
    assert finding.effective_severity is Severity.INFO
    assert finding.message == (
        f"The Wayback Machine has a copy from 2024-01-01: {CAPTURE} — consider linking it "
        "while the publisher's page is gone"
    )
    assert finding.evidence == LOOKUP


def test_no_capture_no_finding() -> None:
    assert archive_finding(None) is None


# --------------------------------------------------------------------------
# archive_suggestions
# --------------------------------------------------------------------------


def test_suggestions_only_for_broken_and_once_per_url(mocked: responses.RequestsMock) -> None:
    gone, other = "https://example.org/gone", "https://example.org/other"
    never = "https://example.org/never-archived"
    mocked.get(WAYBACK_ENDPOINT + gone, status=302,
               headers={"Location": f"{WAYBACK_ENDPOINT}20240101123456/{gone}"})
    mocked.get(WAYBACK_ENDPOINT + never, status=404)
    # `other` is never broken: a look-up for it would be an unregistered request
    results = [
        broken("a", gone), broken("b", gone), broken("c", never),
        broken("d", other, Availability.GATED), broken("e", other, Availability.AVAILABLE),
        broken("f", other, Availability.TIMEOUT), broken("g", other, Availability.SKIPPED),
    ]
    clock = FakeClock()
    found = archive_suggestions(results, fetcher(FETCH, clock))
    assert sorted(found) == ["a", "b"]
    assert found["a"] == found["b"]
    assert found["a"].evidence == WAYBACK_ENDPOINT + gone
    assert sorted(asked(mocked)) == [WAYBACK_ENDPOINT + gone, WAYBACK_ENDPOINT + never]
    assert clock.sleeps == [1.0]  # polite spacing between the two look-ups, not before


def test_suggestions_are_bounded(mocked: responses.RequestsMock) -> None:
    mocked.assert_all_requests_are_fired = False  # more broken links than look-ups allowed
    urls = [f"https://example.org/gone-{i}" for i in range(5)]
    for url in urls:
        mocked.get(WAYBACK_ENDPOINT + url, status=404)
    results = [broken(f"r{i}", url) for i, url in enumerate(urls)]
    assert archive_suggestions(results, fetcher(FETCH), max_lookups=3, interval=0) == {}
    assert len(mocked.calls) == 3


def test_nothing_broken_asks_nothing(mocked: responses.RequestsMock) -> None:
    assert archive_suggestions([broken("a", PAGE, Availability.AVAILABLE)], fetcher(FETCH)) == {}
    assert len(mocked.calls) == 0
