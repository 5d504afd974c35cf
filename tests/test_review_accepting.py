"""Tests of pipeline.review.accepting: writing what curate saw into the catalogue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from pipeline.catalogue import CatalogueError, load_catalogue
from pipeline.judge.status import permanent_target
from pipeline.models import Availability, FindingCode, Hop, Resource
from pipeline.review.accepting import accept, proposed_changes
from pipeline.review.shared import ReviewError
from tests.review_factory import (
    GUIDE,
    INFOGRAPHIC,
    SHIPPED,
    TODAY,
    finding,
    gated,
    pages_changed,
    redirect,
    result_of,
    run_of,
    seen,
    title_changed,
)

# --------------------------------------------------------------------------
# Catalogue copies (the `shipped` fixture is in conftest.py)
# --------------------------------------------------------------------------


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
