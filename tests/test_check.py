"""Integration: curate's check against the simulated hub, a real server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pipeline import __version__
from pipeline import check as check_module
from pipeline.check import check
from pipeline.config import Config
from pipeline.fetch.client import Fetcher
from pipeline.history import NO_STREAK
from pipeline.models import (
    Availability,
    Catalogue,
    CheckOptions,
    FetchResult,
    Format,
    Hub,
    Mode,
    Resource,
    ResourceResult,
    Severity,
    SourceLocation,
    Streak,
)
from pipeline.sim import SimulatedHub
from tests.conftest import Sleeps
from tests.fakes import FakeClock
from tests.loopback import TLS_DIR, FakeInternet

pytestmark = pytest.mark.integration

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


def entry(url: str, **fields: object) -> Resource:
    base: dict[str, object] = {
        "id": "r" + str(abs(hash(url)) % 10**8), "title": "", "url": url, "hub": "test",
        "source": SourceLocation("catalogue/test.yaml", 1),
    }
    base.update(fields)
    return Resource(**base)  # type: ignore[arg-type]


def run_check(
    resources: list[Resource], config: Config, fetcher: Fetcher, mode: Mode = Mode.CI
) -> list[ResourceResult]:
    catalogue = Catalogue((Hub("test", "Test", "", "test.yaml", tuple(resources)),), "digest")
    return list(check(catalogue, config, mode=mode, fetcher=fetcher, now=lambda: NOW).results)


def check_one(resource: Resource, config: Config, fetcher: Fetcher) -> ResourceResult:
    return run_check([resource], config, fetcher)[0]


def codes(result: ResourceResult) -> set[str]:
    return {f.code.value for f in result.findings}


GUIDE_TITLE = "The CAR T-Cell Therapy Clinical Trial Journey – A Guide for Patients and Carers"

CASES = [
    # path, catalogue fields, availability, finding codes
    ("/attc/car-t-clinical-journey-guide.pdf", {"format": Format.PDF, "pages": 92,
     "title": GUIDE_TITLE}, Availability.AVAILABLE, set()),
    ("/bms/cell-therapy-fact-sheet.pdf", {"format": Format.PDF, "pages": 1},
     Availability.AVAILABLE, set()),
    ("/bms/car-t-infographic.png", {"format": Format.IMAGE}, Availability.AVAILABLE, set()),
    ("/mayo/car-t-program", {"title": "CAR-T Cell Therapy Program - Overview"},
     Availability.AVAILABLE, set()),
    ("/latin1-page", {"title": "Thérapie CAR-T : étapes du traitement"},
     Availability.AVAILABLE, set()),
    ("/moved-permanently", {}, Availability.REDIRECTED, {"permanent-redirect"}),
    ("/moved-308", {}, Availability.REDIRECTED, {"permanent-redirect"}),
    ("/moved-temporarily", {}, Availability.AVAILABLE, set()),
    ("/moved-307", {}, Availability.AVAILABLE, set()),
    # 302 to itself with Set-Cookie, the page once the cookie comes back
    ("/cookie-check", {"title": "Cookie check passed"}, Availability.AVAILABLE, set()),
    ("/status/404", {}, Availability.BROKEN, set()),
    ("/status/410", {}, Availability.BROKEN, set()),
    ("/loop/a", {}, Availability.BROKEN, set()),
    ("/status/503", {}, Availability.SERVER_ERROR, set()),
    ("/status/500", {}, Availability.SERVER_ERROR, set()),
    ("/status/401", {}, Availability.GATED, {"login-wall"}),
    ("/challenge", {}, Availability.BLOCKED, {"bot-challenge"}),
    # the challenges a browser's script clears, or never does: blocked all the same
    ("/js/challenge", {}, Availability.BLOCKED, {"bot-challenge"}),
    ("/js/challenge-forever", {}, Availability.BLOCKED, {"bot-challenge"}),
    ("/forbidden", {}, Availability.BLOCKED, set()),
    ("/rate-limited", {}, Availability.BLOCKED, {"rate-limited"}),
    ("/slow-trickle", {}, Availability.TIMEOUT, set()),
    ("/guide-now-html", {"format": Format.PDF, "pages": 12}, Availability.AVAILABLE,
     {"format-mismatch"}),
    ("/damaged.pdf", {"format": Format.PDF}, Availability.AVAILABLE, {"damaged-pdf"}),
    ("/bms/cell-therapy-fact-sheet.pdf", {"format": Format.PDF, "pages": 2},
     Availability.AVAILABLE, {"pages-changed"}),
    ("/title-changed", {"title": "Going home after CAR-T"}, Availability.AVAILABLE,
     {"title-changed"}),
    ("/oversized", {"format": Format.PDF}, Availability.AVAILABLE, {"too-large"}),
    ("/oversized-declared", {"format": Format.PDF}, Availability.AVAILABLE, {"too-large"}),
]


@pytest.mark.parametrize(("path", "fields", "availability", "expected_codes"), CASES,
                         ids=[f"{c[0]}:{c[2].value}:{'+'.join(sorted(c[3]))}" for c in CASES])
def test_each_situation_gets_its_verdict(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher, path: str,
    fields: dict[str, object], availability: Availability, expected_codes: set[str],
) -> None:
    result = check_one(entry(hub.url(path), **fields), fast_config, fetcher)
    assert result.availability is availability, result.observed
    assert codes(result) == expected_codes


def test_a_resource_never_sends_a_cookie_another_resource_was_given(
    internet: FakeInternet, fast_config: Config
) -> None:
    """Each resource is a patient's first visit: cookies stay within its own chain
    and its retries, never reach the next resource, even on the same site."""
    site = "https://hub.example.org"
    internet.get(f"{site}/a", status=503, headers={"Set-Cookie": "session=a; Path=/"})
    internet.get(f"{site}/a", body="<title>A</title>", content_type="text/html")
    internet.get(f"{site}/b", body="<title>B</title>", content_type="text/html")
    config = replace(fast_config, fetch=replace(fast_config.fetch, concurrency=1),
                     verdicts=replace(fast_config.verdicts, soft404_probe=False))
    fetcher = internet.fetcher(config.fetch, clock=FakeClock().clock())
    results = run_check([entry(f"{site}/a", id="a"), entry(f"{site}/b", id="b")], config,
                        fetcher)
    sent = [(call.url.rsplit("/", 1)[1], call.headers.get("Cookie", "-"))
            for call in internet.calls]
    assert [r.availability for r in results] == [Availability.AVAILABLE] * 2
    assert sorted(sent) == [("a", "-"), ("a", "session=a"), ("b", "-")]


@pytest.mark.parametrize(("bundle", "availability", "expected_codes"), [
    (None, Availability.TLS_ERROR, set()),
    (TLS_DIR / "ca.pem", Availability.AVAILABLE, set()),
])
def test_a_site_behind_a_private_authority_is_available_once_its_bundle_is_configured(
    internet: FakeInternet, fast_config: Config, bundle: Path | None,
    availability: Availability, expected_codes: set[str],
) -> None:  # tls-error without the bundle, available with it
    """A hospital network inspecting TLS with its own CA: without the bundle
    every https link fails; with [fetch] ca_bundle it is checked as usual."""
    url = "https://guide.example.org/car-t"
    internet.get(url, body="<title>CAR-T guide</title>", content_type="text/html")
    fetch = replace(fast_config.fetch, retries=0, ca_bundle=str(bundle or ""))
    config = replace(fast_config, fetch=fetch,
                     verdicts=replace(fast_config.verdicts, soft404_probe=False))
    fetcher = Fetcher(fetch, clock=FakeClock().clock(), resolve=internet.resolve)
    result = check_one(entry(url), config, fetcher)
    assert result.availability is availability, result.observed
    assert codes(result) == expected_codes


def test_a_refused_connection_is_broken_and_not_retried(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher, sleeps: Sleeps
) -> None:
    result = check_one(entry(hub.refused_url()), fast_config, fetcher)
    assert result.availability is Availability.BROKEN
    assert result.observed is not None and "refused" in result.observed.error
    assert sleeps.asked == []


def test_the_92_page_guide_reports_its_pages_title_and_validators(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    result = check_one(entry(hub.url("/attc/car-t-clinical-journey-guide.pdf"),
                             format=Format.PDF, pages=92), fast_config, fetcher)
    seen = result.observed
    assert seen is not None
    assert (seen.pages, seen.title, seen.content_type) == (92, GUIDE_TITLE, "application/pdf")
    assert seen.etag and seen.last_modified and len(seen.sha256) == 64 and seen.bytes > 1000


def test_a_permanent_redirect_reports_the_new_url_and_every_hop(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    result = check_one(entry(hub.url("/moved-permanently")), fast_config, fetcher)
    assert result.observed is not None
    assert [(h.status, h.location) for h in result.observed.redirects] == [
        (301, hub.url("/mayo/car-t-program"))
    ]
    (finding,) = result.findings
    assert hub.url("/mayo/car-t-program") in finding.message


def test_transient_failures_are_retried_and_recover(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher, sleeps: Sleeps
) -> None:
    url = hub.url("/flaky?key=recover")
    result = check_one(entry(url), fast_config, fetcher)
    assert result.availability is Availability.AVAILABLE
    assert hub.hits("/flaky?key=recover") == 2
    assert len(sleeps.asked) == 1


def test_429_is_retried_honouring_retry_after_then_blocked_not_broken(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher, sleeps: Sleeps
) -> None:
    before = hub.hits("/rate-limited?n=1")
    result = check_one(entry(hub.url("/rate-limited?n=1")), fast_config, fetcher)
    assert result.availability is Availability.BLOCKED
    assert hub.hits("/rate-limited?n=1") - before == fast_config.fetch.retries + 1
    # The server's Retry-After: 1, waited by the scheduler from the moment each
    # answer came in (hence a hair under a second when the clock is real).
    assert sleeps.asked == pytest.approx([1.0, 1.0], abs=0.05)


def test_each_url_is_fetched_once_however_many_entries_list_it(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    url = hub.url("/gilead/car-t?listed=twice")
    results = run_check([entry(url, id="a"), entry(url, id="b"), entry(url, id="c")],
                        fast_config, fetcher)
    assert [r.availability for r in results] == [Availability.AVAILABLE] * 3
    assert hub.hits("/gilead/car-t?listed=twice") == 1


def test_requests_carry_the_honest_user_agent(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    check_one(entry(hub.url("/attc/glossary?ua=1")), fast_config, fetcher)
    agents = [h.get("User-Agent", "") for _, target, h in hub.requests_log()
              if target == "/attc/glossary?ua=1"]
    assert agents and f"curate/{__version__}" in agents[0]
    assert fast_config.fetch.contact in agents[0]


def test_a_run_closes_the_connections_it_kept_alive(
    hub: SimulatedHub, fast_config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fetcher check() makes for itself leaves no socket open after the run
    (a scheduler that runs checks in one long process would run out of them)."""
    made: list[Fetcher] = []

    class Recorded(Fetcher):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(check_module, "Fetcher", Recorded)
    listed = (entry(hub.url("/gilead/car-t?kept=1"), id="a"),
              entry(hub.url("/attc/glossary?kept=1"), id="b"))
    catalogue = Catalogue((Hub("test", "Test", "", "test.yaml", listed),), "digest")
    check(catalogue, fast_config, now=lambda: NOW)
    assert len(made) == 1 and made[0].kept_connections() == 0
    assert made[0].fetch(hub.url("/gilead/car-t?kept=2")).status == 200  # kept again after


class LastNightOnly:
    """A history that knows only each resource's availability on its last night."""

    def __init__(self, last: dict[str, str]) -> None:
        self.last = last

    def good_nights(self, resource_ids: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        return {}, {}

    def streaks(self, resource_ids: Any, mode: str = "nightly") -> dict[str, Streak]:
        return {rid: NO_STREAK for rid in resource_ids}

    def last_availabilities(self, resource_ids: Any, mode: str = "nightly") -> dict[str, str]:
        return {rid: self.last[rid] for rid in resource_ids if rid in self.last}


def test_urls_that_failed_transiently_last_night_are_fetched_first(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    """Their retries then wait while the rest is fetched, not after it."""
    paths = {rid: f"/mayo/car-t-program?order={rid}" for rid in "abcdefg"}
    listed = tuple(entry(hub.url(path), id=rid) for rid, path in paths.items())
    catalogue = Catalogue((Hub("test", "Test", "", "test.yaml", listed),), "digest")
    past = LastNightOnly({
        "a": "available",
        "b": "broken",  # a 404 is not retried: its place is kept
        "d": "server-error",
        "e": "blocked",  # a 429 waits for Retry-After
        "g": "timeout",
    })
    one_at_a_time = replace(fast_config, fetch=replace(fast_config.fetch, concurrency=1))
    run = check(catalogue, one_at_a_time, fetcher=fetcher, now=lambda: NOW, history=past)
    order = [target for _, target, _ in hub.requests_log() if "order=" in target]
    assert order == [paths[rid] for rid in "degabcf"]
    assert [r.resource.id for r in run.results] == list("abcdefg"), "reported in catalogue order"


def test_loopback_gets_zero_requests_without_the_allow_flag(
    hub: SimulatedHub, fast_config: Config, sleeps: Sleeps
) -> None:
    config = replace(fast_config, fetch=replace(fast_config.fetch, allow_private_networks=False))
    guarded = Fetcher(config.fetch)
    result = check_one(entry(hub.url("/mayo/car-t-program?guard=1")), config, guarded)
    assert result.availability is Availability.BROKEN
    assert hub.hits("/mayo/car-t-program?guard=1") == 0


def test_a_skipped_entry_is_not_fetched(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    skipped = entry(hub.url("/gilead/car-t?skip=1"),
                    check=CheckOptions(skip=True, skip_reason="publisher asked us not to"))
    result = check_one(skipped, fast_config, fetcher)
    assert (result.availability, result.severity) == (Availability.SKIPPED, Severity.INFO)
    assert hub.hits("/gilead/car-t?skip=1") == 0


def test_nightly_mode_reports_a_first_failure_as_failing_not_dead(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    (nightly,) = run_check([entry(hub.url("/status/404?night=1"))], fast_config, fetcher,
                           mode=Mode.NIGHTLY)
    assert nightly.availability is Availability.BROKEN
    assert nightly.severity is Severity.WARNING
    assert (nightly.confirmation.failures, nightly.confirmation.needed) == (1, 2)
    assert not nightly.confirmation.confirmed
    (ci,) = run_check([entry(hub.url("/status/404?night=2"))], fast_config, fetcher)
    assert ci.severity is Severity.ERROR and ci.confirmation.confirmed


def test_a_probe_page_is_read_in_the_charset_its_header_names() -> None:
    # Only the Content-Type says ISO-8859-2 (0xA3 is "Ł"), as for the page it is compared with.
    title = "Nie znaleziono \u0141\u00f3d\u017a"
    body = f"<html><head><title>{title}</title></head><body>x</body></html>".encode("iso-8859-2")
    answer = FetchResult(url="http://e.test/p", final_url="http://e.test/p", status=200,
                         headers={"Content-Type": "text/html; charset=iso-8859-2"}, body=body)
    assert check_module.probe_from("http://e.test/p", answer).title == title
