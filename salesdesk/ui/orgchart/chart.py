"""The org chart editor: a toolbar, the chart, and a side panel for the selected person.

Every edit is one undo step on the screen's stack (``commands.run_step``): the service
saves it in one transaction, then the chart mirrors it; a refused edit says which rule
it broke and changes nothing.
"""

from __future__ import annotations

import gc
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QStringListModel, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton, QComboBox, QCompleter, QHBoxLayout, QInputDialog, QLabel, QLineEdit, QMenu, QMessageBox,
    QPushButton, QToolButton, QVBoxLayout, QWidget,
)

from salesdesk.clock import CLOCK
from salesdesk.ui.history import History
from salesdesk.ui.operations import DEALS, PEOPLE, TARGETS, run_step
from salesdesk.ui.orgchart.panel import PersonPanel
from salesdesk.ui.orgchart.scene import OrgChartScene
from salesdesk.ui.orgchart.view import OrgChartView


def _people():
    """The people services (SQLAlchemy): imported on the first edit, not to paint."""
    from salesdesk.services import people

    return people


class OrgChartWidget(QWidget):
    # The find box hides the static QWidget.find(id), which nothing here calls; tests use the name.
    find: QLineEdit  # type: ignore[assignment]

    def __init__(self, db, undo_stack: History, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self.db = db
        self.undo_stack = undo_stack
        self.settings = settings or QSettings()
        self.scene = OrgChartScene(self.font(), self)
        self.view = OrgChartView(self.scene)
        self.view.read_only = db.read_only
        self.panel = PersonPanel(db)
        self._fitted = False
        self._boxes_wanted = False
        self._build()
        self._build_actions()
        self.scene.current_changed.connect(self._on_current_changed)
        self.view.move_requested.connect(self.move_person)
        self.view.open_requested.connect(self.edit_person)
        self.view.zoom_changed.connect(self._on_zoom)
        self.view.painted.connect(self._after_paint)
        self.panel.person_chosen.connect(self.find_person)

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(12, 10, 12, 10)
        bar.setSpacing(8)
        self.find = QLineEdit()
        self.find.setObjectName("org_find")
        self.find.setPlaceholderText("Find a person (Ctrl+F)")
        self.find.setClearButtonEnabled(True)
        self.find.setMinimumWidth(180)
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self.find)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self.find_by_name)
        self.find.setCompleter(completer)
        self.find.returnPressed.connect(self._on_find_return)
        self.colour_box = QComboBox()
        self.colour_box.setObjectName("org_colour_by")
        self.colour_box.addItem("Colour by branch", "branch")
        self.colour_box.addItem("Colour by role", "role")
        self.colour_box.activated.connect(self._on_colour)
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(44)
        bar.addWidget(self.find)
        bar.addWidget(self.colour_box)
        self.buttons: dict[str, QAbstractButton] = {}
        for name, text in (("fit", "Fit"), ("expand", "Expand all"), ("collapse", "Collapse")):
            self.buttons[name] = button = QToolButton()
            button.setText(text)
            button.setAutoRaise(True)
            bar.addWidget(button)
        bar.addWidget(self.zoom_label)
        bar.addStretch(1)
        for name, text in (("add", "Add person…"), ("edit", "Edit…"), ("remove", "Let go…")):
            self.buttons[name] = push = QPushButton(text)
            push.setObjectName(f"org_{name}")
            bar.addWidget(push)
        self.more = QToolButton()
        self.more.setText("More")
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bar.addWidget(self.more)
        layout.addLayout(bar)
        body = QHBoxLayout()
        body.setSpacing(0)
        body.addWidget(self.view, 1)
        body.addWidget(self.panel)
        layout.addLayout(body, 1)

    def _build_actions(self) -> None:
        def action(text, keys, slot, name, writes=False):
            act = QAction(text, self)
            act.setObjectName(name)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            if writes and self.db.read_only:
                act.setEnabled(False)
            self.addAction(act)
            return act

        self.add_action = action("Add person…", ["Ctrl+N", "Insert"], self.add_person, "org_add_person", True)
        self.edit_action = action("Edit person…", ["Return", "Enter"], self.edit_current, "org_edit_person", True)
        self.remove_action = action("Let go…", ["Delete"], self.remove_current, "org_remove_person", True)
        # Return and Delete mean the selected box only while the chart has the focus:
        # in the find field they must keep their own meaning.
        for act in (self.edit_action, self.remove_action):
            self.removeAction(act)
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.view.addAction(act)
        self.team_branch_action = action("Move team to branch…", [], self.move_team_to_branch, "org_team_branch", True)
        self.bring_back_action = action("Bring back former staff…", [], self.bring_back, "org_bring_back", True)
        self.branches_action = action("Branches…", [], self.edit_branches, "org_branches", True)
        self.roles_action = action("Role ladder…", [], self.edit_roles, "org_roles", True)
        self.fit_action = action("Fit to window", ["Ctrl+0"], self.view.fit, "org_fit")
        self.zoom_in_action = action("Zoom in", ["Ctrl++", "Ctrl+="], partial(self.view.zoom_by, 1.25), "org_zoom_in")
        self.zoom_out_action = action("Zoom out", ["Ctrl+-"], partial(self.view.zoom_by, 0.8), "org_zoom_out")
        self.find_action = action("Find a person", ["Ctrl+F"], self._focus_find, "org_find_action")
        self.expand_action = action("Expand all", [], partial(self.scene.set_all_collapsed, False), "org_expand")
        self.collapse_action = action("Collapse below managers", [], partial(self.scene.set_all_collapsed, True, 2), "org_collapse")
        self.export_png_action = action("Export as PNG…", [], self.export_png, "org_export_png")
        self.export_pdf_action = action("Export as PDF…", [], self.export_pdf, "org_export_pdf")
        for name, act in (("fit", self.fit_action), ("expand", self.expand_action),
                          ("collapse", self.collapse_action)):
            tool = self.buttons[name]
            assert isinstance(tool, QToolButton)  # the tool buttons of _build
            tool.setDefaultAction(act)
        self.buttons["fit"].setText("Fit")
        self.buttons["collapse"].setText("Collapse")
        self.buttons["add"].clicked.connect(self.add_person)
        self.buttons["edit"].clicked.connect(self.edit_current)
        self.buttons["remove"].clicked.connect(self.remove_current)
        for name in ("add", "edit", "remove"):
            self.buttons[name].setEnabled(not self.db.read_only)
        menu = QMenu(self.more)
        for act in (self.team_branch_action, self.bring_back_action, self.branches_action, self.roles_action, None,
                    self.export_png_action, self.export_pdf_action):
            menu.addSeparator() if act is None else menu.addAction(act)
        self.more.setMenu(menu)

    def menu_actions(self) -> list:
        return [self.add_action, self.edit_action, self.remove_action, self.bring_back_action, None, self.team_branch_action,
                self.branches_action, self.roles_action, None, self.find_action, self.fit_action,
                self.zoom_in_action, self.zoom_out_action, self.expand_action, self.collapse_action, None,
                self.export_png_action, self.export_pdf_action]

    # -- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        from salesdesk.services.org import chart_people

        current = self.scene.current()
        # Building 10,000 snapshots would set off the cycle collector several times
        # over; none of them form cycles, so it waits until the chart is built.
        collecting = gc.isenabled()
        gc.disable()
        try:
            with self.db.read() as reader:
                people = chart_people(reader)
            self.scene.set_colour_by(self.colour_box.currentData())
            self.scene.set_people(people)
        finally:
            if collecting:
                gc.enable()
        if self._fitted and not self.scene.overview.isVisible():
            self.scene.make_boxes()  # already looking at boxes: all of them now
        else:  # after the first paint: it shows blocks and needs no box
            self._boxes_wanted = True
        self._names.setStringList(sorted(p.name for p in people))
        if current and current in self.scene.items:
            self.scene.select(current)
        if not self._fitted and self.isVisible():
            self._initial_view()
        self.panel.show_person(self.scene.current())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:
            QTimer.singleShot(0, self._initial_view)

    @Slot()
    def _after_paint(self) -> None:
        if self._boxes_wanted:
            self._boxes_wanted = False
            QTimer.singleShot(0, self._make_boxes_in_idle_time)

    @Slot()
    def _make_boxes_in_idle_time(self) -> None:
        """Boxes for a large company are made a slice at a time, between events, while
        the chart is on screen (zooming in makes the rest at once)."""
        if not self.isVisible():
            self._boxes_wanted = bool(self.scene._pending)
            return
        if not self.scene.make_boxes(limit=1500):
            QTimer.singleShot(0, self._make_boxes_in_idle_time)

    @Slot()
    def _initial_view(self) -> None:
        """The whole chart if it can be read that way.  A company of a few hundred opens
        with as many levels expanded as fit the window readably (the rest collapsed, a
        click away), its top selected; a larger one opens whole, from far out, where the
        shape of the organisation shows (zoom in to read)."""
        if self._fitted or not self.scene.roots:
            return
        self._fitted = True
        self.view.fit()
        if self.view.zoom() >= 0.55 or len(self.scene.people) > 500:
            return
        width = max(1, self.view.viewport().width())
        depth = 1
        for candidate in range(1, 8):
            self.scene.set_all_collapsed(True, below_depth=candidate)
            if width / max(1.0, self.scene.overview.rect.width() + 120) < 0.6:
                break
            depth = candidate
            if not self.scene.collapsed:
                break
        self.scene.set_all_collapsed(True, below_depth=depth)
        self.view.fit()
        if self.view.zoom() < 0.55:
            self.view.set_zoom(0.8)
        self.view.centerOn(self.scene.sceneRect().center().x(), self.view.mapToScene(self.view.viewport().rect().center()).y())
        top = self.scene.box_rect(self.scene.roots[0])
        self.view.ensureVisible(top, 40, 40)
        self.scene.select(self.scene.roots[0])

    # -- finding and looking ------------------------------------------------------------------
    @Slot()
    def _focus_find(self) -> None:
        self.find.setFocus()
        self.find.selectAll()

    @Slot(str)
    def find_by_name(self, name: str) -> bool:
        wanted = name.strip().lower()
        matches = [p for p in self.scene.people.values() if p.name.lower() == wanted] or \
                  [p for p in self.scene.people.values() if wanted and wanted in p.name.lower()]
        if not matches:
            window = self.window()
            if hasattr(window, "statusBar"):
                window.statusBar().showMessage(f"Nobody called “{name}”", 4000)
            return False
        self.find_person(matches[0].id)
        return True

    @Slot()
    def _on_find_return(self) -> None:
        self.find_by_name(self.find.text())

    @Slot(int)
    def find_person(self, person_id: int) -> None:
        self.view.centre_on(person_id)

    @Slot(int)
    def _on_colour(self, index: int) -> None:
        self.scene.set_colour_by(self.colour_box.itemData(index))

    @Slot(float)
    def _on_zoom(self, scale: float) -> None:
        self.zoom_label.setText(f"{scale * 100:.0f} %")

    @Slot(int)
    def _on_current_changed(self, person_id: int) -> None:
        self.panel.show_person(person_id)
        for name in ("edit", "remove"):
            self.buttons[name].setEnabled(bool(person_id) and not self.db.read_only)

    # -- edits ---------------------------------------------------------------------------------
    def _refused(self, exc: Exception) -> None:
        from salesdesk.errors import SalesDeskError, cause

        self.refresh()
        if isinstance(exc, SalesDeskError):
            QMessageBox.warning(self, "Not changed", str(exc))
        else:
            QMessageBox.warning(self, "Not saved", f"The change could not be saved: {cause(exc)}")

    def _reload_after(self, select: int | None = None):
        def shown(result, undone):
            self.refresh()
            if select:
                self.scene.select(select)
        return shown

    @Slot(int, int)
    def move_person(self, person_id: int, manager_id: int) -> bool:
        """Drop of a person onto a new manager: their whole team moves with them."""
        people = self.scene.people
        name, manager = people[person_id].name, people[manager_id].name

        def shown(old_manager, undone):
            self.scene.apply_manager(person_id, old_manager if undone else manager_id)
            self.scene.select(person_id)
            self.panel.show_person(person_id)

        return run_step(self.undo_stack, self.db, f"Move {name} under {manager}",
                        lambda s: _people().move_person(s, person_id, manager_id),
                        lambda s, old: _people().move_person(s, person_id, old),
                        shown, self._refused, kinds={PEOPLE}, ids={person_id})

    @Slot()
    def add_person(self) -> None:
        from salesdesk.ui.orgchart.dialogs import PersonDialog

        manager = self.scene.current() or None
        dialog = PersonDialog(self.db, self, manager_id=manager, submit=self._submit_new)
        dialog.exec()

    def _submit_new(self, values: dict) -> None:
        name = values["name"].strip()
        holder: dict[str, Any] = {}

        def do(session):
            if "removal" in holder:  # redo: bring back the same row
                _people().restore_person(session, holder["removal"])
                return holder["id"]
            holder["id"] = _people().add_person(session, **values)
            return holder["id"]

        def undo(session, person_id):
            holder["removal"] = _people().remove_person(session, person_id)

        def shown(person_id, undone):
            self.refresh()
            if not undone:
                self.view.centre_on(person_id)

        run_step(self.undo_stack, self.db, f"Hire {name}", do, undo, shown, self._refused, kinds={PEOPLE},
                 raise_errors=True)

    @Slot()
    def edit_current(self) -> None:
        if self.scene.current():
            self.edit_person(self.scene.current())

    @Slot(int)
    def edit_person(self, person_id: int) -> None:
        from salesdesk.ui.orgchart.dialogs import PersonDialog

        dialog = PersonDialog(self.db, self, person_id=person_id, submit=partial(self._submit_edit, person_id))
        dialog.exec()

    def _submit_edit(self, person_id: int, changes: dict) -> None:
        if not changes:
            return
        name = self.scene.people[person_id].name
        holder = {}

        def do(session):
            holder["before"] = _people().edit_person(session, person_id, **changes)
            return holder["before"]

        run_step(self.undo_stack, self.db, f"Edit {name}", do,
                 lambda s, before: _people().edit_person(s, person_id, **before),
                 self._reload_after(person_id), self._refused, kinds={PEOPLE}, ids={person_id}, raise_errors=True)

    @Slot()
    def remove_current(self) -> None:
        from salesdesk.ui.orgchart.dialogs import LetGoDialog

        person_id = self.scene.current()
        if not person_id:
            return
        dialog = LetGoDialog(self.db, person_id, self)
        if dialog.exec() != LetGoDialog.DialogCode.Accepted:
            return
        name = self.scene.people[person_id].name
        deals_to = dialog.deals_to()
        if dialog.remove_completely():
            run_step(self.undo_stack, self.db, f"Remove {name}",
                     lambda s: _people().remove_person(s, person_id, deals_to),
                     lambda s, removal: _people().restore_person(s, removal),
                     self._reload_after(), self._refused, kinds={PEOPLE, DEALS, TARGETS}, ids={person_id})
        else:
            run_step(self.undo_stack, self.db, f"Deactivate {name}",
                     lambda s: _people().deactivate_person(s, person_id, deals_to),
                     lambda s, record: _people().reactivate_person(s, person_id, record),
                     self._reload_after(), self._refused, kinds={PEOPLE, DEALS}, ids={person_id})

    @Slot()
    def move_team_to_branch(self) -> None:
        from salesdesk.services.org import branch_list

        person_id = self.scene.current()
        if not person_id:
            return
        with self.db.read() as reader:
            branches = [b for b in branch_list(reader) if b[4]]
        names = [b[1] for b in branches]
        person = self.scene.people[person_id]
        team = len(self.scene.subtree(person_id))
        current = names.index(person.branch) if person.branch in names else 0
        choice, ok = QInputDialog.getItem(self, "Move team to branch",
                                          f"Move {person.name} and their team ({team} people) to:", names, current, False)
        if not ok:
            return
        branch_id = branches[names.index(choice)][0]
        run_step(self.undo_stack, self.db, f"Move {person.name}'s team to {choice}",
                 lambda s: _people().move_team_to_branch(s, person_id, branch_id),
                 lambda s, previous: _people().restore_branches(s, previous),
                 self._reload_after(person_id), self._refused, kinds={PEOPLE})

    @Slot()
    def bring_back(self) -> None:
        """Reactivate someone who was let go (under their former manager)."""
        from salesdesk.services.org import chart_people

        with self.db.read() as reader:
            former = [p for p in chart_people(reader, include_inactive=True) if not p.active]
        if not former:
            QMessageBox.information(self, "Bring back former staff", "Nobody has left: there is nobody to bring back.")
            return
        labels = [f"{p.name} ({p.role}, {p.branch or 'no branch'})" for p in former]
        choice, ok = QInputDialog.getItem(self, "Bring back former staff", "Who comes back?", labels, 0, False)
        if ok:
            self.reactivate(former[labels.index(choice)].id)

    def reactivate(self, person_id: int) -> bool:
        def shown(result, undone):
            self.refresh()
            if not undone:
                self.view.centre_on(person_id)

        return run_step(self.undo_stack, self.db, "Bring back a former colleague",
                        lambda s: _people().reactivate_person(s, person_id),
                        lambda s, _r: _people().deactivate_person(s, person_id),
                        shown, self._refused, kinds={PEOPLE}, ids={person_id})

    @Slot()
    def edit_branches(self) -> None:
        from salesdesk.ui.orgchart.dialogs import BranchesDialog

        BranchesDialog(self, self).exec()

    @Slot()
    def edit_roles(self) -> None:
        from salesdesk.ui.orgchart.dialogs import RolesDialog

        RolesDialog(self, self).exec()

    # -- export --------------------------------------------------------------------------------
    def _export_path(self, kind: str, suffix: str) -> Path | None:
        from salesdesk.ui.options import ORG_EXPORT_FOLDER
        from salesdesk.ui.widgets.save_path import ask_save_path

        return ask_save_path(self, self.settings, ORG_EXPORT_FOLDER.key,
                             f"Export the org chart as {kind}", f"org-chart.{suffix}", kind, suffix,
                             database=self.db.path)

    @Slot()
    def export_png(self, path: Path | None = None) -> Path | None:
        from salesdesk.ui.orgchart.export import export_png
        from salesdesk.ui.widgets.save_path import written_or_refused

        path = path or self._export_path("PNG", "png")
        return path and written_or_refused(self, lambda: export_png(self.scene, path, database=self.db.path))

    @Slot()
    def export_pdf(self, path: Path | None = None) -> Path | None:
        from salesdesk.ui.orgchart.export import export_pdf
        from salesdesk.ui.widgets.save_path import written_or_refused

        path = path or self._export_path("PDF", "pdf")
        title = f"Org chart — {CLOCK.today():%d %b %Y}"
        return path and written_or_refused(self, lambda: export_pdf(self.scene, path, title, database=self.db.path))
