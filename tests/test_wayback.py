"""Wayback Machine look-ups: the captures the fetch stage finds.

(The archived-copy finding made from them: tests/test_archive_suggestions.py.)

The archive's answers (redirects to a capture, refusals, malformed
Locations) come from `responses` (tests/mocked.py); a server that hangs up
or never answers is a scripted loopback server (tests/loopback.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
import responses

from pipeline.config import FetchConfig
from pipeline.fetch.client import Fetcher
from pipeline.fetch.wayback import (
    WAYBACK_ENDPOINT,
    newest_capture,
    newest_captures,
    parse_capture,
)
from pipeline.models import ArchiveCapture
from tests.fakes import FakeClock
from tests.loopback import FakeInternet
from tests.mocked import (
    asked,
    fetcher,
    mocked_http,  # noqa: F401  (the `mocked` fixture)
)

PAGE = "https://example.org/car-t/guide"
LOOKUP = WAYBACK_ENDPOINT + PAGE
CAPTURE = "https://web.archive.org/web/20240101123456/https://example.org/car-t/guide"
WHEN = dt.datetime(2024, 1, 1, 12, 34, 56, tzinfo=dt.UTC)


FETCH = FetchConfig(allow_private_networks=True, retries=0, timeout=0.5)


def loopback_fetcher(internet: FakeInternet) -> Fetcher:
    return internet.fetcher(FETCH, clock=FakeClock().clock())


# --------------------------------------------------------------------------
# newest_capture
# --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirect_names_the_newest_capture(mocked: responses.RequestsMock, status: int) -> None:
    mocked.get(LOOKUP, status=status, headers={"Location": CAPTURE})
    lookup = newest_capture(PAGE, fetcher(FETCH))
    assert lookup == ArchiveCapture(PAGE, LOOKUP, CAPTURE, WHEN)
    assert asked(mocked) == [LOOKUP]  # the capture itself is never fetched


def test_a_relative_location_is_made_absolute(mocked: responses.RequestsMock) -> None:
    mocked.get(LOOKUP, status=302,
               headers={"Location": "/web/20240101123456/https://example.org/car-t/guide"})
    lookup = newest_capture(PAGE, fetcher(FETCH))
    assert lookup is not None
    assert (lookup.capture_url, lookup.captured_at) == (CAPTURE, WHEN)


def test_a_partial_timestamp_is_followed_to_the_capture(mocked: responses.RequestsMock) -> None:
    partial = "https://web.archive.org/web/2/https://example.org/car-t/guide"
    mocked.get(LOOKUP, status=302, headers={"Location": partial})
    mocked.get(partial, status=302, headers={"Location": CAPTURE})
    lookup = newest_capture(PAGE, fetcher(FETCH))
    assert lookup is not None and lookup.capture_url == CAPTURE
    assert asked(mocked) == [LOOKUP, partial]


def test_a_custom_endpoint_is_used(mocked: responses.RequestsMock) -> None:
    endpoint = "http://127.0.0.1:8099/wayback/web/"
    capture = "http://127.0.0.1:8099/wayback/web/20231231235959id_/https://example.org/car-t/guide"
    mocked.get(endpoint + PAGE, status=302, headers={"Location": capture})
    lookup = newest_capture(PAGE, fetcher(FETCH), endpoint)
    assert lookup is not None
    assert lookup.captured_at == dt.datetime(2023, 12, 31, 23, 59, 59, tzinfo=dt.UTC)


@pytest.mark.parametrize("status", [404, 200, 403, 503])
def test_no_redirect_means_no_capture(mocked: responses.RequestsMock, status: int) -> None:
    mocked.get(LOOKUP, status=status, body="Hrm. The Wayback Machine has not archived that URL.")
    assert newest_capture(PAGE, fetcher(FETCH)) is None
    assert len(mocked.calls) == 1


def test_a_connection_error_means_no_capture(internet: FakeInternet) -> None:
    internet.hang_up(LOOKUP)
    assert newest_capture(PAGE, loopback_fetcher(internet)) is None
    assert len(internet.calls) == 1


def test_a_timeout_means_no_capture(internet: FakeInternet) -> None:
    internet.stall(LOOKUP)
    assert newest_capture(PAGE, loopback_fetcher(internet)) is None
    assert len(internet.calls) == 1


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
def test_a_malformed_location_means_no_capture(
    mocked: responses.RequestsMock, location: str
) -> None:
    mocked.get(LOOKUP, status=302, headers={"Location": location})
    assert newest_capture(PAGE, fetcher(FETCH)) is None
    assert asked(mocked) == [LOOKUP]


def test_an_endless_chain_of_partial_timestamps_stops(mocked: responses.RequestsMock) -> None:
    mocked.assert_all_requests_are_fired = False  # the chain is longer than what is followed
    for hop in range(10):
        here = LOOKUP if hop == 0 else f"{WAYBACK_ENDPOINT}{hop}/{PAGE}"
        there = f"{WAYBACK_ENDPOINT}{hop + 1}/{PAGE}"
        mocked.get(here, status=302, headers={"Location": there})
    assert newest_capture(PAGE, fetcher(FETCH)) is None
    assert len(mocked.calls) == 4  # MAX_HOPS + 1


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
# newest_captures
# --------------------------------------------------------------------------


def test_captures_once_per_url_and_spaced(mocked: responses.RequestsMock) -> None:
    gone, never = "https://example.org/gone", "https://example.org/never-archived"
    mocked.get(WAYBACK_ENDPOINT + gone, status=302,
               headers={"Location": f"{WAYBACK_ENDPOINT}20240101123456/{gone}"})
    mocked.get(WAYBACK_ENDPOINT + never, status=404)
    clock = FakeClock()
    found = newest_captures([gone, gone, never], fetcher(FETCH, clock))
    assert list(found) == [gone]
    assert found[gone].lookup_url == WAYBACK_ENDPOINT + gone
    assert asked(mocked) == [WAYBACK_ENDPOINT + gone, WAYBACK_ENDPOINT + never]
    assert clock.sleeps == [1.0]  # polite spacing between the two look-ups, not before


def test_captures_are_bounded(mocked: responses.RequestsMock) -> None:
    mocked.assert_all_requests_are_fired = False  # more URLs than look-ups allowed
    urls = [f"https://example.org/gone-{i}" for i in range(5)]
    for url in urls:
        mocked.get(WAYBACK_ENDPOINT + url, status=404)
    assert newest_captures(urls, fetcher(FETCH), max_lookups=3, interval=0) == {}
    assert asked(mocked) == [WAYBACK_ENDPOINT + url for url in urls[:3]]


def test_no_urls_ask_nothing(mocked: responses.RequestsMock) -> None:
    assert newest_captures([], fetcher(FETCH)) == {}
    assert len(mocked.calls) == 0
