"""Engine and session factory, with the connection settings RELIABILITY.md promises.

SQLite gets, on every connection: foreign keys on, WAL, ``synchronous=FULL`` (a
committed change survives power loss), a busy timeout, and real transactions: Python's
sqlite3 driver by default runs reads outside any transaction and begins one lazily
before the first write, so we take over ``BEGIN`` ourselves (the recipe of the
SQLAlchemy SQLite dialect documentation).
"""

from __future__ import annotations

import getpass
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 5000


def database_url(target: str | Path) -> URL:
    """A path or a URL as typed on the command line -> an SQLAlchemy URL."""
    text = str(target)
    if "://" in text:
        return make_url(text)
    return URL.create("sqlite+pysqlite", database=str(Path(text).expanduser().resolve()))


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path | None:
    if is_sqlite(url) and url.database and url.database != ":memory:":
        return Path(url.database)
    return None


def make_engine(url: URL, *, read_only: bool = False) -> Engine:
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True)
    connect_args: dict = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    path = sqlite_path(url)
    if read_only and path is not None:
        url = URL.create("sqlite+pysqlite", database=f"file:{path}?mode=ro", query={"uri": "true"})
    engine = create_engine(url, connect_args=connect_args)
    _install_sqlite_settings(engine, read_only=read_only)
    return engine


def _install_sqlite_settings(engine: Engine, *, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN")


class Database:
    """One open database: its engine and the one session factory of the program.

    Services take a ``Session``; callers get one per user action from
    ``transaction()``, which commits on success and rolls back on any error.
    """

    def __init__(self, url: URL, engine: Engine, *, read_only: bool = False):
        self.url = url
        self.engine = engine
        self.read_only = read_only
        self.actor = _current_user()
        self._sessions = sessionmaker(engine, expire_on_commit=False, info={"actor": self.actor})

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    @property
    def display_name(self) -> str:
        path = self.path
        return str(path) if path else self.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One short transaction: everything inside commits together or not at all."""
        with self._sessions() as session, session.begin():
            yield session

    def session(self) -> Session:
        """A session for reads; the caller closes it (``with db.session() as s``)."""
        return self._sessions()

    def close(self) -> None:
        self.engine.dispose()


def _current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers; the audit row says so
        return "unknown"
