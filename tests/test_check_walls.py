"""Integration: 'still there and still freely available' against the simulated hub.

Every situation of issue 4 is served by a real HTTP server on loopback; the
whole check (fetch, soft-404 probe, oEmbed, history, judge) decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace

import pytest

from pipeline.check import check
from pipeline.config import ArchiveConfig, Config, VideoConfig
from pipeline.fetch.client import Fetcher
from pipeline.history import History
from pipeline.models import (
    Availability,
    Catalogue,
    Format,
    Hub,
    Mode,
    Resource,
    ResourceResult,
    Run,
    Severity,
    SourceLocation,
)
from pipeline.sim import SimulatedHub
from tests.fakes import cannot_bind

pytestmark = pytest.mark.integration


def entry(url: str, id: str = "res", **fields: object) -> Resource:
    fields.setdefault("title", "")
    return Resource(id=id, url=url, hub="test",  # type: ignore[arg-type]
                    source=SourceLocation("catalogue/test.yaml", 1), **fields)


def night(resources: list[Resource], config: Config, fetcher: Fetcher, *,
          history: History | None = None, day: int = 1, mode: Mode = Mode.NIGHTLY) -> Run:
    catalogue = Catalogue((Hub("test", "Test", "", "test.yaml", tuple(resources)),), "d")
    started = dt.datetime(2026, 11, day, 2, 0, tzinfo=dt.UTC)
    run = check(catalogue, config, mode=mode, fetcher=fetcher, now=lambda: started,
                run_id=f"night-{day}", history=history)
    if history is not None:
        history.record(run)
    return run


def one(resource: Resource, config: Config, fetcher: Fetcher) -> ResourceResult:
    return night([resource], config, fetcher).results[0]


def codes(result: ResourceResult) -> set[str]:
    return {f.code.value for f in result.findings}


SITUATIONS = [
    ("/soft/car-t-guide", {}, Availability.BROKEN, {"soft-404"}),
    ("/catchall/car-t-guide", {}, Availability.AVAILABLE, set()),
    *[(f"/nf/{lang}", {}, Availability.BROKEN, {"soft-404"})
      for lang in ("en", "fr", "de", "nl", "it", "es")],
    ("/deep/old-guide.html", {}, Availability.BROKEN, {"soft-404"}),
    ("/deep/moved-home", {}, Availability.BROKEN, {"soft-404"}),
    ("/parked", {}, Availability.BROKEN, {"parked-domain"}),
    ("/members/guide", {}, Availability.GATED, {"login-wall"}),
    ("/sso/guide", {}, Availability.GATED, {"login-wall"}),
    ("/password-page", {}, Availability.GATED, {"login-wall"}),
    ("/status/401", {}, Availability.GATED, {"login-wall"}),
    ("/header-login", {}, Availability.AVAILABLE, set()),
    ("/paywalled", {}, Availability.GATED, {"paywall"}),
    ("/status/402", {}, Availability.GATED, {"paywall"}),
    ("/free-article", {}, Availability.AVAILABLE, set()),
    ("/guide-registration", {"format": Format.PDF, "kind": "guide"}, Availability.GATED,
     {"registration-wall"}),
    ("/webinar-register", {"kind": "webinar"}, Availability.GATED, {"registration-wall"}),
    ("/webinar-open", {"kind": "webinar"}, Availability.AVAILABLE, set()),
    ("/challenge-200", {}, Availability.BLOCKED, {"bot-challenge"}),
    ("/challenge-503", {}, Availability.BLOCKED, {"bot-challenge"}),
    ("/challenge", {}, Availability.BLOCKED, {"bot-challenge"}),
    ("/akamai-denied", {}, Availability.BLOCKED, {"bot-challenge"}),
    ("/status-999", {}, Availability.BLOCKED, {"bot-challenge"}),
    ("/rate-limited", {}, Availability.BLOCKED, {"rate-limited"}),
    ("/cloudflare-email", {}, Availability.AVAILABLE, set()),
]


@pytest.mark.parametrize(("path", "fields", "availability", "expected"), SITUATIONS,
                         ids=[s[0] for s in SITUATIONS])
def test_each_situation(hub: SimulatedHub, fast_config: Config, fetcher: Fetcher, path: str,
                        fields: dict[str, object], availability: Availability,
                        expected: set[str]) -> None:
    result = one(entry(hub.url(path), **fields), fast_config, fetcher)
    assert (result.availability, codes(result)) == (availability, expected), result.observed


def test_every_finding_says_what_it_saw(hub: SimulatedHub, fast_config: Config,
                                        fetcher: Fetcher) -> None:
    results = night([entry(hub.url(p), id=f"r{i}", **f)
                     for i, (p, f, _, c) in enumerate(SITUATIONS) if c], fast_config, fetcher)
    found = [(result.resource.url, f) for result in results.results for f in result.findings]
    assert found, "the situations give findings"
    for url, finding in found:
        assert finding.message and finding.evidence, (url, finding)


def test_the_probe_is_asked_once_per_folder(hub: SimulatedHub, fast_config: Config,
                                            fetcher: Fetcher) -> None:
    before = [t for _, t, _ in hub.requests_log() if "curate-probe-" in t and "/catchall/" in t]
    night([entry(hub.url("/catchall/car-t-guide"), id="a"),
           entry(hub.url("/catchall/car-t-guide?copy=2"), id="b")], fast_config, fetcher)
    after = [t for _, t, _ in hub.requests_log() if "curate-probe-" in t and "/catchall/" in t]
    assert len(after) - len(before) == 1


@pytest.fixture
def restore_variants(hub: SimulatedHub) -> Iterator[SimulatedHub]:
    yield hub
    hub.set_variant("cookie-wall", "open")
    hub.set_variant("drift", "a")


def test_a_cookie_wall_is_a_collapse_since_the_last_good_night(
    restore_variants: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    hub, history = restore_variants, History.in_memory()
    page = entry(hub.url("/cookie-page"))
    first = night([page], fast_config, fetcher, history=history, day=1).results[0]
    assert first.availability is Availability.AVAILABLE  # consent banner alone: no wall
    hub.set_variant("cookie-wall", "walled")
    second = night([page], fast_config, fetcher, history=history, day=2).results[0]
    assert (second.availability, codes(second)) == (Availability.GATED, {"cookie-wall"})
    assert "night-1" in second.findings[0].evidence


def test_content_drift_is_measured_against_the_last_good_night(
    restore_variants: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    hub, history = restore_variants, History.in_memory()
    page = entry(hub.url("/drift-page"))
    assert not night([page], fast_config, fetcher, history=history, day=1).results[0].findings
    hub.set_variant("drift", "b")
    second = night([page], fast_config, fetcher, history=history, day=2).results[0]
    assert (second.availability, codes(second)) == (Availability.AVAILABLE, {"content-changed"})
    assert "similarity" in second.findings[0].evidence


def test_a_failure_is_confirmed_on_the_second_night(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    history = History.in_memory()
    gone = entry(hub.url("/status/404?confirm=1"))
    first = night([gone], fast_config, fetcher, history=history, day=1).results[0]
    assert (first.severity, first.confirmation.failures) == (Severity.WARNING, 1)
    second = night([gone], fast_config, fetcher, history=history, day=2).results[0]
    assert (second.severity, second.confirmation.failures) == (Severity.ERROR, 2)
    assert second.confirmation.confirmed and second.confirmation.first_failed == "2026-11-01"


# --------------------------------------------------------------------------
# Videos: two more loopback hosts stand for YouTube and Vimeo
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def platforms() -> Iterator[tuple[SimulatedHub, SimulatedHub]]:
    youtube, vimeo = SimulatedHub(host="127.0.0.2"), SimulatedHub(host="127.0.0.3")
    try:
        youtube.start()
        vimeo.start()
    except OSError as exc:
        youtube.stop()
        cannot_bind(f"cannot bind 127.0.0.2/127.0.0.3 on this machine: {exc}")
    try:
        yield youtube, vimeo
    finally:
        youtube.stop()
        vimeo.stop()


@pytest.fixture
def video_config(fast_config: Config, platforms: tuple[SimulatedHub, SimulatedHub]) -> Config:
    youtube, vimeo = platforms
    return replace(fast_config, video=VideoConfig(
        youtube_hosts=("127.0.0.2",), youtube_oembed=youtube.url("/oembed"),
        vimeo_hosts=("127.0.0.3",), vimeo_oembed=vimeo.url("/api/oembed.json")))


VIDEOS = [
    ("youtube", "/watch?v=ok-video", Availability.AVAILABLE, set()),
    ("youtube", "/watch?v=removed-video", Availability.BROKEN, set()),
    ("youtube", "/watch?v=private-video", Availability.BROKEN, set()),
    ("youtube", "/watch?v=noembed-video", Availability.AVAILABLE, {"embedding-disabled"}),
    ("vimeo", "/76979871", Availability.AVAILABLE, set()),
    ("vimeo", "/11111111", Availability.BROKEN, set()),
    ("vimeo", "/22222222", Availability.AVAILABLE, {"embedding-disabled"}),
]


@pytest.mark.parametrize(("platform", "path", "availability", "expected"), VIDEOS,
                         ids=[f"{v[0]}{v[1]}" for v in VIDEOS])
def test_videos_are_judged_by_the_platform(
    platforms: tuple[SimulatedHub, SimulatedHub], video_config: Config, fetcher: Fetcher,
    platform: str, path: str, availability: Availability, expected: set[str],
) -> None:
    host = platforms[0] if platform == "youtube" else platforms[1]
    result = one(entry(host.url(path), kind="webinar"), video_config, fetcher)
    assert (result.availability, codes(result)) == (availability, expected)


def test_a_video_title_comes_from_oembed(
    platforms: tuple[SimulatedHub, SimulatedHub], video_config: Config, fetcher: Fetcher
) -> None:
    webinar = entry(platforms[0].url("/watch?v=ok-video"), kind="webinar",
                    title="Doctor and patients' perspective on myeloma CAR-T")
    result = one(webinar, video_config, fetcher)
    assert result.observed is not None
    assert result.observed.title == "Doctor and patients' perspective on myeloma CAR-T"
    assert not codes(result)


def test_a_removed_video_says_so_in_the_report(
    platforms: tuple[SimulatedHub, SimulatedHub], video_config: Config, fetcher: Fetcher
) -> None:
    result = one(entry(platforms[0].url("/watch?v=removed-video")), video_config, fetcher)
    assert result.observed is not None and "removed or is private" in result.observed.error


def test_a_broken_resource_gets_the_newest_archived_copy_when_asked(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    config = replace(fast_config, archive=ArchiveConfig(enabled=True, endpoint=hub.url("/web/")))
    gone, never = hub.url("/status/410"), hub.url("/never-archived/leaflet")
    run = night([entry(gone, id="gone"), entry(never, id="never"),
                 entry(hub.url("/gilead/car-t?wb=1"), id="fine")], config, fetcher)
    by_id = {r.resource.id: codes(r) for r in run.results}
    assert by_id == {"gone": {"archived-copy"}, "never": set(), "fine": set()}
    (finding,) = run.results[0].findings
    assert f"/web/20240101123456/{gone}" in finding.message and "2024-01-01" in finding.message
    assert run.results[0].severity is Severity.WARNING  # info finding; nightly failing (1/2)


def test_archive_lookups_are_off_by_default(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    before = sum(1 for _, t, _ in hub.requests_log() if t.startswith("/web/"))
    one(entry(hub.url("/status/410?wb=2")), fast_config, fetcher)
    assert sum(1 for _, t, _ in hub.requests_log() if t.startswith("/web/")) == before
