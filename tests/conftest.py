"""Shared fixtures: every test gets real SQLite files in its own folder, never the user's."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import select, text

from salesdesk.clock import CLOCK, ENVIRONMENT
from salesdesk.db.migrate import open_database
from salesdesk.db.models import Role, Stage


# Every test lives on one day, a Wednesday in a zone with daylight saving, so the
# suite tests the same company whatever the date; SALESDESK_TEST_TODAY (YYYY-MM-DD) and
# SALESDESK_TEST_TZ run it on another day and in another zone.
TEST_TODAY = dt.date.fromisoformat(os.environ.get("SALESDESK_TEST_TODAY") or "2026-11-18")
TEST_ZONE = os.environ.get("SALESDESK_TEST_TZ") or "Europe/London"
CLOCK.pin_day(TEST_TODAY, TEST_ZONE)  # already while tests are collected (class attributes)


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch):
    """The clock stops at 10:00 on the test day; child processes get the same pin."""
    CLOCK.pin_day(TEST_TODAY, TEST_ZONE)
    monkeypatch.setenv(ENVIRONMENT, CLOCK.pinned_text())
    yield CLOCK
    CLOCK.pin_day(TEST_TODAY, TEST_ZONE)


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SALESDESK_LOG_DIR", str(tmp_path / "logs"))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "sales.sqlite3"


@pytest.fixture(scope="session")
def _template_database(tmp_path_factory):
    """A new, migrated, seeded database file, made once per worker: a test's database is
    a copy of it (2 ms) rather than Alembic's run over again (60 ms)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    open_database(path).close()  # closed: checkpointed, no -wal left beside it
    return path


def new_database_file(template, path):
    """A copy of the template with a reference of its own, as every new database has."""
    import secrets
    import shutil
    import sqlite3

    shutil.copyfile(template, path)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE settings SET value = ? WHERE key = 'database_reference'",
                           ("sd-" + secrets.token_hex(6),))
    connection.close()
    return path


@pytest.fixture
def db(db_path, _template_database):
    database = open_database(new_database_file(_template_database, db_path))
    yield database
    database.close()


class Org:
    """A small company built through the services: ids by name for readable tests."""

    def __init__(self, database):
        from salesdesk.services import branches, people

        self.db = database
        with database.transaction() as s:
            self.roles = {r.name: r.id for r in s.scalars(select(Role))}
            self.stages = {
                st.name: st.id for st in s.scalars(select(Stage).where(Stage.pipeline_id == 1).order_by(Stage.position))
            }
            self.renewal_stages = {
                st.name: st.id for st in s.scalars(select(Stage).where(Stage.pipeline_id == 2))
            }
            north = branches.add_branch(s, "North")
            south = branches.add_branch(s, "South")
            self.branches = {"North": north, "South": south}
            p = {}
            p["vp"] = people.add_person(s, name="Vera Price", role_id=self.roles["VP Sales"], manager_id=None, email="vera@example.com")
            p["dir"] = people.add_person(s, name="Dan Irving", role_id=self.roles["Director of Sales"], manager_id=p["vp"])
            p["bm_n"] = people.add_person(s, name="Nora Banks", role_id=self.roles["Branch Manager"], manager_id=p["dir"], branch_id=north)
            p["bm_s"] = people.add_person(s, name="Sam Brook", role_id=self.roles["Branch Manager"], manager_id=p["dir"], branch_id=south)
            p["tl_n"] = people.add_person(s, name="Tia Lund", role_id=self.roles["Team Leader"], manager_id=p["bm_n"])
            p["sp1"] = people.add_person(s, name="Ava Stone", role_id=self.roles["Salesperson"], manager_id=p["tl_n"], email="ava@example.com")
            p["sp2"] = people.add_person(s, name="Ben Cole", role_id=self.roles["Salesperson"], manager_id=p["tl_n"])
            p["sp3"] = people.add_person(s, name="Cai Dunn", role_id=self.roles["Salesperson"], manager_id=p["bm_s"])
            self.people = p


@pytest.fixture
def org(db):
    return Org(db)


def dump(database, *, skip=("audit_log",)) -> dict[str, list[tuple]]:
    """Every row of every table, for 'the database is exactly as before' checks.

    ``version`` columns are left out: optimistic locking counts every write, undo too.
    """
    out = {}
    with database.session() as s:
        tables = [r[0] for r in s.execute(text("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"))]
        for table in tables:
            if table in skip:
                continue
            columns = [r[1] for r in s.execute(text(f'PRAGMA table_info("{table}")')) if r[1] != "version"]
            listed = ", ".join(f'"{c}"' for c in columns)
            out[table] = s.execute(text(f'SELECT {listed} FROM "{table}" ORDER BY rowid')).all()
    return out


@pytest.fixture
def today():
    return CLOCK.today()


@pytest.fixture(autouse=True)
def _english_amounts():
    """Amounts typed and shown as in English (1,234.50); a test may set another style."""
    from salesdesk.domain.money import ENGLISH, set_style

    set_style(ENGLISH)
    yield
    set_style(ENGLISH)
