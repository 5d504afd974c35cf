"""pipeline/catalogue/locate.py: a big file's few bad entries are located from
their own lines, with the same problems a whole-file read gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.catalogue import load as catalogue_load
from pipeline.catalogue.locate import line_starts
from tests.test_catalogue import both_ways, generated_catalogue, no_ruamel

BAD = [
    "  - id: bad-format\n    title: Wrong\n    url: https://e.org/x\n    format: pfd\n",
    "  - id: Bad Id\n    title: ''\n    url: ftp://e.org/x\n    pages: 3\n",
    "  - id: extra\n    title: T\n    url: https://e.org/y\n    colour: red\n"
    "    check: {max_bytes: 0, accept_status: [700]}\n",
    "  # a comment before\n  - id: no-url\n    title: T\n    added: 2026-02-30\n\n",
]


def _with_bad_entries(count: int, *bad: str) -> str:
    lines = generated_catalogue(count, seed=2).splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if line.startswith("  - ") and i > 200)
    return "".join([*lines[:cut], *bad, *lines[cut:]])


@pytest.mark.parametrize("bad", BAD)
def test_a_bad_entry_in_a_big_file_is_reported_as_a_whole_read_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(_with_bad_entries(400, bad), encoding="utf-8")
    located, whole = both_ways(monkeypatch, path)
    assert isinstance(located, list) and located == whole


def test_the_whole_file_is_not_read_again_for_a_few_bad_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(_with_bad_entries(400, *BAD), encoding="utf-8")
    expected, _ = both_ways(monkeypatch, path)
    no_ruamel(monkeypatch)
    try:
        catalogue_load.load_catalogue([path])
    except catalogue_load.CatalogueError as error:
        assert [str(p) for p in error.problems] == expected
    else:
        raise AssertionError("the bad entries were not reported")
    assert isinstance(expected, list) and len(expected) >= 8


def test_a_flow_style_list_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "flow.yaml"
    path.write_text("hub: h\ntitle: T\nresources: [{id: a, title: A, url: 'https://e.org'},\n"
                    "  {id: b, title: B, url: 'https://e.org', format: pfd}]\n", encoding="utf-8")
    located, whole = both_ways(monkeypatch, path)
    assert located == whole == [f"{path}:4: b: format 'pfd' is not one of: pdf, html, video, "
                                "image (did you mean 'pdf'?)"]


def test_line_starts_counts_lines_as_the_reader_does() -> None:
    assert list(line_starts(b"a\nbb\r\n\nc")) == [0, 2, 6, 7]
