"""Tests of the GitHub Actions workflows in .github/workflows.

The files are parsed as YAML and their shape asserted; the shell of each curate
step is then run for real under bash, with a stand-in `.venv/bin/curate` that
exits with a chosen status, to prove which exit status the job ends with.
actionlint, when installed, lints both files too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
PR = "catalogue-pr.yml"
NIGHTLY = "nightly.yml"

# The values a run would get from GitHub's contexts, for the expressions in `env:`.
CONTEXT = {
    "github.base_ref": "main",
    "github.event.pull_request.number": "42",
    "github.run_attempt": "1",
    "github.run_id": "777",
}

FAKE_CURATE = """\
#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_ARGS"
if [ "$FAKE_REPORT" = yes ]; then
  mkdir -p reports/run-1
  printf '# curate report\\n' > reports/run-1/report.md
  ln -sfn run-1 reports/latest
fi
exit "$FAKE_STATUS"
"""


def load(name: str) -> dict[str, Any]:
    """One workflow file, parsed as plain data."""
    data = YAML(typ="safe").load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """The `on:` mapping. A YAML 1.1 reader turns the key `on` into True; ruamel's
    YAML 1.2 keeps it as the text "on"; accept either."""
    found = workflow.get("on", workflow.get(True))
    assert isinstance(found, dict), "the workflow needs an 'on:' mapping of events"
    return found


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    """Every step of every job."""
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def uses(workflow: dict[str, Any], action: str) -> list[dict[str, Any]]:
    """The steps that use `action` (owner/name, any version)."""
    return [s for s in steps(workflow) if str(s.get("uses", "")).split("@")[0] == action]


def curate_step(workflow: dict[str, Any]) -> dict[str, Any]:
    """The one step that runs `curate check`."""
    found = [s for s in steps(workflow) if "curate check" in str(s.get("run", ""))]
    assert len(found) == 1
    return found[0]


def render(value: Any) -> str:
    """`value` with every ${{ expression }} replaced from CONTEXT (unknown ones fail)."""
    return re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: CONTEXT[m.group(1)], str(value))


def run_step(
    tmp_path: Path, step: dict[str, Any], status: int, report: bool = True
) -> tuple[int, str, str, list[str]]:
    """Run a step's script as GitHub does (bash -eo pipefail) with a stand-in curate.

    Returns the script's exit status, its output, the job summary and curate's arguments.
    """
    work = tmp_path / f"work-{status}-{report}"
    (work / ".venv" / "bin").mkdir(parents=True)
    fake = work / ".venv" / "bin" / "curate"
    fake.write_text(FAKE_CURATE, encoding="utf-8")
    fake.chmod(0o755)
    script = work / "step.sh"
    script.write_text(str(step["run"]), encoding="utf-8")
    summary, args = work / "summary.md", work / "args.txt"
    env = {
        **os.environ,
        **{str(k): render(v) for k, v in step.get("env", {}).items()},
        "GITHUB_STEP_SUMMARY": str(summary),
        "FAKE_ARGS": str(args),
        "FAKE_STATUS": str(status),
        "FAKE_REPORT": "yes" if report else "no",
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    written = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return done.returncode, done.stdout + done.stderr, written, args.read_text().splitlines()


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


# --------------------------------------------------------------------------
# Both workflows
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", [PR, NIGHTLY])
def test_common_setup(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] == {"contents": "read"}
    (python,) = uses(workflow, "actions/setup-python")
    assert python["with"]["python-version"] == "3.11"
    assert uses(workflow, "actions/checkout")
    assert any(s.get("run") == "make install" for s in steps(workflow))
    assert all(job.get("timeout-minutes") for job in workflow["jobs"].values())


@pytest.mark.parametrize("name", [PR, NIGHTLY])
def test_curate_runs_from_the_venv_or_make(name: str) -> None:
    scripted = [step for step in steps(load(name)) if step.get("run")]
    assert scripted  # a workflow without run steps would pass for nothing
    for step in scripted:
        script = str(step.get("run", ""))
        bare = re.sub(r"\.venv/bin/curate\b", "", script)
        assert not re.search(r"(^|[\s;&|(`])curate(\s|$)", bare, re.MULTILINE), script
        assert "python -m pipeline" not in script


@pytest.mark.parametrize("name", [PR, NIGHTLY])
def test_no_expressions_inside_scripts(name: str) -> None:
    """Event data reaches scripts through env:, so it cannot inject shell code."""
    scripted = [step for step in steps(load(name)) if step.get("run")]
    assert scripted  # a workflow without run steps would pass for nothing
    for step in scripted:
        assert "${{" not in str(step.get("run", "")), step.get("name")


@pytest.mark.parametrize(("name", "days"), [(PR, 14), (NIGHTLY, 30)])
def test_reports_are_uploaded_even_on_failure(name: str, days: int) -> None:
    (upload,) = uses(load(name), "actions/upload-artifact")
    assert upload["uses"] == "actions/upload-artifact@v4"
    assert upload["if"] == "always()"
    assert upload["with"]["path"].rstrip("/") == "reports"
    assert upload["with"]["retention-days"] == days


@pytest.mark.parametrize("name", [PR, NIGHTLY])
@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed")
def test_actionlint(name: str) -> None:
    done = subprocess.run(
        ["actionlint", "-no-color", str(WORKFLOWS / name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --------------------------------------------------------------------------
# Pull requests
# --------------------------------------------------------------------------


def test_pr_triggers() -> None:
    workflow = load(PR)
    on = triggers(workflow)
    assert set(on) == {"pull_request"}
    assert set(on["pull_request"]["paths"]) == {"catalogue/**", "schemas/**", "pipeline/**"}
    assert "pull_request.number" in workflow["concurrency"]["group"]


def test_pr_fetches_the_whole_history() -> None:
    (checkout,) = uses(load(PR), "actions/checkout")
    assert checkout["uses"] == "actions/checkout@v4"
    assert checkout["with"]["fetch-depth"] == 0


def test_pr_validates_before_checking() -> None:
    scripts = [str(s.get("run", "")) for s in steps(load(PR))]
    validate = scripts.index(".venv/bin/curate validate")
    check = next(i for i, s in enumerate(scripts) if "curate check" in s)
    assert validate < check


def test_pr_check_command() -> None:
    step = curate_step(load(PR))
    assert "--changed-since" in step["run"]
    assert "GITHUB_STEP_SUMMARY" in step["run"]
    assert step.get("shell") == "bash"


@needs_bash
@pytest.mark.parametrize("status", [0, 1, 2, 3])
def test_pr_exits_with_curates_status(tmp_path: Path, status: int) -> None:
    code, _, summary, args = run_step(tmp_path, curate_step(load(PR)), status)
    assert code == status
    assert "# curate report" in summary
    assert args[:3] == ["check", "--mode", "ci"]
    assert args[args.index("--changed-since") + 1] == "origin/main"
    assert args[args.index("--run-id") + 1] == "pr-42-1"
    assert "--no-progress" in args


@needs_bash
def test_pr_without_a_report_keeps_the_status(tmp_path: Path) -> None:
    code, _, summary, _ = run_step(tmp_path, curate_step(load(PR)), 2, report=False)
    assert code == 2
    assert "no report" in summary


# --------------------------------------------------------------------------
# Nightly
# --------------------------------------------------------------------------


def test_nightly_triggers() -> None:
    on = triggers(load(NIGHTLY))
    assert set(on) == {"schedule", "workflow_dispatch"}
    assert on["schedule"] == [{"cron": "17 2 * * *"}]


def test_nightly_keeps_the_history() -> None:
    workflow = load(NIGHTLY)
    (restore,) = uses(workflow, "actions/cache/restore")
    (save,) = uses(workflow, "actions/cache/save")
    assert restore["uses"] == "actions/cache/restore@v4"
    assert save["uses"] == "actions/cache/save@v4"
    assert restore["with"]["path"] == save["with"]["path"] == "reports/history.sqlite"
    assert "${{ github.run_id }}" in save["with"]["key"]
    assert restore["with"]["key"] == save["with"]["key"]
    assert restore["with"]["restore-keys"].split() == ["curate-history-"]
    assert save["with"]["key"].startswith("curate-history-")
    assert "always()" in save["if"]
    order = steps(workflow)
    assert order.index(restore) < order.index(curate_step(workflow)) < order.index(save)


def test_nightly_check_command() -> None:
    step = curate_step(load(NIGHTLY))
    assert "--changed-since" not in step["run"]
    assert "GITHUB_STEP_SUMMARY" in step["run"]


@needs_bash
@pytest.mark.parametrize(
    ("status", "job", "annotation"),
    [(0, 0, None), (1, 1, "::error::"), (2, 2, "::error::"), (3, 0, "::warning::")],
)
def test_nightly_status(tmp_path: Path, status: int, job: int, annotation: str | None) -> None:
    code, output, summary, args = run_step(tmp_path, curate_step(load(NIGHTLY)), status)
    assert code == job
    assert "# curate report" in summary
    assert args == ["check", "--mode", "nightly", "--no-progress"]
    if annotation:
        assert annotation in output
    else:
        assert "::" not in output
