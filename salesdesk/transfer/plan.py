"""An import planned before anything is written: rows to insert, rows to update, and
every problem found, each with its row and column.

Planning reads the whole file; writing (``writing.write_plan``) happens only for a plan
without problems, in one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

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
# Columns no two rows may share, as an import compares them: emails, names and codes
# without case (as it finds records by them), external ids exactly.
UNIQUE: dict[str, dict[str, bool]] = {  # table -> {column: compared without case}
    "people": {"email": True, "external_id": False},
    "accounts": {"external_id": False},
    "products": {"name": True, "code": True},
    "deals": {"external_id": False},
}


@dataclass(frozen=True)
class Claim:
    """An update giving a unique column a value, with the row and header it came from."""

    table: str
    row_id: int
    column: str
    value: str
    row: int
    header: str


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
    unchanged: Counter = field(default_factory=Counter)  # updates that would write what is there
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
    claims: list[Claim] = field(default_factory=list)  # kept in a dry run too: checked before writing
    rounding: dict[str, list] = field(default_factory=dict)  # currency ("" for the home one) -> [count, change]
    deal_currencies: Counter = field(default_factory=Counter)  # currency -> deals created or updated in it
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

    def update(self, table: str, row_id: int, values: dict, row: int = 0, columns: dict | None = None) -> None:
        """Change ``row_id`` of ``table``; ``row`` and ``columns`` (field -> header) say
        where the values came from, for a value another record already holds."""
        for column in UNIQUE.get(table, {}).keys() & values.keys():
            if values[column] is not None:
                self.claims.append(Claim(table, row_id, column, values[column], row, (columns or {}).get(column, column)))
        if values:  # kept in a dry run too: it tells an update from an unchanged record
            self.updates.append((table, row_id, values))

    def rounded(self, currency: str, changes: list[Decimal]) -> None:
        """Amounts of ``currency`` ("" : the home currency) rounded to the cent, each by ``changes``."""
        counted = self.rounding.setdefault(currency, [0, Decimal(0)])
        counted[0] += len(changes)
        counted[1] += sum(changes, Decimal(0))

    def rounding_in(self, home: str) -> dict[str, tuple[int, Decimal]]:
        """currency -> (amounts rounded, their total change), the home currency named."""
        out: dict[str, tuple[int, Decimal]] = {}
        for currency, (count, change) in self.rounding.items():
            before = out.get(currency or home, (0, Decimal(0)))
            out[currency or home] = (before[0] + count, before[1] + change)
        return out

    def warn(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def refuse_if_problems(self) -> None:
        if self.problems:
            raise ImportRefused(sorted(self.problems, key=lambda p: (p.file, p.row, p.column)), self.more_problems)

    @property
    def problem_count(self) -> int:
        return len(self.problems) + self.more_problems
