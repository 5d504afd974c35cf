"""README.md's "## Commands" documents every command and option of the CLI, truly.

As sqlite-utils' test_docs.py does: the click group is walked, and each
command, subcommand and option must be in the README, and every command has
its help text. The README documents a command on its line of the command
list (`    curate NAME ...`, options written `--name`), and options in
sentences of the form "Options of `NAME`, `OTHER` and `THIRD`: `--name ...`."
(up to the sentence's full stop, within one paragraph). Documenting a
command or an option that does not exist fails too. The group's own options
(`--version`) are on a `curate --...` line; `--help`, which every command
has, is not listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from pipeline.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = re.compile(r"^## Commands\n(.*?)(?=^## |\Z)", re.MULTILINE | re.DOTALL)
LIST_LINE = re.compile(r"^    (curate(?: [a-z][a-z0-9-]*)*)(.*)$")
OPTIONS_OF = re.compile(r"Options\s+of\s+((?:`[a-z][a-z0-9 -]*`(?:,\s*|\s+and\s+)?)+):(.*?)"
                        r"\.(?=\s+[A-Z`]|\Z)", re.DOTALL)
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def commands(
    command: click.Command = cli, path: str = "curate"
) -> Iterator[tuple[str, click.Command]]:
    """("curate", the group), then ("curate NAME", command) for each command, subcommands too."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from commands(sub, f"{path} {name}")


def options(command: click.Command) -> set[str]:
    """The command's long option names; --help, added to every command, is left out."""
    return {
        name for param in command.params if isinstance(param, click.Option)
        for name in (*param.opts, *param.secondary_opts) if name.startswith("--")
    }


def commands_section() -> str:
    """The text of README.md's "## Commands" section (its subsections included)."""
    found = SECTION.search(README.read_text(encoding="utf-8"))
    assert found, 'README.md has no "## Commands" section'
    return found.group(1)


def documented(section: str) -> dict[str, set[str]]:
    """Command path -> the options the section documents for it."""
    docs: dict[str, set[str]] = {}
    for path, text in _list_entries(section):
        docs.setdefault(path, set()).update(OPTION.findall(text))
    for paragraph in re.split(r"\n\s*\n", section):
        for names, text in OPTIONS_OF.findall(paragraph.strip()):
            for name in re.findall(r"`([^`]+)`", names):
                docs.setdefault(f"curate {name}", set()).update(OPTION.findall(text))
    return docs


def listed(section: str) -> set[str]:
    """The command paths that have a line in the section's command list."""
    return {path for path, _ in _list_entries(section)}


def _list_entries(section: str) -> Iterator[tuple[str, str]]:
    """(command path, its text) for each line of the command list; a more
    indented line of the list continues the entry above it."""
    path, text = "", ""
    for line in section.splitlines():
        entry = LIST_LINE.match(line)
        if entry or not line.startswith("     ") or not path:
            if path:
                yield path, text
            path, text = entry.groups() if entry else ("", "")
        else:
            text += line
    if path:
        yield path, text


COMMANDS = dict(commands())


@pytest.fixture(scope="module")
def section() -> str:
    return commands_section()


@pytest.fixture(scope="module")
def docs(section: str) -> dict[str, set[str]]:
    return documented(section)


@pytest.mark.parametrize("path", list(COMMANDS))
def test_commands_are_documented(section: str, path: str) -> None:
    assert path in listed(section), (
        f"`{path}` has no line in README.md's command list (## Commands)"
    )


@pytest.mark.parametrize("path", list(COMMANDS))
def test_options_are_documented(docs: dict[str, set[str]], path: str) -> None:
    missing = sorted(options(COMMANDS[path]) - docs.get(path, set()))
    assert not missing, (
        f"`{path}` has options README.md's ## Commands does not document: {', '.join(missing)} "
        f"(put them on its line of the command list, or in an \"Options of `...`:\" sentence)"
    )


def test_documented_commands_and_options_exist(docs: dict[str, set[str]]) -> None:
    unknown = sorted(set(docs) - set(COMMANDS))
    assert not unknown, f"README.md's ## Commands documents commands curate lacks: {unknown}"
    extra = {path: sorted(shown - options(COMMANDS[path])) for path, shown in docs.items()}
    extra = {path: names for path, names in extra.items() if names}
    assert not extra, f"README.md's ## Commands documents options curate lacks: {extra}"


@pytest.mark.parametrize("path", list(COMMANDS))
def test_commands_have_help(path: str) -> None:
    assert COMMANDS[path].help, f"`{path}` has no help text (its docstring)"


# --------------------------------------------------------------------------
# The reading of the README itself
# --------------------------------------------------------------------------


def test_the_readme_is_read_as_it_is_written() -> None:
    text = (
        "    curate check    [PATH...] [options]  fetch\n"
        "    curate hub add  ID [--title T]\n"
        "                    [--url U]            a continued line\n"
        "    curate --version                     which\n\n"
        "PATH is a file. Options of\n`check`: `--config FILE` (default `curate.toml`),\n"
        "`--only ID`. A run writes. Options of `check` and `hub add`: `--quiet`.\n"
        "`curate --help` explains each.\n"
    )
    assert documented(text) == {
        "curate check": {"--config", "--only", "--quiet"},
        "curate hub add": {"--title", "--url", "--quiet"},
        "curate": {"--version"},
    }
    assert listed(text) == {"curate check", "curate hub add", "curate"}
