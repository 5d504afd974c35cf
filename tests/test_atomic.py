"""pipeline.atomic: a file or folder is replaced whole, or not at all."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import atomic
from pipeline.atomic import replace_symlink, staged_folder, write_atomic


def _half_written() -> Iterator[str]:
    """A renderer's pieces that fail after the first one."""
    yield "{\n"
    raise RuntimeError("renderer failed mid-stream")


def test_a_failure_mid_stream_leaves_no_file(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="mid-stream"):
        write_atomic(tmp_path / "report.json", _half_written())
    assert list(tmp_path.iterdir()) == [], "no temp file left behind"
    (tmp_path / "report.json").write_text("before", encoding="utf-8")
    with pytest.raises(RuntimeError, match="mid-stream"):
        write_atomic(tmp_path / "report.json", _half_written())
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == "before"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"id: a\r\n", b"id: a\r\n"),  # bytes are written as they are (a catalogue's CRLF)
        ("caf\u00e9\n", "caf\u00e9\n".encode()),  # text is UTF-8
        (iter(["a\n", "b\n"]), b"a\nb\n"),  # pieces, as they come
    ],
)
def test_content_is_written_as_given(tmp_path: Path, content: Any, expected: bytes) -> None:
    target = tmp_path / "file"
    write_atomic(target, content)
    assert target.read_bytes() == expected


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_is_0644(tmp_path: Path) -> None:
    kept = tmp_path / "catalogue.yaml"
    kept.write_bytes(b"old")
    kept.chmod(0o600)
    write_atomic(kept, b"new")
    write_atomic(tmp_path / "new.yaml", b"new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o644


def test_a_staged_folder_becomes_the_target_and_leaves_nothing_else(tmp_path: Path) -> None:
    with staged_folder(tmp_path / "run-1") as staging:
        write_atomic(staging / "report.json", "{}")
        assert not (tmp_path / "run-1").exists(), "nothing shows until the block ends"
    assert (tmp_path / "run-1" / "report.json").read_text(encoding="utf-8") == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["run-1"]


def test_a_failing_block_removes_the_staged_folder(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), staged_folder(tmp_path / "run-1") as staging:
        write_atomic(staging / "report.json", "{}")
        raise RuntimeError("renderer bug")
    assert list(tmp_path.iterdir()) == []


def test_without_replace_an_existing_target_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "run-1").mkdir()
    (tmp_path / "run-1" / "report.json").write_text("kept", encoding="utf-8")
    with pytest.raises(OSError), staged_folder(tmp_path / "run-1") as staging:
        write_atomic(staging / "report.json", "new")
    assert (tmp_path / "run-1" / "report.json").read_text(encoding="utf-8") == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["run-1"]


def test_with_replace_the_old_folder_goes_whole(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "stale.html").write_text("old", encoding="utf-8")
    with staged_folder(tmp_path / "site", replace=True) as staging:
        write_atomic(staging / "index.html", "new")
    assert [p.name for p in (tmp_path / "site").iterdir()] == ["index.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_failing_swap_puts_the_old_folder_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("old", encoding="utf-8")
    real = os.rename

    def refuse_staged(src: Any, dst: Any) -> None:
        if ".new-" in Path(src).name:
            raise OSError("rename failed")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "rename", refuse_staged)
    with pytest.raises(OSError, match="rename failed"), \
            staged_folder(tmp_path / "site", replace=True) as staging:
        write_atomic(staging / "index.html", "new")
    assert (tmp_path / "site" / "index.html").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_symlink_is_replaced_in_one_step(tmp_path: Path) -> None:
    (tmp_path / "run-1").mkdir()
    (tmp_path / "run-2").mkdir()
    replace_symlink(tmp_path / "latest", "run-1")
    replace_symlink(tmp_path / "latest", "run-2")
    assert os.readlink(tmp_path / "latest") == "run-2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "run-1", "run-2"]
