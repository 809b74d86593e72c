"""The main window: menus, toolbar, side bar of screens, status bar.

The window shows one open ``Database`` at a time and hands it to each screen; it
calls services for the File menu's commands and holds no rules of its own.  The
database's life (opening, switching, restoring, closing, the automatic backups and the
background check of the file) is the window's ``session`` (ui/session.py).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, QUrl, Signal, SignalInstance, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
    QUndoGroup,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from salesdesk import paths
from salesdesk.clock import CLOCK
from salesdesk.db.engine import Database
from salesdesk.safety.instance_lock import InstanceLock
from salesdesk.services.overview import Overview, overview
from salesdesk.ui.busy import wait_cursor
from salesdesk.ui.format import compact_money, plural
from salesdesk.ui.history import History
from salesdesk.ui.icons import app_icon, icon
from salesdesk.ui.keys import shortcuts
from salesdesk.ui.operations import DEALS, PEOPLE, RATES, SETTINGS, Changes
from salesdesk.ui.screen import Screen
from salesdesk.ui.session import NOT_SQLITE, DatabaseSession
from salesdesk.ui.state import WindowState
from salesdesk.ui.transfer import install_transfer_actions
from salesdesk.ui.widgets.empty_banner import EmptyDatabaseBanner

if TYPE_CHECKING:
    from salesdesk.safety.backups import AutoBackup
    from salesdesk.safety.location import LocationRisk
    from salesdesk.ui.dialogs.about import AboutDialog
    from salesdesk.ui.dialogs.backups import BackupsDialog

log = logging.getLogger(__name__)

class ScreenEntry(NamedTuple):
    """A screen as the side bar and menus know it; its module is imported when first
    shown, so start-up pays only for the screen it opens on."""

    key: str
    title: str
    icon_name: str
    module: str
    class_name: str

    def load(self) -> type[Screen]:
        return getattr(importlib.import_module(self.module), self.class_name)


# In side bar order; Ctrl+1 shows the first.
SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry("pipeline", "Pipeline", "pipeline", "salesdesk.ui.pipeline.screen", "PipelineScreen"),
    ScreenEntry("orgchart", "Org chart", "orgchart", "salesdesk.ui.orgchart.screen", "OrgChartScreen"),
    ScreenEntry("targets", "Targets", "targets", "salesdesk.ui.targets.screen", "TargetsScreen"),
    ScreenEntry("reports", "Reports", "reports", "salesdesk.ui.reports.screen", "ReportsScreen"),
    ScreenEntry("customers", "Customers", "customers", "salesdesk.ui.customers.screen", "CustomersScreen"),
    ScreenEntry("activities", "Activities", "activities", "salesdesk.ui.activities.screen", "ActivitiesScreen"),
)
DEFAULT_SIZE = QSize(1280, 800)
STATUS_BAR_SHOWS = frozenset({DEALS, PEOPLE, RATES, SETTINGS})  # people, open deals, pipeline value
SCREEN_KEYS: tuple[str, ...] = tuple(screen.key for screen in SCREENS)
KEY_ROLE = Qt.ItemDataRole.UserRole


class MainWindow(QMainWindow):
    """The program's window over one database.

    Signals:
        screen_changed(str): the key of the screen now shown ("pipeline", ...).
        reloaded(): everything shown was read again from the database.
    and the session's, by the names they have always had here: ``database_changed``,
    ``backup_finished``, ``integrity_checked`` (see ``DatabaseSession``).

    Data safety (``start_safety``, called once the window is shown, and the rest of the
    database's life) is the session's; closing the window waits for the copy under way.
    """

    screen_changed = Signal(str)
    reloaded = Signal()

    def __init__(
        self,
        db: Database,
        settings: QSettings,
        *,
        open_database: Callable[..., Database] | None = None,
        lock: InstanceLock | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.session = DatabaseSession(self, db, lock=lock, open_database=open_database)
        self.session.backup_finished.connect(self._backup_finished)
        self.backups_dialog: BackupsDialog | None = None
        self.state = WindowState(settings)
        self.screens: dict[str, Screen] = {}
        self.screen_menus: dict[str, QMenu] = {}
        self.overview: Overview | None = None
        self.last_message: QMessageBox | None = None
        self.about_dialog: AboutDialog | None = None
        self.setObjectName("main_window")
        self.setWindowIcon(app_icon())
        self.setUnifiedTitleAndToolBarOnMac(True)

        # One undo history for the window (ui/history.py): Ctrl+Z undoes the last change
        # wherever it was made.  The group holds it alone; it is what the actions follow.
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(0)
        self._summary_timer.timeout.connect(self._refresh_summary)
        self.history = History(self)
        self.history.changes_committed.connect(self._changes_committed)
        self.undo_group = QUndoGroup(self)
        self.undo_group.addStack(self.history)
        self.undo_group.setActiveStack(self.history)
        self._build_actions()
        self._build_menus()
        install_transfer_actions(self)  # File: Import…, Import CRM Sales Opportunities…, Export…
        self._build_toolbar()
        self._build_body()
        self._build_status_bar()
        self._show_summary()
        self._restore_state()  # builds the screen it opens on, and fills it
        self._update_title()

    # --- building ---------------------------------------------------------------------

    def _action(self, text: str, icon_name: str | None, slot, keys: list[QKeySequence] | None = None,
                tip: str = "") -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if keys:
            action.setShortcuts(keys)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        key = QKeySequence.StandardKey
        self.action_open = self._action("&Open database…", "open", self.ask_open_database,
                                        shortcuts(key.Open, "Ctrl+O"), "Open another SalesDesk database file")
        self.action_backup = self._action("&Back up database…", "backup", self.ask_backup,
                                          tip="Write a verified copy of the database to a file you choose")
        self.action_backups = self._action("Back&ups…", "backup", self.show_backups,
                                           tip="The automatic backups of this database: back up now, or restore one")
        self.action_check = self._action("&Check database", "check", self.check_database,
                                         tip="Check the file's integrity, its foreign keys and the sales rules")
        self.action_quit = self._action("&Quit", "quit", self.close, shortcuts(key.Quit, "Ctrl+Q"))
        self.action_quit.setMenuRole(QAction.MenuRole.QuitRole)

        self.action_undo = self.undo_group.createUndoAction(self, "&Undo")
        self.action_undo.setIcon(icon("undo"))
        self.action_undo.setShortcuts(shortcuts(key.Undo, "Ctrl+Z"))
        self.action_redo = self.undo_group.createRedoAction(self, "&Redo")
        self.action_redo.setIcon(icon("redo"))
        self.action_redo.setShortcuts(shortcuts(key.Redo, "Ctrl+Shift+Z", "Ctrl+Y"))

        self.screen_actions: dict[str, QAction] = {}
        self._screen_action_group = QActionGroup(self)
        for number, screen in enumerate(SCREENS, 1):
            action = QAction(icon(screen.icon_name), screen.title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setCheckable(True)
            action.setData(screen.key)
            action.setStatusTip(f"Show the {screen.title.lower()} screen")
            self._screen_action_group.addAction(action)
            self.screen_actions[screen.key] = action
        self._screen_action_group.triggered.connect(self._screen_action_triggered)
        self.action_reload = self._action("Re&load", "reload", self.reload, shortcuts(key.Refresh, "F5"),
                                          "Read everything shown again from the database")
        self.action_sidebar = self._action("Show &side bar", "sidebar", self.set_sidebar_visible,
                                           [QKeySequence("Ctrl+B")])
        self.action_sidebar.setCheckable(True)
        self.action_sidebar.setChecked(True)

        self.action_rates = self._action("E&xchange rates…", None, self.show_exchange_rates,
                                         tip="The rates that convert deals in other currencies into the company's")
        self.action_company_currency = self._action("Company &currency…", None, self.ask_company_currency,
                                                    tip="The currency every total, target and report is in")
        self.action_about = self._action("&About SalesDesk", "about", self.show_about)
        self.action_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.action_log_folder = self._action("Open &log folder", "log-folder", self.open_log_folder,
                                              tip="Show the folder with SalesDesk's log files")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.action_open)
        file_menu.addSeparator()
        file_menu.addAction(self.action_backup)
        file_menu.addAction(self.action_backups)
        file_menu.addAction(self.action_check)
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.action_undo)
        edit_menu.addAction(self.action_redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_rates)
        edit_menu.addAction(self.action_company_currency)

        self.view_menu = bar.addMenu("&View")
        for action in self.screen_actions.values():
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.action_reload)
        self.view_menu.addSeparator()
        # The toolbar's own toggle action is added once the toolbar exists.

        self.help_menu = help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.action_log_folder)
        help_menu.addSeparator()
        help_menu.addAction(self.action_about)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar("Toolbar", self)
        self.toolbar.setObjectName("main_toolbar")  # saveState() needs the name
        self.toolbar.setMovable(False)
        self.toolbar.setIconSize(QSize(18, 18))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.action_open, self.action_backup, self.action_check):
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.action_undo)
        self.toolbar.addAction(self.action_redo)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.action_toolbar = self.toolbar.toggleViewAction()
        self.action_toolbar.setText("Show &toolbar")
        self.action_toolbar.setIcon(icon("toolbar"))
        self.view_menu.addAction(self.action_toolbar)
        self.view_menu.addAction(self.action_sidebar)

    def _build_body(self) -> None:
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        for number, screen in enumerate(SCREENS, 1):
            item = QListWidgetItem(icon(screen.icon_name), screen.title)
            item.setData(KEY_ROLE, screen.key)
            item.setToolTip(f"{screen.title}  (Ctrl+{number})")
            item.setSizeHint(QSize(0, 38))
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._sidebar_row_changed)

        # Who this is for, above the screens: the program and the company in the database.
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(30, 30))
        product = QLabel("SalesDesk")
        product.setObjectName("sidebar_product")
        self.company_label = QLabel()
        self.company_label.setObjectName("sidebar_company")
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(product)
        names.addWidget(self.company_label)
        header = QHBoxLayout()
        header.setContentsMargins(20, 18, 12, 6)
        header.setSpacing(10)
        header.addWidget(logo)
        header.addLayout(names, 1)
        self.sidebar_panel = QWidget()
        self.sidebar_panel.setObjectName("sidebar_panel")
        self.sidebar_panel.setFixedWidth(212)
        panel = QVBoxLayout(self.sidebar_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.setSpacing(0)
        panel.addLayout(header)
        panel.addWidget(self.sidebar, 1)

        self.banner = EmptyDatabaseBanner()
        self.banner.hide()
        self.banner.load_demo_requested.connect(self.load_demo)
        self.banner.start_empty_requested.connect(self.start_empty)
        banner_box = QWidget()
        banner_box.setObjectName("screen_body")
        banner_layout = QVBoxLayout(banner_box)
        banner_layout.setContentsMargins(16, 14, 16, 4)
        banner_layout.addWidget(self.banner)
        self._banner_box = banner_box
        banner_box.hide()

        self.stack = QStackedWidget()
        self.stack.currentChanged.connect(self._stack_changed)

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(0, 0, 0, 0)
        content_layout.setSpacing(0)
        content_layout.addWidget(banner_box)
        content_layout.addWidget(self.stack, 1)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar_panel)
        layout.addWidget(content, 1)
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setSizeGripEnabled(False)
        database_icon = QLabel()
        database_icon.setPixmap(icon("database").pixmap(14, 14))
        self.database_label = QLabel()
        self.database_label.setObjectName("database_label")
        self.read_only_label = QLabel("Read-only")
        self.read_only_label.setProperty("role", "chip")
        self.read_only_label.setProperty("tone", "warning")
        self.read_only_label.setToolTip("This database was opened read-only: changes are not allowed")
        self.location_label = QLabel()
        self.location_label.setObjectName("location_label")
        self.location_label.setProperty("role", "chip")
        self.location_label.setProperty("tone", "warning")
        self.location_label.hide()
        self.counts_label = QLabel()
        self.counts_label.setObjectName("counts_label")
        status.addWidget(database_icon)
        status.addWidget(self.database_label)
        status.addWidget(self.read_only_label)
        status.addWidget(self.location_label)
        status.addPermanentWidget(self.counts_label)

    def _restore_state(self) -> None:
        geometry = self.state.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(DEFAULT_SIZE)
            screen = QGuiApplication.primaryScreen()
            if screen is not None:
                frame = self.frameGeometry()
                frame.moveCenter(screen.availableGeometry().center())
                self.move(frame.topLeft())
        window_state = self.state.window_state
        if window_state is not None:
            self.restoreState(window_state)
        self.set_sidebar_visible(self.state.sidebar_visible)
        last = self.state.screen
        self.show_screen(last if last in SCREEN_KEYS else SCREENS[0].key)

    def _save_state(self) -> None:
        self.state.geometry = self.saveGeometry()
        self.state.window_state = self.saveState()
        self.state.screen = self.current_screen().key
        self.state.sidebar_visible = self.sidebar_panel.isVisibleTo(self)
        self.state.sync()

    # --- screens ------------------------------------------------------------------------

    def current_screen(self) -> Screen:
        screen = self.stack.currentWidget()
        assert isinstance(screen, Screen)  # the stack holds screens only, and one is always on view
        return screen

    def screen_for(self, key: str) -> Screen:
        """The screen ``key``, built on first use: only the screen on view costs start-up time.

        Not named ``screen``: that is QWidget's, which gives the monitor the window is on."""
        screen = self.screens.get(key)
        if screen is None:
            screen_class = SCREENS[SCREEN_KEYS.index(key)].load()
            screen = self.screens[key] = screen_class(self.db, settings=self.state.settings, undo_stack=self.history)
            self.stack.addWidget(screen)
            self._add_screen_menu(screen)
        return screen

    def _add_screen_menu(self, screen: Screen) -> None:
        """A screen's own commands (the board's "Deal" menu), shown while it is on view."""
        title, actions = screen.menu()
        if not actions:
            return
        menu = self.menuBar().addMenu(title)
        self.menuBar().insertMenu(self.help_menu.menuAction(), menu)
        for action in actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        self.screen_menus[screen.key] = menu
        menu.menuAction().setVisible(self.stack.currentWidget() is screen)

    def show_screen(self, key: str) -> None:
        """Show the screen ``key`` ("pipeline", "orgchart", ...)."""
        screen = self.screen_for(key)
        if not self.isVisible():  # the screen the window opens on: filled before the first frame
            screen.refresh_if_stale()
        self.stack.setCurrentWidget(screen)

    @Slot(int)
    def _stack_changed(self, index: int) -> None:
        screen = self.stack.widget(index)
        if not isinstance(screen, Screen):  # None: the last screen was taken off the stack
            return
        self.history.owner = screen.key  # the steps made from now on are this screen's
        self.screen_actions[screen.key].setChecked(True)
        for key, menu in self.screen_menus.items():
            menu.menuAction().setVisible(key == screen.key)
        row = SCREEN_KEYS.index(screen.key)
        if self.sidebar.currentRow() != row:
            self.sidebar.setCurrentRow(row)
        self.screen_changed.emit(screen.key)

    @Slot(int)
    def _sidebar_row_changed(self, row: int) -> None:
        item = self.sidebar.item(row)
        if item is not None:
            self.show_screen(item.data(KEY_ROLE))

    @Slot(QAction)
    def _screen_action_triggered(self, action: QAction) -> None:
        self.show_screen(action.data())

    @Slot(bool)
    def set_sidebar_visible(self, visible: bool) -> None:
        self.sidebar_panel.setVisible(visible)
        if self.action_sidebar.isChecked() != visible:
            self.action_sidebar.setChecked(visible)

    # --- what is shown ------------------------------------------------------------------

    @Slot(object)
    def _changes_committed(self, changes: Changes) -> None:
        """A step was done, undone or redone: every other screen that shows what it
        changed reads the database again (a hidden one when next shown; the screen that
        made it has shown it already), and the status bar after the change has painted
        (a drop shows at once, the figures a moment later)."""
        for screen in self.screens.values():
            if screen.key != changes.owner and screen.shows & changes.kinds:
                screen.reload()
        if changes.kinds & STATUS_BAR_SHOWS:
            self._summary_timer.start()  # once, however many steps this turn of the event loop

    @Slot()
    def _refresh_summary(self) -> None:
        if self.db is not None:
            self._show_summary()

    @Slot()
    def reload(self) -> None:
        """Show what the database holds: status bar, banner, every screen built so far."""
        self._show_summary()
        for screen in self.screens.values():
            screen.reload()
        self.reloaded.emit()

    def _show_summary(self) -> None:
        """The status bar's figures and the banner of an empty database."""
        with self.db.read() as reader:
            self.overview = summary = overview(reader)
        self.database_label.setText(self._database_name())
        self.company_label.setText(summary.company)
        self.company_label.setToolTip(summary.company)
        self.database_label.setToolTip(self.db.display_name)
        self.read_only_label.setVisible(self.db.read_only)
        self.counts_label.setText(
            f"{plural(summary.people, 'person', 'people')}  ·  {plural(summary.open_deals, 'open deal')}  ·  "
            f"{compact_money(summary.open_amount, summary.currency)} pipeline"
            + (f"  ·  {summary.left_out}" if summary.left_out else "")
        )
        self._update_banner(summary)

    def _database_name(self) -> str:
        path = self.db.path
        return path.name if path is not None else self.db.display_name

    def _update_title(self) -> None:
        read_only = " (read-only)" if self.db.read_only else ""
        self.setWindowTitle(f"{self._database_name()}{read_only} — SalesDesk")

    def _update_banner(self, summary: Overview) -> None:
        show = summary.is_empty and not self.state.empty_banner_dismissed(self.db.display_name)
        if show:
            if self.db.read_only:
                self.banner.set_demo_available(False, "The database is open read-only")
            elif not _demo_available():
                self.banner.set_demo_available(False, "The demo company is not part of this build")
            else:
                self.banner.set_demo_available(True)
        self.banner.setVisible(show)
        self._banner_box.setVisible(show)

    # --- the empty database -------------------------------------------------------------

    @Slot()
    def load_demo(self) -> None:
        """Fill the (empty) database with the demo company, then show it."""
        from salesdesk.services.demo import load_demo

        progress = QProgressDialog("Creating the demo company…", "", 0, 0, self)
        progress.setWindowTitle("SalesDesk")
        progress.setCancelButton(None)  # one transaction: all or nothing, nothing to cancel midway
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setMinimumWidth(360)
        progress.show()

        def report(step: str) -> None:
            progress.setLabelText(f"Creating the demo company: {step.lower()}…")
            QApplication.processEvents()

        try:
            with wait_cursor():
                summary = load_demo(self.db, progress=report)
        finally:
            progress.close()
            progress.deleteLater()
        log.info("demo company loaded into %s", self.db.display_name)
        self.reload()
        self.statusBar().showMessage(
            f"Demo company loaded: {plural(summary.people, 'person', 'people')}, "
            f"{plural(summary.accounts, 'account')} and {plural(summary.deals, 'deal')}", 10_000
        )

    @Slot()
    def start_empty(self) -> None:
        self.state.dismiss_empty_banner(self.db.display_name)
        self.banner.hide()
        self._banner_box.hide()

    # --- File menu ----------------------------------------------------------------------

    def ask_open_path(self) -> str | None:
        """Ask for a database file (tests replace this method)."""
        start = str(self.db.path.parent) if self.db.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self, "Open database", start, "SalesDesk databases (*.sqlite3 *.sqlite *.db);;All files (*)"
        )
        return path or None

    @Slot()
    def ask_open_database(self) -> None:
        path = self.ask_open_path()
        if path:
            self.session.open_file(path)

    def show_database(self) -> None:
        """Show the session's database, now another: the screens built anew over it."""
        key = self.current_screen().key
        self.history.clear()  # undo cannot reach into another file (or a restored copy)
        for screen in self.screens.values():
            self.stack.removeWidget(screen)
            screen.deleteLater()
        self.screens.clear()
        self.show_screen(key)
        self._update_title()
        self.reload()

    def ask_backup_path(self) -> str | None:
        """Ask where to write a backup, again while the file is one a backup may not be
        written to (an existing file, the database, its backup folder); tests replace this."""
        from salesdesk.safety.output import NEW_NAME
        from salesdesk.ui.widgets.save_path import ask_until_allowed

        stem = self.db.path.stem if self.db.path else "salesdesk"
        suggested = Path.home() / f"{stem}-backup-{CLOCK.today():%Y-%m-%d}.sqlite3"

        def ask() -> tuple[str, bool]:
            path, _ = QFileDialog.getSaveFileName(
                self, "Back up database", str(suggested), "SalesDesk databases (*.sqlite3);;All files (*)",
                options=QFileDialog.Option.DontConfirmOverwrite,  # a backup never replaces a file
            )
            return path, False

        path = ask_until_allowed(self, ask, self.db.path, title="Back up database", if_exists=NEW_NAME)
        return None if path is None else str(path)

    @Slot()
    def ask_backup(self) -> None:
        path = self.ask_backup_path()
        if path:
            self.backup_to(Path(path))

    def backup_to(self, dest: Path) -> Path | None:
        from salesdesk.db.backup import backup_database
        from salesdesk.errors import SalesDeskError

        if self.db.path is None:
            self.show_message(QMessageBox.Icon.Warning, "Back up database", NOT_SQLITE)
            return None
        try:
            with wait_cursor():
                written = backup_database(self.db.engine, self.db.path, reason="manual", dest=dest)
        except SalesDeskError as exc:  # refused (a backup, an existing file...) or failed
            self.show_message(QMessageBox.Icon.Warning, "The backup was not written", str(exc))
            return None
        log.info("backed up %s to %s", self.db.display_name, written)
        self.statusBar().showMessage(f"Backed up to {written}", 10_000)
        self.show_message(QMessageBox.Icon.Information, "Backup written",
                          f"The database was copied to\n{written}\nand the copy was verified.")
        return written

    # --- data safety: the session's, shown here ---------------------------------------------

    _backup_failure_shown = False

    def show_location(self, risk: LocationRisk | None) -> None:
        """The status bar's chip for a file on a network drive or in a synced folder."""
        self.location_label.setVisible(risk is not None)
        if risk is not None:
            self.location_label.setText("Network drive" if risk.kind == "network" else f"Synced by {risk.name}")
            self.location_label.setToolTip(risk.message)

    @Slot(object, object)
    def _backup_finished(self, copy: Path | None, error: Exception | None) -> None:
        if copy is not None:
            self.statusBar().showMessage(f"Backed up to {copy.name}", 5_000)
        if error is not None:
            self.statusBar().showMessage(f"The automatic backup failed: {error}", 15_000)
            if not self._backup_failure_shown:  # once a session: the next failure only goes to the log
                self._backup_failure_shown = True
                self.show_message(QMessageBox.Icon.Warning, "The automatic backup failed",
                                  f"{error}\n\nYour database itself is unchanged. SalesDesk tries again in 30 minutes; "
                                  "File ▸ Backups… shows the copies there are.")

    @Slot()
    def show_backups(self) -> None:
        if self.db.path is None:
            self.show_message(QMessageBox.Icon.Warning, "Backups", NOT_SQLITE)
            return
        from salesdesk.ui.dialogs.backups import BackupsDialog

        self.backups_dialog = BackupsDialog(self)
        self.backups_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.backups_dialog.open()

    @Slot()
    def show_exchange_rates(self) -> None:
        from salesdesk.ui.dialogs.exchange_rates import ExchangeRatesDialog

        self.rates_dialog = ExchangeRatesDialog(self)
        self.rates_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.rates_dialog.open()

    @Slot()
    def ask_company_currency(self) -> None:
        if self.db.read_only:
            self.show_message(QMessageBox.Icon.Information, "Company currency", "The database is open read-only.")
            return
        from salesdesk.ui.dialogs.exchange_rates import ask_company_currency

        ask_company_currency(self)

    @Slot()
    def check_database(self) -> list[str]:
        """Check the file and the sales rules; show and return the problems found."""
        from salesdesk.db.backup import integrity_problems
        from salesdesk.services.checks import rule_problems

        with wait_cursor():
            problems = integrity_problems(self.db.path) if self.db.path is not None else []
            with self.db.session() as session:
                problems += rule_problems(session)
        if problems:
            shown = "\n".join(f"• {p}" for p in problems[:8])
            more = f"\n…and {len(problems) - 8} more (see Details)" if len(problems) > 8 else ""
            self.show_message(QMessageBox.Icon.Warning, "Problems found",
                              f"{plural(len(problems), 'problem')} found in {self._database_name()}:\n\n{shown}{more}",
                              details="\n".join(problems))
        else:
            self.show_message(QMessageBox.Icon.Information, "The database is sound",
                              f"{self._database_name()} passed every check: the file is intact, its links "
                              "between records hold, and the sales rules are kept.")
        return problems

    # --- Help menu ----------------------------------------------------------------------

    @Slot()
    def show_about(self) -> None:
        from salesdesk.ui.dialogs.about import AboutDialog

        self.about_dialog = AboutDialog(
            database=self.db.display_name, read_only=self.db.read_only,
            data_dir=paths.data_dir(), log_dir=paths.log_dir(), parent=self,
        )
        self.about_dialog.open()

    @Slot()
    def open_log_folder(self) -> None:
        folder = paths.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # --- helpers ------------------------------------------------------------------------

    def show_message(self, severity: QMessageBox.Icon, title: str, text: str, details: str | None = None) -> QMessageBox:
        """A window-modal message that does not block the caller (nor the tests)."""
        box = QMessageBox(severity, title, text, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_message = box
        return box

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_state()
        self.session.stop()  # a copy (or check) under way finishes first: the database may be closed next
        super().closeEvent(event)

    # --- the session's, by the names the window has always had (tests, children) ----------

    @property
    def db(self) -> Database:
        return self.session.db

    @property
    def lock(self) -> InstanceLock | None:
        return self.session.lock

    @property
    def auto_backup(self) -> AutoBackup | None:
        return self.session.auto_backup

    @property
    def backup_timer(self) -> QTimer:
        return self.session.backup_timer

    @property
    def integrity_problems(self) -> list[str] | None:
        return self.session.integrity_problems

    @property
    def database_changed(self) -> SignalInstance:
        return self.session.database_changed

    @property
    def backup_finished(self) -> SignalInstance:
        return self.session.backup_finished

    @property
    def integrity_checked(self) -> SignalInstance:
        return self.session.integrity_checked

    def start_safety(self, *, warn: bool = True) -> None:
        self.session.start_safety(warn=warn)

    def start_backup(self) -> bool:
        return self.session.start_backup()

    def periodic_backup(self) -> bool:
        return self.session.periodic_backup()

    def wait_for_backup(self, timeout: float = 120) -> None:
        self.session.wait_for_backup(timeout)


def _demo_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("salesdesk.services.demo") is not None
