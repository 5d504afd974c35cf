"""The browser pass in Debian's Chromium, against the simulated hub's scripted pages.

A challenge a script solves, a challenge nothing solves, a page written by
its script, a script-only login wall; the address guard on every request a
page makes; a page that never finishes loading. Skipped where Chromium is
absent (.ci/run installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest

from pipeline.check import check
from pipeline.config import BrowserConfig, Config, FetchConfig
from pipeline.fetch.client import Fetcher
from pipeline.models import (
    Availability,
    BrowserFailure,
    BrowserOutcome,
    Catalogue,
    Hub,
    Mode,
    Rendered,
)
from pipeline.sim import SimulatedHub
from tests.fakes import PUBLIC_STAND_IN, TEST_POLICY, cannot_bind
from tests.test_check import codes, entry, run_check

CHROMIUM = Path("/usr/bin/chromium")
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not at /usr/bin/chromium (.ci/run installs it)",
    ),
]

BROWSER = BrowserConfig(enabled=True, executable=str(CHROMIUM), timeout=4.0)


@pytest.fixture
def browsing(fast_config: Config) -> Config:
    fetch = replace(fast_config.fetch, retries=0)
    return replace(fast_config, fetch=fetch, browser=BROWSER,
                   verdicts=replace(fast_config.verdicts, soft404_probe=False))


@pytest.mark.parametrize(("path", "availability", "expected", "title"), [
    ("/js/challenge", Availability.AVAILABLE, {"browser-verified"}, "CAR-T after the challenge"),
    ("/js/challenge-forever", Availability.BLOCKED, {"bot-challenge"}, "Just a moment..."),
    ("/js/written", Availability.AVAILABLE, {"browser-verified"},
     "Written by a script: CAR-T aftercare"),
    ("/js/login-wall", Availability.GATED, {"login-wall", "browser-verified"}, None),
])
def test_what_the_browser_saw_decides_or_is_evidence(
    hub: SimulatedHub, browsing: Config, fetcher: Fetcher, path: str,
    availability: Availability, expected: set[str], title: str | None,
) -> None:
    result = run_check([entry(hub.url(path))], browsing, fetcher)[0]
    assert result.availability is availability, result
    assert codes(result) == expected
    seen = result.observed.browser if result.observed else None
    assert seen is not None and seen.final_url.endswith(path)
    if title is not None:
        assert seen.title == title


def test_an_unsolved_challenge_says_how_long_it_was_watched(
    hub: SimulatedHub, browsing: Config, fetcher: Fetcher
) -> None:
    result = run_check([entry(hub.url("/js/challenge-forever"))], browsing, fetcher)[0]
    assert result.observed is not None and result.observed.browser is not None
    assert result.observed.browser.outcome is BrowserOutcome.STILL_BLOCKED
    assert (result.observed.browser.http_status, result.observed.browser.status) == (403, 403)
    assert result.observed.browser.seconds >= BROWSER.timeout - 0.5


def test_without_the_browser_the_same_pages_keep_the_http_verdict(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    results = run_check([entry(hub.url("/js/challenge"), id="a"),
                         entry(hub.url("/js/written"), id="b")], fast_config, fetcher)
    assert [r.availability for r in results] == [Availability.BLOCKED, Availability.AVAILABLE]
    assert all(r.observed is not None and r.observed.browser is None for r in results)


@pytest.fixture
def private_hub() -> Iterator[SimulatedHub]:
    with SimulatedHub(host="127.0.0.1") as inside:
        yield inside


@pytest.fixture
def public_hub() -> Iterator[SimulatedHub]:
    try:
        with SimulatedHub(host=PUBLIC_STAND_IN) as outside:
            yield outside
    except OSError as exc:
        cannot_bind(f"cannot bind {PUBLIC_STAND_IN} on this machine: {exc}")


def test_every_request_a_page_makes_passes_the_address_guard(
    public_hub: SimulatedHub, private_hub: SimulatedHub
) -> None:
    from pipeline.browser import BrowserSession

    inside = private_hub.url("/gilead/car-t")
    with BrowserSession(BROWSER, FetchConfig(), TEST_POLICY) as session:
        seen = session.render(public_hub.url(f"/js/beacon?to={quote(inside, safe='')}"),
                              lambda html: False)
    assert isinstance(seen, Rendered) and seen.status == 200
    assert inside in seen.refused
    assert private_hub.hits("/gilead/car-t") == 0


def test_a_page_that_never_finishes_is_a_failure_not_a_hang(hub: SimulatedHub) -> None:
    from pipeline.browser import BrowserSession

    quick = replace(BROWSER, timeout=1.5)
    with BrowserSession(quick, FetchConfig(allow_private_networks=True)) as session:
        seen = session.render(hub.url("/slow-trickle"), lambda html: False)
    assert isinstance(seen, BrowserFailure) and "within the timeout" in seen.detail


def test_report_json_carries_both_views_and_reads_back(
    hub: SimulatedHub, browsing: Config, fetcher: Fetcher
) -> None:
    import json

    from pipeline.report.json_report import render_json
    from pipeline.report.load import run_from_dict
    from tests.report_schema import assert_valid_report

    catalogue = Catalogue((Hub("test", "Test", "", "test.yaml",
                               (entry(hub.url("/js/challenge"), id="verified"),)),), "digest")
    run = check(catalogue, browsing, mode=Mode.CI, fetcher=fetcher)
    data = assert_valid_report(json.loads(render_json(run)))
    seen = data["resources"][0]["observed"]["browser"]
    assert (seen["outcome"], seen["http_status"], seen["status"]) == ("verified", 403, 200)
    read_back = run_from_dict(data).results[0].observed
    assert read_back is not None and run.results[0].observed is not None
    assert read_back.browser == run.results[0].observed.browser
