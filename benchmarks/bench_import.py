"""Importing 100k deals from a CSV file: read, checked row by row, written all or nothing.

``import.deals_100k`` is the whole user action as ``salesdesk import deals FILE`` runs
it: the file streamed and parsed, every row checked (owner, account, stage, amount,
dates, external id), the verified backup, the bulk insert of the deals and their stage
history, the audit row and the commit.  The goal is under 2 s.

The baseline, ``sqlite.insert_deals_100k``, writes the very same rows (as the import
hands them to the driver) with a bare sqlite3 ``executemany`` into a copy of the same
database, and commits: what the insert alone costs, with no file, no checks, no backup.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sqlite3
import time
from functools import cache
from pathlib import Path

from benchmarks.data import workdir
from benchmarks.harness import benchmark

RUNS = 5
DEALS = 100_000


@cache
def company_template() -> Path:
    """An empty SalesDesk database with 30 salespeople under a manager, and 500 accounts."""
    from salesdesk.db.migrate import open_database

    path = workdir() / "import-company.sqlite3"
    open_database(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO branches (id, name, active) VALUES (1, 'North', 1)")
        people = [(1, "Vera Price", "vera@example.com", 1, None)]
        people += [(i, f"Seller {i}", f"seller{i}@example.com", 6, 1) for i in range(2, 32)]
        connection.executemany(
            "INSERT INTO people (id, name, email, role_id, manager_id, branch_id, active, created_at, updated_at, "
            "version) VALUES (?, ?, ?, ?, ?, 1, 1, '2026-01-01', '2026-01-01', 1)", people)
        connection.executemany("INSERT INTO accounts (id, name, created_at) VALUES (?, ?, '2026-01-01')",
                               [(i, f"Account {i}") for i in range(1, 501)])
    connection.close()
    return path


@cache
def deals_csv() -> Path:
    """100k deals as another tool exports them: names, emails, stage words, dates, ids."""
    rng = random.Random(5)
    stages = ["Contact", "Information Exchange", "Lead Generation", "Qualification", "Proposal", "Negotiation"]
    path = workdir() / "deals-100k.csv"
    start = dt.date(2025, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Deal ID,Deal Name,Owner,Account,Stage,Amount,Close Date,Created\n")
        for i in range(DEALS):
            created = start + dt.timedelta(days=rng.randrange(300))
            close = created + dt.timedelta(days=rng.randrange(20, 120))
            out.write(f"D-{i:06d},Deal {i} for Account {i % 500 + 1},seller{rng.randrange(2, 32)}@example.com,"
                      f"Account {rng.randrange(1, 501)},{rng.choice(stages)},{rng.randrange(500, 90000)}.00,"
                      f"{close.isoformat()},{created.isoformat()}\n")
    return path


def _fresh(name: str) -> Path:
    path = workdir() / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(workdir() / f"{name}-backups", ignore_errors=True)
    shutil.copy(company_template(), path)
    return path


@benchmark("import.deals_100k", unit="ms", baseline="sqlite.insert_deals_100k")
def import_deals_100k() -> list[float]:
    """100k deals from CSV: streamed, checked, backed up and bulk-inserted in one transaction."""
    from salesdesk.db.migrate import open_database
    from salesdesk.transfer.importer import guess_mapping, import_file

    source = deals_csv()
    samples = []
    for run in range(RUNS + 1):
        db = open_database(_fresh("import-run"))
        try:
            started = time.perf_counter()
            result = import_file(db, source, guess_mapping(source, "deals"))
            elapsed = (time.perf_counter() - started) * 1000
        finally:
            db.close()
        assert result.created == {"deals": DEALS}, result.created
        if run:  # the first run warms the file cache and the imports
            samples.append(elapsed)
    return samples


@benchmark("sqlite.insert_deals_100k", unit="ms")
def raw_insert_100k() -> list[float]:
    """The same deal and stage-history rows, a bare sqlite3 executemany and commit."""
    from salesdesk.db.migrate import open_database
    from salesdesk.transfer.context import Context
    from salesdesk.transfer.importer import guess_mapping, plan_file
    from salesdesk.transfer.plan import COLUMNS, Plan
    from salesdesk.transfer.writing import SqliteValues

    source = deals_csv()
    db = open_database(_fresh("import-rows"))
    try:
        with db.transaction() as session:
            ctx, plan = Context(session), Plan()
            plan_file(ctx, plan, source, guess_mapping(source, "deals"))
            session.rollback()
    finally:
        db.close()
    convert = SqliteValues()
    tables = {t: convert.rows(t, plan.inserts[t]) for t in ("deals", "stage_changes")}
    samples = []
    for run in range(RUNS + 1):
        path = _fresh("import-raw")
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        started = time.perf_counter()
        connection.execute("BEGIN")
        for table, rows in tables.items():
            columns = COLUMNS[table]
            connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                                   f"VALUES ({', '.join('?' * len(columns))})", rows)
        connection.execute("COMMIT")
        elapsed = (time.perf_counter() - started) * 1000
        connection.close()
        if run:
            samples.append(elapsed)
    return samples
