"""The tables and columns each migration revision creates, for the check on every open.

A file that names one of our revisions but lacks one of its tables or columns was
damaged (a table dropped by another program, a repair gone half-way): reading it would
fail deep inside a report with "no such table", and a backup of it would restore a
database nothing can use.  The expected schema is a plain dict so that start-up checks
it with ``PRAGMA table_info`` alone, without importing SQLAlchemy or Alembic;
``tests/test_schema.py`` keeps it equal to what the migrations build.

Only what is missing counts: a table or column added by another program is not damage.
"""

from __future__ import annotations

import sqlite3

# revision -> table -> its columns, in the order the migration creates them.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "0001": {
        "accounts": ("id", "name", "sector", "website", "phone", "city", "country", "employees", "owner_id",
                     "external_id", "created_at"),
        "activities": ("id", "kind", "subject", "deal_id", "account_id", "contact_id", "owner_id", "due_on",
                       "done_at", "notes", "created_at"),
        "alembic_version": ("version_num",),
        "audit_log": ("id", "at", "actor", "action", "entity", "entity_id", "details"),
        "branches": ("id", "name", "city", "region", "active"),
        "budgets": ("id", "branch_id", "period_kind", "period_start", "amount"),
        "contacts": ("id", "account_id", "name", "title", "email", "phone"),
        "deal_lines": ("id", "deal_id", "product_id", "quantity", "unit_price", "discount_pct"),
        "deals": ("id", "title", "account_id", "contact_id", "owner_id", "pipeline_id", "stage_id", "amount",
                  "currency", "probability", "expected_close", "status", "lost_reason_id", "lost_note",
                  "won_on", "lost_on", "position", "stage_entered_at", "notes", "external_id", "created_at",
                  "updated_at", "version"),
        "expenses": ("id", "branch_id", "person_id", "spent_on", "category", "description", "amount"),
        "lost_reasons": ("id", "name", "position", "active"),
        "people": ("id", "name", "email", "phone", "hire_date", "active", "role_id", "manager_id", "branch_id",
                   "external_id", "created_at", "updated_at", "version"),
        "pipelines": ("id", "name", "position"),
        "products": ("id", "name", "code", "series", "price", "currency", "active"),
        "roles": ("id", "name", "rank"),
        "settings": ("key", "value"),
        "stage_changes": ("id", "deal_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by_id"),
        "stages": ("id", "pipeline_id", "name", "position", "probability", "stale_days", "is_won"),
        "targets": ("id", "person_id", "period_kind", "period_start", "metric", "value", "version"),
        "weekly_notes": ("id", "person_id", "week_start", "text", "updated_at"),
    },
}
COLUMNS["0002"] = COLUMNS["0001"]  # a row of settings (the database's reference), no table or column
COLUMNS["0003"] = {**COLUMNS["0002"], "exchange_rates": ("id", "currency", "quote", "valid_from", "rate")}


def schema_problems(connection: sqlite3.Connection) -> list[str]:
    """What the file lacks of its revision's tables and columns, one sentence each; []
    when whole, and for a file that names no revision we know (empty, foreign or newer:
    opening it says which)."""
    if not connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone():
        return []
    revisions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    if len(revisions) != 1 or next(iter(revisions)) not in COLUMNS:
        return []
    problems = []
    for table, expected in COLUMNS[revisions.pop()].items():
        present = {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
        if not present:
            problems.append(f"the table {table} is missing")
            continue
        problems += [f"the table {table} has no column {column}" for column in expected if column not in present]
    return problems
