"""The shape of the code: no import cycle between curate's modules, no module too long.

Every module of pipeline/ and bench/ is parsed with `ast` (never imported),
and each import of another project module is an edge of a graph:
`import pipeline.x` and `from pipeline.x import y` lead to pipeline.x, or to
pipeline.x.y when y is itself a module. (`from pipeline.report import html`
leads to pipeline.report.html alone: a package's modules importing each other
through the package's name is not a cycle, the interpreter imports the
module asked for.) Every import counts, those inside functions and those
under `if TYPE_CHECKING:` too: two modules that need each other are one
room, whether or not the interpreter sees it at start-up.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("pipeline", "bench")
MAX_LINES = 700
Graph = Mapping[str, set[str]]


def project_modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of PACKAGES."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


@functools.cache
def parsed(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once for all the tests of this file."""
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def imported_modules(path: Path, module: str, modules: Mapping[str, Path]) -> set[str]:
    """The project modules that `module` (the file `path`) imports, anywhere in it."""
    package = _package_of(path, module)
    found: set[str | None] = set()
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Import):
            found.update(_longest_module(alias.name, modules) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            found.update(_from_target(base, alias.name, modules) for alias in node.names)
    return {name for name in found if name is not None}


def _package_of(path: Path, module: str) -> str:
    """The package a module's relative imports start from (itself for an __init__)."""
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The module of a `from ... import`, a relative one resolved against `package`."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    return ".".join([*parts[: len(parts) - node.level + 1], *filter(None, [node.module])])


def _from_target(base: str, name: str, modules: Mapping[str, Path]) -> str | None:
    """`from base import name`: the module base.name if there is one, else base."""
    submodule = f"{base}.{name}"
    return submodule if submodule in modules else _longest_module(base, modules)


def _longest_module(dotted: str, modules: Mapping[str, Path]) -> str | None:
    """The longest prefix of `dotted` that is a project module (None: not ours)."""
    parts = dotted.split(".")
    prefixes = (".".join(parts[:end]) for end in range(len(parts), 0, -1))
    return next((prefix for prefix in prefixes if prefix in modules), None)


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (see the module docstring)."""
    return {name: imported_modules(path, name, modules) for name, path in modules.items()}


def cycles(graph: Graph) -> list[list[str]]:
    """The import cycles, each a list of modules ending with its first one: for
    each module, alphabetically, that is on no cycle given yet, the shortest
    way from it back to itself, if there is one."""
    found: list[list[str]] = []
    seen: set[str] = set()
    for start in sorted(graph):
        if start in seen:
            continue
        path = _path_back(graph, start)
        if path:
            found.append(path)
            seen.update(path)
    return found


def _path_back(graph: Graph, start: str) -> list[str] | None:
    """The shortest import path from `start` back to itself, or None (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        later = []
        for module in frontier:
            for target in sorted(graph.get(module, ())):
                if target == start:
                    return _walk_back(came_from, module, start)
                if target not in came_from:
                    came_from[target] = module
                    later.append(target)
        frontier = later
    return None


def _walk_back(came_from: Mapping[str, str], last: str, start: str) -> list[str]:
    """start -> ... -> last -> start, from the breadth-first search's links."""
    path = [last]
    while path[-1] != start:
        path.append(came_from[path[-1]])
    return [*reversed(path), start]


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(project_modules())


def test_no_import_cycles(graph: Graph) -> None:
    found = [" -> ".join(cycle) for cycle in cycles(graph)]
    assert not found, "import cycles (move what both need to a module both import):\n" + (
        "\n".join(found)
    )


FETCH_STAGE = "pipeline.fetch"
LATER_STAGES = ("pipeline.extract", "pipeline.judge", "pipeline.report", "pipeline.check")


def test_the_fetch_stage_imports_no_later_stage(graph: Graph) -> None:
    """pipeline/fetch/ hands over what it fetched (models.py types); reading,
    judging and reporting it is for the stages after it, never the other way."""
    wrong = imports_into(graph, (FETCH_STAGE,), LATER_STAGES)
    assert not wrong, "the fetch stage imports a later stage:\n" + "\n".join(wrong)


REPORT_STAGE = "pipeline.report"
HISTORY_STORE = "pipeline.history"


def test_the_report_imports_nothing_of_the_history(graph: Graph) -> None:
    """A report is rendered from a run: what it shows of the nights before it is
    read from the history by its caller and handed over as models.py types."""
    wrong = imports_into(graph, (REPORT_STAGE,), (HISTORY_STORE,))
    assert not wrong, "the report imports the history store (read it in the caller, " + (
        "e.g. pipeline.cli.history_context):\n" + "\n".join(wrong)
    )


def imports_into(graph: Graph, importers: tuple[str, ...], imported: tuple[str, ...]) -> list[str]:
    """`a -> b` for each import by a module within `importers` of one within `imported`."""
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if _within(module, importers)
        for target in targets
        if _within(target, imported)
    )


def _within(module: str, packages: tuple[str, ...]) -> bool:
    """True when module is one of packages or inside one of them."""
    return any(module == p or module.startswith(f"{p}.") for p in packages)


# Where a stage's data types live; the CLI is the shell around every stage.
SHARED_TYPES = ("pipeline.models", "pipeline.config")
SHELL = "pipeline.cli"
# A stage's own interface, not data handed along the flow.
INTERFACE_TYPES = {
    ("pipeline.fetch.pool", "Deferred"),  # a work item's "run me again later", for the scheduler
    ("pipeline.fetch.guard", "AddressPolicy"),  # the browser refuses the addresses fetch refuses
}


def test_stage_data_types_that_cross_stages_live_in_models() -> None:
    """A dataclass one stage hands to another lives in models.py, so neither
    stage has to import the other's module to name it."""
    modules = project_modules()
    crossing = sorted(
        f"{user} imports {owner}.{name}"
        for user, path in modules.items()
        if user.startswith("pipeline.") and user != SHELL
        for owner, name in _imported_names(path, user, modules)
        if owner not in SHARED_TYPES and _stage(owner) != _stage(user)
        and (owner, name) not in INTERFACE_TYPES and name in _dataclasses(modules[owner])
    )
    assert not crossing, "move these types to pipeline/models.py:\n" + "\n".join(crossing)


def _imported_names(path: Path, module: str, modules: Mapping[str, Path]) -> set[tuple[str, str]]:
    """(project module, name) for each `from module import name` in the file."""
    package = _package_of(path, module)
    pairs = set()
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.ImportFrom):
            owner = _longest_module(_absolute(node, package), modules)
            pairs.update((owner, alias.name) for alias in node.names if owner)
    return pairs


def _dataclasses(path: Path) -> set[str]:
    """The names of the classes a module defines under @dataclass."""
    return {
        node.name
        for node in parsed(path).body
        if isinstance(node, ast.ClassDef)
        and any("dataclass" in ast.unparse(d) for d in node.decorator_list)
    }


def _stage(module: str) -> str:
    """pipeline.fetch.client -> pipeline.fetch; pipeline.check -> pipeline.check."""
    return ".".join(module.split(".")[:2])


def test_a_stage_type_outside_models_is_seen() -> None:
    modules = project_modules()
    assert "Baseline" in _dataclasses(modules["pipeline.models"])
    assert ("pipeline.models", "Streak") in _imported_names(
        modules["pipeline.check"], "pipeline.check", modules
    )


def test_no_module_is_too_long() -> None:
    long = {
        rel: lines
        for rel, lines in _line_counts("pipeline").items()
        if lines > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by job): " + ", ".join(
        f"{rel} ({lines})" for rel, lines in sorted(long.items())
    )


def _line_counts(package: str) -> dict[str, int]:
    """Repository-relative path -> number of lines, for every module of `package`."""
    return {
        path.relative_to(ROOT).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted((ROOT / package).rglob("*.py"))
    }


# Each report format, by its modules (html and its html_* helpers are one format).
# What formats share lives in pipeline.report.text (or context): no format imports another.
REPORT_FORMATS = {
    "html": ("pipeline.report.html", "pipeline.report.html_parts", "pipeline.report.html_view"),
    "json": ("pipeline.report.json_report",),
    "markdown": ("pipeline.report.markdown",),
    "csv": ("pipeline.report.csv_report",),
    "junit": ("pipeline.report.junit",),
}


def format_crossings(graph: Graph) -> list[str]:
    """`a -> b` for each import of format module b by a module of another format."""
    format_of = {m: name for name, members in REPORT_FORMATS.items() for m in members}
    return [
        f"{module} -> {target}"
        for module in sorted(format_of)
        for target in sorted(graph.get(module, ()))
        if format_of.get(target, format_of[module]) != format_of[module]
    ]


def test_report_formats_do_not_import_each_other(graph: Graph) -> None:
    found = format_crossings(graph)
    assert not found, "a report format imports another (move what both need to "
    "pipeline/report/text.py):\n" + "\n".join(found)


def test_every_report_format_module_is_known(graph: Graph) -> None:
    known = {m for members in REPORT_FORMATS.values() for m in members}
    assert known <= set(graph), sorted(known - set(graph))


def test_no_own_html_escaper() -> None:
    """HTML is escaped with markupsafe's `escape`, never a look-alike `def esc`."""
    found = [
        f"{rel}:{node.lineno}"
        for rel, path in _pipeline_files()
        for node in ast.walk(parsed(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "esc"
    ]
    assert not found, "use markupsafe.escape instead of a `def esc`: " + ", ".join(found)


def _pipeline_files() -> list[tuple[str, Path]]:
    """(repository-relative path, file) for every module of pipeline/."""
    paths = sorted((ROOT / "pipeline").rglob("*.py"))
    return [(path.relative_to(ROOT).as_posix(), path) for path in paths]


# --------------------------------------------------------------------------
# The checks themselves: they see what they should
# --------------------------------------------------------------------------


def test_a_cycle_is_named_from_its_first_module() -> None:
    graph = {"b": {"c"}, "c": {"a"}, "a": {"b", "d"}, "d": {"d"}, "e": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"], ["d", "d"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_every_kind_of_import(graph: Graph) -> None:
    assert "pipeline.review" in graph["pipeline.cli"]  # from pipeline.review import accept
    assert "pipeline.publish" in graph["pipeline.cli"]  # under TYPE_CHECKING, and in a function
    files = graph["pipeline.report.files"]  # from pipeline.report import csv_report, html, ...
    assert "pipeline.report.html" in files and "pipeline.report" not in files
    assert "pipeline" in graph["pipeline.report.load"]  # from pipeline import SCHEMAS_DIR
    assert graph["bench.table"] >= {"bench.inputs", "bench.pages", "bench.toolrun"}


def test_a_fetch_module_importing_a_later_stage_is_seen() -> None:
    assert _within("pipeline.judge.archive", LATER_STAGES)
    assert _within("pipeline.check", LATER_STAGES) and _within("pipeline.fetch", (FETCH_STAGE,))
    assert not _within("pipeline.checks", LATER_STAGES)  # a prefix of a name is not a package
    assert not _within("pipeline.models", LATER_STAGES)


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    path = tmp_path / "html.py"
    path.write_text("from . import markdown\nfrom .. import models\nfrom .context import X\n")
    modules = dict.fromkeys(
        ["pipeline", "pipeline.models", "pipeline.report", "pipeline.report.context",
         "pipeline.report.markdown"], path)
    assert imported_modules(path, "pipeline.report.html", modules) == {
        "pipeline.models", "pipeline.report.context", "pipeline.report.markdown"
    }


def test_a_format_crossing_is_seen() -> None:
    graph = {"pipeline.report.junit": {"pipeline.report.html_view", "pipeline.report.text"},
             "pipeline.report.html": {"pipeline.report.html_parts"}}
    assert format_crossings(graph) == ["pipeline.report.junit -> pipeline.report.html_view"]


def test_a_report_module_importing_the_history_is_seen() -> None:
    graph = {"pipeline.report.context": {"pipeline.history", "pipeline.models"},
             "pipeline.report": {"pipeline.history_queries"}, "pipeline.cli": {"pipeline.history"}}
    assert imports_into(graph, (REPORT_STAGE,), (HISTORY_STORE,)) == [
        "pipeline.report.context -> pipeline.history"
    ]
