"""Fixtures of the window tests: real SQLite files, window settings kept in tmp folders.

Nothing here may touch the user's own configuration: ``QSettings`` is pointed at a
temporary folder for the whole session, and every window gets its own INI file.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import select

from salesdesk.clock import CLOCK
from salesdesk.db.migrate import open_database
from salesdesk.db.models import Account, Activity, Contact, Role, Stage, Target, WeeklyNote
from salesdesk.domain.periods import Period, PeriodKind


@pytest.fixture(scope="session", autouse=True)
def _settings_sandbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, str(folder))


@pytest.fixture(scope="session", autouse=True)
def _styled_app(qapp):
    """The look the program has, so style sheet mistakes show up as Qt warnings here."""
    from salesdesk.app import create_application

    create_application()
    return qapp


@pytest.fixture(autouse=True)
def _user_folders(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SALESDESK_LOG_DIR", str(tmp_path / "logs"))


class Company:
    """What ``build_company`` wrote, for tests that compare the screens with it."""

    TODAY = CLOCK.today()


def build_company(database) -> None:
    """A small, fixed company through the services: 3 branches, 16 people, 60 deals."""
    from salesdesk.services import deals, people
    from salesdesk.services.branches import add_branch

    rnd = random.Random(7)
    today = CLOCK.today()
    with database.transaction() as s:
        roles = {r.name: r.id for r in s.scalars(select(Role))}
        stages = list(s.scalars(select(Stage).where(Stage.pipeline_id == 1).order_by(Stage.position)))
        branches = [add_branch(s, name, city) for name, city in (("Lyon", "Lyon"), ("Paris", "Paris"), ("Berlin", "Berlin"))]
        vp = people.add_person(s, name="Vera Price", role_id=roles["VP Sales"], manager_id=None, branch_id=branches[1])
        managers = [
            people.add_person(s, name=name, role_id=roles["Branch Manager"], manager_id=vp, branch_id=branch)
            for name, branch in zip(("Bruno Lefort", "Chloé Martin", "Dieter Braun"), branches)
        ]
        sellers = [
            people.add_person(s, name=f"Seller {i}", role_id=roles["Salesperson"], manager_id=managers[i % 3])
            for i in range(12)
        ]
        accounts = []
        for i in range(20):
            account = Account(name=f"Account {i}", sector=("Retail", "Energy", "Health")[i % 3])
            s.add(account)
            s.flush()
            accounts.append(account.id)
            s.add(Contact(account_id=account.id, name=f"Contact {i}"))
        deal_ids = []
        for i in range(60):
            deal_ids.append(deals.create_deal(
                s, title=f"Deal {i}", owner_id=rnd.choice(sellers), stage_id=stages[i % len(stages)].id,
                amount=1000 * (i + 1), account_id=rnd.choice(accounts),
            ))
        deals.mark_lost(s, deal_ids[0], None, "went silent")
        for offset, kind in ((0, "call"), (0, "meeting"), (-3, "task"), (-1, "email"), (2, "call")):
            s.add(Activity(subject=f"{kind} {offset}", kind=kind, owner_id=sellers[0], due_on=today + dt.timedelta(days=offset)))
        quarter = Period.containing(PeriodKind.QUARTER, today)
        s.add(Target(person_id=vp, period_kind="quarter", period_start=quarter.start, metric="won_revenue", value=500_000))
        s.add(WeeklyNote(person_id=sellers[0], week_start=Period.containing(PeriodKind.WEEK, today).start, text="Good week"))


def copy_database(source: Path, dest: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(dest) as out:
        src.backup(out)
    src.close()
    out.close()
    return dest


@pytest.fixture(scope="session")
def company_file(tmp_path_factory) -> Path:
    """The company, built once per session; tests get copies."""
    path = tmp_path_factory.mktemp("company") / "company.sqlite3"
    database = open_database(path)
    try:
        build_company(database)
    finally:
        database.close()
    return path


@pytest.fixture
def company_db(tmp_path, company_file):
    database = open_database(copy_database(company_file, tmp_path / "company.sqlite3"))
    yield database
    database.close()


@pytest.fixture
def empty_db(tmp_path):
    database = open_database(tmp_path / "empty.sqlite3")
    yield database
    database.close()


@pytest.fixture
def ui_settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot, ui_settings):
    """``make_window(db)``: a shown main window over ``db`` with this test's settings."""
    from salesdesk.ui.main_window import MainWindow

    def make(database, settings: QSettings | None = None, **kwargs) -> MainWindow:
        window = MainWindow(database, settings if settings is not None else ui_settings, **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(window.isVisible)  # waitExposed is a context manager: a plain call waits for nothing
        return window

    return make


def sql(database, query: str, *params):
    """One value straight from SQLite, to check the screens against."""
    path = database.path
    with sqlite3.connect(path) as connection:
        value = connection.execute(query, params).fetchone()[0]
    connection.close()
    return value


def when_modal(callback, attempts: int = 60) -> None:
    """Run ``callback(dialog)`` on the next modal dialog once it is open (dialogs block
    in ``exec()``, so the test reaches them from the event loop); a failed check closes
    the dialog so that ``exec()`` returns instead of waiting forever."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def poll(left=attempts):
        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            try:
                callback(dialog)
            except BaseException:
                dialog.close()
                raise
        elif left:
            QTimer.singleShot(50, lambda: poll(left - 1))

    QTimer.singleShot(50, poll)


@pytest.fixture
def board(company_db, ui_settings, qtbot):
    """The pipeline board over the small company, shown and active (real clicks reach it)."""
    from salesdesk.ui.history import History

    from salesdesk.ui.pipeline.board import BoardWidget

    stack = History()
    widget = BoardWidget(company_db, stack, ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1500, 900)
    widget.move(0, 0)
    widget.refresh()
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget
