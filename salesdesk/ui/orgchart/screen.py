"""Org chart screen (placeholder until the chart lands): people per branch and role."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from salesdesk.db.engine import Database
from salesdesk.ui.format import plural
from salesdesk.ui.screen import Screen
from salesdesk.ui.widgets.cards import BreakdownRow
from salesdesk.ui.widgets.placeholder import PlaceholderPage


class OrgChartScreen(Screen):
    key = "orgchart"
    title = "Org chart"
    icon_name = "orgchart"
    description = (
        "See who reports to whom in every branch, move people to a new manager by dragging them, "
        "and keep roles and branches current as the team changes."
    )

    def __init__(self, db: Database, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(db, parent, settings)
        self.page = PlaceholderPage(self.icon_name, self.title, self.description)
        self.layout_.addWidget(self.page)
        self.summary = None  # a services.summary figure set, once read

    def refresh(self) -> None:
        from salesdesk.services.summary import org_summary  # SQLAlchemy: not needed for the first paint

        with self.db.session() as session:
            self.summary = summary = org_summary(session)
        real_branches = [b for b in summary.branches if b.branch_id is not None]
        page = self.page
        page.card("people", "People").set(f"{summary.people:,}", "active in the organisation")
        page.card("managers", "Managers").set(f"{summary.managers:,}", "people with direct reports")
        page.card("branches", "Branches").set(f"{len(real_branches):,}", "active branches")
        page.card("top", "Top of the organisation").set(summary.top or "–", "" if summary.top else "nobody yet")
        most = max((b.people for b in summary.branches), default=0) or 1
        page.breakdown("branches", "People per branch").set_rows(
            [BreakdownRow(b.name, plural(b.people, "person", "people"), "", b.people / most,
                          b.city if b.city and b.city != b.name else "")
             for b in summary.branches],
            "No branches yet.",
        )
        most_role = max((r.people for r in summary.roles), default=0) or 1
        page.breakdown("roles", "People per role").set_rows(
            [BreakdownRow(r.name, plural(r.people, "person", "people"), "", r.people / most_role) for r in summary.roles],
            "No roles yet.",
        )
