"""Reports screen (placeholder until the preview lands): this week so far."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from salesdesk.db.engine import Database
from salesdesk.ui.format import compact_money, plural
from salesdesk.ui.screen import Screen
from salesdesk.ui.widgets.placeholder import PlaceholderPage


class ReportsScreen(Screen):
    key = "reports"
    title = "Reports"
    icon_name = "reports"
    description = (
        "Preview the weekly report for the company, a branch, a team or one person, and send it "
        "to your director as a PDF: wins, losses, moves, stale deals and attainment."
    )

    def __init__(self, db: Database, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(db, parent, settings)
        self.page = PlaceholderPage(self.icon_name, self.title, self.description)
        self.layout_.addWidget(self.page)
        self.summary = None  # a services.summary figure set, once read

    def refresh(self) -> None:
        from salesdesk.services.summary import week_summary  # SQLAlchemy: not needed for the first paint

        with self.db.session() as session:
            self.summary = s = week_summary(session)
        week = f"week {s.week}"
        page = self.page
        page.card("won", "Won this week").set(compact_money(s.won_amount, s.currency), plural(s.won_deals, "deal"),
                                              tone="success" if s.won_deals else "")
        page.card("new", "New deals").set(f"{s.new_deals:,}", week)
        page.card("lost", "Lost deals").set(f"{s.lost_deals:,}", week)
        page.card("moves", "Stage changes").set(f"{s.stage_changes:,}", "deals moved between stages")
        page.card("activities", "Activities done").set(f"{s.activities_done:,}", week)
        page.card("notes", "Weekly notes").set(f"{s.notes_written:,}", "written for this week")
