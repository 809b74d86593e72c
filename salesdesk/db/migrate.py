"""Open a database: recognise it, back it up, bring its schema up to date.

A file is one of: missing or empty (created), a SalesDesk database at our head
(used as is), an older SalesDesk database (backed up, then upgraded), a SalesDesk
database written by a newer version (refused), or anything else (refused).
Refusals raise ``DatabaseError`` with a sentence for the user and change nothing.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from salesdesk.db.backup import backup_database
from salesdesk.db.engine import Database, database_url, make_engine, sqlite_path
from salesdesk.errors import DatabaseError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_MAGIC = b"SQLite format 3\x00"


def alembic_config(url: URL | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False))
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def open_database(target: str | Path, *, create: bool = True, read_only: bool = False) -> Database:
    """Open ``target`` (a path or URL), migrating it to the current schema.

    The file is recognised before anything is written to it, so a foreign or newer
    file is refused untouched.  ``create=False`` refuses a missing file instead of
    creating it (``check`` and ``backup`` must not leave a new file behind a typo).
    """
    url = database_url(target)
    path = sqlite_path(url)
    if path is not None:
        _check_file(path, create=create)
        state = schema_state(path) if path.exists() else "empty"
    else:
        state = None
    engine = make_engine(url, read_only=read_only)
    try:
        if state is None:
            with engine.connect() as connection:
                state = _state_from(str(url), *_tables_and_revisions(connection))
        if state == "current":
            pass
        elif read_only:
            raise DatabaseError(f"{path or url}: the database must be upgraded, which a read-only open cannot do")
        elif state == "empty":
            _upgrade(engine, url)
        else:  # older: keep a copy of what the user had before changing its schema
            if path is not None:
                copy = backup_database(engine, path, reason="before-upgrade")
                log.info("backed up %s to %s before upgrading", path, copy)
            _upgrade(engine, url)
    except DatabaseError:
        engine.dispose()
        raise
    except DBAPIError as exc:
        engine.dispose()
        raise DatabaseError(f"{path or url}: cannot be opened ({exc.orig})") from exc
    db = Database(url, engine, read_only=read_only)
    if not read_only:
        from salesdesk.services.reference import ensure_reference_data

        with db.transaction() as session:
            ensure_reference_data(session)
    return db


def _check_file(path: Path, *, create: bool) -> None:
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder, not a database file")
    if not path.exists():
        if not create:
            raise DatabaseError(f"{path}: no such database file")
        if not path.parent.is_dir():
            raise DatabaseError(f"{path.parent}: no such folder")
        return
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot be read ({exc.strerror})") from exc
    if head and head != SQLITE_MAGIC:
        raise DatabaseError(f"{path}: is not a SalesDesk database (not an SQLite file)")


def schema_state(path: Path) -> str:
    """'empty', 'current' or 'older' for an SQLite file, read without writing to it.

    Raises ``DatabaseError`` for a damaged, foreign or newer file.
    """
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path}: cannot be opened ({exc})") from exc
    try:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revisions = set()
        if "alembic_version" in tables:
            revisions = {r[0] for r in connection.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: is damaged or not a SalesDesk database ({exc})") from exc
    finally:
        connection.close()
    return _state_from(str(path), tables, revisions)


def _tables_and_revisions(connection) -> tuple[set[str], set[str]]:
    tables = set(inspect(connection).get_table_names())
    revisions = set()
    if "alembic_version" in tables:
        revisions = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    return tables, revisions


def _state_from(name: str, tables: set[str], revisions: set[str]) -> str:
    tables = {t for t in tables if not t.startswith("sqlite_")}
    if not tables:
        return "empty"
    if "alembic_version" not in tables:
        raise DatabaseError(
            f"{name}: is not a SalesDesk database (it holds other tables: {', '.join(sorted(tables)[:5])})"
        )
    unknown = revisions - known_revisions()
    if unknown:
        raise DatabaseError(
            f"{name}: was written by a newer version of SalesDesk "
            f"(schema {', '.join(sorted(unknown))}); update SalesDesk to open it"
        )
    return "current" if revisions == {head_revision()} else "older"


def _upgrade(engine, url: URL) -> None:
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
