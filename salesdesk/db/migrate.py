"""Open a database: recognise it, back it up, bring its schema up to date.

A file is one of: missing or empty (created), a SalesDesk database at our head
(used as is), an older SalesDesk database (backed up, then upgraded), a SalesDesk
database written by a newer version (refused), or anything else (refused).
Refusals raise ``DatabaseError`` with a sentence for the user and change nothing.
"""

from __future__ import annotations

import logging
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

    ``create=False`` refuses a missing file instead of creating it (for ``check`` and
    ``backup``, which must not leave a new file behind a typo).
    """
    url = database_url(target)
    path = sqlite_path(url)
    if path is not None:
        _check_file(path, create=create)
    engine = make_engine(url, read_only=read_only)
    try:
        state = _schema_state(engine)
        if state == "current":
            pass
        elif read_only:
            raise DatabaseError(f"{path or url}: the database must be upgraded, which a read-only open cannot do")
        elif state == "empty":
            _upgrade(engine, url)
        else:  # older
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


def _schema_state(engine) -> str:
    """'empty', 'current' or 'older'; raises for foreign or newer databases."""
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        if not tables:
            return "empty"
        if "alembic_version" not in tables:
            raise DatabaseError(
                f"{engine.url.database}: is not a SalesDesk database "
                f"(it holds other tables: {', '.join(sorted(tables)[:5])})"
            )
        revisions = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    unknown = revisions - known_revisions()
    if unknown:
        raise DatabaseError(
            f"{engine.url.database}: was written by a newer version of SalesDesk "
            f"(schema {', '.join(sorted(unknown))}); update SalesDesk to open it"
        )
    return "current" if revisions == {head_revision()} else "older"


def _upgrade(engine, url: URL) -> None:
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
