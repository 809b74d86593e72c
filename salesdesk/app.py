"""Start the window: application, logging, exception hook, database, main window.

Start-up time is a feature (README, Speed: a painted window in under 400 ms), so the
first paint needs neither SQLAlchemy nor Alembic (about 300 ms and 130 ms to import
here): an up-to-date database is recognised and read with the sqlite3 module, and
SQLAlchemy is imported in a background thread once the window is on screen, ready
for the first change the user makes.  pyqtgraph is not imported here at all: the
screens that chart import it when first shown.
"""

from __future__ import annotations

import builtins
import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import cast

# The Qt-free core before Qt: see _plain_imports().
from salesdesk import APP_NAME, ORG_NAME, __version__, paths
from salesdesk.db.migrate import open_database
from salesdesk.errors import DatabaseError
from salesdesk.resource_files import APP_ID

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger(__name__)


def _plain_imports() -> None:
    """Take PySide6's Python hook out of ``import``: SalesDesk uses no ``__feature__``.

    PySide6 wraps ``__import__`` so that ``from __feature__ import snake_case`` works,
    and the wrapper reads the source of every module imported after Qt to see whether
    it mentions PySide6: 10 to 15 ms of a 300 ms start here.  Its C layer under it (the
    lazy loading of Qt classes) stays.  Harmless when PySide6 did not install it.
    """
    if builtins.__import__ is getattr(builtins, "__feature_import__", None):
        builtins.__import__ = builtins.__orig_import__  # type: ignore[attr-defined]  # set by PySide6


def create_application(argv: list[str] | None = None) -> QApplication:
    """The ``QApplication`` with our names, icon and look (reused if one exists)."""
    _plain_imports()
    # instance() is typed as the QCoreApplication base; here it is always a QApplication
    app = cast(QApplication, QApplication.instance()) or QApplication(argv if argv is not None else [APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)  # resources/linux/org.salesdesk.SalesDesk.desktop: the window's app id

    from salesdesk.ui import theme
    from salesdesk.ui.icons import app_icon

    from salesdesk.ui.collector import collect_on_gui_thread
    from salesdesk.ui.translations import install_translator

    theme.apply(app)
    install_translator(app)  # the system language's texts, where resources/translations has them
    app.setWindowIcon(app_icon())
    collect_on_gui_thread(app)  # never free Qt objects from a background thread
    return app


def run_gui(
    db_target: str | None,
    *,
    read_only: bool = False,
    settings: QSettings | None = None,
    on_window: Callable[[object], None] | None = None,
) -> int:
    """Open the window on ``db_target`` (default: the user's database); the exit code.

    ``settings`` replaces the user's window settings (tests, benchmarks);
    ``on_window`` is called with the main window once it is shown (benchmarks,
    screenshots).  A database that cannot be opened is explained in a message box
    and gives exit code 1.
    """
    from salesdesk.log import setup_logging
    from salesdesk.ui.error_hook import ExceptionHook

    app = create_application()
    log_file = setup_logging()
    from PySide6.QtCore import QLocale

    from salesdesk.ui.format import use_locale_for_amounts

    style = use_locale_for_amounts(QLocale())  # amounts typed and shown as the user's language writes them
    log.info("SalesDesk %s starting; amounts in the style of %s", __version__, style.name)
    hook = ExceptionHook(log_file, app)
    hook.install()
    try:
        from salesdesk.ui.main_window import MainWindow

        opened = None
        try:
            opened = _open(db_target, read_only=read_only)
            if opened is None:  # another SalesDesk has it and the user quit, or a damaged file was left alone
                log.info("SalesDesk not started: the database stays as it is")
                return 1
            window = MainWindow(opened.db, settings if settings is not None else QSettings(), lock=opened.lock)
        except (DatabaseError, sqlite3.Error) as exc:  # sqlite3: the first reads (a full disk, an I/O error)
            message = str(exc) if isinstance(exc, DatabaseError) else f"{db_target or paths.default_database()}: " \
                f"cannot be read ({exc})"
            log.error("cannot open the database: %s", message)
            if opened is not None:
                opened.db.close()
                if opened.lock is not None:
                    opened.lock.release()
            QMessageBox.critical(None, "SalesDesk cannot open the database", message)
            return 1
        hook.attach(window, window.reload)
        window.show()
        QTimer.singleShot(50, window.start_safety)  # after the first paint
        if opened.notice:
            window.show_message(QMessageBox.Icon.Information, "Backup restored", opened.notice)
        if opened.read_only_reason:
            window.show_message(QMessageBox.Icon.Warning, "Opened read-only", opened.read_only_reason)
        if on_window is not None:
            on_window(window)
        QTimer.singleShot(400, warm_up)  # after the first paint, before most first clicks
        try:
            return app.exec()
        finally:
            window.session.close()  # the copy under way written, the database closed, its lock released
            # Nothing of a closed window may outlive it (a later window in the same
            # process, as in the tests, crashed painting beside one left hidden).
            window.deleteLater()
            log.info("SalesDesk closed")
    finally:
        hook.uninstall()


def warm_up() -> threading.Thread:
    """Import what the first change will need, off the event loop, after the first paint."""
    def work():
        try:
            import salesdesk.services.deals  # noqa: F401  (SQLAlchemy and the models)
            import salesdesk.services.people  # noqa: F401
        except Exception:  # the change itself will import again and report properly
            log.exception("warming up failed")

    thread = threading.Thread(target=work, name="salesdesk-warm-up", daemon=True)
    thread.start()
    return thread


def _open(db_target: str | None, *, read_only: bool):
    """The database, its instance lock and what happened on the way (``Opened``), or None."""
    if db_target is None:
        path = paths.default_database()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"{path.parent}: cannot create the data folder ({exc.strerror})") from exc
        db_target = str(path)
    elif "://" not in db_target:
        db_target = str(Path(db_target).expanduser())
    from salesdesk.ui.dialogs.safety import open_guarded

    return open_guarded(db_target, read_only=read_only, opener=open_database)
