"""Replacing files and folders all at once: the one place curate writes to disk.

A reader, a crash or a failing step sees the old file (or folder) or the
new one, never half of each:

- `write_atomic(path, content)` writes a temporary file in the same folder,
  flushes it to disk and renames it over `path` (os.replace). Used for the
  catalogue and acknowledgements files, each report, and each site file.
- `staged_folder(target)` hands out a temporary folder beside `target`; when
  the block ends without error, the folder takes `target`'s place in one
  rename (a run's report folder, the published site). Otherwise it is
  removed and `target` is left as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

Content = bytes | str | Iterable[str]  # bytes as they are; text (whole or in pieces) as UTF-8


def write_atomic(path: Path, content: Content) -> None:
    """Replace `path` with `content` via a temp file in the same folder, fsync, rename.

    Text is written as UTF-8 with "\\n" line ends; pieces of an iterable are
    written as they come (a renderer's generator runs here). An existing file
    keeps its permissions, a new one gets 0644. Whatever fails, a piece
    included, the temp file is removed and `path` is left as it was.
    """
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        _write_content(fd, content)
        os.chmod(temp, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def _write_content(fd: int, content: Content) -> None:
    if isinstance(content, bytes):
        with os.fdopen(fd, "wb") as binary:
            binary.write(content)
            binary.flush()
            os.fsync(binary.fileno())
        return
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as text:
        text.writelines([content] if isinstance(content, str) else content)
        text.flush()
        os.fsync(text.fileno())


@contextlib.contextmanager
def staged_folder(target: Path, *, replace: bool = False) -> Iterator[Path]:
    """A new folder beside `target` to fill; it becomes `target` when the block ends.

    With `replace`, an existing `target` is swapped out (see `swap_in`).
    Without, the final rename fails on a `target` that is a file or a
    non-empty folder; POSIX rename replaces an empty folder, so a caller
    that must never replace one checks last thing in the block (as
    report.files does). On any error the staged folder is removed.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        yield staging
        staging.chmod(0o755)
        fsync_folder(staging)
        if replace:
            swap_in(staging, target)
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    fsync_folder(target.parent)


def swap_in(staging: Path, target: Path) -> None:
    """Put `staging` in `target`'s place; the old `target` is restored if that fails.

    The old folder is renamed aside first and removed after, because a
    folder cannot be renamed over a non-empty one.
    """
    old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
    had_target = target.exists() or target.is_symlink()
    if had_target:
        os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        if had_target:
            os.rename(old, target)
        raise
    if had_target:
        with contextlib.suppress(OSError):
            _remove(old)


def replace_symlink(link: Path, points_to: str) -> None:
    """Make `link` a symlink to `points_to`, replacing whatever link was there.

    The new link is made under a unique temporary name first (so concurrent
    runs and leftovers of a crash cannot collide) and renamed over `link`.
    """
    temp = link.with_name(f"{link.name}.tmp-{secrets.token_hex(4)}")
    try:
        os.symlink(points_to, temp)
        os.replace(temp, link)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_folder(link.parent)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (new names, renames) to disk where the OS allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Remove a folder tree or a symlink."""
    if path.is_symlink():
        path.unlink()
    else:
        shutil.rmtree(path)
