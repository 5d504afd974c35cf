"""pipeline/second_opinion.py: which pages the browser looks at, and what its view decides.

The browser itself is a stand-in here (what it "saw" is given); the real
Chromium runs in tests/test_browser_pass.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from pipeline.config import BrowserConfig, Config
from pipeline.models import (
    Availability,
    BrowserFailure,
    BrowserOutcome,
    FetchResult,
    Finding,
    FindingCode,
    Judgement,
    Observation,
    Rendered,
    Resource,
    SourceLocation,
)
from pipeline.second_opinion import candidates, second_opinions

CONFIG = Config(browser=BrowserConfig(enabled=True, max_pages=2))
CHALLENGE = Judgement(Availability.BLOCKED, (Finding(FindingCode.BOT_CHALLENGE, "challenge"),))
OK = Judgement(Availability.AVAILABLE)


def resource(n: int, url: str | None = None) -> Resource:
    return Resource(id=f"r-{n}", title="T", url=url or f"https://site{n}.example.org/page",
                    hub="h", source=SourceLocation("h.yaml", n))


def http_pair(judgement: Judgement, status: int = 403) -> tuple[Judgement, Observation]:
    return judgement, Observation(final_url="https://x.example.org/", status=status,
                                  title="Just a moment...")


def rendered(url: str, html: str = "<title>Real</title>", status: int = 200,
             still_waiting: bool = False, content_type: str = "text/html") -> Rendered:
    return Rendered(url, url, status, content_type, html, "Real", 3.2, still_waiting)


def judge_by_markup(resource: Resource, page: FetchResult) -> tuple[Judgement, Observation]:
    """A stand-in judge: a page saying 'challenge' is blocked, anything else available."""
    blocked = b"challenge" in page.body
    observed = Observation(final_url=page.final_url, status=page.status, title="Real",
                           text_length=len(page.body))
    return (CHALLENGE if blocked else OK), observed


def browser_showing(pages: dict[str, Rendered | BrowserFailure]
                    ) -> Callable[[str, Callable[[str], bool]], Rendered | BrowserFailure]:
    return lambda url, still_waiting: pages[url]


def test_blocked_and_script_only_pages_are_candidates_in_catalogue_order() -> None:
    listed = [resource(1), resource(2), resource(3), resource(4, resource(1).url)]
    judged = {"r-1": http_pair(CHALLENGE), "r-2": http_pair(OK, 200),
              "r-3": http_pair(OK, 200), "r-4": http_pair(CHALLENGE)}
    found = candidates(listed, judged, frozenset({resource(3).url}), CONFIG)
    assert [(c.url, sorted(c.judged)) for c in found] == [
        (resource(1).url, ["r-1", "r-4"]), (resource(3).url, ["r-3"])]
    only_blocked = replace(CONFIG, browser=replace(CONFIG.browser, for_=("blocked",)))
    assert [c.url for c in candidates(listed, judged, frozenset({resource(3).url}),
                                      only_blocked)] == [resource(1).url]


def test_a_challenge_the_browser_passes_takes_the_rendered_verdict_and_says_so() -> None:
    found = candidates([resource(1)], {"r-1": http_pair(CHALLENGE)}, frozenset(), CONFIG)
    again = second_opinions(found, CONFIG, browser_showing({resource(1).url: rendered(
        resource(1).url, "<title>Real</title><p>CAR-T aftercare</p>")}), judge_by_markup)
    judgement, observed = again["r-1"]
    assert judgement.availability is Availability.AVAILABLE
    assert [f.code for f in judgement.findings] == [FindingCode.BROWSER_VERIFIED]
    assert "status 403" in judgement.findings[0].evidence
    assert observed.browser is not None and observed.browser.outcome is BrowserOutcome.VERIFIED
    assert (observed.browser.http_status, observed.browser.status) == (403, 200)


@pytest.mark.parametrize("shown", [
    rendered("u", "<p>challenge</p>", status=403, still_waiting=True),
    rendered("u", "<p>challenge</p>", status=403),
])
def test_a_challenge_still_shown_stays_blocked_with_the_browsers_evidence(shown: Rendered) -> None:
    url = resource(1).url
    found = candidates([resource(1)], {"r-1": http_pair(CHALLENGE)}, frozenset(), CONFIG)
    again = second_opinions(found, CONFIG, browser_showing({url: replace(shown, url=url)}),
                            judge_by_markup)
    judgement, observed = again["r-1"]
    assert judgement.availability is Availability.BLOCKED
    assert [f.code for f in judgement.findings] == [FindingCode.BOT_CHALLENGE]
    assert "challenge was still shown after 3 s" in judgement.reason
    assert observed.browser is not None
    assert observed.browser.outcome is BrowserOutcome.STILL_BLOCKED


@pytest.mark.parametrize(("shown", "detail"), [
    (BrowserFailure("u", "the page did not load within the timeout"), "within the timeout"),
    (rendered("u", "", content_type="application/pdf"), "application/pdf, not a page"),
])
def test_no_opinion_keeps_the_http_verdict_with_browser_failed(
    shown: Rendered | BrowserFailure, detail: str
) -> None:
    url = resource(1).url
    found = candidates([resource(1)], {"r-1": http_pair(CHALLENGE)}, frozenset(), CONFIG)
    again = second_opinions(found, CONFIG, browser_showing({url: shown}), judge_by_markup)
    judgement, observed = again["r-1"]
    assert judgement.availability is Availability.BLOCKED
    assert [f.code for f in judgement.findings] == [FindingCode.BOT_CHALLENGE,
                                                    FindingCode.BROWSER_FAILED]
    assert detail in judgement.findings[1].message
    assert observed.browser is not None and observed.browser.outcome is BrowserOutcome.FAILED


def test_pages_beyond_max_pages_are_not_opened() -> None:
    listed = [resource(n) for n in range(1, 5)]
    found = candidates(listed, {r.id: http_pair(CHALLENGE) for r in listed}, frozenset(), CONFIG)
    opened: list[str] = []

    def browser(url: str, still_waiting: Callable[[str], bool]) -> Rendered:
        opened.append(url)
        return rendered(url)

    again = second_opinions(found, CONFIG, browser, judge_by_markup)
    assert opened == [listed[0].url, listed[1].url]
    assert [again[r.id][0].availability for r in listed] == [
        Availability.AVAILABLE, Availability.AVAILABLE, Availability.BLOCKED,
        Availability.BLOCKED]
    assert "max_pages (2) was reached" in again["r-4"][0].findings[-1].message


def test_two_pages_of_one_host_are_spaced_as_the_http_pass_spaces_them() -> None:
    same_host = [resource(1, "https://one.example.org/a"), resource(2, "https://one.example.org/b")]
    config = replace(CONFIG, fetch=replace(CONFIG.fetch, per_host_interval=5.0))
    found = candidates(same_host, {r.id: http_pair(CHALLENGE) for r in same_host}, frozenset(),
                       config)
    slept: list[float] = []
    second_opinions(found, config, lambda url, waiting: rendered(url), judge_by_markup,
                    sleep=slept.append)
    assert len(slept) == 1 and 4.0 < slept[0] <= 5.0
