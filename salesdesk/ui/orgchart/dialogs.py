"""The org chart's dialogs: a person, letting someone go, branches, the role ladder.

Dialogs collect values and hand them to the chart, which saves them as undo steps;
a refused value is shown next to its field and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView,
    QInputDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QRadioButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from salesdesk.clock import CLOCK
from salesdesk.domain.wording import counted, listed
from salesdesk.ui.dialogs.unsaved import AsksBeforeDiscarding
from salesdesk.ui.widgets.date_field import DateField
from salesdesk.ui.widgets.forms import error_label as _error_label
from salesdesk.ui.widgets.forms import labelled_row


class PersonDialog(AsksBeforeDiscarding, QDialog):
    """Hire (``person_id`` None, under ``manager_id``) or edit a person."""

    FIELDS = ("name", "email", "phone", "role", "manager", "branch", "hire_date")

    def __init__(self, db, parent=None, *, person_id: int | None = None, manager_id: int | None = None,
                 submit: Callable[[dict], None]):
        super().__init__(parent)
        from salesdesk.services.org import branch_list, org_people, role_ladder

        self.db, self.person_id, self._submit = db, person_id, submit
        self.setObjectName("person_dialog")
        self.setWindowTitle("Hire a person" if person_id is None else "Edit person")
        self.setMinimumWidth(460)
        with db.read() as reader:
            self.roles = role_ladder(reader)
            self.branches = [b for b in branch_list(reader) if b[4]]
            self.people = {p.id: p for p in org_people(reader)}
            everyone = {p.id: p for p in org_people(reader, include_inactive=True)}
        self.original = everyone.get(person_id) if person_id is not None else None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.errors: dict[str, QLabel] = {}

        def row(label, widget, field):
            self.errors[field] = _error_label(field)
            labelled_row(form, label, widget, self.errors[field])  # a buddy: Alt+N focuses the name

        self.name = QLineEdit()
        self.name.setObjectName("person_name")
        row("&Name", self.name, "name")
        self.email = QLineEdit()
        self.email.setObjectName("person_email")
        row("&Email", self.email, "email")
        self.phone = QLineEdit()
        self.phone.setObjectName("person_phone")
        row("&Phone", self.phone, "phone")
        self.role = QComboBox()
        self.role.setObjectName("person_role")
        for role_id, name, _rank, _count in self.roles:
            self.role.addItem(name, role_id)
        row("&Role", self.role, "role")
        self.manager = QComboBox()
        self.manager.setObjectName("person_manager")
        if person_id is None:
            for p in sorted(self.people.values(), key=lambda p: (p.rank, p.name)):
                self.manager.addItem(f"{p.name} ({p.role})", p.id)
            if manager_id is not None:
                self.manager.setCurrentIndex(max(0, self.manager.findData(manager_id)))
            row("Reports &to", self.manager, "manager")
        self.branch = QComboBox()
        self.branch.setObjectName("person_branch")
        self.branch.addItem("(the manager's branch)" if person_id is None else "(no branch)", None)
        for branch_id, name, *_ in self.branches:
            self.branch.addItem(name, branch_id)
        row("&Branch", self.branch, "branch")
        self.hire_date = DateField(field="hire_date")
        self.hire_date.setObjectName("person_hire_date")
        row("&Hired", self.hire_date, "hire_date")
        layout.addLayout(form)
        self.general_error = _error_label("general")
        layout.addWidget(self.general_error)
        if self.original is not None:
            o = self.original
            self.name.setText(o.name)
            self.email.setText(o.email or "")
            self.phone.setText(o.phone or "")
            self.role.setCurrentIndex(max(0, self.role.findData(o.role_id)))
            self.branch.setCurrentIndex(max(0, self.branch.findData(o.branch_id)) if o.branch_id else 0)
            self.hire_date.setDate(o.hire_date)
            if not o.active:
                layout.addWidget(QLabel("This person is no longer active."))
        else:
            self.role.setCurrentIndex(self.role.count() - 1)  # most hires are salespeople
            self.hire_date.setDate(CLOCK.today())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> dict:
        values = {
            "name": self.name.text(),
            "email": self.email.text().strip() or None,
            "phone": self.phone.text().strip() or None,
            "role_id": self.role.currentData(),
            "branch_id": self.branch.currentData(),
            "hire_date": self.hire_date.date(),  # text that is no date: refused under the field
        }
        if self.person_id is None:
            values["manager_id"] = self.manager.currentData()
            return values
        o = self.original
        assert o is not None  # the person being edited
        before = {"name": o.name, "email": o.email, "phone": o.phone, "role_id": o.role_id,
                  "branch_id": o.branch_id, "hire_date": o.hire_date}
        return {k: v for k, v in values.items() if v != before[k] and not (k == "name" and v.strip() == o.name)}

    @Slot()
    def save(self) -> None:
        from salesdesk.errors import SalesDeskError, ValidationError

        for label in (*self.errors.values(), self.general_error):
            label.hide()
        try:
            self._submit(self.values())
        except ValidationError as exc:
            label = self.errors.get(exc.field.replace("_id", ""), self.general_error)
            label.setText(str(exc))
            label.show()
            return
        except SalesDeskError as exc:
            self.general_error.setText(str(exc))
            self.general_error.show()
            return
        self.accept()

    def is_dirty(self) -> bool:
        """Something typed or chosen that is not saved (a new person: anything typed)."""
        if self.person_id is None:
            return bool(self.name.text().strip() or self.email.text().strip() or self.phone.text().strip())
        from salesdesk.errors import ValidationError

        try:
            return bool(self.values())
        except ValidationError:  # a hire date that is no date: unsaved typing
            return True

    unsaved_question = "Save the changes to this person?"

    def has_unsaved_edits(self) -> bool:
        return not self.db.read_only and self.is_dirty()

    def save_edits(self) -> None:
        self.save()  # stays open, with the reason, when the values are refused


class LetGoDialog(QDialog):
    """Deactivate (keeps the history) or remove a person; their reports and open deals
    need a new home, and the dialog says where they go."""

    def __init__(self, db, person_id: int, parent=None):
        super().__init__(parent)
        from salesdesk.services.org import departure, org_people

        self.setObjectName("let_go_dialog")
        self.setWindowTitle("Let someone go")
        with db.read() as reader:
            people = {p.id: p for p in org_people(reader)}
            leaving = departure(reader, person_id)  # the service written for this dialog
        person = people[person_id]
        manager = people.get(person.manager_id) if person.manager_id is not None else None
        reports = leaving.reports
        self.leaving = leaving
        layout = QVBoxLayout(self)
        lines = [f"<b>{person.name}</b> ({person.role}, {person.branch or 'no branch'})"]
        if reports:
            lines.append(f"Their {reports} direct report{'s' if reports != 1 else ''} will report to "
                         f"<b>{manager.name if manager else 'nobody'}</b>.")
        if leaving.needs_new_owner:
            work = [counted(n, one, many) for n, one, many in ((leaving.open_deals, "open deal", None),
                    (leaving.open_activities, "open activity", "open activities")) if n]
            lines.append(f"Their {listed(work)} need a new owner:")
        text = QLabel("<br>".join(lines))
        text.setWordWrap(True)
        layout.addWidget(text)
        self.recipient = QComboBox()
        self.recipient.setObjectName("let_go_recipient")
        for p in sorted(people.values(), key=lambda p: (p.rank, p.name)):
            if p.id != person_id:
                self.recipient.addItem(f"{p.name} ({p.role})", p.id)
        if manager is not None:
            self.recipient.setCurrentIndex(max(0, self.recipient.findData(manager.id)))
        self.recipient.setVisible(leaving.needs_new_owner)
        layout.addWidget(self.recipient)
        self.deactivate = QRadioButton("Deactivate: keep them in the history and the reports (recommended)")
        self.deactivate.setObjectName("let_go_deactivate")
        self.remove = QRadioButton("Remove completely")
        self.remove.setObjectName("let_go_remove")
        group = QButtonGroup(self)
        group.addButton(self.deactivate)
        group.addButton(self.remove)
        self.deactivate.setChecked(True)
        refused = leaving.why_not_removable  # the service's rule and words, as remove_person refuses
        if refused:
            self.remove.setEnabled(False)
            self.remove.setToolTip(refused)
            self.remove.setText("Remove completely (not possible)")
        layout.addWidget(self.deactivate)
        layout.addWidget(self.remove)
        if refused:
            why = QLabel(refused)
            why.setObjectName("let_go_refused")
            why.setWordWrap(True)
            layout.addWidget(why)
        layout.addWidget(QLabel("You can undo this with Ctrl+Z."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Let go")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def deals_to(self) -> int | None:
        return self.recipient.currentData() if self.leaving.needs_new_owner else None

    def remove_completely(self) -> bool:
        return self.remove.isChecked()


def _editor_step(dialog, text: str, do, undo) -> bool:
    """An editor dialog's change as an undo step of the chart: the dialog's list and the
    chart show the result (and show it again on undo and redo)."""
    from salesdesk.ui.operations import PEOPLE, run_step

    def shown(result, undone):
        dialog.load()
        dialog.chart.refresh()

    def failed(exc: Exception) -> None:
        QMessageBox.warning(dialog, "Not changed", str(exc))

    return run_step(dialog.chart.undo_stack, dialog.chart.db, text, do, undo, shown, failed, kinds={PEOPLE})


class BranchesDialog(QDialog):
    """Branches (territories): add, rename, (de)activate, delete; each an undo step."""

    def __init__(self, chart, parent=None):
        super().__init__(parent)
        self.chart = chart
        self.setObjectName("branches_dialog")
        self.setWindowTitle("Branches")
        self.resize(560, 360)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("branches_table")
        self.table.setHorizontalHeaderLabels(["Branch", "City", "People", "Active"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        for text, slot in (("Add…", self.add), ("Rename…", self.rename), ("Activate / deactivate", self.toggle),
                           ("Delete", self.delete)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.load()

    def load(self) -> None:
        from salesdesk.services.org import branch_list

        with self.chart.db.read() as reader:
            self.branches = branch_list(reader)
        self.table.setRowCount(len(self.branches))
        for r, (_branch_id, name, city, _region, active, people) in enumerate(self.branches):
            for c, value in enumerate((name, city or "", f"{people:,}", "yes" if active else "no")):
                self.table.setItem(r, c, QTableWidgetItem(value))

    def current(self):
        row = self.table.currentRow()
        return self.branches[row] if 0 <= row < len(self.branches) else None

    def _step(self, text, do, undo) -> bool:
        return _editor_step(self, text, do, undo)

    @Slot()
    def add(self) -> None:
        from salesdesk.services import branches

        name, ok = QInputDialog.getText(self, "New branch", "Name of the branch:")
        if not ok:
            return
        kept: dict[str, Any] = {}  # redo brings back the same row (same id), not a new branch

        def do(s):
            if "row" in kept:
                branches.restore_branch(s, kept["row"])
                return kept["row"]["id"]
            return branches.add_branch(s, name)

        def undo(s, branch_id):
            kept["row"] = branches.delete_branch(s, branch_id)

        self._step(f"Add branch {name}", do, undo)

    @Slot()
    def rename(self) -> None:
        from salesdesk.services import branches

        branch = self.current()
        if branch is None:
            return
        name, ok = QInputDialog.getText(self, "Rename branch", "New name:", text=branch[1])
        if ok:
            self._step(f"Rename branch {branch[1]}", lambda s: branches.rename_branch(s, branch[0], name),
                       lambda s, old: branches.rename_branch(s, branch[0], old))

    @Slot()
    def toggle(self) -> None:
        from salesdesk.services import branches

        branch = self.current()
        if branch is None:
            return
        active = not branch[4]
        self._step(f"{'Activate' if active else 'Deactivate'} branch {branch[1]}",
                   lambda s: branches.set_branch_active(s, branch[0], active),
                   lambda s, _r: branches.set_branch_active(s, branch[0], not active))

    @Slot()
    def delete(self) -> None:
        from salesdesk.services import branches

        branch = self.current()
        if branch is None:
            return
        branch_id, name = branch[:2]
        self._step(f"Delete branch {name}", lambda s: branches.delete_branch(s, branch_id),
                   lambda s, row: branches.restore_branch(s, row))


class RolesDialog(QDialog):
    """The role ladder, senior first: rename, add, move up or down, delete; each an undo step."""

    def __init__(self, chart, parent=None):
        super().__init__(parent)
        self.chart = chart
        self.setObjectName("roles_dialog")
        self.setWindowTitle("Role ladder")
        self.resize(420, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Senior first. A manager must hold a more senior role than their reports."))
        self.list = QListWidget()
        self.list.setObjectName("roles_list")
        layout.addWidget(self.list)
        row = QHBoxLayout()
        for text, slot in (("Add…", self.add), ("Rename…", self.rename), ("Move up", self.up), ("Move down", self.down),
                           ("Delete", self.delete)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addLayout(row)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.load()

    def load(self) -> None:
        from salesdesk.services.org import role_ladder

        row = self.list.currentRow()
        with self.chart.db.read() as reader:
            self.roles = role_ladder(reader)
        self.list.clear()
        for role_id, name, rank, people in self.roles:
            item = QListWidgetItem(f"{rank}. {name}  ({people} {'person' if people == 1 else 'people'})")
            item.setData(Qt.ItemDataRole.UserRole, role_id)
            self.list.addItem(item)
        if 0 <= row < self.list.count():
            self.list.setCurrentRow(row)

    def _step(self, text, do, undo) -> bool:
        return _editor_step(self, text, do, undo)

    def current(self):
        row = self.list.currentRow()
        return (row, self.roles[row]) if 0 <= row < len(self.roles) else (None, None)

    @Slot()
    def add(self) -> None:
        from salesdesk.services import roles

        row, _ = self.current()
        position = (row + 2) if row is not None else len(self.roles) + 1
        name, ok = QInputDialog.getText(self, "New role", f"Name of the role (rank {position}):")
        if not ok:
            return
        kept: dict[str, Any] = {}  # redo brings back the same role (same id and rank)

        def do(s):
            if "role" in kept:
                roles.restore_role(s, kept["role"])
                return kept["role"].id
            return roles.add_role(s, name, position)

        def undo(s, role_id):
            kept["role"] = roles.delete_role(s, role_id)

        self._step(f"Add role {name}", do, undo)

    @Slot()
    def rename(self) -> None:
        from salesdesk.services import roles

        _, role = self.current()
        if role is None:
            return
        name, ok = QInputDialog.getText(self, "Rename role", "New name:", text=role[1])
        if ok:
            old = role[1]
            self._step(f"Rename role {old}", lambda s: roles.rename_role(s, role[0], name),
                       lambda s, _r: roles.rename_role(s, role[0], old))

    def _move(self, step: int) -> None:
        from salesdesk.services import roles

        row, role = self.current()
        if role is None or not 0 <= row + step < len(self.roles):
            return
        order = [r[0] for r in self.roles]
        order.insert(row + step, order.pop(row))
        if self._step(f"Move role {role[1]} {'up' if step < 0 else 'down'}", lambda s: roles.reorder_roles(s, order),
                      lambda s, previous: roles.reorder_roles(s, previous)):
            self.list.setCurrentRow(row + step)

    @Slot()
    def up(self) -> None:
        self._move(-1)

    @Slot()
    def down(self) -> None:
        self._move(1)

    @Slot()
    def delete(self) -> None:
        from salesdesk.services import roles

        row, role = self.current()
        if role is None:
            return
        role_id, name = role[:2]
        self._step(f"Delete role {name}", lambda s: roles.delete_role(s, role_id),
                   lambda s, deleted: roles.restore_role(s, deleted))
