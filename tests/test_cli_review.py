"""The curator's loop on the command line: report, review, accept,
acknowledge and publish, end to end against the simulated hub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.sim import SimulatedHub
from tests.report_schema import assert_valid_report

pytestmark = pytest.mark.integration

CONFIG = "[fetch]\ntimeout = 1.5\nretries = 0\nper_host_interval = 0\n"


def catalogue_text(hub: SimulatedHub) -> str:
    return f"""\
# Curators' comment: keep me.
hub: review-demo
title: Review demo
resources:
  - id: moved  # moved for good
    title: "CAR-T Cell Therapy Program - Overview"
    url: "{hub.url('/moved-permanently')}"
    phases: [screening]
  - id: renamed
    title: "Going home after CAR-T"
    url: "{hub.url('/title-changed')}"
    phases: [follow-up]
  - id: guide
    title: "Download our guide"
    url: "{hub.url('/guide-now-html')}"
    format: pdf
    pages: 12
    phases: [infusion]
"""


@pytest.fixture
def workspace(hub: SimulatedHub, tmp_path: Path) -> Path:
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "hub.yaml").write_text(catalogue_text(hub), encoding="utf-8")
    (tmp_path / "curate.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def curate(workspace: Path, *args: str) -> Result:
    """Every path is absolute, so the workspace needs no chdir."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def check(workspace: Path, run_id: str) -> Result:
    result = curate(workspace, "check", str(workspace / "catalogue"), "--config",
                    str(workspace / "curate.toml"), "--reports-dir", str(workspace / "reports"),
                    "--allow-private-networks", "--no-progress", "--run-id", run_id,
                    "--mode", "ci", "--acknowledgements",
                    str(workspace / "catalogue" / "acknowledgements.yaml"))
    for report in (workspace / "reports").glob("*/report.json"):
        assert_valid_report(report)
    return result


def test_report_re_renders_a_stored_run_in_every_format(workspace: Path) -> None:
    assert check(workspace, "r1").exit_code == 1
    reports = str(workspace / "reports")
    stored = (workspace / "reports" / "r1" / "report.json").read_text(encoding="utf-8")
    assert curate(workspace, "report", "r1", "--format", "json",
                  "--reports-dir", reports).output == stored
    csv = curate(workspace, "report", "r1", "--format", "csv", "--reports-dir", reports).output
    assert "guide" in csv and "format-mismatch" in csv
    html = curate(workspace, "report", "--format", "html", "--reports-dir", reports).output
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    junit = curate(workspace, "report", "r1", "--format", "junit", "--reports-dir", reports)
    assert "<testsuites" in junit.output
    missing = curate(workspace, "report", "nope", "--reports-dir", reports)
    assert missing.exit_code == 2 and "nope" in missing.output


def test_review_accept_acknowledge_publish(workspace: Path) -> None:
    reports = str(workspace / "reports")
    acks = str(workspace / "catalogue" / "acknowledgements.yaml")
    hub_file = workspace / "catalogue" / "hub.yaml"
    assert check(workspace, "night-1").exit_code == 1

    review = curate(workspace, "review", "--run", "night-1", "--reports-dir", reports,
                    "--acknowledgements", acks)
    assert "curate accept moved" in review.output
    assert "curate acknowledge guide format-mismatch" in review.output

    refused = curate(workspace, "publish", str(workspace / "catalogue"), "--run", "night-1",
                     "--reports-dir", reports, "--acknowledgements", acks,
                     "--site-dir", str(workspace / "site"))
    assert refused.exit_code == 1 and "guide" in refused.output
    assert not (workspace / "site").exists()

    accepted = curate(workspace, "accept", "moved", "--catalogue", str(hub_file), "--run",
                      "night-1", "--reports-dir", reports)
    assert accepted.exit_code == 0, accepted.output
    text = hub_file.read_text(encoding="utf-8")
    assert "# Curators' comment: keep me." in text and "# moved for good" in text
    assert "/mayo/car-t-program" in text and "last_reviewed:" in text

    curate(workspace, "accept", "renamed", "--catalogue", str(hub_file), "--run", "night-1",
           "--reports-dir", reports)
    noted = curate(workspace, "acknowledge", "guide", "format-mismatch", "--reason",
                   "PDF link requested from the publisher", "--run", "night-1",
                   "--reports-dir", reports, "--acknowledgements", acks)
    assert noted.exit_code == 0, noted.output

    second = check(workspace, "night-2")
    assert second.exit_code == 0, second.output  # nothing left of error severity
    data = json.loads((workspace / "reports" / "night-2" / "report.json").read_text("utf-8"))
    severities = {r["id"]: r["severity"] for r in data["resources"]}
    assert severities == {"moved": "none", "renamed": "none", "guide": "info"}

    published = curate(workspace, "publish", str(workspace / "catalogue"), "--run", "night-2",
                       "--reports-dir", reports, "--acknowledgements", acks,
                       "--site-dir", str(workspace / "site"))
    assert published.exit_code == 0, published.output
    page = (workspace / "site" / "review-demo.html").read_text(encoding="utf-8")
    assert "Download our guide" in page and "A completely different page title" in page
    feed = json.loads((workspace / "site" / "feed.json").read_text(encoding="utf-8"))
    assert feed["run_id"] == "night-2"


def test_acknowledging_a_finding_that_is_not_there_is_refused(workspace: Path) -> None:
    check(workspace, "r1")
    result = curate(workspace, "acknowledge", "moved", "paywall", "--reason", "x", "--run",
                    "r1", "--reports-dir", str(workspace / "reports"), "--acknowledgements",
                    str(workspace / "catalogue" / "acknowledgements.yaml"))
    assert result.exit_code == 2 and "permanent-redirect" in result.output
