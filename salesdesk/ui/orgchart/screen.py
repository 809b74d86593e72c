"""Org chart screen: the sales hierarchy as a chart that the user edits by hand."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from salesdesk.db.engine import Database
from salesdesk.ui.history import History
from salesdesk.ui.orgchart.chart import OrgChartWidget
from salesdesk.ui.operations import DEALS, PEOPLE, RATES, SETTINGS, TARGETS
from salesdesk.ui.screen import Screen


class OrgChartScreen(Screen):
    key = "orgchart"
    shows = frozenset({PEOPLE, DEALS, TARGETS, RATES, SETTINGS})
    title = "Org chart"
    icon_name = "orgchart"
    description = (
        "See who reports to whom in every branch, move people to a new manager by dragging them, "
        "and keep roles and branches current as the team changes."
    )

    def __init__(self, db: Database, parent: QWidget | None = None, settings: QSettings | None = None,
                 undo_stack: History | None = None):
        super().__init__(db, parent, settings, undo_stack)
        self.chart = OrgChartWidget(db, self.undo_stack, settings, self)
        self.layout_.addWidget(self.chart)

    def refresh(self) -> None:
        self.chart.refresh()

    def menu(self) -> tuple[str, list]:
        return "&People", [*self.chart.menu_actions(), self.export_action("people", "Export People…")]
