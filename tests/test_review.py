"""Tests of pipeline.review: what needs a decision, accept, acknowledge."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from pipeline.catalogue import (
    ACKNOWLEDGEMENTS_SCHEMA_PATH,
    CatalogueError,
    catalogue_paths,
    load_catalogue,
)
from pipeline.judge.status import permanent_target
from pipeline.models import (
    Availability,
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
from pipeline.review import (
    ACKNOWLEDGEABLE_CODES,
    ACKNOWLEDGEMENTS_HEADER,
    Acknowledgement,
    Acknowledgements,
    ReviewError,
    accept,
    acknowledge,
    apply_acknowledgements,
    is_muted,
    load_acknowledgements,
    needs_decision,
    proposed_changes,
    render_review,
)

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "catalogue" / "car-t-phases.yaml"
TODAY = dt.date(2026, 12, 1)
INFOGRAPHIC = "mayo-car-t-infographic"
GUIDE = "attc-car-t-patient-guide"
HTML_EVIDENCE = "Content-Type: text/html; charset=utf-8"

# --------------------------------------------------------------------------
# Factory
# --------------------------------------------------------------------------


def make_resource(rid: str, **changes: Any) -> Resource:
    """A catalogue entry with plausible defaults."""
    base = Resource(
        id=rid,
        title=f"Title of {rid}",
        url=f"https://example.org/{rid}",
        hub="car-t",
        source=SourceLocation("catalogue/car-t.yaml", 1),
        format=Format.HTML,
    )
    return dataclasses.replace(base, **changes)


def seen(resource: Resource, **changes: Any) -> Observation:
    """What a fetch of `resource` saw: by default exactly what the catalogue says."""
    base = Observation(
        final_url=resource.url,
        status=200,
        content_type="text/html",
        title=resource.title,
        pages=resource.pages,
    )
    return dataclasses.replace(base, **changes)


def result_of(
    resource: Resource,
    availability: Availability = Availability.AVAILABLE,
    *findings: Finding,
    observed: Observation | None = None,
    confirmed: bool = True,
) -> ResourceResult:
    """A resource's end state, its severity derived as check.py derives it."""
    confirmation = Confirmation(failures=2 if confirmed else 1, needed=2, confirmed=confirmed)
    severity = Severity.highest(
        [availability.severity(confirmed)] + [f.effective_severity for f in findings]
    )
    return ResourceResult(
        resource, availability, severity, findings, observed or seen(resource), confirmation
    )


def run_of(*results: ResourceResult) -> Run:
    started = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
    info = RunInfo("2026-12-01T0200Z", started, started, "0.1.0", Mode.NIGHTLY, Network.OK, "d")
    return Run(info, results)


def finding(code: FindingCode, evidence: str = "", message: str = "", **kw: Any) -> Finding:
    return Finding(code, message or f"{code.value} seen", evidence=evidence, **kw)


def ack(rid: str, code: str, evidence: str | None = "", **kw: Any) -> Acknowledgement:
    fields: dict[str, Any] = {"reason": "known", "on": dt.date(2026, 11, 25)} | kw
    return Acknowledgement(rid, code, evidence=evidence, **fields)


def redirect(resource: Resource, new_url: str, *later: Hop) -> ResourceResult:
    """A resource that answered after a 301 to `new_url`."""
    hops = (Hop(resource.url, 301, new_url), *later)
    found = finding(FindingCode.PERMANENT_REDIRECT, f"301 {resource.url}")
    observed = seen(resource, final_url=hops[-1].location, redirects=hops)
    return result_of(resource, Availability.REDIRECTED, found, observed=observed)


def title_changed(resource: Resource, title: str) -> ResourceResult:
    message = (f"The title is now \u201c{title}\u201d; "
               f"the catalogue says \u201c{resource.title}\u201d")
    found = finding(FindingCode.TITLE_CHANGED, "read with html", message)
    return result_of(resource, Availability.AVAILABLE, found, observed=seen(resource, title=title))


def pages_changed(resource: Resource, pages: int) -> ResourceResult:
    message = f"The catalogue says {resource.pages} pages; the PDF now has {pages}"
    found = finding(FindingCode.PAGES_CHANGED, "read with pypdf", message)
    return result_of(resource, Availability.AVAILABLE, found, observed=seen(resource, pages=pages))


def gated(resource: Resource, *more: Finding) -> ResourceResult:
    wall = finding(FindingCode.LOGIN_WALL, "HTTP 401")
    return result_of(resource, Availability.GATED, wall, *more, observed=seen(resource, status=401))


def broken(resource: Resource, confirmed: bool = True) -> ResourceResult:
    observed = seen(resource, status=404, error="not found (HTTP 404)", title=None)
    return result_of(resource, Availability.BROKEN, observed=observed, confirmed=confirmed)


# --------------------------------------------------------------------------
# Catalogue copies
# --------------------------------------------------------------------------


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped catalogue/car-t-phases.yaml in its own folder."""
    folder = tmp_path / "catalogue"
    folder.mkdir()
    return Path(shutil.copy(SHIPPED, folder / SHIPPED.name))


def entry(path: Path, rid: str) -> Resource:
    return {r.id: r for r in load_catalogue([path]).resources}[rid]


def expected_text(original: str, rid: str, replaced: dict[str, str], reviewed: dt.date) -> str:
    """The original text with lines of entry `rid` replaced and last_reviewed added
    after its `added` line: what a perfect round-trip edit writes."""
    lines = original.split("\n")
    start = lines.index(f"  - id: {rid}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id:")),
               len(lines))
    for i in range(start, end):
        key = lines[i].strip().split(":", 1)[0]
        if key in replaced and lines[i].startswith(f"    {key}:"):
            lines[i] = f"    {key}: {replaced[key]}"
    added = next(i for i in range(start, end) if lines[i].startswith("    added:"))
    lines.insert(added + 1, f"    last_reviewed: {reviewed.isoformat()}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Accept
# --------------------------------------------------------------------------


def test_accept_url_after_301_changes_only_that_line_and_last_reviewed(shipped: Path) -> None:
    original = shipped.read_text(encoding="utf-8")
    resource = entry(shipped, INFOGRAPHIC)
    new_url = "https://www.mayoclinic.org/car-t-cell-therapy-program-infographic/ifg-20404289"

    done = accept([shipped.parent], INFOGRAPHIC, run_of(redirect(resource, new_url)), TODAY)

    assert [(c.field, c.old, c.new) for c in done.changes] == [
        ("url", resource.url, new_url),
        ("last_reviewed", None, TODAY),
    ]
    written = shipped.read_text(encoding="utf-8")
    assert written == expected_text(original, INFOGRAPHIC, {"url": f'"{new_url}"'}, TODAY)
    assert entry(shipped, INFOGRAPHIC).url == new_url
    assert entry(shipped, INFOGRAPHIC).last_reviewed == TODAY


def test_accept_title_keeps_the_double_quotes(shipped: Path) -> None:
    original = shipped.read_text(encoding="utf-8")
    resource = entry(shipped, GUIDE)
    new_title = 'The CAR T-Cell Therapy "Clinical Journey" Guide: 2027 edition'

    accept([shipped], GUIDE, run_of(title_changed(resource, new_title)), TODAY)

    quoted = json.dumps(new_title)  # YAML double quotes escape as JSON does here
    assert shipped.read_text(encoding="utf-8") == expected_text(
        original, GUIDE, {"title": quoted}, TODAY
    )
    assert entry(shipped, GUIDE).title == new_title


def test_accept_pages(shipped: Path) -> None:
    original = shipped.read_text(encoding="utf-8")
    resource = entry(shipped, GUIDE)

    done = accept([shipped], GUIDE, run_of(pages_changed(resource, 96)), TODAY)

    assert done.fields == ("pages", "last_reviewed")
    assert shipped.read_text(encoding="utf-8") == expected_text(
        original, GUIDE, {"pages": "96"}, TODAY
    )


def test_accept_only_the_chosen_fields(shipped: Path) -> None:
    resource = entry(shipped, INFOGRAPHIC)
    moved = redirect(resource, "https://www.mayoclinic.org/infographic")
    assert moved.observed is not None
    both = dataclasses.replace(
        moved,
        findings=(*moved.findings, finding(FindingCode.TITLE_CHANGED, "read with html")),
        observed=dataclasses.replace(moved.observed, title="Mayo infographic"),
    )
    assert proposed_changes(both) is not None
    assert proposed_changes(both).fields == ("url", "title")  # type: ignore[union-attr]

    done = accept([shipped], INFOGRAPHIC, run_of(both), TODAY, fields={"title"})

    assert done.fields == ("title", "last_reviewed")
    assert entry(shipped, INFOGRAPHIC).url == resource.url
    with pytest.raises(ReviewError, match="only url, title, pages"):
        accept([shipped], INFOGRAPHIC, run_of(both), TODAY, fields={"publisher"})


def test_accept_updates_an_existing_last_reviewed(tmp_path: Path) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text(
        "hub: h\ntitle: H\nresources:\n  - id: a\n    title: A\n    url: https://a.example/x\n"
        "    last_reviewed: 2024-01-01  # by j.doe\n",
        encoding="utf-8",
    )
    accept([path], "a", run_of(redirect(entry(path, "a"), "https://a.example/y")), TODAY)
    assert path.read_text(encoding="utf-8") == (
        "hub: h\ntitle: H\nresources:\n  - id: a\n    title: A\n    url: https://a.example/y\n"
        "    last_reviewed: 2026-12-01  # by j.doe\n"
    )


def test_accept_keeps_another_layout_and_crlf(tmp_path: Path) -> None:
    """A file indented differently from the shipped ones, with Windows line ends."""
    path = tmp_path / "hub.yaml"
    text = (
        "hub: h\r\ntitle: H\r\nresources:\r\n- id: a   # first\r\n  title: 'A'\r\n"
        "  url: https://a.example/x\r\n  audience:\r\n  - patients\r\n\r\n# next\r\n"
        "- id: b\r\n  title: B\r\n  url: https://b.example/\r\n"
    )
    path.write_bytes(text.encode("utf-8"))
    accept([path], "a", run_of(redirect(entry(path, "a"), "https://a.example/y")), TODAY)
    assert path.read_bytes().decode("utf-8") == text.replace(
        "a.example/x", "a.example/y"
    ).replace("  - patients\r\n", "  - patients\r\n  last_reviewed: 2026-12-01\r\n")


def test_accept_nothing_to_accept(shipped: Path) -> None:
    resource = entry(shipped, GUIDE)
    before = shipped.read_bytes()
    with pytest.raises(ReviewError, match="nothing to accept: the resource is gated"):
        accept([shipped], GUIDE, run_of(gated(resource)), TODAY)
    with pytest.raises(ReviewError, match="saw no new address, title or page count"):
        accept([shipped], GUIDE, run_of(result_of(resource)), TODAY)
    assert shipped.read_bytes() == before


def test_accept_never_for_a_broken_resource_even_with_a_title(shipped: Path) -> None:
    resource = entry(shipped, GUIDE)
    dead = result_of(resource, Availability.BROKEN,
                     finding(FindingCode.SOFT_404), finding(FindingCode.TITLE_CHANGED),
                     observed=seen(resource, title="Page not found"))
    assert proposed_changes(dead) is None
    with pytest.raises(ReviewError, match="broken"):
        accept([shipped], GUIDE, run_of(dead), TODAY)


def test_accept_unknown_id_and_id_missing_from_run(shipped: Path) -> None:
    resource = entry(shipped, GUIDE)
    run = run_of(pages_changed(resource, 90))
    with pytest.raises(ReviewError, match=r"no resource 'attc-car-t-patient-gide'.*did you mean"):
        accept([shipped], "attc-car-t-patient-gide", run, TODAY)
    with pytest.raises(ReviewError, match="did not check 'attc-car-t-glossary'"):
        accept([shipped], "attc-car-t-glossary", run, TODAY)


def test_accept_twice_and_after_a_manual_edit(shipped: Path) -> None:
    resource = entry(shipped, GUIDE)
    run = run_of(pages_changed(resource, 90))
    accept([shipped], GUIDE, run, TODAY)
    with pytest.raises(ReviewError, match="already has it"):
        accept([shipped], GUIDE, run, TODAY)
    shipped.write_text(shipped.read_text().replace("pages: 90", "pages: 91"), encoding="utf-8")
    with pytest.raises(ReviewError, match="pages changed since the run"):
        accept([shipped], GUIDE, run, TODAY)


def test_accept_restores_the_file_when_the_result_does_not_validate(shipped: Path) -> None:
    before = shipped.read_bytes()
    resource = entry(shipped, INFOGRAPHIC)
    run = run_of(redirect(resource, "ftp://files.example.org/infographic"))
    with pytest.raises(ReviewError, match=r"(?s)not saved.*must start with http"):
        accept([shipped], INFOGRAPHIC, run, TODAY)
    assert shipped.read_bytes() == before


def test_accept_failing_mid_write_leaves_the_original(
    shipped: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = shipped.read_bytes()
    resource = entry(shipped, INFOGRAPHIC)

    def refuse(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(CatalogueError, match="cannot save the file: No space left"):
        accept([shipped], INFOGRAPHIC, run_of(redirect(resource, "https://n.example/")), TODAY)
    assert shipped.read_bytes() == before
    assert sorted(p.name for p in shipped.parent.iterdir()) == [SHIPPED.name]


def test_accept_refuses_a_file_it_cannot_write_back_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "hub.yaml"
    text = "hub: h\ntitle: H\nresources:\n  - id: a\n    title:   A\n    url: https://a.example/x\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"hub.yaml:5: -: .*make the change by hand"):
        accept([path], "a", run_of(redirect(entry(path, "a"), "https://a.example/y")), TODAY)
    assert path.read_text(encoding="utf-8") == text


def test_permanent_target_follows_leading_permanent_hops_only() -> None:
    hops = (
        Hop("http://a.example/x", 301, "https://a.example/x"),
        Hop("https://a.example/x", 308, "/y"),
        Hop("https://a.example/y", 302, "https://a.example/login"),
        Hop("https://a.example/login", 301, "https://a.example/elsewhere"),
    )
    assert permanent_target(hops) == "https://a.example/y"
    assert permanent_target(hops[2:]) is None
    assert permanent_target(()) is None


# --------------------------------------------------------------------------
# Acknowledgements: the file
# --------------------------------------------------------------------------

ACKS_WITH_COMMENTS = """\
# Findings a curator knows about.
acknowledgements:
  # The guide's PDF link was asked for.
  - id: attc-car-t-patient-guide
    code: format-mismatch   # until the PDF link arrives
    reason: "PDF link requested from NA-ATTC, 2026-11-25"
    by: "j.doe"
    on: 2026-11-25
    until: 2027-01-31
    evidence: "Content-Type: text/html; charset=utf-8"

# Keep this file sorted by id.
"""


def guide_run() -> Run:
    guide = make_resource(GUIDE, format=Format.PDF, pages=92)
    mismatch = finding(FindingCode.FORMAT_MISMATCH, HTML_EVIDENCE)
    overdue = finding(FindingCode.REVIEW_OVERDUE)
    return run_of(result_of(guide, Availability.AVAILABLE, mismatch, overdue))


def test_acknowledge_adds_an_entry_and_keeps_comments(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    path.write_text(ACKS_WITH_COMMENTS, encoding="utf-8")

    made = acknowledge(path, GUIDE, "review-overdue", "  re-read\nin December ", None, TODAY,
                       guide_run(), by="a.curator")

    assert made == Acknowledgement(GUIDE, "review-overdue", "re-read in December", TODAY,
                                   None, "a.curator", "", made.source)
    assert made.source == SourceLocation(str(path), 11)
    assert path.read_text(encoding="utf-8") == ACKS_WITH_COMMENTS.replace(
        "\n# Keep",
        '  - id: attc-car-t-patient-guide\n    code: review-overdue\n'
        '    reason: "re-read in December"\n    by: "a.curator"\n    on: 2026-12-01\n'
        '    evidence: ""\n\n# Keep',
    )


def test_acknowledge_replaces_the_same_id_and_code(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    path.write_text(ACKS_WITH_COMMENTS, encoding="utf-8")

    acknowledge(path, GUIDE, "format-mismatch", "asked again", dt.date(2027, 3, 1), TODAY,
                guide_run())

    acks = load_acknowledgements(path).items
    assert [(a.code, a.reason, a.until, a.by) for a in acks] == [
        ("format-mismatch", "asked again", dt.date(2027, 3, 1), "")
    ]
    text = path.read_text(encoding="utf-8")
    assert "code: format-mismatch   # until the PDF link arrives" in text
    assert "# The guide's PDF link was asked for." in text
    assert text.endswith("\n# Keep this file sorted by id.\n")
    assert "by:" not in text


def test_acknowledge_creates_the_file_with_its_header(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    acknowledge(path, GUIDE, "format-mismatch", "PDF link requested", dt.date(2027, 1, 31),
                TODAY, guide_run())
    assert path.read_text(encoding="utf-8") == ACKNOWLEDGEMENTS_HEADER + (
        "acknowledgements:\n  - id: attc-car-t-patient-guide\n    code: format-mismatch\n"
        '    reason: "PDF link requested"\n    on: 2026-12-01\n    until: 2027-01-31\n'
        f'    evidence: "{HTML_EVIDENCE}"\n'
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acknowledgements.yaml"]


def test_acknowledge_into_a_file_of_comments_only(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    path.write_text("# Reviewed in pull requests.", encoding="utf-8")
    acknowledge(path, GUIDE, "review-overdue", "r", None, TODAY, guide_run())
    assert path.read_text(encoding="utf-8").startswith(
        "# Reviewed in pull requests.\nacknowledgements:\n  - id: attc-car-t-patient-guide\n"
    )
    assert [a.code for a in load_acknowledgements(path).items] == ["review-overdue"]


def test_acknowledge_refuses_what_is_not_there(tmp_path: Path) -> None:
    path, run = tmp_path / "acknowledgements.yaml", guide_run()
    with pytest.raises(ReviewError, match="Give a reason"):
        acknowledge(path, GUIDE, "format-mismatch", "  ", None, TODAY, run)
    with pytest.raises(ReviewError, match="--until must be a date after today"):
        acknowledge(path, GUIDE, "format-mismatch", "r", TODAY, TODAY, run)
    with pytest.raises(ReviewError, match="did you mean 'login-wall'"):
        acknowledge(path, GUIDE, "login-wal", "r", None, TODAY, run)
    with pytest.raises(ReviewError, match=(
        r"did not find 'login-wall' there; it found: format-mismatch \(error\), "
        r"review-overdue \(warning\)")):
        acknowledge(path, GUIDE, "login-wall", "r", None, TODAY, run)
    with pytest.raises(ReviewError, match="did not check 'someone-else'"):
        acknowledge(path, "someone-else", "broken", "r", None, TODAY, run)
    assert not path.exists()


def test_acknowledge_an_availability_only_when_no_finding_explains_it(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    down = make_resource("down")
    made = acknowledge(path, "down", "broken", "maintenance", None, TODAY, run_of(broken(down)))
    assert made.evidence == "not found (HTTP 404)"
    soft = result_of(make_resource("soft"), Availability.BROKEN, finding(FindingCode.SOFT_404))
    with pytest.raises(ReviewError, match=r"it found: soft-404 \(error\)"):
        acknowledge(path, "soft", "broken", "r", None, TODAY, run_of(soft))


def test_load_acknowledgements_missing_and_empty(tmp_path: Path) -> None:
    assert load_acknowledgements(tmp_path / "none.yaml") == Acknowledgements()
    (tmp_path / "empty.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert load_acknowledgements(tmp_path / "empty.yaml") == Acknowledgements()


def test_load_acknowledgements_lists_every_problem_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    path.write_text(
        "acknowledgements:\n"
        "  - id: a\n    code: login-wal\n    reason: r\n    on: 2026-11-25\n"
        "  - id: b\n    code: broken\n    on: 2026-02-30\n"
        "  - id: c\n    code: broken\n    reason: r\n    on: 2026-11-25\n    until: 2026-11-01\n"
        "  - id: c\n    code: broken\n    reason: ''\n    on: 2026-11-25\n    color: red\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_acknowledgements(path)
    assert [str(p).replace(str(path), "F") for p in caught.value.problems] == [
        "F:3: a: code 'login-wal' is not one of: " + ", ".join(
            json.loads(ACKNOWLEDGEMENTS_SCHEMA_PATH.read_text())["$defs"]["acknowledgement"][
                "properties"]["code"]["enum"]) + " (did you mean 'login-wall'?)",
        "F:6: b: missing required field 'reason'",
        "F:8: b: on '2026-02-30' is not a valid date (write YYYY-MM-DD)",
        "F:13: c: until 2026-11-01 is before on 2026-11-25",
        "F:14: c: 'broken' is acknowledged twice (also at line 9); keep one",
        "F:16: c: reason is empty",
        "F:18: c: unknown field 'color' (allowed: id, code, reason, by, on, until, evidence)",
    ]


def test_schema_codes_are_the_acknowledgeable_codes() -> None:
    schema = json.loads(ACKNOWLEDGEMENTS_SCHEMA_PATH.read_text(encoding="utf-8"))
    codes = schema["$defs"]["acknowledgement"]["properties"]["code"]["enum"]
    assert set(codes) == ACKNOWLEDGEABLE_CODES
    assert len(codes) == len(set(codes))


def test_catalogue_folder_ignores_the_acknowledgements_file(shipped: Path) -> None:
    (shipped.parent / "acknowledgements.yaml").write_text(ACKS_WITH_COMMENTS, encoding="utf-8")
    assert catalogue_paths([shipped.parent]) == [shipped]
    assert load_catalogue([shipped.parent]).resources


# --------------------------------------------------------------------------
# Acknowledgements: muting
# --------------------------------------------------------------------------


def test_is_muted_until_the_end_of_the_until_day() -> None:
    mismatch = finding(FindingCode.FORMAT_MISMATCH, HTML_EVIDENCE)
    known = ack(GUIDE, "format-mismatch", HTML_EVIDENCE, until=dt.date(2027, 1, 31))
    assert is_muted(known, mismatch, dt.date(2027, 1, 31))
    assert not is_muted(known, mismatch, dt.date(2027, 2, 1))
    assert is_muted(dataclasses.replace(known, until=None), mismatch, dt.date(2099, 1, 1))
    assert not is_muted(known, finding(FindingCode.DAMAGED_PDF, HTML_EVIDENCE), TODAY)


def test_a_change_of_evidence_unmutes() -> None:
    known = ack(GUIDE, "format-mismatch", HTML_EVIDENCE)
    assert not is_muted(known, finding(FindingCode.FORMAT_MISMATCH, "Content-Type: image/png"),
                        TODAY)
    assert is_muted(ack(GUIDE, "format-mismatch", None),  # written by hand, no evidence
                    finding(FindingCode.FORMAT_MISMATCH, "Content-Type: image/png"), TODAY)


def test_a_new_title_unmutes_but_nightly_measurements_do_not() -> None:
    resource = make_resource("r", title="Old")
    first = title_changed(resource, "New").findings[0]
    later = title_changed(resource, "Newer").findings[0]
    known = ack("r", "title-changed", "The title is now \u201cNew\u201d; the catalogue says "
                "\u201cOld\u201d")
    assert is_muted(known, first, TODAY)
    assert not is_muted(known, later, TODAY)
    wall = ack("r", "registration-wall", "form vendor hubspot; 1,234 characters of text")
    assert is_muted(wall, finding(FindingCode.REGISTRATION_WALL,
                                  "form vendor hubspot;  1,310 characters of text"), TODAY)
    assert not is_muted(wall, finding(FindingCode.REGISTRATION_WALL,
                                      "form vendor marketo; 1,234 characters of text"), TODAY)


def test_apply_acknowledgements_lowers_findings_and_the_resource() -> None:
    run = guide_run()
    acks = Acknowledgements((
        ack(GUIDE, "format-mismatch", HTML_EVIDENCE, reason="PDF requested",
            until=dt.date(2027, 1, 31)),
    ))
    result = apply_acknowledgements(run, acks, TODAY).results[0]
    mismatch, overdue = result.findings
    assert mismatch.effective_severity is Severity.INFO
    assert mismatch.message.endswith(" (acknowledged: PDF requested, until 2027-01-31)")
    assert overdue == run.results[0].findings[1]
    assert result.severity is Severity.WARNING  # review-overdue is still open

    everything = Acknowledgements((*acks.items, ack(GUIDE, "review-overdue", "")))
    once = apply_acknowledgements(run, everything, TODAY)
    assert once.results[0].severity is Severity.INFO
    assert apply_acknowledgements(once, everything, TODAY) == once
    assert apply_acknowledgements(run, acks, dt.date(2027, 2, 1)) == run  # expired


def test_acknowledged_wall_lowers_the_gated_availability_too() -> None:
    wall_only = gated(make_resource("g"))
    with_more = gated(make_resource("h"), finding(FindingCode.FORMAT_MISMATCH, HTML_EVIDENCE))
    acks = Acknowledgements(
        (ack("g", "login-wall", "HTTP 401"), ack("h", "login-wall", "HTTP 401"))
    )
    g, h = apply_acknowledgements(run_of(wall_only, with_more), acks, TODAY).results
    assert g.severity is Severity.INFO
    assert h.severity is Severity.ERROR  # the format mismatch is not acknowledged
    assert [f.effective_severity for f in h.findings] == [Severity.INFO, Severity.ERROR]
    other = Acknowledgements((ack("g", "paywall", "HTTP 402"),))
    assert apply_acknowledgements(run_of(wall_only), other, TODAY).results[0] == wall_only


def test_acknowledged_redirect_lowers_the_redirected_availability() -> None:
    moved = redirect(make_resource("m"), "https://example.org/new")
    assert moved.severity is Severity.WARNING
    acks = Acknowledgements((ack("m", "permanent-redirect", "301 https://example.org/m"),))
    assert apply_acknowledgements(run_of(moved), acks, TODAY).results[0].severity is Severity.INFO
    assert needs_decision(run_of(moved), acks, TODAY) == []


def test_pseudo_code_broken_mutes_a_broken_resource() -> None:
    down = broken(make_resource("down"))
    assert down.severity is Severity.ERROR
    acks = Acknowledgements((ack("down", "broken", "not found (HTTP 404)",
                                 reason="down for maintenance"),))
    muted = apply_acknowledgements(run_of(down), acks, TODAY).results[0]
    assert muted.severity is Severity.INFO
    assert muted.findings == ()
    moved_on = dataclasses.replace(
        down, observed=seen(down.resource, status=None, error="the host name does not resolve")
    )
    assert apply_acknowledgements(run_of(moved_on), acks, TODAY).results[0] == moved_on


# --------------------------------------------------------------------------
# What needs a decision
# --------------------------------------------------------------------------


def review_run() -> Run:
    moved = make_resource("moved")
    clean = make_resource("clean", url="http://example.org/clean")
    quiet_title = make_resource("quiet-title", title="Old")
    down = make_resource("down")
    walled = make_resource("walled")
    title_info = title_changed(quiet_title, "New")
    title_info = dataclasses.replace(
        title_info,
        findings=(dataclasses.replace(title_info.findings[0], severity=Severity.INFO),),
        severity=Severity.INFO,
    )
    return run_of(
        redirect(moved, "https://example.org/moved-here"),
        result_of(clean, Availability.AVAILABLE, finding(FindingCode.INSECURE_URL)),
        title_info,
        broken(down, confirmed=False),
        gated(walled, finding(FindingCode.FORMAT_MISMATCH, HTML_EVIDENCE)),
        guide_run().results[0],
    )


def test_needs_decision_lists_open_problems_worst_first() -> None:
    acks = Acknowledgements((
        ack("walled", "login-wall", "HTTP 401", until=dt.date(2027, 1, 31)),
        ack(GUIDE, "format-mismatch", HTML_EVIDENCE),
        ack(GUIDE, "review-overdue", ""),
    ))
    decisions = needs_decision(review_run(), acks, TODAY)

    assert [(d.id, d.severity.value) for d in decisions] == [
        ("walled", "error"),
        ("moved", "warning"),
        ("down", "warning"),
        ("quiet-title", "info"),
    ]
    walled, moved, down, quiet = decisions
    assert [i.code for i in walled.open] == ["format-mismatch"]
    assert [(a.code, a.until) for a in walled.muted] == [("login-wall", dt.date(2027, 1, 31))]
    assert walled.acceptance is None and "gated" in walled.no_acceptance
    assert moved.acceptance is not None
    assert [str(c) for c in moved.acceptance.changes] == [
        "url: https://example.org/moved -> https://example.org/moved-here"
    ]
    assert [i.code for i in down.open] == ["broken"] and down.status == "broken, failing (1/2)"
    assert [str(c) for c in quiet.acceptance.changes] == ["title: Old -> New"]  # type: ignore[union-attr]


def test_render_review_gives_the_next_commands() -> None:
    text = render_review(needs_decision(review_run(), Acknowledgements(), TODAY))
    assert text.startswith("5 resources need a decision: 2 errors, 2 warnings, 1 info.\n\n")
    headers = [block.split("\n")[0] for block in text.split("\n\n")[1:]]
    assert headers == [
        "ERROR  walled  (gated)",
        f"ERROR  {GUIDE}  (available)",
        "WARNING  moved  (redirected)",
        "WARNING  down  (broken, failing (1/2))",
        "INFO  quiet-title  (available)",
    ]
    assert '    curate acknowledge walled login-wall --reason "..."' in text
    assert '    curate acknowledge walled format-mismatch --reason "..."' in text
    assert "    curate accept moved\n" in text
    assert '    curate acknowledge moved permanent-redirect --reason "..."' in text
    assert "    url: https://example.org/moved -> https://example.org/moved-here" in text
    assert '    curate acknowledge down broken --reason "..."' in text
    assert "    curate accept quiet-title\n" in text
    assert "curate accept walled" not in text and "curate accept down" not in text
    assert "Nothing to accept: the resource is gated" in text
    assert "clean" not in text


def test_render_review_when_nothing_is_open() -> None:
    acks = Acknowledgements((ack("g", "login-wall", "HTTP 401"),))
    run = run_of(gated(make_resource("g")), result_of(make_resource("fine")))
    assert needs_decision(run, acks, TODAY) == []
    assert render_review([]).startswith("Nothing needs a decision")


def test_render_review_neutralises_control_characters() -> None:
    hostile = make_resource("hostile", title="Guide\x1b[2J\x1b]0;pwned\x07")
    text = render_review(needs_decision(run_of(gated(hostile)), Acknowledgements(), TODAY))
    assert "\x1b" not in text and "\x07" not in text
    assert "Guide [2J ]0;pwned" in text
