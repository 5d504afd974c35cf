"""pipeline/catalogue/yaml.py and files.py: what is refused before any YAML is built.

Anchors, aliases and merge keys (nested aliases expand without limit: the
file below stands for 9^8 items), and files over the size cap, each get one
problem line, and `curate validate` exits 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.catalogue import ALIAS_BOMB
from pipeline.catalogue import CatalogueError, files, load_catalogue, read_acknowledgements
from pipeline.cli import cli

NESTED_ALIASES = ALIAS_BOMB  # the 9-line file, as `make bench-catalogue` times it
HEAD = "hub: h\ntitle: T\nresources:\n"
ENTRY = "  - id: {id}\n    title: {title}\n    url: {url}\n"


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "hub.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as refused:
        load_catalogue([path])
    return [str(p).removeprefix(f"{path}:") for p in refused.value.problems]


def test_nested_aliases_are_one_problem_at_the_first_alias(tmp_path: Path) -> None:
    assert problems_of(tmp_path, NESTED_ALIASES) == [
        "4: -: YAML aliases (*a) are not allowed in a catalogue"]


def test_validate_refuses_nested_aliases_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(NESTED_ALIASES, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:4: -: YAML aliases (*a) are not allowed in a catalogue" in result.output


@pytest.mark.parametrize(("text", "expected"), [
    (HEAD + "  - &first\n    id: one\n    title: One\n    url: https://e.org/1\n",
     "4: -: YAML anchors (&first) are not allowed in a catalogue"),
    (HEAD + "  - id: one\n    <<: {title: One, url: 'https://e.org/1'}\n",
     "5: -: YAML merge keys (<<) are not allowed in a catalogue"),
    (HEAD + "  - {id: one, title: &t One, url: 'https://e.org/1'}\n"
            "  - {id: two, title: *t, url: 'https://e.org/2'}\n",
     "5: -: YAML aliases (*t) are not allowed in a catalogue"),
])
def test_anchors_and_merge_keys_are_refused_too(
    tmp_path: Path, text: str, expected: str
) -> None:
    assert problems_of(tmp_path, text) == [expected]


def test_ampersands_and_stars_in_text_and_urls_are_just_text(tmp_path: Path) -> None:
    path = tmp_path / "hub.yaml"
    path.write_text(HEAD + ENTRY.format(id="q-and-a", title="'Q&A: *before* & after'",
                                        url="https://e.org/a?b=1&c=*2")
                    + ENTRY.format(id="star", title='"*starred* & <<quoted>>"',
                                   url="https://e.org/x"), encoding="utf-8")
    titles = [r.title for r in load_catalogue([path]).resources]
    assert titles == ["Q&A: *before* & after", "*starred* & <<quoted>>"]


def test_an_acknowledgements_file_with_an_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "acknowledgements.yaml"
    path.write_text("acknowledgements:\n  - &a {id: x, code: login-wall, reason: r, by: b, "
                    "on: 2026-01-01}\n  - *a\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as refused:
        read_acknowledgements(path)
    assert [str(p) for p in refused.value.problems] == [
        f"{path}:3: -: YAML aliases (*a) are not allowed in an acknowledgements file"]


def test_a_file_over_the_size_cap_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1024 * 1024)
    text = HEAD + "".join(ENTRY.format(id=f"r-{n}", title="T", url="https://e.org/")
                          for n in range(20_000))
    size = len(text.encode()) / 1_048_576
    assert problems_of(tmp_path, text) == [
        f"0: -: the file is {size:.1f} MB; a catalogue file may be at most 1 MB (split it "
        "into several files)"]
