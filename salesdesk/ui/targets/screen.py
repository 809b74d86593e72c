"""Targets screen: each person's targets against what they actually won, with charts."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from salesdesk.db.engine import Database
from salesdesk.ui.history import History
from salesdesk.ui.operations import DEALS, PEOPLE, RATES, SETTINGS, TARGETS
from salesdesk.ui.screen import Screen
from salesdesk.ui.targets.view import TargetsWidget


class TargetsScreen(Screen):
    key = "targets"
    shows = frozenset({TARGETS, DEALS, PEOPLE, RATES, SETTINGS})
    title = "Targets"
    icon_name = "targets"
    description = (
        "Set each person's targets by week, month, quarter or year, split a manager's target "
        "among their team, and follow actuals and the forecast against them."
    )

    def __init__(self, db: Database, parent: QWidget | None = None, settings: QSettings | None = None,
                 undo_stack: History | None = None):
        super().__init__(db, parent, settings, undo_stack)
        self.targets = TargetsWidget(db, self.undo_stack, settings, self)
        self.layout_.addWidget(self.targets)

    def refresh(self) -> None:
        self.targets.refresh()

    def menu(self) -> tuple[str, list]:
        return "&Targets", [self.export_action("targets", "Export Targets…")]
