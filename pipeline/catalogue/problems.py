"""What is wrong with a catalogue: `Problem` (FILE:LINE: id: message) and `CatalogueError`.

Every step of reading a catalogue reports in these terms, so that a curator
sees one list, in file and line order, worded for people rather than programs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NO_ID = "-"  # a problem outside any entry, or in an entry without a usable id
# Top-level keys holding a list of entries, each with an id: resources, acknowledgements.
LIST_KEYS = ("resources", "acknowledgements")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the catalogue, located for a curator."""

    file: str
    line: int
    id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.id}: {self.message}"


class CatalogueError(Exception):
    """The catalogue did not load; `problems` lists every reason, in file/line order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
