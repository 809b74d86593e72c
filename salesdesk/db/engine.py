"""The open database: SQLAlchemy engine and sessions for changes, a plain reader for
the screens' fast reads, with the connection settings the README's Data safety promises.

SQLite gets, on every connection: foreign keys on, WAL, ``synchronous=FULL`` (a
committed change survives power loss), a busy timeout, and real transactions: Python's
sqlite3 driver by default runs reads outside any transaction and begins one lazily
before the first write, so we take over ``BEGIN`` ourselves (the recipe of the
SQLAlchemy SQLite dialect documentation).

SQLAlchemy is imported on first use, not with this module: importing it costs about
300 ms here, more than the whole first paint of the window, which reads through
``Database.read()`` (plain sqlite3) and so never waits for it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from salesdesk.clock import CLOCK
from salesdesk.errors import DatabaseError
from salesdesk.safety.files import NOT_ORDINARY, is_special, sqlite_uri

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL
    from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 5000
def busy_timeout() -> float:
    """Seconds every connection waits for another program's lock (read at connect time,
    so that a test can shorten it)."""
    return BUSY_TIMEOUT_MS / 1000


IMMEDIATE = "salesdesk_immediate"  # execution option: BEGIN IMMEDIATE (a write transaction)


# What a server URL's scheme names, as the refusals say it.
_SERVERS = {"postgresql": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "mssql": "SQL Server",
            "oracle": "Oracle"}
_SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite")


def is_url(target: str | Path) -> bool:
    return "://" in str(target)


def check_target(target: str | Path) -> str:
    """``target`` (a ``--db`` value) when it can name a database SalesDesk opens: a file
    path, an SQLite URL or a server URL whose driver is installed; else ``DatabaseError``
    in one sentence.  A file is only looked at (``stat``), never opened: what it holds is
    asked later, and a pipe would never answer."""
    path = target_path(target)
    if path is None:
        database_url(target)  # checks the kind of database and its driver
    elif is_special(path):
        raise DatabaseError(f"{path}: {NOT_ORDINARY}, not a database file")
    return str(target)


def database_url(target: str | Path) -> URL:
    """A path or a URL as typed on the command line -> an SQLAlchemy URL; an SQLite file is
    always ``sqlite+pysqlite:///<absolute path>``, with no options.  ``DatabaseError`` for a
    value that names no database SalesDesk can open (see ``check_target``)."""
    from sqlalchemy.engine import URL

    path = target_path(target)
    if path is not None:
        return URL.create("sqlite+pysqlite", database=str(path))
    url = _parse_url(str(target))
    _check_driver(url)
    return url


def sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database)
    return None


def target_path(target: str | Path) -> Path | None:
    """The SQLite file (absolute) a ``--db`` value names, None for a server database;
    ``DatabaseError`` for a value that names no file or database.  Imports SQLAlchemy
    only for a URL."""
    text = str(target)
    if not is_url(text):
        return _file_path(text)
    url = _parse_url(text)
    return _sqlite_file(url) if url.get_backend_name() == "sqlite" else None


def _file_path(text: str) -> Path:
    if not text:
        raise DatabaseError("--db is empty; give a database file or URL, or leave --db out for your own database")
    path = Path(text)
    try:
        path = path.expanduser()
    except RuntimeError:  # ~name of no user here, or ~ without a home folder
        user = text[1:].split("/", 1)[0]
        raise DatabaseError(f"{text}: there is no user named {user} here" if user
                            else f"{text}: your home folder is not known here (HOME is not set)") from None
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop
        raise DatabaseError(f"{text}: is not a file name SalesDesk can follow ({exc})") from None


def _parse_url(text: str) -> URL:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if text.split("://", 1)[0].lower() == "file":
        from urllib.parse import unquote, urlsplit

        raise DatabaseError(f"{text}: is a file URL; give the file's path ({unquote(urlsplit(text).path)}) instead")
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise DatabaseError(f"{text}: is not a database URL (like postgresql://user@host/name) "
                            "nor a file name") from None
    return url.set(drivername=url.drivername.lower())  # schemes are case-insensitive: SQLITE:// is sqlite://


def _sqlite_file(url: URL) -> Path:
    """The file an SQLite URL names; refused when it names none, or asks for what
    SalesDesk does not do (options, another driver)."""
    shown = url.render_as_string(hide_password=True)
    if url.username or url.password or url.host or url.port:
        raise DatabaseError(f"{shown}: an SQLite URL names a file, not a server "
                            "(sqlite:///relative/file.sqlite3 or sqlite:////absolute/file.sqlite3)")
    if url.drivername not in _SQLITE_DRIVERS:
        raise DatabaseError(f"{shown}: SalesDesk opens SQLite files with Python's own driver; "
                            "write sqlite:///FILE or give the file's path")
    if not url.database or url.database == ":memory:":
        raise DatabaseError(f"{shown}: an in-memory database keeps nothing; give a database file")
    if url.query:
        raise DatabaseError(f"{shown}: SalesDesk takes no options in an SQLite URL (?{shown.partition('?')[2]}); "
                            "give the file alone (--read-only opens the window without changes)")
    return _file_path(url.database)  # relative to the working folder, as SQLite takes it


def _check_driver(url: URL) -> None:
    """A server URL SalesDesk can use: a kind of database SQLAlchemy knows, whose driver
    is installed."""
    from sqlalchemy.exc import NoSuchModuleError

    shown = url.render_as_string(hide_password=True)
    try:
        dialect = url.get_dialect()
    except NoSuchModuleError:
        raise DatabaseError(f"{shown}: SalesDesk does not know {url.drivername!r} databases; give a file, "
                            "sqlite:///FILE or postgresql://user@host/name") from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        label = _SERVERS.get(url.get_backend_name(), url.get_backend_name())
        driver = exc.name or url.get_driver_name()
        raise DatabaseError(f"SalesDesk cannot reach {label} databases: its driver ({driver}) "
                            "is not installed") from None


def make_engine(url: URL, *, read_only: bool = False) -> Engine:
    from sqlalchemy import create_engine

    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    connect_args: dict = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    path = sqlite_path(url)
    if read_only and path is not None:
        from sqlalchemy.engine import URL as _URL

        # The driver is given a URI: ?, # and % in the file's name quoted, or it opens another file
        url = _URL.create("sqlite+pysqlite", database=sqlite_uri(path, mode="ro"), query={"uri": "true"})
    engine = create_engine(url, connect_args=connect_args)
    _install_sqlite_settings(engine, read_only=read_only)
    return engine


def _install_sqlite_settings(engine: Engine, *, read_only: bool) -> None:
    from sqlalchemy import event

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
        # A change takes the write lock at its start (IMMEDIATE), where SQLite waits the
        # busy timeout for another writer; a read transaction that later writes is
        # refused at once instead (SQLite cannot wait there without risking a deadlock).
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def as_date(value) -> dt.date | None:
    """A date from a row: SQLite hands dates over as text (``2026-11-27``, or a stored
    time whose day is wanted); other databases as ``date``/``datetime``; blank is None."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_datetime(value) -> dt.datetime | None:
    """A time from a row (text on SQLite); blank is None."""
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


class Reader:
    """Plain SQL reads inside one read transaction (a consistent snapshot).

    ``execute(sql, params)`` returns a list of tuples; parameters are ``:name``
    style.  On SQLite this is the sqlite3 module itself, with no row objects in
    between; elsewhere it goes through SQLAlchemy's ``text()``.
    """

    def __init__(self, connection, *, raw: bool):
        self._connection = connection
        self._raw = raw

    def execute(self, sql: str, params: dict | list | tuple = ()) -> list[tuple]:
        if self._raw:
            return self._connection.execute(sql, params).fetchall()
        from sqlalchemy import text

        if isinstance(params, (list, tuple)):
            raise TypeError("use :name parameters with a non-SQLite database")
        return [tuple(row) for row in self._connection.execute(text(sql), params)]

    @property
    def is_sqlite(self) -> bool:
        return self._raw or self._connection.dialect.name == "sqlite"

    def one(self, sql: str, params: dict | list | tuple = ()) -> tuple | None:
        rows = self.execute(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: dict | list | tuple = ()):
        row = self.one(sql, params)
        return row[0] if row else None


class Database:
    """One open database: its engine, the one session factory, and a fast reader.

    Services take a ``Session``; callers get one per user action from
    ``transaction()``, which commits on success and rolls back on any error.
    Screens read with ``read()``.
    """

    def __init__(self, target: str | Path, *, read_only: bool = False):
        self.target = str(target)
        self.read_only = read_only
        self.actor = _current_user()
        self._path = target_path(target)
        self._reader: sqlite3.Connection | None = None

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def display_name(self) -> str:
        if self._path is not None:
            return str(self._path)
        return self.url.render_as_string(hide_password=True)

    @cached_property
    def url(self) -> URL:
        return database_url(self.target)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.url, read_only=self.read_only)

    @cached_property
    def _sessions(self):
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False, info={"actor": self.actor})

    @cached_property
    def _write_sessions(self):
        from sqlalchemy.orm import sessionmaker

        writes = self.engine if self.read_only else self.engine.execution_options(**{IMMEDIATE: True})
        return sessionmaker(writes, expire_on_commit=False, info={"actor": self.actor})

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One short transaction: everything inside commits together or not at all.

        A failure of the storage itself (full disk, read-only file, a lock another
        program holds past the busy timeout) comes out as a ``DatabaseError`` that says
        so in plain words; the transaction was rolled back, so nothing is half-written.
        """
        started = CLOCK.elapsed_since()
        try:
            with self._write_sessions() as session, session.begin():
                yield session
        except Exception as exc:
            failure = storage_failure(exc, read_only=self.read_only, waited=CLOCK.elapsed_since(started))
            if failure is None:
                raise
            raise failure from exc

    def session(self) -> Session:
        """A session for reads; the caller closes it (``with db.session() as s``)."""
        return self._sessions()

    @contextmanager
    def read(self) -> Iterator[Reader]:
        """A read-only snapshot for the screens: plain tuples, fast.  Nested reads share
        the outer one's snapshot."""
        if self._path is None:
            with self.engine.connect() as connection:
                yield Reader(connection, raw=False)
            return
        if self._reader is None:
            snapshot = sqlite3.connect(sqlite_uri(self._path, mode="ro"), uri=True, isolation_level=None,
                                       check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
            snapshot.execute("PRAGMA query_only = 1")
            self._reader = snapshot
        reader = self._reader
        if reader.in_transaction:  # inside another read: the same snapshot
            yield Reader(reader, raw=True)
            return
        reader.execute("BEGIN")
        try:
            yield Reader(reader, raw=True)
        finally:
            if reader.in_transaction:  # a failed read (an I/O error) may have ended it: say that, not "no transaction"
                reader.execute("COMMIT")

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if "engine" in self.__dict__:
            self.engine.dispose()


# SQLite's primary result codes for a storage that refuses a write, in the user's words.
_STORAGE_FAILURES = {
    5: "another program is using the database and kept it locked for {waited}",  # SQLITE_BUSY
    6: "another program is using the database and kept it locked for {waited}",  # SQLITE_LOCKED
    8: "the database file is read-only",  # SQLITE_READONLY
    10: "the disk could not be written (input/output error)",  # SQLITE_IOERR
    13: "the disk is full",  # SQLITE_FULL
    14: "the database file cannot be opened",  # SQLITE_CANTOPEN
}


def storage_failure(exc: BaseException, *, read_only: bool = False, waited: float | None = None) -> Exception | None:
    """A ``DatabaseError`` explaining ``exc`` when the storage refused a write, else None.

    ``waited``: how long the change waited for the database, said when it was locked."""
    from salesdesk.errors import DatabaseError

    original = getattr(exc, "orig", None) or exc
    code = getattr(original, "sqlite_errorcode", None)
    if not isinstance(original, sqlite3.Error) or code is None:
        return None
    reason = _STORAGE_FAILURES.get(code & 0xFF)
    if reason is None:
        return None
    if code & 0xFF == 8 and read_only:
        reason = "this window opened the database read-only, so it cannot change it"
    seconds = round(BUSY_TIMEOUT_MS / 1000 if waited is None else waited, 1)
    reason = reason.format(waited=f"{seconds:g} second{'' if seconds == 1 else 's'}")
    return DatabaseError(f"The change could not be saved: {reason}. Nothing was half-written.")


def _current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers; the audit row says so
        return "unknown"
