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
import os
import sqlite3
from pathlib import Path

from salesdesk.db.engine import Database, busy_timeout, is_url, target_path
from salesdesk.db.schema import COLUMNS, schema_problems
from salesdesk.errors import DatabaseError
from salesdesk.safety.files import NOT_ORDINARY, sidecars, sqlite_kind, sqlite_uri

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")

# The revisions in migrations/versions, newest last; a test keeps them equal to
# Alembic's own view, so start-up can check a file without importing Alembic.
KNOWN_REVISIONS: tuple[str, ...] = ("0001", "0002", "0003")
HEAD_REVISION = KNOWN_REVISIONS[-1]
OPTIONAL_TABLES = ("exchange_rates",)  # a read-only open of an older file reads them as empty
REFERENCE_TABLES = ("roles", "pipelines", "lost_reasons")  # settings: a migration writes one itself
SQLITE_BUSY, SQLITE_LOCKED = 5, 6


class DamagedDatabase(DatabaseError):
    """A database file SQLite or its own schema says is damaged: to be restored from a
    backup, never read on (a damaged page may be read as data, or fail anywhere)."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__(f"{path}: is damaged ({problems[0]})")
        self.path = Path(path)
        self.problems = list(problems)


def alembic_config(url=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:  # only for env.py without a connection; % doubled for the ConfigParser behind it
        config.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%"))
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
        state, seeded = _recognise(path) if path.exists() else ("empty", False)
        if read_only and state == "empty":
            raise DatabaseError(_nothing_to_read(path))
    else:
        state = None
    db = Database(path if path is not None and not is_url(target) else target, read_only=read_only)
    if state == "current" and (seeded or read_only):
        return db  # the fast path: nothing to create, upgrade or seed (nor to top up: see reference.py)
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
        elif read_only and _reads_as_newest(db):
            pass  # its upgrade adds data only: a command that only reads it reads it as it is
        elif read_only:
            raise DatabaseError(f"{db.display_name}: the database must be upgraded, which a read-only open cannot do")
        elif state == "empty":
            _upgrade(db)
        else:  # older: keep a copy of what the user had before changing its schema
            if path is not None:
                from salesdesk.safety.backups import back_up_database

                copy = back_up_database(db.engine, path, reason="before-upgrade")  # and the folder thinned
                log.info("backed up %s to %s before upgrading", path, copy)
            _upgrade(db)
        if not read_only:  # a new database (or one whose creation stopped short) gets its reference data
            from salesdesk.db.reference import ensure_reference_data

            with db.transaction() as session:
                ensure_reference_data(session)
    except DatabaseError:
        db.close()
        raise
    except DBAPIError as exc:
        db.close()
        raise DatabaseError(f"{db.display_name}: cannot be opened ({exc.orig})") from exc
    return db


def _reads_as_newest(db: Database) -> bool:
    """An older file whose tables and columns are the newest revision's (0001 before 0002,
    which only names the database)."""
    from sqlalchemy import text

    with db.engine.connect() as connection:
        revisions = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    if len(revisions) != 1:
        return False
    tables = COLUMNS.get(revisions.pop())
    # Exchange rates (0003) are read as none where the table is not there yet.
    return tables is not None and {k: v for k, v in COLUMNS[HEAD_REVISION].items() if k not in OPTIONAL_TABLES} == \
        {k: v for k, v in tables.items() if k not in OPTIONAL_TABLES}


def _check_file(path: Path, *, create: bool) -> None:
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder, not a database file")
    new = not path.exists() or path.stat().st_size == 0
    if new and create:
        # SQLite takes a file named like its sidecars for its own: it would delete a
        # "-journal" beside an empty database and overwrite a "-shm". Not ours to lose.
        for sidecar in sidecars(path):
            if os.path.lexists(sidecar):
                raise DatabaseError(f"{path}: a new database cannot be made here while {sidecar.name} is beside "
                                    "it (SQLite would take it for its own); move that file away first")
    if not path.exists():
        if not create:
            raise DatabaseError(f"{path}: no such database file")
        if not path.parent.is_dir():
            raise DatabaseError(f"{path.parent}: no such folder")
        return
    # Asked through SQLite, never by open(): this process may already have the file
    # open, and closing a descriptor of it would drop SQLite's locks.
    kind = sqlite_kind(path)
    if kind == "special":
        raise DatabaseError(f"{path}: {NOT_ORDINARY}, not a database file")
    if kind == "unreadable":
        raise DatabaseError(f"{path}: cannot be read (permission denied)")
    if kind == "other":
        raise DatabaseError(f"{path}: is not a SalesDesk database (not an SQLite file)")


def _nothing_to_read(path: Path) -> str:
    """Why a read-only open of an empty or missing file has nothing to read (it cannot
    create the schema, and a file that never was one is not "to be upgraded")."""
    if not path.exists():
        return f"{path}: no such database file"
    if path.stat().st_size == 0:
        return f"{path}: is an empty file, not a SalesDesk database"
    return f"{path}: is an SQLite file without tables, not a SalesDesk database"


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that reads ``path`` and leaves nothing beside it.

    A read-only open of a WAL file with no ``-wal`` creates ``-wal`` and ``-shm`` and
    cannot remove them: a file we then refuse would not be left as found.  With no
    ``-wal`` (or ``-journal``) beside it, everything committed is in the file itself, so
    it is read ``immutable`` (no sidecars, no locks); with one there, a plain read-only
    open sees the commits still in it, and the sidecars are there already.
    """
    alone = not any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-journal"))
    params = {"mode": "ro", "immutable": "1"} if alone else {"mode": "ro"}
    try:
        return sqlite3.connect(sqlite_uri(path, **params), uri=True, timeout=busy_timeout())
    except sqlite3.Error as exc:
        raise DatabaseError(f"{path}: cannot be opened ({exc})") from exc


def schema_state(path: Path) -> str:
    """'empty', 'current' or 'older' for an SQLite file, read without writing to it.

    Raises ``DatabaseError`` for a damaged, foreign or newer file.
    """
    return _recognise(path)[0]


def _recognise(path: Path) -> tuple[str, bool]:
    """The file's state and whether its reference data (roles, pipelines...) is there,
    with one connection that leaves nothing beside the file (it may yet be refused)."""
    connection = read_only_connection(path)
    try:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revisions = set()
        if "alembic_version" in tables:
            revisions = {r[0] for r in connection.execute("SELECT version_num FROM alembic_version")}
        state = _state_from(str(path), tables, revisions)
        if state == "empty":
            return state, False
        problems = schema_problems(connection)  # a PRAGMA per table: cheap enough for every open
        if problems:
            raise DamagedDatabase(path, problems)
        # Seeded: any reference data at all.  Users may delete all of one kind (every lost
        # reason): what they removed is not given back on the next open.
        seeded = state == "current" and any(
            connection.execute(f"SELECT EXISTS (SELECT 1 FROM {t})").fetchone()[0] for t in REFERENCE_TABLES)
        return state, seeded
    except sqlite3.DatabaseError as exc:
        if (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED):
            raise DatabaseError(f"{path}: another program holds the database locked ({exc}); try again") from exc
        # sqlite_kind found an SQLite header: what cannot be read behind it is damage
        raise DamagedDatabase(path, [str(exc)]) from exc
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

    from salesdesk.db.engine import IMMEDIATE

    config = alembic_config(db.url)
    # IMMEDIATE: the write lock first, waiting for another writer (Alembic reads first)
    with db.engine.execution_options(**{IMMEDIATE: True}).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
