"""An installed curate (a wheel, not this checkout) finds what it reads at run time.

Building a wheel here would need the network (a newer setuptools), so this
checks what the wheel is made from: every file the code opens lies inside
the package folder and matches the package data pyproject.toml declares.
(Reading the schemas from the repository's top level, as curate once did,
crashed `curate validate` in a plain `pip install`.)
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

import pytest

import pipeline
from pipeline import SCHEMAS_DIR, catalogue
from pipeline.report import load

PACKAGE = Path(pipeline.__file__).resolve().parent
ROOT = PACKAGE.parent


def package_data() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(config["tool"]["setuptools"]["package-data"]["pipeline"])


@pytest.mark.parametrize(
    "path",
    [catalogue.SCHEMA_PATH, catalogue.ACKNOWLEDGEMENTS_SCHEMA_PATH, load.SCHEMA_PATH],
    ids=lambda path: path.name,
)
def test_each_schema_is_package_data(path: Path) -> None:
    inside = path.relative_to(PACKAGE).as_posix()  # raises if outside the package
    assert path.is_file()
    assert any(fnmatch.fnmatch(inside, pattern) for pattern in package_data()), inside


def test_the_packaged_schemas_are_the_repository_schemas() -> None:
    """pipeline/schemas is the top-level schemas/ folder, not a copy that could drift."""
    assert SCHEMAS_DIR.resolve() == (ROOT / "schemas").resolve()
