"""Writing a plan: bulk inserts table by table, the updates, and one audit row.

The caller owns the transaction, so the plan is written whole or not at all.  On SQLite
the values are first put in the text forms SQLAlchemy's types store (dates, times), so
the screens and SQLAlchemy read them back as they read everything else, and go to the
driver through ``db.bulk`` (a big import also defers the deal indexes there); elsewhere
with ``executemany``.  Money is already integer cents.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from sqlalchemy.orm import Session

from salesdesk.clock import CLOCK
from salesdesk.db import bulk
from salesdesk.transfer.plan import COLUMNS, Plan

DATES = {"hire_date", "expected_close", "won_on", "lost_on", "period_start"}
TIMES = {"created_at", "updated_at", "stage_entered_at", "changed_at", "at"}
VERSIONED = {"people", "deals", "targets"}
# Above this many new deals into a table smaller than the import, the deal indexes are
# built once after the rows are in rather than row by row.
BULK_INDEX_ROWS = 20_000
BULK_TABLES = ("deals", "stage_changes", "deal_lines")


class SqliteValues:
    """Dates and times as SQLAlchemy's SQLite types store them (memoised: imports repeat them)."""

    def __init__(self) -> None:
        self.memo: dict[Any, str] = {}

    def __call__(self, value: Any) -> Any:
        out = self.memo.get(value)
        if out is not None:
            return out
        if value.__class__ not in (dt.date, dt.datetime):
            return value
        out = bulk.sqlite_stamp(value) if value.__class__ is dt.datetime else bulk.sqlite_date(value)
        self.memo[value] = out
        return out

    def rows(self, table: str, rows: list[tuple]) -> list[tuple]:
        columns = COLUMNS[table]
        where = [i for i, c in enumerate(columns) if c in DATES or c in TIMES]
        if not where:
            return rows
        convert = self
        out = []
        for row in rows:
            values = list(row)
            for i in where:
                values[i] = convert(values[i])
            out.append(tuple(values))
        return out


def _same(value: Any) -> Any:
    return value


def storage(session: Session) -> tuple[Callable, set[str]]:
    """``(store, tables)`` for a ``Plan``: on SQLite, dates and times of deals and their
    history are put in stored form while planning (one pass less over 100k rows)."""
    if session.connection().dialect.name != "sqlite":
        return _same, set()
    return SqliteValues(), {"deals", "stage_changes"}


def drop_unchanged(session: Session, plan: Plan) -> None:
    """Updates that would write what the record already holds are no updates: left out
    (no new version for a window holding the record to trip over) and counted as
    unchanged, so that re-importing an unchanged export says so."""
    if not plan.updates:
        return
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    quote = connection.dialect.identifier_preparer.quote
    convert: Callable[[Any], Any] = SqliteValues() if connection.dialect.name == "sqlite" else _same
    kept = []
    for table, row_id, changes in plan.updates:
        names = [n for n in changes if n != "updated_at"]
        current = connection.exec_driver_sql(
            f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(table)} WHERE id = {mark}", (row_id,)).first() \
            if names else None
        if current is not None and all(convert(changes[n]) == current[i] for i, n in enumerate(names)) \
                and plan.updated[table] > 0:
            plan.updated[table] -= 1
            plan.unchanged[table] += 1
            continue
        kept.append((table, row_id, changes))
    plan.updates = kept
    for counts in (plan.updated, plan.unchanged):
        for table in [t for t, n in counts.items() if not n]:
            del counts[table]


def write_plan(session: Session, plan: Plan, *, action: str, entity: str, details: dict) -> None:
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    quote = connection.dialect.identifier_preparer.quote
    stored = SqliteValues() if sqlite else None
    values: Callable[[Any], Any] = stored or _same
    new_deals = len(plan.inserts["deals"])
    big = sqlite and new_deals >= BULK_INDEX_ROWS and \
        (connection.exec_driver_sql("SELECT count(*) FROM deals").scalar() or 0) < new_deals
    with bulk.deferred_indexes(connection, BULK_TABLES) if big else nullcontext():
        for table, columns in COLUMNS.items():
            rows = plan.inserts[table]
            if not rows:
                continue
            if stored is None:
                connection.exec_driver_sql(
                    f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
                    f"VALUES ({', '.join([mark] * len(columns))})", rows)
                continue
            if table not in plan.stored:
                rows = stored.rows(table, rows)
            bulk.insert_rows(connection, table, columns, rows)
    for table, row_id, changes in plan.updates:
        names = list(changes)
        sets = [f"{quote(n)} = {mark}" for n in names]
        if table in VERSIONED:
            sets.append("version = version + 1")
        connection.exec_driver_sql(
            f"UPDATE {quote(table)} SET {', '.join(sets)} WHERE id = {mark}",
            (*(values(changes[n]) for n in names), row_id))
    for key, value in plan.settings.items():
        connection.exec_driver_sql(f"UPDATE settings SET value = {mark} WHERE key = {mark}", (value, key))
    connection.exec_driver_sql(
        f"INSERT INTO audit_log (at, actor, action, entity, entity_id, details) VALUES ({', '.join([mark] * 6)})",
        (values(CLOCK.utc_naive()), session.info.get("actor"), action,
         entity, None, json.dumps(details, sort_keys=True, default=str)))
