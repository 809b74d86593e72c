"""Bulk loading into SQLite: many rows straight to the driver, indexes built once at the end.

Two writers load tens of thousands of rows in one transaction, the demo company and an
import; both come here for what makes that fast:

- the text forms SQLAlchemy's SQLite types store dates and times in (``sqlite_date``,
  ``sqlite_stamp``), so that rows built as plain tuples read back like everything else,
  and ``stores_sqlite_text`` to make sure SQLAlchemy still stores them so;
- ``insert_rows``: multi-row INSERTs bound by the C driver, a column that holds one
  value in every row of a statement bound once;
- ``deferred_indexes``: a big page cache and the indexes of the loaded tables dropped
  and built again from their own SQL after the rows are in.

Everything runs inside the caller's transaction: an error rolls it all back, the dropped
indexes with it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Date, DateTime
from sqlalchemy.engine import Connection, Dialect

# Up to 256 MiB of page cache for a load (negative: KiB), taken only as SQLite needs it.
LOAD_CACHE_KIB = 262144
# Rows in one INSERT at the most; the driver's parameter limit may allow fewer.
ROWS_PER_STATEMENT = 500
# Values bound once per statement when all its rows share them.  Not floats: 0.0 == -0.0
# (and True == 1 is ruled out by the type check).
_SHAREABLE = frozenset({type(None), int, str, bool})


def sqlite_date(day: dt.date) -> str:
    """A date as SQLAlchemy's SQLite ``Date`` stores it."""
    return day.isoformat()


def sqlite_stamp(moment: dt.datetime) -> str:
    """A (naive) time stamp as SQLAlchemy's SQLite ``DateTime`` stores it."""
    return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond:06d}"


def stores_sqlite_text(dialect: Dialect) -> bool:
    """True on SQLite when SQLAlchemy stores dates and times exactly as ``sqlite_date`` and
    ``sqlite_stamp`` write them, so rows in those forms may bypass its types."""
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark":
        return False
    sample = dt.datetime(2026, 1, 2, 3, 4, 5, 6)
    stamp = DateTime().dialect_impl(dialect).bind_processor(dialect)
    day = Date().dialect_impl(dialect).bind_processor(dialect)
    return stamp is not None and day is not None and \
        stamp(sample) == sqlite_stamp(sample) and day(sample.date()) == sqlite_date(sample.date())


def driver(connection: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under SQLAlchemy's, in the same transaction."""
    raw = connection.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        raise TypeError(f"bulk loading needs an sqlite3 connection, not {type(raw).__name__}")
    return raw


def max_parameters(connection: Connection) -> int:
    """How many parameters one statement may bind (SQLite's default before 3.32 is 999)."""
    limit = getattr(driver(connection), "getlimit", None)
    return limit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if limit else 999


@contextmanager
def deferred_indexes(connection: Connection, tables: Sequence[str]) -> Iterator[None]:
    """A bulk load into ``tables``: a big page cache, and their indexes built once after the
    rows are in rather than row by row (about a third of the time at 100k deals).

    The indexes are recreated from their own SQL in ``sqlite_master``, so they come back
    exactly as the migrations made them; on an error the caller's transaction rolls back,
    and the dropped indexes with it.
    """
    cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    marks = ", ".join("?" * len(tables))
    indexes = connection.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) "
        "ORDER BY name", tuple(tables)).all()
    quote = connection.dialect.identifier_preparer.quote
    connection.exec_driver_sql(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
    try:
        for name, _sql in indexes:
            connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
        yield
        for _name, sql in indexes:
            connection.exec_driver_sql(sql)
    finally:
        # (-2000 KiB is SQLite's default, should the pragma have said nothing)
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache if cache is not None else -2000)}")


def insert_rows(connection: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (values in the order of ``columns``, already as the database stores
    them) into ``table``, many rows to a statement, straight through the driver.

    Binding, not SQLite, is most of an insert's cost, and bulk rows repeat many columns
    (no contact, the one pipeline, the currency, the load's time): a column with one value
    (of one type) in every row of a statement is bound once and named by every row, when
    at least a quarter of the columns are so (numbered marks cost SQLite more to parse
    than plain ones; the demo's rows, which repeat little, go faster with "?").  What is
    stored is exactly what binding each row would store.
    """
    if not rows:
        return
    quote = connection.dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    width = len(columns)
    per = max(1, min(ROWS_PER_STATEMENT, max_parameters(connection) // width))
    cursor = driver(connection).cursor()
    try:
        _insert_shared(cursor, head, width, rows, per)
    finally:
        cursor.close()


def _insert_shared(cursor: sqlite3.Cursor, head: str, width: int, rows: Sequence[tuple], per: int) -> None:
    """Multi-row INSERTs of ``per`` rows each, shared columns bound once (``insert_rows``)."""
    chain = itertools.chain.from_iterable
    statements: dict[tuple[tuple[int, ...], int], str] = {}
    for start in range(0, len(rows), per):
        part = rows[start:start + per]
        count = len(part)
        by_column = list(zip(*part, strict=True))
        shared = []
        for i, values in enumerate(by_column):
            first = values[0]
            if first.__class__ in _SHAREABLE and values.count(first) == count and \
                    (first is None or len(set(map(type, values))) == 1):
                shared.append(i)
        if len(shared) * 4 < width:
            shared = []  # too few to pay for numbered marks
        key = (tuple(shared), count)
        sql = statements.get(key)
        if sql is None:
            sql = statements[key] = head + (_values_sql(width, shared, count) if shared else
                                            ", ".join(["(" + ", ".join("?" * width) + ")"] * count))
        if shared:
            keep = set(shared)
            varying = [by_column[i] for i in range(width) if i not in keep]
            params = [by_column[i][0] for i in shared]
            if varying:
                params.extend(chain(zip(*varying, strict=True)))
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
