"""``salesdesk.db.schema`` is what Alembic's migrations build, revision by revision: the
start-up check of a file's tables and columns reads a plain dict, so it must not drift."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy import create_engine

from salesdesk.db.migrate import KNOWN_REVISIONS, alembic_config, alembic_revisions
from salesdesk.db.schema import COLUMNS, schema_problems


def tables_and_columns(path) -> dict[str, tuple[str, ...]]:
    connection = sqlite3.connect(path)
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: tuple(r[1] for r in connection.execute(f'PRAGMA table_info("{t}")')) for t in tables}
    finally:
        connection.close()


def test_every_known_revision_has_its_tables_and_columns():
    assert list(COLUMNS) == list(KNOWN_REVISIONS) == alembic_revisions()


@pytest.mark.parametrize("revision", KNOWN_REVISIONS)
def test_the_tables_and_columns_are_those_alembic_creates(tmp_path, revision):
    path = tmp_path / "migrated.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    config = alembic_config(engine.url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()
    assert tables_and_columns(path) == {t: tuple(c) for t, c in COLUMNS[revision].items()}
    connection = sqlite3.connect(path)
    try:
        assert schema_problems(connection) == []
    finally:
        connection.close()
