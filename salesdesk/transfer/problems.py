"""What can be wrong with an imported file: a row, a column and a reason."""

from __future__ import annotations

from dataclasses import dataclass

from salesdesk.errors import SalesDeskError

MAX_LISTED = 1000  # problems kept one by one; beyond, only counted (a broken 1M-row file)


@dataclass(frozen=True)
class Problem:
    """``row`` as a spreadsheet numbers it (the header is row 1; 0: the file as a whole)."""

    row: int
    column: str
    reason: str
    file: str = ""  # when an import reads several files

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row else []
        if self.file:
            where.insert(0, self.file)
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class ImportRefused(SalesDeskError):
    """Nothing was imported: ``problems`` says why, row by row."""

    def __init__(self, problems: list[Problem], more: int = 0):
        self.problems = list(problems)
        self.more = more  # problems found beyond those listed
        total = len(self.problems) + more
        first = str(self.problems[0]) if self.problems else "the file was refused"
        suffix = f" (and {total - 1} more problem{'s' if total > 2 else ''})" if total > 1 else ""
        super().__init__(f"Nothing was imported: {first}{suffix}")

    @property
    def count(self) -> int:
        return len(self.problems) + self.more
