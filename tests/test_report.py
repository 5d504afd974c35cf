"""Tests of report.json, report.md, the report schema and the atomic writer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from pipeline import atomic
from pipeline.models import (
    Availability,
    CheckOptions,
    Confirmation,
    Finding,
    FindingCode,
    Format,
    Hop,
    Mode,
    Network,
    Observation,
    Resource,
    ResourceResult,
    Run,
    RunInfo,
    Severity,
    SourceLocation,
)
from pipeline.report import (
    check_new_run,
    check_run_id,
    render_json,
    render_markdown,
    report_dict,
    write_reports,
)
from pipeline.report import json_report as report_json
from pipeline.report import markdown as report_markdown
from pipeline.report.json_report import stream_json
from pipeline.report.markdown import escape, url_cell
from tests.report_schema import assert_valid_report, report_schema

# --------------------------------------------------------------------------
# Factory
# --------------------------------------------------------------------------

STARTED = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
EVIL_TITLE = 'Guide <script>alert("x")</script> | part [1](javascript:alert(1)) `code` @team\nnext'


def resource(rid: str, line: int = 1, **changes: Any) -> Resource:
    """A catalogue entry with plausible defaults, overridable field by field."""
    base = Resource(
        id=rid,
        title=f"Title of {rid}",
        url=f"https://example.org/{rid}",
        hub="car-t",
        source=SourceLocation("catalogue/car-t.yaml", line),
        publisher="Example Trust",
        kind="guide",
        format=Format.PDF,
        pages=92,
        language="en",
    )
    return dataclasses.replace(base, **changes)


def observed(rid: str, status: int | None = 200, **changes: Any) -> Observation:
    """What a fetch of `rid` saw, overridable field by field."""
    base = Observation(
        final_url=f"https://example.org/{rid}",
        status=status,
        content_type="application/pdf",
        bytes=1234,
        sha256="ab" * 32,
        title=f"Title of {rid}",
        pages=92,
        language="en",
        elapsed_ms=120,
    )
    return dataclasses.replace(base, **changes)


def result(
    rid: str,
    availability: Availability,
    *findings: Finding,
    seen: Observation | None = None,
    confirmation: Confirmation | None = None,
    line: int = 1,
    **resource_changes: Any,
) -> ResourceResult:
    """A resource's end state, its severity derived as the design prescribes."""
    confirmation = confirmation or Confirmation()
    severity = Severity.highest(
        [availability.severity(confirmation.confirmed)] + [f.effective_severity for f in findings]
    )
    return ResourceResult(
        resource=resource(rid, line, **resource_changes),
        availability=availability,
        severity=severity,
        findings=findings,
        observed=seen,
        confirmation=confirmation,
    )


def run_of(*results: ResourceResult, **info_changes: Any) -> Run:
    """A run of `results` with default run information."""
    info = RunInfo(
        id="2026-11-25T0930Z",
        started=STARTED,
        finished=STARTED + dt.timedelta(minutes=3, seconds=7),
        tool_version="0.1.0",
        mode=Mode.NIGHTLY,
        network=Network.OK,
        catalogue_digest="sha256:" + "0" * 64,
    )
    return Run(info=dataclasses.replace(info, **info_changes), results=results)


def full_run(**info_changes: Any) -> Run:
    """One run with every availability, findings of each severity and hostile text."""
    return run_of(
        result("ok-1", Availability.AVAILABLE, seen=observed("ok-1"), line=3),
        result("ok-2", Availability.AVAILABLE, seen=observed("ok-2"), line=9, title="Düsseldorf"),
        result(
            "plain-http",
            Availability.AVAILABLE,
            Finding(FindingCode.INSECURE_URL, "Listed with http://; https works"),
            seen=observed("plain-http"),
        ),
        result(
            "moved",
            Availability.REDIRECTED,
            Finding(FindingCode.PERMANENT_REDIRECT, "301 to https://example.org/new"),
            seen=observed(
                "moved",
                final_url="https://example.org/new",
                redirects=(Hop("https://example.org/moved", 301, "https://example.org/new"),),
            ),
        ),
        result(
            "renamed",
            Availability.AVAILABLE,
            Finding(FindingCode.TITLE_CHANGED, f"Title is now {EVIL_TITLE!s}", evidence=EVIL_TITLE),
            seen=observed("renamed", title=EVIL_TITLE),
        ),
        result(
            "members",
            Availability.GATED,
            Finding(FindingCode.LOGIN_WALL, "Redirected to a sign-in page"),
            seen=observed("members", status=200, content_type="text/html"),
        ),
        result(
            "bot",
            Availability.BLOCKED,
            Finding(FindingCode.BOT_CHALLENGE, "Cloudflare challenge page"),
            seen=observed("bot", status=403, sha256=""),
        ),
        result(
            "gone-once",
            Availability.BROKEN,
            seen=observed("gone-once", status=404, sha256="", title=None, pages=None),
            confirmation=Confirmation(failures=1, needed=2, first_failed="2026-11-25T0930Z"),
        ),
        result(
            "gone-twice",
            Availability.BROKEN,
            Finding(FindingCode.ARCHIVED_COPY, "Archived copy: https://web.archive.org/x"),
            seen=observed("gone-twice", status=410, sha256=""),
            confirmation=Confirmation(
                failures=2, needed=2, confirmed=True, first_failed="2026-11-24T0930Z"
            ),
        ),
        result(
            "flaky",
            Availability.SERVER_ERROR,
            seen=observed("flaky", status=503, sha256=""),
            confirmation=Confirmation(failures=1, needed=2, first_failed="2026-11-25T0930Z"),
        ),
        result(
            "slow",
            Availability.TIMEOUT,
            seen=observed("slow", status=None, sha256="", error="no complete answer in time"),
            confirmation=Confirmation(failures=1, needed=2),
        ),
        result(
            "bad-cert",
            Availability.TLS_ERROR,
            seen=observed(
                "bad-cert",
                status=None,
                sha256="",
                error="certificate or TLS handshake failure: certificate has expired",
            ),
            format=None,
            pages=None,
        ),
        result(
            "not-checked",
            Availability.SKIPPED,
            check=CheckOptions(skip=True, skip_reason="robots.txt disallows"),
        ),
        **info_changes,
    )


# --------------------------------------------------------------------------
# report.json
# --------------------------------------------------------------------------


def test_full_run_covers_every_availability() -> None:
    assert {r.availability for r in full_run().results} == set(Availability)


def test_render_json_validates_and_round_trips() -> None:
    run = full_run()
    text = render_json(run)
    data = json.loads(text)
    assert_valid_report(data)
    assert data == report_dict(run)
    assert text.endswith("}\n")
    assert text == render_json(run), "rendering must be deterministic"
    assert list(data) == ["schema_version", "run", "summary", "resources"]


def test_json_keeps_non_ascii_and_indents_by_two() -> None:
    text = render_json(full_run())
    assert "Düsseldorf" in text
    assert '\n  "run": {\n    "id"' in text


def test_summary_counts() -> None:
    data = report_dict(full_run())
    summary = data["summary"]
    assert summary["total"] == 13
    assert list(summary["availability"]) == [a.value for a in Availability]
    assert summary["availability"]["available"] == 4
    assert summary["availability"]["broken"] == 2
    others = set(Availability) - {Availability.AVAILABLE, Availability.BROKEN}
    assert all(summary["availability"][a.value] == 1 for a in others)
    assert summary["severity"] == {"none": 2, "info": 2, "warning": 6, "error": 3}
    assert summary["findings"] == {
        "title-changed": 1,
        "permanent-redirect": 1,
        "login-wall": 1,
        "bot-challenge": 1,
        "insecure-url": 1,
        "archived-copy": 1,
    }


def test_run_info_times_are_utc_with_z() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    run = run_of(
        started=dt.datetime(2026, 11, 25, 10, 30, 0, 999, tzinfo=paris),
        finished=dt.datetime(2026, 11, 25, 9, 45),  # naive: taken as UTC
    )
    info = report_dict(run)["run"]
    assert info["started"] == "2026-11-25T09:30:00Z"
    assert info["finished"] == "2026-11-25T09:45:00Z"
    assert info["mode"] == "nightly"
    assert info["network"] == "ok"
    assert_valid_report(report_dict(run))


def test_resource_entry_shape() -> None:
    entries = {r["id"]: r for r in report_dict(full_run())["resources"]}
    moved = entries["moved"]
    assert moved["source"] == "catalogue/car-t.yaml:1"
    assert moved["observed"]["redirects"] == [
        {"url": "https://example.org/moved", "status": 301, "location": "https://example.org/new"}
    ]
    assert moved["expected"]["format"] == "pdf"
    assert entries["bad-cert"]["expected"]["format"] is None
    assert entries["bad-cert"]["expected"]["pages"] is None
    assert entries["not-checked"]["observed"] is None
    assert entries["gone-once"]["confirmation"] == {
        "failures": 1,
        "needed": 2,
        "confirmed": False,
        "first_failed": "2026-11-25T0930Z",
    }
    assert [r["id"] for r in report_dict(full_run())["resources"]][:3] == [
        "ok-1",
        "ok-2",
        "plain-http",
    ], "catalogue order"


def test_finding_severity_is_effective_severity() -> None:
    lowered = Finding(FindingCode.SOFT_404, "looks empty", severity=Severity.INFO)
    run = run_of(result("x", Availability.AVAILABLE, lowered, seen=observed("x")))
    finding = report_dict(run)["resources"][0]["findings"][0]
    assert finding == {
        "code": "soft-404",
        "severity": "info",
        "message": "looks empty",
        "evidence": "",
    }


def test_empty_run_is_valid() -> None:
    data = assert_valid_report(json.loads(render_json(run_of())))
    assert data["summary"]["total"] == 0
    assert data["summary"]["findings"] == {}


@pytest.mark.parametrize("run", [full_run(), run_of(), run_of(*full_run().results[:1])],
                         ids=["full", "empty", "one"])
def test_json_is_streamed_as_json_dumps_writes_the_whole_report(run: Run) -> None:
    whole = json.dumps(report_dict(run), indent=2, ensure_ascii=False) + "\n"
    pieces = list(stream_json(run))
    assert "".join(pieces) == render_json(run) == whole
    assert len(pieces) >= len(run.results), "a piece per resource, never the whole list"


# --------------------------------------------------------------------------
# The schema
# --------------------------------------------------------------------------


def _enum(name: str) -> list[Any]:
    values: list[Any] = report_schema()["$defs"][name]["enum"]
    return values


def test_schema_enums_equal_python_enums() -> None:
    defs = report_schema()["$defs"]
    assert _enum("availability") == [a.value for a in Availability]
    assert _enum("severity") == [s.value for s in Severity]
    assert _enum("findingCode") == [c.value for c in FindingCode]
    assert _enum("mode") == [m.value for m in Mode]
    assert _enum("network") == [n.value for n in Network]
    assert _enum("format") == [f.value for f in Format] + [None]
    summary = defs["summary"]["properties"]
    assert list(summary["availability"]["properties"]) == [a.value for a in Availability]
    assert summary["availability"]["required"] == [a.value for a in Availability]
    assert list(summary["severity"]["properties"]) == [s.value for s in Severity]
    assert summary["severity"]["required"] == [s.value for s in Severity]


def test_schema_required_keys_match_renderer() -> None:
    """Every key the renderer writes is declared (and required) in the schema."""
    defs = report_schema()["$defs"]
    entry = report_dict(full_run())["resources"][3]
    assert defs["resource"]["required"] == list(entry)
    assert defs["run"]["required"] == list(report_dict(full_run())["run"])
    observed_object = defs["observed"]["oneOf"][1]
    assert observed_object["required"] == list(entry["observed"])
    assert defs["expected"]["required"] == list(entry["expected"])
    assert defs["confirmation"]["required"] == list(entry["confirmation"])


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("resources", 0, "availability"), "dead"),
        (("resources", 0, "severity"), "fatal"),
        (("resources", 2, "findings", 0, "code"), "made-up"),
        (("run", "started"), "25/11/2026"),
        (("run", "mode"), "weekly"),
        (("resources", 0, "observed", "sha256"), "xyz"),
        (("summary", "findings"), {"made-up": 1}),
        (("resources", 0, "surprise"), 1),
        (("summary", "surprise"), 1),
    ],
)
def test_schema_rejects(path: tuple[Any, ...], value: Any) -> None:
    data = json.loads(render_json(full_run()))
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    assert not Draft202012Validator(report_schema()).is_valid(data)


def test_assert_valid_report_catches_miscount() -> None:
    data = json.loads(render_json(full_run()))
    data["summary"]["availability"]["broken"] = 7
    with pytest.raises(AssertionError, match="summary/availability"):
        assert_valid_report(data)


# --------------------------------------------------------------------------
# report.md
# --------------------------------------------------------------------------


def _attention_rows(md: str) -> list[str]:
    section = md.split("## Needs attention", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ")][2:]


def test_markdown_heading_and_headline() -> None:
    md = render_markdown(full_run())
    assert md.startswith("# curate report — 2026-11-25T0930Z\n")
    assert "Mode **nightly** · network **ok** · 13 resources: 3 error, 6 warning, 2 info" in md
    assert md.endswith("All clear: 3 resources available\n")


def test_markdown_summary_shows_non_zero_availability_only() -> None:
    run = run_of(
        result("a", Availability.AVAILABLE, seen=observed("a")),
        result("b", Availability.GATED, seen=observed("b")),
    )
    md = render_markdown(run)
    assert "| available | 1 |" in md
    assert "| gated | 1 |" in md
    assert "| broken |" not in md
    assert "| error | 1 |" in md
    assert "| none | 1 |" in md


def test_markdown_errors_before_warnings() -> None:
    rows = _attention_rows(render_markdown(full_run()))
    severities = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    assert severities == ["**error**"] * 3 + ["warning"] * 6
    ids = [row.split(" | ")[1] for row in rows]
    assert ids[:3] == ["members", "gone-twice", "bad-cert"], "catalogue order within a severity"


def test_markdown_attention_rows_keep_five_cells() -> None:
    rows = _attention_rows(render_markdown(full_run()))
    assert rows
    for row in rows:
        assert len(re.findall(r"(?<!\\)\|", row)) == 6, row


def test_markdown_failing_label_and_explanations() -> None:
    md = render_markdown(full_run())
    assert "broken — failing (1/2)" in md
    assert "server-error — failing (1/2)" in md
    assert "timeout — failing (1/2)" in md
    assert "broken — confirmed since 2026-11-24T0930Z" in md
    assert "not found (HTTP 404)" in md
    assert "certificate or TLS handshake failure: certificate has expired" in md
    assert "not checked: robots.txt disallows" in md


def test_markdown_ci_mode_has_no_confirmation_labels() -> None:
    md = render_markdown(full_run(mode=Mode.CI))
    assert "failing (" not in md
    assert "confirmed since" not in md
    assert "Mode **ci**" in md


def test_markdown_inconclusive_note() -> None:
    assert "Inconclusive run" in render_markdown(full_run(network=Network.INCONCLUSIVE))
    assert "Inconclusive run" not in render_markdown(full_run())


def test_markdown_escapes_untrusted_title() -> None:
    md = render_markdown(full_run())
    assert "<script>" not in md
    assert "&lt;script&gt;" in md
    assert "\\| part" in md
    assert "\\[1\\](javascript:alert(1))" in md
    assert "\\`code\\`" in md
    assert "@team" not in md, "no @-mentions from remote text"
    (row,) = (r for r in _attention_rows(md) if "renamed" in r)
    assert "next" in row, "the newline in the title did not end the table row"


def test_markdown_info_section_is_compact() -> None:
    md = render_markdown(full_run())
    info = md.split("## Info", 1)[1]
    assert "- plain-http (available): `insecure-url`: Listed with http://; https works" in info
    assert "not-checked (skipped)" in info


def test_markdown_is_bounded() -> None:
    huge = Finding(FindingCode.CONTENT_CHANGED, "x" * 10_000)
    many = [
        result(f"r{i}", Availability.AVAILABLE, huge, seen=observed(f"r{i}")) for i in range(500)
    ]
    md = render_markdown(run_of(*many))
    assert max(len(line) for line in md.splitlines()) < 1_000
    assert len(md) < 200 * 1_000
    assert "… and 300 more; see report.json." in md


def test_markdown_nothing_to_do() -> None:
    md = render_markdown(run_of(result("a", Availability.AVAILABLE, seen=observed("a"))))
    assert "Nothing needs attention." in md
    assert "## Info" not in md
    assert md.endswith("All clear: 1 resource available\n")


def test_escape_and_url_cell() -> None:
    assert escape("a|b\nc\r\nd\u202e") == "a\\|b c d"
    assert escape("a" * 400).endswith("…")
    assert len(escape("a" * 400)) == 300
    assert url_cell("https://example.org/a b|c<d>") == "<https://example.org/a%20b%7Cc%3Cd%3E>"
    assert not url_cell("javascript:alert(1)").startswith("<")


# --------------------------------------------------------------------------
# Writing files
# --------------------------------------------------------------------------


def test_write_reports_creates_files_and_latest(tmp_path: Path) -> None:
    run = full_run()
    folder = write_reports(run, tmp_path / "reports")
    assert folder == tmp_path / "reports" / run.info.id
    assert sorted(p.name for p in folder.iterdir()) == [
        "junit.xml", "report.csv", "report.html", "report.json", "report.md"
    ]
    assert (folder / "report.json").read_text(encoding="utf-8") == render_json(run)
    assert (folder / "report.md").read_text(encoding="utf-8") == render_markdown(run)
    assert_valid_report(folder)
    latest = tmp_path / "reports" / "latest"
    assert latest.is_symlink()
    assert os.readlink(latest) == run.info.id
    assert_valid_report(latest / "report.json")
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [run.info.id, "latest"]


def test_streamed_text_is_written_as_the_same_bytes(tmp_path: Path) -> None:
    run = full_run()
    atomic.write_atomic(tmp_path / "report.json", stream_json(run))
    atomic.write_atomic(tmp_path / "whole.json", render_json(run))
    expected = render_json(run).encode("utf-8")
    assert (tmp_path / "report.json").read_bytes() == expected
    assert (tmp_path / "whole.json").read_bytes() == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "whole.json"]


def _half_written(run: Run | None = None) -> Iterator[str]:
    """A renderer's pieces that fail after the first one."""
    yield "{\n"
    raise RuntimeError("renderer failed mid-stream")


def test_a_renderer_failing_mid_stream_leaves_previous_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_reports(full_run(id="night-1"), tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    monkeypatch.setattr(report_json, "stream_json", _half_written)
    with pytest.raises(RuntimeError, match="mid-stream"):
        write_reports(full_run(id="night-2"), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert os.readlink(tmp_path / "latest") == "night-1"


def test_latest_moves_to_the_newest_run(tmp_path: Path) -> None:
    write_reports(full_run(id="night-1"), tmp_path)
    write_reports(full_run(id="night-2"), tmp_path)
    assert os.readlink(tmp_path / "latest") == "night-2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "night-1", "night-2"]


def test_second_write_of_same_run_raises(tmp_path: Path) -> None:
    write_reports(full_run(), tmp_path)
    before = (tmp_path / "2026-11-25T0930Z" / "report.json").read_bytes()
    with pytest.raises(FileExistsError, match="2026-11-25T0930Z"):
        write_reports(full_run(), tmp_path)
    assert (tmp_path / "2026-11-25T0930Z" / "report.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-25T0930Z", "latest"]


def test_failure_mid_write_leaves_previous_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_reports(full_run(id="night-1"), tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())

    def boom(run: Run) -> str:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(report_markdown, "render_markdown", boom)
    with pytest.raises(RuntimeError, match="renderer failed"):
        write_reports(full_run(id="night-2"), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert os.readlink(tmp_path / "latest") == "night-1"


def test_failure_on_first_run_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls: list[str] = []

    def failing_replace(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        write_reports(full_run(), tmp_path / "reports")
    assert list((tmp_path / "reports").iterdir()) == []


def test_stale_latest_directory_is_not_silently_clobbered(tmp_path: Path) -> None:
    (tmp_path / "latest").mkdir()
    with pytest.raises(OSError):
        write_reports(full_run(), tmp_path)
    assert not any(p.name.startswith("latest.tmp") for p in tmp_path.iterdir())


@pytest.mark.parametrize("bad", ["", "../escape", "a/b", ".hidden", "latest", "x.tmp-1234", "a b"])
def test_bad_run_ids_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError, match="run id"):
        write_reports(full_run(id=bad), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_good_run_ids() -> None:
    goods = ["2026-11-25T09:30:00Z", "ci-1234.5", "20261125T093000Z+pr-17"]
    assert goods
    for good in goods:
        assert check_run_id(good) == good


def test_check_new_run_fails_fast(tmp_path: Path) -> None:
    assert check_new_run(tmp_path / "reports", "night-1") == tmp_path / "reports" / "night-1"
    assert not (tmp_path / "reports").exists(), "checking creates nothing"
    write_reports(full_run(id="night-1"), tmp_path / "reports")
    with pytest.raises(FileExistsError, match="night-1"):
        check_new_run(tmp_path / "reports", "night-1")
    with pytest.raises(ValueError, match="run id"):
        check_new_run(tmp_path / "reports", "../night-1")
