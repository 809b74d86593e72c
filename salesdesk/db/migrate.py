"""Open a database: recognise it, back it up, bring its schema up to date.

A file is one of: missing or empty (created), a SalesDesk database at our head
(used as is), an older SalesDesk database (backed up, then upgraded), a SalesDesk
database written by a newer version (refused), or anything else (refused).
Refusals raise ``DatabaseError`` with a sentence for the user and change nothing.

The common case, a file already at our schema, is recognised with the sqlite3
module alone: Alembic and SQLAlchemy are imported only to create or upgrade.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from salesdesk.db.engine import Database, is_url, target_path
from salesdesk.errors import DatabaseError
from salesdesk.safety.files import sqlite_kind

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")

# The revisions in migrations/versions, newest last; a test keeps them equal to
# Alembic's own view, so start-up can check a file without importing Alembic.
KNOWN_REVISIONS: tuple[str, ...] = ("0001",)
HEAD_REVISION = KNOWN_REVISIONS[-1]
REFERENCE_TABLES = ("roles", "pipelines", "lost_reasons", "settings")


def alembic_config(url=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False))
    return config


def alembic_revisions() -> list[str]:
    """The revisions as Alembic reads them from the scripts, oldest first."""
    from alembic.script import ScriptDirectory

    return [rev.revision for rev in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))]


def head_revision() -> str:
    return HEAD_REVISION


def open_database(target: str | Path, *, create: bool = True, read_only: bool = False) -> Database:
    """Open ``target`` (a path or URL), migrating it to the current schema.

    The file is recognised before anything is written to it, so a foreign or newer
    file is refused untouched.  ``create=False`` refuses a missing file instead of
    creating it (``check`` and ``backup`` must not leave a new file behind a typo).
    """
    path = target_path(target)
    seeded = False
    if path is not None:
        _check_file(path, create=create)
        state = schema_state(path) if path.exists() else "empty"
        seeded = state == "current" and _reference_data_present(path)
    else:
        state = None
    db = Database(path if path is not None and not is_url(target) else target, read_only=read_only)
    if state == "current" and (seeded or read_only):
        return db  # the fast path: nothing to create, upgrade or seed
    from sqlalchemy.exc import DBAPIError

    try:
        if state is None:
            from sqlalchemy import inspect, text

            with db.engine.connect() as connection:
                tables = set(inspect(connection).get_table_names())
                revisions = set()
                if "alembic_version" in tables:
                    revisions = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
            state = _state_from(db.display_name, tables, revisions)
        if state == "current":
            pass
        elif read_only:
            raise DatabaseError(f"{db.display_name}: the database must be upgraded, which a read-only open cannot do")
        elif state == "empty":
            _upgrade(db)
        else:  # older: keep a copy of what the user had before changing its schema
            if path is not None:
                from salesdesk.db.backup import backup_database

                copy = backup_database(db.engine, path, reason="before-upgrade")
                log.info("backed up %s to %s before upgrading", path, copy)
            _upgrade(db)
        if not read_only:
            from salesdesk.services.reference import ensure_reference_data

            with db.transaction() as session:
                ensure_reference_data(session)
    except DatabaseError:
        db.close()
        raise
    except DBAPIError as exc:
        db.close()
        raise DatabaseError(f"{db.display_name}: cannot be opened ({exc.orig})") from exc
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
    # Asked through SQLite, never by open(): this process may already have the file
    # open, and closing a descriptor of it would drop SQLite's locks.
    kind = sqlite_kind(path)
    if kind == "unreadable":
        raise DatabaseError(f"{path}: cannot be read (permission denied)")
    if kind == "other":
        raise DatabaseError(f"{path}: is not a SalesDesk database (not an SQLite file)")


def _read_only_connection(path: Path) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path}: cannot be opened ({exc})") from exc


def schema_state(path: Path) -> str:
    """'empty', 'current' or 'older' for an SQLite file, read without writing to it.

    Raises ``DatabaseError`` for a damaged, foreign or newer file.
    """
    connection = _read_only_connection(path)
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


def _reference_data_present(path: Path) -> bool:
    connection = _read_only_connection(path)
    try:
        return all(connection.execute(f"SELECT EXISTS (SELECT 1 FROM {t})").fetchone()[0] for t in REFERENCE_TABLES)
    finally:
        connection.close()


def _state_from(name: str, tables: set[str], revisions: set[str]) -> str:
    tables = {t for t in tables if not t.startswith("sqlite_")}
    if not tables:
        return "empty"
    if "alembic_version" not in tables:
        raise DatabaseError(
            f"{name}: is not a SalesDesk database (it holds other tables: {', '.join(sorted(tables)[:5])})"
        )
    unknown = revisions - set(KNOWN_REVISIONS)
    if unknown:
        raise DatabaseError(
            f"{name}: was written by a newer version of SalesDesk "
            f"(schema {', '.join(sorted(unknown))}); update SalesDesk to open it"
        )
    return "current" if revisions == {HEAD_REVISION} else "older"


def _upgrade(db: Database) -> None:
    from alembic import command

    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
