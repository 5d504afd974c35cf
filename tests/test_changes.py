"""Tests of pipeline.changes (`check --changed-since`) against throwaway git repositories.

Each test builds its own repository in tmp_path; nothing touches the network
or this project's own repository.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.catalogue import CatalogueError, load_resources_from_text
from pipeline.changes import ChangesError, changed_ids

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

HEAD = """\
# The test hub
hub: test-hub
title: Test hub
resources:
"""

ALPHA = """\
  - id: alpha
    title: Alpha guide
    url: https://example.org/alpha.pdf
    format: pdf
    pages: 12
"""

BETA = """\
  - id: beta
    title: Beta page
    url: https://example.org/beta
"""

GAMMA = """\
  - id: gamma
    title: Gamma infographic
    url: https://example.org/gamma.png
    format: image
"""

DELTA = """\
  - id: delta
    title: Delta webinar
    url: https://example.org/delta
    kind: webinar
"""

OTHER = """\
hub: other-hub
title: Other hub
resources:
  - id: other-one
    title: One
    url: https://example.org/one
  - id: other-two
    title: Two
    url: https://example.org/two
"""


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with a local identity; return its output."""
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout


def commit(repo: Path, message: str = "change") -> None:
    """Stage everything in `repo` and commit it."""
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "--no-gpg-sign", "-m", message)


def write(repo: Path, name: str, text: str) -> None:
    """Write catalogue file `name` (under catalogue/) in `repo`."""
    path = repo / "catalogue" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose first commit (tagged `base`) has a catalogue of three entries."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "--quiet")
    write(root, "hub.yaml", HEAD + ALPHA + BETA + GAMMA)
    commit(root, "base catalogue")
    git(root, "tag", "base")
    return root


def ids(repo: Path, ref: str = "base", *paths: str) -> set[str]:
    """changed_ids of `paths` (default: the catalogue folder) in `repo` since `ref`."""
    return changed_ids([Path(p) for p in paths or ("catalogue",)], ref, cwd=repo)


def test_nothing_changed(repo: Path) -> None:
    assert ids(repo) == set()


def test_changed_and_added_entries_only(repo: Path) -> None:
    changed_alpha = ALPHA.replace("alpha.pdf", "alpha-2026.pdf")
    reordered = HEAD + GAMMA + "  # gamma is the hub's banner\n" + BETA + changed_alpha + DELTA
    write(repo, "hub.yaml", reordered.replace("# The test hub", "# The test hub, reworded"))
    assert ids(repo) == {"alpha", "delta"}


def test_uncommitted_and_committed_changes_both_count(repo: Path) -> None:
    write(repo, "hub.yaml", HEAD + ALPHA + BETA + GAMMA.replace("Gamma", "Gamma new"))
    assert ids(repo) == {"gamma"}
    commit(repo)
    assert ids(repo) == {"gamma"}
    assert ids(repo, "HEAD") == set()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("    pages: 12\n", "    pages: 13\n", id="pages"),
        pytest.param("    format: pdf\n", "    format: pdf\n    language: fr\n", id="new-field"),
        pytest.param(
            "    pages: 12\n",
            "    pages: 12\n    check:\n      accept_status: [403]\n",
            id="check-options",
        ),
    ],
)
def test_any_field_counts(repo: Path, old: str, new: str) -> None:
    write(repo, "hub.yaml", HEAD + ALPHA.replace(old, new) + BETA + GAMMA)
    assert ids(repo) == {"alpha"}


def test_moving_an_entry_to_another_file_does_not_count(repo: Path) -> None:
    write(repo, "hub.yaml", HEAD + ALPHA + BETA)
    write(repo, "more.yaml", HEAD.replace("test-hub", "more-hub") + GAMMA)
    # gamma now belongs to a file absent at base, with another hub slug.
    assert ids(repo) == {"gamma"}


def test_removed_entries_are_not_returned(repo: Path) -> None:
    write(repo, "hub.yaml", HEAD + BETA)
    assert ids(repo) == set()


def test_a_new_file_counts_whole(repo: Path) -> None:
    write(repo, "other.yaml", OTHER)
    assert ids(repo) == {"other-one", "other-two"}
    commit(repo)
    assert ids(repo) == {"other-one", "other-two"}


def test_a_renamed_file_counts_as_new(repo: Path) -> None:
    (repo / "catalogue" / "hub.yaml").rename(repo / "catalogue" / "renamed.yaml")
    assert ids(repo) == {"alpha", "beta", "gamma"}


def test_only_the_given_files_are_compared(repo: Path) -> None:
    write(repo, "other.yaml", OTHER)
    write(repo, "hub.yaml", HEAD + ALPHA + BETA + GAMMA + DELTA)
    assert ids(repo, "base", "catalogue/hub.yaml") == {"delta"}


def test_run_from_a_subfolder(repo: Path) -> None:
    write(repo, "hub.yaml", HEAD + ALPHA + BETA + GAMMA + DELTA)
    assert changed_ids([Path("hub.yaml")], "base", cwd=repo / "catalogue") == {"delta"}


def test_absolute_paths_and_branch_refs(repo: Path) -> None:
    git(repo, "checkout", "--quiet", "-b", "feature")
    write(repo, "hub.yaml", HEAD + ALPHA + BETA + GAMMA + DELTA)
    commit(repo)
    folder = repo / "catalogue"
    assert changed_ids([folder], "base", cwd=repo) == {"delta"}
    assert changed_ids([folder], "feature~1", cwd=repo) == {"delta"}


def test_an_unreadable_old_revision_counts_whole(repo: Path) -> None:
    write(repo, "hub.yaml", "hub: [unclosed\n")
    commit(repo, "broken")
    git(repo, "tag", "broken")
    write(repo, "hub.yaml", HEAD + ALPHA + BETA)
    assert ids(repo, "broken") == {"alpha", "beta"}


def test_an_invalid_old_entry_counts_as_changed(repo: Path) -> None:
    invalid = HEAD + ALPHA.replace("pages: 12", "pages: twelve") + BETA + "    colour: red\n"
    write(repo, "hub.yaml", invalid + GAMMA)
    commit(repo, "invalid entries")
    git(repo, "tag", "invalid")
    write(repo, "hub.yaml", HEAD + ALPHA + BETA + GAMMA)
    assert ids(repo, "invalid") == {"alpha", "beta"}


def test_an_old_file_without_a_title_still_compares(repo: Path) -> None:
    write(repo, "hub.yaml", (HEAD + ALPHA + BETA).replace("title: Test hub\n", ""))
    commit(repo, "no title")
    git(repo, "tag", "untitled")
    write(repo, "hub.yaml", HEAD + ALPHA + BETA + GAMMA)
    assert ids(repo, "untitled") == {"gamma"}


def test_unknown_ref_is_named(repo: Path) -> None:
    with pytest.raises(ChangesError, match="'origin/no-such-branch'"):
        ids(repo, "origin/no-such-branch")


@pytest.mark.parametrize("ref", ["", "--output=x", "-n"])
def test_option_like_or_empty_ref_is_refused(repo: Path, ref: str) -> None:
    with pytest.raises(ChangesError, match="is not a git ref"):
        ids(repo, ref)


def test_not_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    write(plain, "hub.yaml", HEAD + ALPHA)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # never look further up
    with pytest.raises(ChangesError, match="not inside a git repository") as caught:
        ids(plain, "main")
    assert "main" in str(caught.value)


def test_catalogue_outside_the_repository(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    write(outside, "hub.yaml", HEAD + ALPHA)
    with pytest.raises(ChangesError, match="outside the git repository"):
        changed_ids([outside / "catalogue"], "base", cwd=repo)


def test_git_missing(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-bin-here"))
    with pytest.raises(ChangesError, match="git is not installed"):
        ids(repo)


def test_invalid_current_catalogue_raises_catalogue_error(repo: Path) -> None:
    write(repo, "hub.yaml", HEAD + ALPHA + "    colour: red\n")
    with pytest.raises(CatalogueError):
        ids(repo)


# --------------------------------------------------------------------------
# pipeline.catalogue.load_resources_from_text
# --------------------------------------------------------------------------


def test_text_loader_reads_valid_bytes() -> None:
    resources = load_resources_from_text("v1:hub.yaml", (HEAD + ALPHA + BETA).encode())
    assert [r.id for r in resources] == ["alpha", "beta"]
    assert resources[0].hub == "test-hub"
    assert resources[0].pages == 12
    assert str(resources[1].source) == "v1:hub.yaml:10"


def test_text_loader_leaves_out_invalid_and_repeated_entries() -> None:
    text = (
        HEAD
        + ALPHA
        + BETA.replace("https://", "ftp://")
        + GAMMA
        + GAMMA.replace("Gamma", "Again")
        + "  - just text\n"
        + DELTA.replace("    title: Delta webinar\n", "")
        + OTHER.split("resources:\n")[1]
    )
    resources = load_resources_from_text("old", text.encode())
    assert [r.id for r in resources] == ["alpha", "other-one", "other-two"]


def test_text_loader_ignores_file_level_problems() -> None:
    text = "surprise: field\nresources:\n" + ALPHA
    (alpha,) = load_resources_from_text("old", text.encode())
    assert alpha.id == "alpha"
    assert alpha.hub == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"\xff\xfe not text", "not UTF-8", id="binary"),
        pytest.param(b"hub: [unclosed\n", "invalid YAML", id="yaml"),
        pytest.param(b"", "no list of resources", id="empty"),
        pytest.param(b"- a list\n", "no list of resources", id="not-a-mapping"),
        pytest.param(b"hub: x\nresources: none\n", "no list of resources", id="no-list"),
    ],
)
def test_text_loader_raises_when_nothing_is_readable(data: bytes, message: str) -> None:
    with pytest.raises(CatalogueError, match=message) as caught:
        load_resources_from_text("old/hub.yaml", data)
    assert caught.value.problems[0].file == "old/hub.yaml"
