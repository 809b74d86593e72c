"""Writing the demo's rows: the columns of each table, and the writer that inserts them.

On SQLite the rows already hold what SQLAlchemy's types store (``db.bulk.stores_sqlite_text``
says when), so they go straight to the driver through ``db.bulk.insert_rows``; elsewhere
Core ``insert()`` executemany writes them through the column types.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Table, bindparam, insert
from sqlalchemy.orm import Session

from salesdesk.db import bulk
from salesdesk.db.models import (
    Account,
    Activity,
    Base,
    Branch,
    Budget,
    Contact,
    Deal,
    DealLine,
    Expense,
    Person,
    Product,
    StageChange,
    Target,
    WeeklyNote,
)

# Columns written for each table, in the order of the row tuples ``year`` builds.
COLUMNS = {
    "branches": ("id", "name", "city", "region", "active"),
    "people": ("id", "name", "email", "phone", "hire_date", "active", "role_id", "manager_id", "branch_id",
               "created_at", "updated_at", "version"),
    "accounts": ("id", "name", "sector", "website", "phone", "city", "country", "employees", "owner_id",
                 "created_at"),
    "contacts": ("id", "account_id", "name", "title", "email", "phone"),
    "products": ("id", "name", "code", "series", "price", "currency", "active"),
    "deals": ("id", "title", "account_id", "contact_id", "owner_id", "pipeline_id", "stage_id", "amount",
              "currency", "probability", "expected_close", "status", "lost_reason_id", "lost_note", "won_on",
              "lost_on", "position", "stage_entered_at", "notes", "created_at", "updated_at", "version"),
    "deal_lines": ("id", "deal_id", "product_id", "quantity", "unit_price", "discount_pct"),
    "stage_changes": ("id", "deal_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by_id"),
    "activities": ("id", "kind", "subject", "deal_id", "account_id", "contact_id", "owner_id", "due_on",
                   "done_at", "notes", "created_at"),
    "targets": ("id", "person_id", "period_kind", "period_start", "metric", "value", "version"),
    "weekly_notes": ("id", "person_id", "week_start", "text", "updated_at"),
    "budgets": ("id", "branch_id", "period_kind", "period_start", "amount"),
    "expenses": ("id", "branch_id", "person_id", "spent_on", "category", "description", "amount"),
}
# Money columns hold integer cents: rows are computed in cents, so the ``Money`` type
# (which takes ``Decimal`` euros) is bypassed for them.
CENTS = {"products": ("price",), "deals": ("amount",), "deal_lines": ("unit_price",), "targets": ("value",),
         "budgets": ("amount",), "expenses": ("amount",)}
# The tables the demo writes, parents before children.
MODELS = (Branch, Person, Account, Contact, Product, Deal, DealLine, StageChange, Activity, Target, WeeklyNote,
          Budget, Expense)


def table_of(model: type[Base]) -> Table:
    """A model's ``Table`` (its ``__table__`` is typed as any ``FromClause``)."""
    return model.metadata.tables[model.__tablename__]


class Writer:
    """Inserts row tuples, table by table, in the caller's transaction; counts what it wrote."""

    def __init__(self, session: Session, raw: bool):
        self.session = session
        self.raw = raw
        self.connection = session.connection()
        self.written: dict[str, int] = {}
        self.tables = {m.__tablename__: table_of(m) for m in MODELS}

    def __call__(self, name: str, rows: list[tuple]) -> None:
        if not rows:
            return
        self.written[name] = self.written.get(name, 0) + len(rows)
        columns = COLUMNS[name]
        if self.raw:
            bulk.insert_rows(self.connection, name, columns, rows)
            return
        stmt = insert(self.tables[name])
        if name in CENTS:
            stmt = stmt.values({c: bindparam(c, type_=BigInteger()) for c in CENTS[name]})
        for i in range(0, len(rows), 20_000):
            self.session.execute(stmt, [dict(zip(columns, row, strict=True)) for row in rows[i:i + 20_000]])

    def many(self, tables: dict[str, list[tuple]]) -> None:
        for name, rows in tables.items():
            self(name, rows)
