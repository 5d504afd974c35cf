"""The `curate` command line: help, exit statuses, end-to-end runs on loopback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.sim import SimulatedHub, write_demo_catalogue
from tests.report_schema import assert_valid_report

REPO = Path(__file__).resolve().parents[1]

# No sleeping between retries; short deadline for the slow demo entry.
TEST_CONFIG = """\
[fetch]
timeout = 1.5
connect_timeout = 1
retries = 1
backoff_base = 0
max_retry_after = 0
per_host_concurrency = 4
per_host_interval = 0
"""


def commands(group: click.Group) -> list[str]:
    return sorted(group.commands)


@pytest.mark.parametrize("name", commands(cli))
def test_every_command_has_help(name: str) -> None:
    command = cli.commands[name]
    assert command.help and len(command.help) > 40, f"{name} lacks a real help text"
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_the_group_has_help_and_a_version() -> None:
    runner = CliRunner()
    assert "validate" in runner.invoke(cli, ["--help"]).output
    assert "curate, version" in runner.invoke(cli, ["--version"]).output


def test_validate_passes_on_the_shipped_catalogue() -> None:
    result = CliRunner().invoke(cli, ["validate", str(REPO / "catalogue")])
    assert result.exit_code == 0, result.output
    assert "72 resources in 2 catalogue file(s)" in result.output


def test_validate_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "hub: bad\ntitle: Bad\nresources:\n"
        "  - id: one\n    title: One\n    url: ftp://files.example.org/one.pdf\n"
        "  - id: two\n    titel: Two\n    url: https://example.org/two\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:6: one:" in result.output
    assert f"{bad}:8: two:" in result.output and "titel" in result.output


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "curate.toml"
    path.write_text(TEST_CONFIG, encoding="utf-8")
    return path


def run_check(args: list[str], config: Path, reports: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", *args, "--config", str(config),
                                      "--reports-dir", str(reports), "--no-progress",
                                      "--allow-private-networks"])
    for report in reports.glob("*/report.json"):
        assert_valid_report(report)  # every report a test writes obeys the schema
    return result.exit_code, result.output


@pytest.mark.integration
def test_check_on_the_demo_catalogue_writes_a_valid_report_and_exits_1(
    hub: SimulatedHub, tmp_path: Path, config_file: Path
) -> None:
    catalogue = write_demo_catalogue(tmp_path, hub.base_url)
    reports = tmp_path / "reports"
    status, output = run_check([str(catalogue), "--mode", "ci", "--run-id", "demo-1"],
                               config_file, reports)
    assert status == 1, output
    report = assert_valid_report(reports / "demo-1" / "report.json")
    verdicts = {r["id"]: r["availability"] for r in report["resources"]}
    assert verdicts["attc-clinical-journey-guide"] == "available"
    assert verdicts["removed-leaflet"] == "broken"
    assert verdicts["members-only-guide"] == "gated"
    assert verdicts["bot-challenge-page"] == "blocked"
    assert verdicts["slow-server"] == "timeout"
    assert (reports / "latest").resolve() == (reports / "demo-1").resolve()
    assert (reports / "demo-1" / "report.md").read_text(encoding="utf-8").startswith("# curate")


@pytest.mark.integration
def test_check_exits_0_when_nothing_is_wrong(
    hub: SimulatedHub, tmp_path: Path, config_file: Path
) -> None:
    catalogue = tmp_path / "good.yaml"
    catalogue.write_text(
        "hub: good\ntitle: Good\nresources:\n"
        f"  - id: guide\n    title: Glossary\n    url: {hub.url('/attc/glossary')}\n"
        f"  - id: sheet\n    title: Fact sheet\n    format: pdf\n    pages: 1\n"
        f"    url: {hub.url('/bms/cell-therapy-fact-sheet.pdf')}\n",
        encoding="utf-8",
    )
    status, output = run_check([str(catalogue)], config_file, tmp_path / "reports")
    assert status == 0, output
    assert "2 available" in output


def test_a_bad_catalogue_exits_2_and_fetches_nothing(
    hub: SimulatedHub, tmp_path: Path, config_file: Path
) -> None:
    catalogue = tmp_path / "bad.yaml"
    catalogue.write_text(
        "hub: bad\ntitle: Bad\nresources:\n"
        f"  - id: page\n    title: Page\n    url: {hub.url('/gilead/car-t?bad=1')}\n"
        "    pages: 3\n",
        encoding="utf-8",
    )
    status, output = run_check([str(catalogue)], config_file, tmp_path / "reports")
    assert status == 2
    assert "nothing was checked" in output
    assert hub.hits("/gilead/car-t?bad=1") == 0
    assert not (tmp_path / "reports").exists()


def test_a_bad_config_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "curate.toml"
    config.write_text("[fetch]\ntimout = 3\n", encoding="utf-8")
    status, output = run_check([str(REPO / "catalogue")], config, tmp_path / "reports")
    assert status == 2 and "unknown key 'timout'" in output


def test_an_unknown_only_id_exits_2(tmp_path: Path, config_file: Path) -> None:
    status, output = run_check([str(REPO / "catalogue"), "--only", "no-such-id"],
                               config_file, tmp_path / "reports")
    assert status == 2 and "no-such-id" in output


def test_a_reused_run_id_exits_2_before_fetching(tmp_path: Path, config_file: Path) -> None:
    reports = tmp_path / "reports"
    (reports / "night-1").mkdir(parents=True)
    status, output = run_check([str(REPO / "catalogue"), "--run-id", "night-1"],
                               config_file, reports)
    assert status == 2 and "night-1" in output


def test_report_json_is_parseable_json_with_schema_version(
    hub: SimulatedHub, tmp_path: Path, config_file: Path
) -> None:
    catalogue = tmp_path / "one.yaml"
    catalogue.write_text(
        "hub: one\ntitle: One\nresources:\n"
        f"  - id: gone\n    title: Gone\n    url: {hub.url('/status/410')}\n",
        encoding="utf-8",
    )
    reports = tmp_path / "reports"
    status, _ = run_check([str(catalogue), "--run-id", "r1"], config_file, reports)
    data = json.loads((reports / "r1" / "report.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 1
    # nightly mode: a first 404 is a warning (failing 1/2), so the exit status is 0
    assert status == 0
    confirmation = data["resources"][0]["confirmation"]
    assert (confirmation["failures"], confirmation["needed"]) == (1, 2)
    assert confirmation["confirmed"] is False and confirmation["first_failed"]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=repo, check=True, capture_output=True)


def catalogue_repo(tmp_path: Path, entries: str, *, commit: bool = True) -> Path:
    """A git repository holding catalogue/hub.yaml with `entries` (committed)."""
    repo = tmp_path / "repo"
    (repo / "catalogue").mkdir(parents=True)
    write_entries(repo, entries)
    git(repo, "init", "-q")
    if commit:
        git(repo, "add", ".")
        git(repo, "commit", "-q", "-m", "base")
    return repo


def write_entries(repo: Path, entries: str) -> None:
    (repo / "catalogue" / "hub.yaml").write_text(
        f"hub: h\ntitle: H\nresources:\n{entries}", encoding="utf-8")


ENTRY_A = "  - id: a\n    title: A\n    url: https://x.example/a\n"


@pytest.mark.integration
def test_changed_since_checks_only_added_or_changed_entries(
    hub: SimulatedHub, tmp_path: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = f"  - id: kept\n    title: Kept\n    url: {hub.url('/attc/glossary?pr=kept')}\n"
    repo = catalogue_repo(tmp_path, kept)
    added = f"  - id: added\n    title: Added\n    url: {hub.url('/status/404?pr=added')}\n"
    write_entries(repo, kept + added)
    monkeypatch.chdir(repo)
    status, output = run_check(["catalogue", "--changed-since", "HEAD", "--mode", "ci"],
                               config_file, tmp_path / "reports")
    assert status == 1, output
    assert "1 entry added or changed since HEAD" in output
    assert hub.hits("/status/404?pr=added") == 1 and hub.hits("/attc/glossary?pr=kept") == 0


def test_changed_since_with_nothing_changed_checks_nothing(
    tmp_path: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(catalogue_repo(tmp_path, ENTRY_A))
    status, output = run_check(["catalogue", "--changed-since", "HEAD"], config_file,
                               tmp_path / "reports")
    assert status == 0 and "nothing to check" in output
    assert not (tmp_path / "reports").exists()


def test_changed_since_an_unknown_ref_exits_2(
    tmp_path: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(catalogue_repo(tmp_path, ENTRY_A, commit=False))
    status, output = run_check(["catalogue", "--changed-since", "no-such-branch"], config_file,
                               tmp_path / "reports")
    assert status == 2 and "no-such-branch" in output
