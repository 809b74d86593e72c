"""Reports screen: the weekly report for a week and a scope, previewed page by page as
it will print, exported to PDF, or written as one PDF per branch for the directors.

The figures are read once per choice (``weekly_report``: a handful of SQL aggregates)
and kept as plain values; the preview and the PDF are painted from those same values,
so what the user checked on screen is what the file says.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from salesdesk.clock import CLOCK
from salesdesk.db.engine import Database, as_date
from salesdesk.domain.periods import Period, PeriodKind, last_full_week
from salesdesk.errors import SalesDeskError
from salesdesk.safety.output import check_output_path
from salesdesk.ui import options
from salesdesk.ui.busy import wait_cursor
from salesdesk.ui.history import History
from salesdesk.ui.reports.preview import ReportPreview
from salesdesk.ui.operations import EVERYTHING
from salesdesk.ui.screen import Screen
from salesdesk.ui.widgets.save_path import ask_folder, ask_save_path

if TYPE_CHECKING:  # the report's module loads with the first report, not with the window
    from salesdesk.reports.weekly import WeeklyReport

WEEKS_BACK = 104  # two years of weeks to choose from, more when the deals go further back
WEEKS_MAX = 520


def _notes():
    from salesdesk.services import notes

    return notes


def file_slug(text: str) -> str:
    """A name safe in any file system: ``"Lyon (Sud)"`` -> ``"lyon-sud"``."""
    return re.sub(r"[^\w]+", "-", text.casefold(), flags=re.UNICODE).strip("-") or "report"


def report_file_name(week: Period, scope) -> str:
    return f"weekly-{week.label}-{file_slug(scope.label if scope.kind != 'company' else 'company')}.pdf"


class ReportsScreen(Screen):
    key = "reports"
    shows = EVERYTHING
    title = "Reports"
    icon_name = "reports"
    description = (
        "Preview the weekly report for the company, a branch, a team or one person, and send it "
        "to your director as a PDF: wins, losses, moves, stale deals and attainment."
    )

    def __init__(self, db: Database, parent: QWidget | None = None, settings: QSettings | None = None,
                 undo_stack: History | None = None):
        super().__init__(db, parent, settings, undo_stack)
        self.report: WeeklyReport | None = None  # the one on view (plain values)
        self.scopes: list = []
        self._filling = False
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 10, 12, 0)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        # PySide6 takes any Qt property as a keyword; its stubs name only the class's own ones
        self.previous_button = QToolButton(text="◀", objectName="report_previous_week", toolTip="Previous week")  # type: ignore[call-arg]
        self.next_button = QToolButton(text="▶", objectName="report_next_week", toolTip="Next week")  # type: ignore[call-arg]
        self.week_box = QComboBox(objectName="report_week")  # type: ignore[call-arg]
        self.week_box.setMinimumContentsLength(30)
        self.scope_box = QComboBox(objectName="report_scope")  # type: ignore[call-arg]
        self.scope_box.setMinimumContentsLength(24)
        self.scope_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.scope_box.setMaxVisibleItems(25)
        self.page_label = QLabel(objectName="report_page")  # type: ignore[call-overload]
        self.export_button = QPushButton("Export PDF…", objectName="report_export")  # type: ignore[call-overload]
        self.export_button.setDefault(True)
        self.batch_button = QPushButton("One PDF per branch…", objectName="report_batch")  # type: ignore[call-overload]
        self.note_button = QPushButton("My week…", objectName="report_note")  # type: ignore[call-overload]
        self.note_button.setToolTip("Write a person's note for this week; the report prints it under \u201cMy week\u201d")
        week_label = QLabel("&Week")
        week_label.setBuddy(self.week_box)
        scope_label = QLabel("&For")
        scope_label.setBuddy(self.scope_box)
        for widget in (week_label, self.previous_button, self.week_box, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addWidget(scope_label)
        bar.addWidget(self.scope_box, 1)
        bar.addStretch(1)
        bar.addWidget(self.page_label)
        bar.addSpacing(12)
        bar.addWidget(self.note_button)
        bar.addWidget(self.batch_button)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.preview = ReportPreview(body)
        layout.addWidget(self.preview, 1)
        self.layout_.addWidget(body)

        self.week_box.currentIndexChanged.connect(self._choice_changed)
        self.scope_box.currentIndexChanged.connect(self._choice_changed)
        self.previous_button.clicked.connect(lambda: self.step_week(-1))
        self.next_button.clicked.connect(lambda: self.step_week(+1))
        self.export_button.clicked.connect(self.export_pdf)
        self.batch_button.clicked.connect(self.export_branches)
        self.note_button.clicked.connect(self.write_note)
        if db.read_only:
            self.note_button.setEnabled(False)
        self.preview.page_changed.connect(self._show_page)
        self._build_actions()

    def _build_actions(self) -> None:
        def action(text, keys, slot, name):
            act = QAction(text, self)
            act.setObjectName(name)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        # not "export_action": that is Screen's maker of list-export actions
        self.export_pdf_action = action("Export PDF…", ["Ctrl+E"], self.export_pdf, "report_export_pdf")
        self.batch_action = action("One PDF per Branch…", ["Ctrl+Shift+E"], self.export_branches, "report_batch_pdf")
        self.note_action = action("My Week…", ["Ctrl+M"], self.write_note, "report_note_action")
        self.note_action.setEnabled(not self.db.read_only)
        self.previous_action = action("Previous Week", ["Alt+Left"], lambda: self.step_week(-1), "report_prev")
        self.next_action = action("Next Week", ["Alt+Right"], lambda: self.step_week(+1), "report_next")
        self.zoom_in_action = action("Zoom In", ["Ctrl++", "Ctrl+="], lambda: self._zoom(1.25), "report_zoom_in")
        self.zoom_out_action = action("Zoom Out", ["Ctrl+-"], lambda: self._zoom(0.8), "report_zoom_out")
        self.fit_action = action("Fit Width", ["Ctrl+0"], lambda: self.preview.set_zoom(None), "report_fit")

    def menu(self) -> tuple[str, list]:
        return "&Report", [self.export_pdf_action, self.batch_action, None, self.note_action, None, self.previous_action, self.next_action,
                           None, self.zoom_in_action, self.zoom_out_action, self.fit_action]

    # --- choices --------------------------------------------------------------------------

    def refresh(self) -> None:
        from salesdesk.reports.weekly import first_deal_created, scope_choices

        with self.db.read() as reader:
            self.scopes = scope_choices(reader)
            first = first_deal_created(reader)
        week_now = self.selected_week() or last_full_week()
        scope_now = self.selected_scope()
        saved = options.REPORTS_SCOPE.read(self.settings)
        self._filling = True
        try:
            self._fill_weeks(first)
            self.scope_box.clear()
            for scope in self.scopes:
                self.scope_box.addItem(self._scope_text(scope), f"{scope.kind}:{scope.id or ''}")
            self.scope_box.insertSeparator(1)
            branches = sum(1 for s in self.scopes if s.kind == "branch")
            if branches:
                self.scope_box.insertSeparator(2 + branches)
            self._select(self.week_box, week_now.start.isoformat())
            key = f"{scope_now.kind}:{scope_now.id or ''}" if scope_now is not None else saved
            if not self._select(self.scope_box, key):
                self.scope_box.setCurrentIndex(0)
        finally:
            self._filling = False
        self.batch_button.setEnabled(branches > 0)
        self.batch_action.setEnabled(branches > 0)
        self.show_report()

    @staticmethod
    def _scope_text(scope) -> str:
        if scope.kind == "company":
            return "Whole company"
        if scope.kind == "branch":
            return f"Branch {scope.label}"
        return scope.label

    def _fill_weeks(self, first_created) -> None:
        today = CLOCK.today()
        this_week = Period.containing(PeriodKind.WEEK, today)
        start = today - dt.timedelta(weeks=WEEKS_BACK)
        created = as_date(first_created)  # None when blank
        if created is not None:
            start = min(start, created)
        oldest = Period.containing(PeriodKind.WEEK, max(start, today - dt.timedelta(weeks=WEEKS_MAX)))
        self.week_box.clear()
        week = this_week
        while week.start >= oldest.start:
            text = f"{week.label}  ·  {week.start:%d %b} – {week.last_day:%d %b %Y}"
            if week == this_week:
                text += "  (so far)"
            self.week_box.addItem(text, week.start.isoformat())
            week = week.previous()

    @staticmethod
    def _select(box: QComboBox, data: str) -> bool:
        index = box.findData(data)
        if index >= 0:
            box.setCurrentIndex(index)
        return index >= 0

    def selected_week(self) -> Period | None:
        data = self.week_box.currentData()
        return Period(PeriodKind.WEEK, dt.date.fromisoformat(data)) if data else None

    def selected_scope(self):
        data = self.scope_box.currentData()
        if not data:
            return None
        kind, _, ident = data.partition(":")
        for scope in self.scopes:
            if scope.kind == kind and str(scope.id or "") == ident:
                return scope
        return None

    def step_week(self, step: int) -> None:
        """Older (-1) or newer (+1): the list runs newest first."""
        index = self.week_box.currentIndex() - step
        if 0 <= index < self.week_box.count():
            self.week_box.setCurrentIndex(index)

    @Slot()
    def _choice_changed(self) -> None:
        if self._filling:
            return
        scope = self.selected_scope()
        if scope is not None:
            options.REPORTS_SCOPE.write(self.settings, f"{scope.kind}:{scope.id or ''}")
        self.show_report()

    # --- the report -----------------------------------------------------------------------

    def show_report(self) -> None:
        """Read the figures for the chosen week and scope and show their pages."""
        from salesdesk.reports.weekly import weekly_report
        from salesdesk.reports.weekly_pdf import PageImages

        week, scope = self.selected_week(), self.selected_scope()
        index = self.week_box.currentIndex()
        self.previous_button.setEnabled(index < self.week_box.count() - 1)
        self.next_button.setEnabled(index > 0)
        if week is None or scope is None:
            self.report = None
            self.preview.set_pages(None)
            return
        with wait_cursor():  # a big company's week takes a moment
            with self.db.read() as reader:
                self.report = weekly_report(reader, week, scope)
            self.preview.set_pages(PageImages(self.report))

    @Slot(int, int)
    def _show_page(self, page: int, count: int) -> None:
        self.page_label.setText(f"Page {page} of {count}" if count else "")

    def _zoom(self, factor: float) -> None:
        self.preview.set_zoom(self.preview.scale() * factor)

    def _status(self, text: str) -> None:
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(text, 10_000)

    @Slot()
    def write_note(self) -> None:
        """Write a person's "My week" note for the week on view: one undo step."""
        from salesdesk.services.notes import read_note
        from salesdesk.ui.operations import NOTES, run_step
        from salesdesk.ui.reports.note_dialog import NoteDialog

        week = self.selected_week()
        if week is None:
            return
        people = [(s.id, s.label) for s in self.scopes if s.kind == "person"]
        people.sort(key=lambda p: p[1].casefold())
        if not people:
            QMessageBox.information(self, "My week", "There is nobody in the company yet to write a note.")
            return
        scope = self.selected_scope()
        last = options.REPORTS_NOTE_PERSON.read(self.settings)
        chosen = scope.id if scope is not None and scope.kind == "person" else last

        def read(person_id: int) -> str:
            with self.db.read() as reader:
                return read_note(reader, person_id, week.start)

        self.note_dialog = dialog = NoteDialog(week, people, read, chosen, self)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            person_id, text, name = dialog.person_id(), dialog.note(), dialog.person_box.currentText()
            assert person_id is not None  # people is not empty, so someone is always chosen
            options.REPORTS_NOTE_PERSON.write(self.settings, person_id)

            def write(session, person_id: int = person_id, text: str = text):  # defaults: this note, also on redo
                return _notes().write_note(session, person_id, week.start, text)

            saved = run_step(self.undo_stack, self.db, f"Note of {name} for {week.label}", write,
                             lambda s, before: _notes().restore_note(s, before),
                             lambda *_: self.show_report(), self._refused, kinds={NOTES}, ids={person_id})
            if saved:  # else the warning was shown: the dialog comes back with the text kept
                self._status(f"Note of {name} for {week.label} saved")
                break

    def _refused(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Not saved", str(exc))

    @Slot()
    def export_pdf(self) -> None:
        """Write the report on view to a PDF the user names."""
        from salesdesk.reports.weekly_pdf import write_weekly_pdf

        if self.report is None:
            return
        path = ask_save_path(self, self.settings, options.REPORTS_EXPORT_FOLDER.key, "Export the weekly report",
                             report_file_name(self.report.week, self.report.scope), "PDF", "pdf",
                             database=self.db.path)
        if path is None:
            return
        try:
            pages = write_weekly_pdf(self.report, path, database=self.db.path, replace=True)  # the dialog asked
        except (SalesDeskError, OSError) as exc:
            QMessageBox.warning(self, "Not exported", f"The report could not be written to {path}:\n{exc}")
            return
        self.last_written = [path]
        self._status(f"Weekly report {self.report.week.label} written to {path} ({pages} pages)")

    @Slot()
    def export_branches(self) -> None:
        """One PDF per active branch for the chosen week, into a folder, with progress."""
        from salesdesk.reports.weekly import weekly_report
        from salesdesk.reports.weekly_pdf import write_weekly_pdf

        week = self.selected_week()
        branches = [s for s in self.scopes if s.kind == "branch"]
        if week is None or not branches:
            return
        folder = ask_folder(self, self.settings, options.REPORTS_BATCH_FOLDER.key,
                            f"Write one weekly report per branch for {week.label} into")
        if folder is None:
            return
        targets, taken = [], set()
        for scope in branches:  # "Lyon (Sud)" and "Lyon Sud" must not write one file twice
            name = report_file_name(week, scope)
            n = 2
            while name in taken:
                name = report_file_name(week, scope).removesuffix(".pdf") + f"-{n}.pdf"
                n += 1
            taken.add(name)
            targets.append((scope, folder / name))
        try:  # the backup folder, a read-only copy...: refused before asking or writing anything
            for _, path in targets:
                check_output_path(path, self.db.path, replace=True)
        except SalesDeskError as exc:
            QMessageBox.warning(self, "Not exported", str(exc))
            return
        existing = [path for _, path in targets if path.exists()]
        if existing:
            answer = QMessageBox.question(
                self, "Replace reports?",
                f"{len(existing)} of these reports already exist in {folder} "
                f"(for example {existing[0].name}). Replace them?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return
        progress = QProgressDialog(f"Writing the weekly reports for {week.label}…", "Stop", 0, len(targets), self)
        progress.setObjectName("report_batch_progress")
        progress.setWindowTitle("One PDF per branch")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        written: list[Path] = []
        try:
            for n, (scope, path) in enumerate(targets):
                progress.setLabelText(f"Branch {scope.label} ({n + 1} of {len(targets)})…")
                progress.setValue(n)
                if progress.wasCanceled():
                    break
                with self.db.read() as reader:
                    report = weekly_report(reader, week, scope)
                write_weekly_pdf(report, path, database=self.db.path, replace=True)  # asked above
                written.append(path)
            progress.setValue(len(targets))
        except (SalesDeskError, OSError) as exc:
            progress.cancel()
            QMessageBox.warning(self, "Not all written",
                                f"Stopped at branch {scope.label}: {exc}\n\n{len(written)} of {len(targets)} "
                                f"reports were written to {folder}.")
            self.last_written = written
            return
        self.last_written = written
        stopped = "" if len(written) == len(targets) else f" (stopped: {len(targets) - len(written)} not written)"
        self._status(f"{len(written)} weekly reports for {week.label} written to {folder}{stopped}")
