"""Nightly operation: conditional requests, inconclusive nights, the history
command and progress output (integration on loopback where a server is needed)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.check import CheckedUrl, RunContext, check, confirm, network_state
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.fetch.client import Fetcher
from pipeline.history import History
from pipeline.models import (
    Availability,
    Catalogue,
    FetchError,
    Format,
    Hub,
    Mode,
    Network,
    Resource,
    Run,
    SourceLocation,
    Streak,
)
from pipeline.progress import PlainLines, progress_display
from pipeline.sim import SimulatedHub
from tests.report_schema import assert_valid_report

GUIDE = "/attc/car-t-clinical-journey-guide.pdf"


def entry(url: str, id: str = "guide", **fields: object) -> Resource:
    return Resource(id=id, title="", url=url, hub="t",  # type: ignore[arg-type]
                    source=SourceLocation("t.yaml", 1), **fields)


def night(resources: list[Resource], config: Config, fetcher: Fetcher, history: History,
          day: int) -> Run:
    catalogue = Catalogue((Hub("t", "T", "", "t.yaml", tuple(resources)),), "d")
    started = dt.datetime(2026, 11, day, 2, 0, tzinfo=dt.UTC)
    run = check(catalogue, config, fetcher=fetcher, now=lambda: started, run_id=f"n{day}",
                history=history)
    history.record(run)
    return run


@pytest.mark.integration
def test_an_unchanged_pdf_is_not_downloaded_again(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    history = History.in_memory()
    guide = entry(hub.url(GUIDE + "?cond=1"), format=Format.PDF, pages=92)
    first = night([guide], fast_config, fetcher, history, 1).results[0]
    assert first.observed is not None and first.observed.bytes > 10_000
    second = night([guide], fast_config, fetcher, history, 2).results[0]
    assert second.availability is Availability.AVAILABLE
    assert [f.code.value for f in second.findings] == ["not-modified"]
    seen = second.observed
    assert seen is not None and (seen.status, seen.bytes) == (304, 0)
    assert (seen.pages, seen.title, seen.sha256) == (92, first.observed.title,
                                                     first.observed.sha256)
    sent = [h for _, target, h in hub.requests_log() if target == GUIDE + "?cond=1"]
    assert "If-None-Match" not in sent[0] and sent[1]["If-None-Match"]


@pytest.mark.integration
def test_a_changed_page_count_is_still_noticed_after_a_304(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    history = History.in_memory()
    night([entry(hub.url(GUIDE + "?cond=2"), format=Format.PDF, pages=92)], fast_config,
          fetcher, history, 1)
    edited = entry(hub.url(GUIDE + "?cond=2"), format=Format.PDF, pages=90)  # curator's typo
    result = night([edited], fast_config, fetcher, history, 2).results[0]
    assert {f.code.value for f in result.findings} == {"not-modified", "pages-changed"}


@pytest.mark.integration
def test_when_every_host_fails_the_same_way_the_night_is_inconclusive(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher, tmp_path: Path
) -> None:
    history = History.in_memory()
    down = [entry(hub.refused_url(), id="a"), entry(hub.refused_url(), id="b")]
    run = night(down, fast_config, fetcher, history, 1)
    assert run.info.network is Network.INCONCLUSIVE
    assert all(r.confirmation.failures == 0 for r in run.results)
    assert history.streaks(["a", "b"])["a"].failures == 0  # counts toward nobody's failures


def outcome(port: int, error: FetchError | None) -> tuple[str, CheckedUrl]:
    return f"http://127.0.0.1:{port}/page", CheckedUrl(error, error is not None, {})


@pytest.mark.parametrize(
    ("outcomes", "network"),
    [
        ([(1, FetchError.CONNECTION_REFUSED)], Network.OK),  # one host: that host is down
        ([(1, FetchError.CONNECTION_REFUSED), (2, None)], Network.OK),
        ([(1, FetchError.CONNECTION_REFUSED), (2, FetchError.DNS)], Network.OK),  # unlike
        ([(1, FetchError.CONNECTION_REFUSED), (2, FetchError.CONNECTION_REFUSED)],
         Network.INCONCLUSIVE),
        ([(1, FetchError.DNS), (2, FetchError.DNS), (3, FetchError.DNS)], Network.INCONCLUSIVE),
        ([(1, FetchError.TLS), (2, FetchError.TLS)], Network.OK),  # TLS is the sites' doing
    ],
)
def test_network_state(outcomes: list[tuple[int, FetchError | None]], network: Network) -> None:
    assert network_state(dict(outcome(port, error) for port, error in outcomes)) is network


@pytest.mark.integration
def test_check_exits_3_when_the_network_is_down(hub: SimulatedHub, tmp_path: Path) -> None:
    catalogue = tmp_path / "down.yaml"
    catalogue.write_text(
        "hub: down\ntitle: Down\nresources:\n"
        f"  - id: a\n    title: A\n    url: {hub.refused_url()}\n"
        f"  - id: b\n    title: B\n    url: {hub.refused_url()}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(catalogue), "--allow-private-networks",
                                      "--reports-dir", str(tmp_path / "r"), "--no-progress"])
    assert result.exit_code == 3, result.output
    assert "network itself seems down" in result.output
    report = assert_valid_report(tmp_path / "r" / "latest" / "report.json")
    assert report["run"]["network"] == "inconclusive"


@pytest.mark.integration
def test_history_command_lists_nights_newest_first(hub: SimulatedHub, tmp_path: Path) -> None:
    catalogue = tmp_path / "one.yaml"
    catalogue.write_text(
        "hub: one\ntitle: One\nresources:\n"
        f"  - id: gone\n    title: Gone\n    url: {hub.url('/status/404?hist=1')}\n",
        encoding="utf-8")
    runner = CliRunner()
    for name in ("night-1", "night-2"):
        runner.invoke(cli, ["check", str(catalogue), "--allow-private-networks", "--run-id",
                            name, "--reports-dir", str(tmp_path / "r"), "--no-progress"])
    result = runner.invoke(cli, ["history", "gone", "--reports-dir", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "2 night(s)" in lines[0]
    assert lines[3].split()[2] == "night-2" and lines[4].split()[2] == "night-1"
    assert "broken" in lines[3] and "404" in lines[3]


def test_history_command_explains_a_missing_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["history", "x", "--reports-dir", str(tmp_path)])
    assert result.exit_code == 2 and "no history database" in result.output


def test_plain_progress_lines_are_thinned_for_logs() -> None:
    stream = io.StringIO()
    ticks = iter(range(1000))
    lines = PlainLines(stream, clock=lambda: float(next(ticks)) / 1000)
    for done in range(1, 501):
        lines(done, 500, "www.example.org", done % 50 == 0)
    output = stream.getvalue().splitlines()
    assert len(output) == 100
    assert output[-1] == "[500/500] 10 failing, last: www.example.org"


def test_no_progress_means_no_output() -> None:
    stream = io.StringIO()
    with progress_display(False, stream) as callback:
        assert callback is None
    assert stream.getvalue() == ""


def test_a_failure_is_confirmed_by_the_streak_and_ci_mode_does_not_wait(
    fast_config: Config,
) -> None:
    started = dt.datetime(2026, 11, 25, 2, tzinfo=dt.UTC)
    earlier = Streak(1, dt.datetime(2026, 11, 24, 2, tzinfo=dt.UTC), "broken")
    nightly = RunContext(fast_config, Mode.NIGHTLY, started, Network.OK)
    assert confirm(Availability.BROKEN, nightly, None).confirmed is False
    second = confirm(Availability.BROKEN, nightly, earlier)
    assert (second.failures, second.confirmed, second.first_failed) == (2, True, "2026-11-24")
    ci = RunContext(fast_config, Mode.CI, started, Network.OK)
    assert confirm(Availability.BROKEN, ci, earlier).failures == 1  # CI counts tonight only
    assert confirm(Availability.BROKEN, ci, None).confirmed is True
    down = RunContext(fast_config, Mode.NIGHTLY, started, Network.INCONCLUSIVE)
    assert confirm(Availability.BROKEN, down, earlier).failures == 1  # not 2


@pytest.mark.integration
def test_a_moved_pdf_is_still_redirected_when_its_target_answers_304(
    hub: SimulatedHub, fast_config: Config, fetcher: Fetcher
) -> None:
    history = History.in_memory()
    moved = entry(hub.url("/moved-to-guide"), format=Format.PDF, pages=92)
    first = night([moved], fast_config, fetcher, history, 1).results[0]
    second = night([moved], fast_config, fetcher, history, 2).results[0]
    assert first.availability is second.availability is Availability.REDIRECTED
    assert {f.code.value for f in second.findings} == {"permanent-redirect", "not-modified"}
