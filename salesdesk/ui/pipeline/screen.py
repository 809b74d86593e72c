"""Pipeline screen: the kanban board of the selected pipeline."""

from __future__ import annotations

from PySide6.QtCore import QSettings, QTimer, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from salesdesk.db.engine import Database
from salesdesk.ui.history import History
from salesdesk.ui.pipeline.board import BoardWidget
from salesdesk.ui.operations import DEALS, PEOPLE, RATES, SETTINGS, STAGES
from salesdesk.ui.screen import Screen


class PipelineScreen(Screen):
    key = "pipeline"
    shows = frozenset({DEALS, STAGES, PEOPLE, RATES, SETTINGS})
    title = "Pipeline"
    icon_name = "pipeline"
    description = (
        "Drag deals across the nine stages of your sales process, spot the ones that have gone "
        "stale, and see each column's total and weighted value as you go."
    )

    def __init__(self, db: Database, parent: QWidget | None = None, settings: QSettings | None = None,
                 undo_stack: History | None = None):
        super().__init__(db, parent, settings, undo_stack)
        self.board = BoardWidget(db, self.undo_stack, settings, self)
        self.board.status_message.connect(self._show_status)
        self.layout_.addWidget(self.board)

    def refresh(self) -> None:
        self.board.refresh()

    def menu(self) -> tuple[str, list]:
        b = self.board
        return "&Deal", [b.new_action, b.open_action, None, b.next_stage_action, b.prev_stage_action, None,
                         b.delete_action, b.closed_action, None, b.density_menu.menuAction(), None,
                         self.export_action("deals", "Export Deals…")]

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # The Deal menu's keys act on the board (they would take Delete from other
        # screens' lists otherwise): so it has the focus whenever it is on view.
        # After the switch: the stack moves focus about once the new screen is shown.
        self.board.take_focus()
        QTimer.singleShot(0, self.board.take_focus)

    @Slot(str)
    def _show_status(self, text: str) -> None:
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(text, 5000)
