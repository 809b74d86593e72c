"""Activities screen (placeholder until the agenda lands): what is due and overdue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from salesdesk.db.engine import Database
from salesdesk.ui.format import plural
from salesdesk.ui.history import History
from salesdesk.ui.operations import DEALS
from salesdesk.ui.screen import Screen
from salesdesk.ui.widgets.cards import BreakdownRow
from salesdesk.ui.widgets.placeholder import PlaceholderPage

if TYPE_CHECKING:  # the services bring SQLAlchemy: not needed for the first paint
    from salesdesk.services.summary import ActivitiesSummary

KIND_NAMES = {"call": "Calls", "meeting": "Meetings", "email": "Emails", "task": "Tasks"}


class ActivitiesScreen(Screen):
    key = "activities"
    shows = frozenset({DEALS})
    title = "Activities"
    icon_name = "activities"
    description = (
        "Plan calls, meetings, emails and tasks against your deals and customers, and never miss "
        "a follow-up: today's and overdue ones come first."
    )

    def __init__(self, db: Database, parent: QWidget | None = None, settings: QSettings | None = None,
                 undo_stack: History | None = None):
        super().__init__(db, parent, settings, undo_stack)
        self.page = PlaceholderPage(self.icon_name, self.title, self.description)
        self.layout_.addWidget(self.page)
        self.summary: ActivitiesSummary | None = None  # the figures, once read

    def refresh(self) -> None:
        from salesdesk.services.summary import (
            activities_summary,  # SQLAlchemy: not needed for the first paint
        )

        with self.db.session() as session:
            self.summary = s = activities_summary(session)
        page = self.page
        page.card("today", "Due today").set(f"{s.due_today:,}", "open activities")
        page.card("overdue", "Overdue").set(f"{s.overdue:,}", "past their due date", tone="danger" if s.overdue else "")
        page.card("week", "Later this week").set(f"{s.due_this_week:,}", "due after today")
        page.card("done", "Done this week").set(f"{s.done_this_week:,}", "completed")
        most = max((n for _, n in s.open_by_kind), default=0) or 1
        page.breakdown("kinds", "Open activities by kind").set_rows(
            [BreakdownRow(KIND_NAMES.get(k, k.title()), plural(n, "activity", "activities"), "", n / most)
             for k, n in s.open_by_kind],
            "No open activities.",
        )
