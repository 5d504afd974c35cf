"""Wayback Machine look-ups (answered by scripted loopback servers, tests/loopback.py)
and the archived-copy finding."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.config import FetchConfig
from pipeline.fetch.client import Fetcher
from pipeline.fetch.wayback import (
    WAYBACK_ENDPOINT,
    newest_capture,
    parse_capture,
    suggest_archives,
)
from pipeline.judge.archive import ArchiveLookup, archive_finding
from pipeline.models import (
    Availability,
    Confirmation,
    FindingCode,
    Resource,
    ResourceResult,
    Severity,
    SourceLocation,
)
from tests.fakes import FakeClock
from tests.loopback import FakeInternet

PAGE = "https://example.org/car-t/guide"
LOOKUP = WAYBACK_ENDPOINT + PAGE
CAPTURE = "https://web.archive.org/web/20240101123456/https://example.org/car-t/guide"
WHEN = dt.datetime(2024, 1, 1, 12, 34, 56, tzinfo=dt.UTC)


def fetcher(internet: FakeInternet, clock: FakeClock | None = None) -> Fetcher:
    config = FetchConfig(allow_private_networks=True, retries=0, timeout=0.5)
    return internet.fetcher(config, clock=(clock or FakeClock()).clock())


def broken(rid: str, url: str, availability: Availability = Availability.BROKEN) -> ResourceResult:
    resource = Resource(rid, f"Title of {rid}", url, "car-t", SourceLocation("c.yaml", 1))
    severity = availability.severity(False)
    return ResourceResult(resource, availability, severity, (), None, Confirmation())


# --------------------------------------------------------------------------
# newest_capture
# --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirect_names_the_newest_capture(internet: FakeInternet, status: int) -> None:
    internet.get(LOOKUP, status=status, headers={"Location": CAPTURE})
    lookup = newest_capture(PAGE, fetcher(internet))
    assert lookup == ArchiveLookup(PAGE, LOOKUP, CAPTURE, WHEN)
    assert len(internet.calls) == 1  # the capture itself is never fetched
    assert internet.calls[0].url == LOOKUP


def test_a_relative_location_is_made_absolute(internet: FakeInternet) -> None:
    internet.get(LOOKUP, status=302,
                  headers={"Location": "/web/20240101123456/https://example.org/car-t/guide"})
    lookup = newest_capture(PAGE, fetcher(internet))
    assert lookup is not None
    assert (lookup.capture_url, lookup.captured_at) == (CAPTURE, WHEN)


def test_a_partial_timestamp_is_followed_to_the_capture(internet: FakeInternet) -> None:
    partial = "https://web.archive.org/web/2/https://example.org/car-t/guide"
    internet.get(LOOKUP, status=302, headers={"Location": partial})
    internet.get(partial, status=302, headers={"Location": CAPTURE})
    lookup = newest_capture(PAGE, fetcher(internet))
    assert lookup is not None and lookup.capture_url == CAPTURE
    assert len(internet.calls) == 2


def test_a_custom_endpoint_is_used(internet: FakeInternet) -> None:
    endpoint = "http://127.0.0.1:8099/wayback/web/"
    capture = "http://127.0.0.1:8099/wayback/web/20231231235959id_/https://example.org/car-t/guide"
    internet.get(endpoint + PAGE, status=302, headers={"Location": capture})
    lookup = newest_capture(PAGE, fetcher(internet), endpoint)
    assert lookup is not None
    assert lookup.captured_at == dt.datetime(2023, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


@pytest.mark.parametrize("status", [404, 200, 403, 503])
def test_no_redirect_means_no_capture(internet: FakeInternet, status: int) -> None:
    internet.get(LOOKUP, status=status, body="Hrm. The Wayback Machine has not archived that URL.")
    assert newest_capture(PAGE, fetcher(internet)) is None


def test_a_connection_error_means_no_capture(internet: FakeInternet) -> None:
    internet.hang_up(LOOKUP)
    assert newest_capture(PAGE, fetcher(internet)) is None


def test_a_timeout_means_no_capture(internet: FakeInternet) -> None:
    internet.stall(LOOKUP)
    assert newest_capture(PAGE, fetcher(internet)) is None


@pytest.mark.parametrize(
    "location",
    [
        "https://evil.example/web/20240101123456/https://example.org/car-t/guide",  # other host
        "http://web.archive.org/web/20240101123456/https://example.org/car-t/guide",  # scheme
        "https://web.archive.org/web/20241301123456/https://example.org/car-t/guide",  # month 13
        "https://web.archive.org/web/20240101123456/",  # no original URL
        "https://web.archive.org/web/20240101123456/javascript:alert(1)",
        "https://web.archive.org/other/20240101123456/https://example.org/car-t/guide",
        "https://web.archive.org/web/https://example.org/car-t/guide",  # itself
        "https://web.archive.org:99999/web/20240101123456/https://example.org/",  # bad port
    ],
)
def test_a_malformed_location_means_no_capture(internet: FakeInternet, location: str) -> None:
    internet.get(LOOKUP, status=302, headers={"Location": location})
    assert newest_capture(PAGE, fetcher(internet)) is None
    assert len(internet.calls) == 1


def test_an_endless_chain_of_partial_timestamps_stops(internet: FakeInternet) -> None:
    for hop in range(10):
        here = LOOKUP if hop == 0 else f"{WAYBACK_ENDPOINT}{hop}/{PAGE}"
        there = f"{WAYBACK_ENDPOINT}{hop + 1}/{PAGE}"
        internet.get(here, status=302, headers={"Location": there})
    assert newest_capture(PAGE, fetcher(internet)) is None
    assert len(internet.calls) == 4  # MAX_HOPS + 1


@pytest.mark.parametrize(
    ("capture", "when"),
    [
        (CAPTURE, WHEN),
        ("https://web.archive.org/web/20240101123456im_/https://example.org/a.png",
         dt.datetime(2024, 1, 1, 12, 34, 56, tzinfo=dt.UTC)),
        ("https://web.archive.org/web/20240101123456/https:/example.org/a", WHEN),
        ("https://web.archive.org/web/2024010112345/https://example.org/a", None),
        ("https://web.archive.org/web/20240101123456/ftp://example.org/a", None),
    ],
)
def test_parse_capture(capture: str, when: dt.datetime | None) -> None:
    assert parse_capture(capture, WAYBACK_ENDPOINT) == when


# --------------------------------------------------------------------------
# The finding
# --------------------------------------------------------------------------


def test_the_archived_copy_finding() -> None:
    finding = archive_finding(ArchiveLookup(PAGE, LOOKUP, CAPTURE, WHEN))
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
# suggest_archives
# --------------------------------------------------------------------------


def test_suggestions_only_for_broken_and_once_per_url(internet: FakeInternet) -> None:
    gone, other = "https://example.org/gone", "https://example.org/other"
    never = "https://example.org/never-archived"
    internet.get(WAYBACK_ENDPOINT + gone, status=302,
                  headers={"Location": f"{WAYBACK_ENDPOINT}20240101123456/{gone}"})
    internet.get(WAYBACK_ENDPOINT + never, status=404)
    internet.get(WAYBACK_ENDPOINT + other, status=302,
                  headers={"Location": f"{WAYBACK_ENDPOINT}20230101000000/{other}"})
    results = [
        broken("a", gone), broken("b", gone), broken("c", never),
        broken("d", other, Availability.GATED), broken("e", other, Availability.AVAILABLE),
        broken("f", other, Availability.TIMEOUT), broken("g", other, Availability.SKIPPED),
    ]
    clock = FakeClock()
    found = suggest_archives(results, fetcher(internet, clock))
    assert sorted(found) == ["a", "b"]
    assert found["a"] == found["b"]
    assert found["a"].evidence == WAYBACK_ENDPOINT + gone
    asked = sorted(call.url for call in internet.calls)
    assert asked == [WAYBACK_ENDPOINT + gone, WAYBACK_ENDPOINT + never]
    assert clock.sleeps == [1.0]  # polite spacing between the two look-ups, not before


def test_suggestions_are_bounded(internet: FakeInternet) -> None:
    urls = [f"https://example.org/gone-{i}" for i in range(5)]
    for url in urls:
        internet.get(WAYBACK_ENDPOINT + url, status=404)
    results = [broken(f"r{i}", url) for i, url in enumerate(urls)]
    assert suggest_archives(results, fetcher(internet), max_lookups=3, interval=0) == {}
    assert len(internet.calls) == 3


def test_nothing_broken_asks_nothing(internet: FakeInternet) -> None:
    assert suggest_archives([broken("a", PAGE, Availability.AVAILABLE)], fetcher(internet)) == {}
    assert internet.calls == []
