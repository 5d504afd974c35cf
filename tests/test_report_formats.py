"""Tests of report.csv, junit.xml, reading a stored run back and re-rendering it."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline.cli import rerender_from_history
from pipeline.history import History
from pipeline.models import (
    Availability,
    Finding,
    FindingCode,
    Hop,
    Run,
    Severity,
    SourceLocation,
)
from pipeline.report import (
    FORMATS,
    ReportLoadError,
    csv_report,
    junit,
    load_run,
    render_csv,
    render_format,
    render_html,
    render_json,
    render_junit,
    render_markdown,
    rerender,
    run_report_path,
    stream_format,
    write_reports,
)
from pipeline.report.csv_report import COLUMNS, guard_cell, guard_row, stream_csv
from pipeline.report.junit import stream_junit, xml_text
from tests.report_schema import assert_valid_report
from tests.test_report import EVIL_TITLE, full_run, observed, result, run_of

# --------------------------------------------------------------------------
# report.csv
# --------------------------------------------------------------------------


def csv_rows(run: Run) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render_csv(run), newline="")))


def test_csv_has_one_row_per_resource_in_catalogue_order() -> None:
    run = full_run()
    rows = csv_rows(run)
    assert tuple(rows[0]) == COLUMNS
    assert [r["id"] for r in rows] == [r.resource.id for r in run.results]
    gone = next(r for r in rows if r["id"] == "gone-twice")
    assert gone["availability"] == "broken" and gone["severity"] == "error"
    assert (gone["confirmed"], gone["failures"], gone["status"]) == ("yes", "2", "410")
    assert gone["findings"] == "archived-copy"
    assert gone["message"] == "not found (HTTP 410)"
    moved = next(r for r in rows if r["id"] == "moved")
    assert moved["final_url"] == "https://example.org/new" and moved["pages"] == "92"
    skipped = next(r for r in rows if r["id"] == "not-checked")
    assert skipped["status"] == "" and skipped["observed_title"] == ""


def test_csv_joins_finding_codes_and_flattens_newlines() -> None:
    run = run_of(result(
        "x", Availability.AVAILABLE,
        Finding(FindingCode.TITLE_CHANGED, "line one\nline two"),
        Finding(FindingCode.INSECURE_URL, "http"),
        seen=observed("x", title="a\r\nb"),
    ))
    (row,) = csv_rows(run)
    assert row["findings"] == "title-changed;insecure-url"
    assert row["message"] == "line one line two" and row["observed_title"] == "a b"
    assert render_csv(run).count("\n") == 2, "one line per row"


@pytest.mark.parametrize(
    "evil",
    ["=HYPERLINK(\"http://evil\",\"x\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1+1",
     "\r\n=cmd|' /C calc'!A0", "  =1+1"],
)
@pytest.mark.parametrize("column", ["title", "publisher", "observed_title", "message", "id"])
def test_csv_cells_cannot_start_a_formula(evil: str, column: str) -> None:
    base = result("x", Availability.AVAILABLE, Finding(FindingCode.TITLE_CHANGED, "plain"),
                  seen=observed("x"))
    resource, seen = base.resource, base.observed
    assert seen is not None
    changed = {
        "title": {"resource": dataclasses.replace(resource, title=evil)},
        "publisher": {"resource": dataclasses.replace(resource, publisher=evil)},
        "id": {"resource": dataclasses.replace(resource, id=evil)},
        "observed_title": {"observed": dataclasses.replace(seen, title=evil)},
        "message": {"findings": (Finding(FindingCode.TITLE_CHANGED, evil),)},
    }[column]
    (row,) = csv_rows(run_of(dataclasses.replace(base, **changed)))
    assert row[column].startswith("'"), row[column]
    assert row[column][1:].lstrip()[0] in "=+-@"


def test_guard_cell_leaves_ordinary_text_and_numbers_alone() -> None:
    assert guard_cell("Guide – part 1") == "Guide – part 1"
    assert guard_cell(404) == "404"
    assert guard_cell("a\u202eb") == "ab"
    assert guard_cell("-") == "'-"


def test_csv_is_streamed_a_few_rows_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    run = full_run()
    whole = io.StringIO()
    writer = csv.writer(whole, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(guard_row(csv_report._cells(r)) for r in run.results)
    monkeypatch.setattr(csv_report, "ROWS_PER_PIECE", 5)
    pieces = list(stream_csv(run))
    assert len(pieces) == 1 + 3, "the header, then 13 rows in pieces of 5"
    assert "".join(pieces) == render_csv(run) == whole.getvalue()
    assert "".join(stream_csv(run_of())) == ",".join(COLUMNS) + "\n"


# --------------------------------------------------------------------------
# junit.xml
# --------------------------------------------------------------------------


def test_junit_parses_and_counts_failures_as_error_resources() -> None:
    run = full_run()
    text = render_junit(run)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text)
    errors = sum(r.severity is Severity.ERROR for r in run.results)
    assert root.tag == "testsuites"
    counts = (root.get("tests"), root.get("failures"), root.get("skipped"))
    assert counts == ("13", str(errors), "1")
    assert len(root.findall(".//failure")) == errors == 3
    assert root.get("timestamp") == "2026-11-25T09:30:00Z" and root.get("time") == "187.000"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "car-t" and suite.get("failures") == "3"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["run_id"] == "2026-11-25T0930Z" and props["mode"] == "nightly"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert len(cases) == 13
    failure = cases["members"].find("failure")
    assert failure is not None and failure.get("type") == "gated"
    assert "Redirected to a sign-in page" in (failure.get("message") or "")
    assert cases["not-checked"].find("skipped") is not None
    assert "warning permanent-redirect" in (cases["moved"].findtext("system-out") or "")
    assert "broken — failing (1/2)" in (cases["gone-once"].findtext("system-out") or "")
    assert list(cases["ok-1"]) == [], "nothing to say about a clean resource"
    assert cases["ok-1"].get("time") == "0.120"


def test_junit_has_a_suite_per_hub() -> None:
    run = run_of(
        result("a", Availability.AVAILABLE, seen=observed("a"), hub="one"),
        result("b", Availability.GATED, seen=observed("b"), hub="two"),
        result("c", Availability.AVAILABLE, seen=observed("c"), hub="one"),
    )
    root = ET.fromstring(render_junit(run))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["one", "two"]
    assert [c.get("name") for c in suites["one"].iter("testcase")] == ["a", "c"]
    assert suites["two"].get("failures") == "1" and suites["one"].get("failures") == "0"


def junit_whole_tree(run: Run) -> str:
    """junit.xml as ElementTree writes the whole tree at once (the streamed text's oracle)."""
    root = junit._root(run)
    for hub, results in junit._by_hub(run.results):
        suite = junit._suite(run, hub, results)
        suite.extend(junit._case(run, r) for r in results)
        root.append(suite)
    ET.indent(root)
    return junit.XML_DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def hubs_run() -> Run:
    """full_run with its resources spread over three hubs, one with hostile text."""
    hubs = ["one", "two", EVIL_TITLE + "\x01"]
    return run_of(*(
        dataclasses.replace(r, resource=dataclasses.replace(r.resource, hub=hubs[i % 3]))
        for i, r in enumerate(full_run().results)
    ))


@pytest.mark.parametrize("run", [full_run(), hubs_run(), run_of(), run_of(*full_run().results[:1])],
                         ids=["full", "hubs", "empty", "one"])
def test_junit_is_streamed_as_elementtree_writes_the_whole_tree(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = junit_whole_tree(run)
    assert render_junit(run) == whole
    monkeypatch.setattr(junit, "CASES_PER_PIECE", 2)
    pieces = list(stream_junit(run))
    assert "".join(pieces) == whole
    assert len(pieces) > len(run.results) / 2, "a piece per two test cases"


def test_junit_escapes_everything_and_drops_what_xml_cannot_carry() -> None:
    evil = EVIL_TITLE + "\x00\x1b\x0c]]><!ENTITY x>&amp;\ud800"
    run = run_of(result(
        evil, Availability.GATED, Finding(FindingCode.LOGIN_WALL, evil, evidence=evil),
        seen=observed("x", final_url=evil), hub=evil,
        source=SourceLocation(evil, 3),
    ))
    root = ET.fromstring(render_junit(run))
    case = root.find(".//testcase")
    assert case is not None and case.get("name") == xml_text(evil)
    failure = case.find("failure")
    assert failure is not None and xml_text(evil) in (failure.text or "")
    assert "<script>" not in render_junit(run)


# --------------------------------------------------------------------------
# Reading a stored run back
# --------------------------------------------------------------------------


def rich_run() -> Run:
    """full_run plus an overridden severity, hops, odd sources and hostile text."""
    lowered = Finding(FindingCode.SOFT_404, "looks empty", severity=Severity.INFO, evidence="e")
    extra = (
        result("lowered", Availability.AVAILABLE, lowered, seen=observed(
            "lowered", redirects=(Hop("https://example.org/a", 302, "https://example.org/b"),
                                  Hop("https://example.org/b", 307, "https://example.org/c")),
            etag='"abc"', last_modified="Tue, 24 Nov 2026 09:00:00 GMT", language=None)),
        result("colons", Availability.AVAILABLE, seen=observed("colons"),
               source=SourceLocation("C:/hubs/a:b.yaml", 42), format=None, pages=None),
    )
    run = full_run()
    return dataclasses.replace(run, results=run.results + extra)


def test_load_run_round_trips_a_written_report(tmp_path: Path) -> None:
    run = rich_run()
    folder = write_reports(run, tmp_path)
    written = (folder / "report.json").read_text(encoding="utf-8")
    loaded = load_run(folder / "report.json")
    assert render_json(loaded) == written
    assert loaded.info == dataclasses.replace(run.info, finished=loaded.info.finished)
    by_id = {r.resource.id: r for r in loaded.results}
    assert by_id["colons"].resource.source == SourceLocation("C:/hubs/a:b.yaml", 42)
    assert by_id["lowered"].findings[0].severity is Severity.INFO
    assert by_id["moved"].findings[0].severity is None, "the default severity stays implicit"
    # report.json does not keep a skip reason: the rest renders identically
    for render in (render_junit, render_csv):
        assert render(loaded) == render(run).replace(": robots.txt disallows", "")


def test_load_run_rejects_an_invalid_report_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    data = json.loads(render_json(full_run()))
    data["resources"][0]["availability"] = "dead"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReportLoadError, match=r"report\.json: not a valid curate report") as info:
        load_run(path)
    assert str(path) in str(info.value) and "/resources/0/availability" in str(info.value)


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (None, "cannot read"),
    ("[]", "not a valid curate report"),
])
def test_load_run_errors_are_clear(tmp_path: Path, content: str | bytes | None,
                                   message: str) -> None:
    path = tmp_path / "report.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ReportLoadError, match=message) as info:
        load_run(path)
    assert str(path) in str(info.value)


def test_run_report_path(tmp_path: Path) -> None:
    write_reports(full_run(id="night-1"), tmp_path)
    assert run_report_path(tmp_path, "night-1") == tmp_path / "night-1" / "report.json"
    assert run_report_path(tmp_path, "latest") == tmp_path / "latest" / "report.json"
    with pytest.raises(ReportLoadError, match="no stored run 'night-2'"):
        run_report_path(tmp_path, "night-2")
    with pytest.raises(ReportLoadError, match="run id"):
        run_report_path(tmp_path, "../night-1")


# --------------------------------------------------------------------------
# Re-rendering
# --------------------------------------------------------------------------


def test_render_format_offers_every_format() -> None:
    run = full_run()
    assert list(FORMATS) == ["html", "md", "csv", "junit", "json"]
    assert render_format(run, "json") == render_json(run)
    assert render_format(run, "md") == render_markdown(run)
    assert render_format(run, "csv") == render_csv(run)
    assert render_format(run, "junit") == render_junit(run)
    assert render_format(run, "html") == render_html(run)
    with pytest.raises(ValueError, match="html, md, csv, junit, json"):
        render_format(run, "pdf")


@pytest.mark.parametrize("fmt", ["json", "csv", "junit"])
def test_a_stored_run_is_printed_again_in_pieces(fmt: str) -> None:
    """`curate report` of a large run never holds the whole text: the formats
    give it a resource (or a batch) at a time, the same text. (The HTML page
    comes in 64 K-character blocks, more than this small run fills.)"""
    run = full_run()
    pieces = list(stream_format(run, fmt))
    assert "".join(pieces) == render_format(run, fmt)
    assert len(pieces) > 1


def test_write_reports_writes_every_format_by_default(tmp_path: Path) -> None:
    run = full_run()
    folder = write_reports(run, tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == sorted(FORMATS.values())
    for fmt, name in FORMATS.items():
        assert (folder / name).read_text(encoding="utf-8") == render_format(run, fmt)
    assert_valid_report(folder)


def test_rerender_uses_the_history_around_that_run(tmp_path: Path) -> None:
    history = History.in_memory()
    first = run_of(result("a", Availability.AVAILABLE, seen=observed("a")), id="n1")
    second = run_of(result("a", Availability.GATED, seen=observed("a")), id="n2",
                    started=first.info.started.replace(day=26),
                    finished=first.info.finished.replace(day=26))
    for run in (first, second):
        history.record(run)
        write_reports(run, tmp_path)
    html = "".join(rerender_from_history(run_report_path(tmp_path, "n2"), "html", history))
    assert "was available, now gated" in html
    assert "No earlier run to compare with" in "".join(
        rerender_from_history(run_report_path(tmp_path, "n1"), "html", history))
    assert rerender(run_report_path(tmp_path, "n2"), "md") == render_markdown(second)
