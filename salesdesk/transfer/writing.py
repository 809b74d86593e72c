"""Writing a plan: bulk inserts table by table, the updates, and one audit row.

The caller owns the transaction, so the plan is written whole or not at all.  Rows go
to the driver with ``executemany``; on SQLite the values are first put in the text
forms SQLAlchemy's types store (dates, times), so the screens and SQLAlchemy read them
back as they read everything else.  Money is already integer cents.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3

from collections.abc import Callable

from sqlalchemy.orm import Session

from salesdesk.clock import CLOCK
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

    def __init__(self):
        self.memo: dict = {}

    def __call__(self, value):
        out = self.memo.get(value)
        if out is not None:
            return out
        if value.__class__ not in (dt.date, dt.datetime):
            return value
        if value.__class__ is dt.datetime:
            out = f"{value:%Y-%m-%d %H:%M:%S}.{value.microsecond:06d}"
        else:
            out = value.isoformat()
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
            row = list(row)
            for i in where:
                row[i] = convert(row[i])
            out.append(tuple(row))
        return out


def storage(session: Session) -> tuple[Callable, set[str]]:
    """``(store, tables)`` for a ``Plan``: on SQLite, dates and times of deals and their
    history are put in stored form while planning (one pass less over 100k rows)."""
    if session.connection().dialect.name != "sqlite":
        return (lambda value: value), set()
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
    convert = SqliteValues() if connection.dialect.name == "sqlite" else (lambda v: v)
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
    values = SqliteValues() if sqlite else (lambda v: v)
    new_deals = len(plan.inserts["deals"])
    bulk = sqlite and new_deals >= BULK_INDEX_ROWS and \
        connection.exec_driver_sql("SELECT count(*) FROM deals").scalar() < new_deals
    indexes = _drop_indexes(connection, BULK_TABLES) if bulk else []
    if bulk:  # a big page cache for the load, taken only as needed (as the demo loader does)
        cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql("PRAGMA cache_size = -262144")
    for table, columns in COLUMNS.items():
        rows = plan.inserts[table]
        if not rows:
            continue
        head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
        one = f"({', '.join([mark] * len(columns))})"
        if not sqlite:
            connection.exec_driver_sql(head + one, rows)
            continue
        # Many rows to a statement: the driver binds them in C, SQLite runs them in one go.
        if table not in plan.stored:
            rows = values.rows(table, rows)
        per = max(1, min(500, _max_parameters(connection) // len(columns)))
        cursor = connection.connection.driver_connection.cursor()
        try:
            _insert_shared(cursor, head, len(columns), rows, per)
        finally:
            cursor.close()
    for _name, sql in indexes:
        connection.exec_driver_sql(sql)
    if bulk:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")
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


# Values bound once per statement when a whole statement's rows share them.  Not floats:
# 0.0 == -0.0 (and True == 1 is ruled out by the type check).
_SHAREABLE = frozenset({type(None), int, str, bool})


def _insert_shared(cursor, head: str, width: int, rows: list[tuple], per: int) -> None:
    """Multi-row INSERTs of ``per`` rows, numbered parameters; a column with one value
    (same type) in every row of a statement is bound once and named by every row.

    Binding, not SQLite, is most of an insert's cost, and an import's rows repeat many
    columns (no contact, the one pipeline, the currency, the import's time).  What is
    stored is exactly what binding each row would store.
    """
    chain = itertools.chain.from_iterable
    statements: dict[tuple, str] = {}
    for start in range(0, len(rows), per):
        part = rows[start:start + per]
        count = len(part)
        by_column = list(zip(*part))
        shared = []
        for i, values in enumerate(by_column):
            first = values[0]
            if first.__class__ in _SHAREABLE and values.count(first) == count and \
                    (first is None or len(set(map(type, values))) == 1):
                shared.append(i)
        key = (tuple(shared), count)
        sql = statements.get(key)
        if sql is None:
            sql = statements[key] = head + _values_sql(width, shared, count)
        if shared:
            keep = set(shared)
            varying = [by_column[i] for i in range(width) if i not in keep]
            params = [by_column[i][0] for i in shared]
            params += chain(zip(*varying)) if varying else ()
            cursor.execute(sql, params)
        else:
            cursor.execute(sql, tuple(chain(part)))


def _values_sql(width: int, shared: list[int], count: int) -> str:
    """``(?1, ?4, ?5), (?1, ?6, ?7), …``: the shared columns are ?1… in every row."""
    number = {c: n for n, c in enumerate(shared, 1)}
    varying = [c for c in range(width) if c not in number]
    next_number = len(shared) + 1
    out = []
    for _row in range(count):
        marks = {}
        for c in varying:
            marks[c] = next_number
            next_number += 1
        out.append("(" + ", ".join(f"?{number[c] if c in number else marks[c]}" for c in range(width)) + ")")
    return ", ".join(out)


def _max_parameters(connection) -> int:
    driver = connection.connection.driver_connection
    limit = getattr(driver, "getlimit", None)
    return limit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if limit else 999


def _drop_indexes(connection, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """Drop the indexes of ``tables`` for a bulk load; returns their SQL to build them again
    (in the same transaction: an error rolls the drop back with everything else)."""
    marks = ", ".join("?" * len(tables))
    indexes = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) "
        "ORDER BY name", tuple(tables)).all()
    for name, _sql in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [tuple(i) for i in indexes]
