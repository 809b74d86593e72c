"""An import planned before anything is written: rows to insert, rows to update, and
every problem found, each with its row and column.

Planning reads the whole file; writing (``writing.write_plan``) happens only for a plan
without problems, in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from salesdesk.transfer.problems import MAX_LISTED, ImportRefused, Problem

# Columns of the rows an import inserts, in tuple order; tables in foreign-key order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "branches": ("id", "name", "active"),
    "people": ("id", "name", "email", "phone", "hire_date", "active", "role_id", "manager_id", "branch_id",
               "external_id", "created_at", "updated_at", "version"),
    "accounts": ("id", "name", "sector", "website", "phone", "city", "country", "employees", "owner_id",
                 "external_id", "created_at"),
    "contacts": ("id", "account_id", "name", "title", "email", "phone"),
    "products": ("id", "name", "code", "series", "price", "currency", "active"),
    "lost_reasons": ("id", "name", "position", "active"),
    "deals": ("id", "title", "account_id", "contact_id", "owner_id", "pipeline_id", "stage_id", "amount",
              "currency", "probability", "expected_close", "status", "lost_reason_id", "lost_note", "won_on",
              "lost_on", "position", "stage_entered_at", "notes", "external_id", "created_at", "updated_at",
              "version"),
    "deal_lines": ("id", "deal_id", "product_id", "quantity", "unit_price", "discount_pct"),
    "stage_changes": ("id", "deal_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by_id"),
    "targets": ("id", "person_id", "period_kind", "period_start", "metric", "value", "version"),
}


@dataclass
class Plan:
    """What an import will do.  ``keep=False`` (a dry run) counts rows without keeping them."""

    keep: bool = True
    file: str = ""  # named in problems when an import reads several files
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    warnings: list[str] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    rows_read: int = 0
    inserts: dict[str, list[tuple]] = field(default_factory=lambda: {t: [] for t in COLUMNS})
    updates: list[tuple[str, int, dict]] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)  # company settings to change
    # Turns a date or time into what the database stores (``writing.storage``); rows
    # of tables in ``stored`` were built with it, the others are converted when written.
    store: Callable = field(default=lambda value: value, repr=False)
    stored: set = field(default_factory=set)
    problem_rows: set = field(default_factory=set)  # (file, row) with a problem: the preview highlights them
    _cells: set = field(default_factory=set, repr=False)

    def problem(self, row: int, column: str, reason: str) -> None:
        """One problem per cell: a cell that did not parse is not also reported missing."""
        cell = (self.file, row, column)
        if column and cell in self._cells:
            return
        self._cells.add(cell)
        self.problem_rows.add((self.file, row))
        if len(self.problems) < MAX_LISTED:
            self.problems.append(Problem(row, column, reason, self.file))
        else:
            self.more_problems += 1

    def insert(self, table: str, row: tuple) -> None:
        if self.keep:
            self.inserts[table].append(row)

    def update(self, table: str, row_id: int, values: dict) -> None:
        if self.keep and values:
            self.updates.append((table, row_id, values))

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def refuse_if_problems(self) -> None:
        if self.problems:
            raise ImportRefused(sorted(self.problems, key=lambda p: (p.file, p.row, p.column)), self.more_problems)

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems
