"""Targets screen (placeholder until the table and charts land): won against target."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from salesdesk.db.engine import Database
from salesdesk.ui.format import compact_money, money, percent, plural
from salesdesk.ui.screen import Screen
from salesdesk.ui.widgets.placeholder import PlaceholderPage


class TargetsScreen(Screen):
    key = "targets"
    title = "Targets"
    icon_name = "targets"
    description = (
        "Set each person's targets by week, month, quarter or year, split a manager's target "
        "among their team, and follow actuals and the forecast against them."
    )

    def __init__(self, db: Database, parent: QWidget | None = None, settings: QSettings | None = None):
        super().__init__(db, parent, settings)
        self.page = PlaceholderPage(self.icon_name, self.title, self.description)
        self.layout_.addWidget(self.page)
        self.summary = None  # a services.summary figure set, once read

    def refresh(self) -> None:
        from salesdesk.services.summary import targets_summary  # SQLAlchemy: not needed for the first paint

        with self.db.session() as session:
            self.summary = s = targets_summary(session)
        cur = s.currency
        page = self.page
        page.card("won_month", "Won this month").set(compact_money(s.won_this_month, cur), s.month)
        page.card("won_quarter", "Won this quarter").set(
            compact_money(s.won_this_quarter, cur), f"{plural(s.won_deals_this_quarter, 'deal')} in {s.quarter}"
        )
        if s.company_quarter_target is None:
            page.card("target", "Quarter target").set("Not set", f"no company target for {s.quarter}")
        else:
            page.card("target", "Quarter target").set(compact_money(s.company_quarter_target, cur), money(s.company_quarter_target, cur))
        attainment = s.attainment
        page.card("attainment", "Attainment").set(
            percent(attainment), "of the quarter target" if attainment is not None else "set a target to follow it",
            tone="success" if attainment is not None and attainment >= 1 else "",
        )
        page.card("people", "People with targets").set(f"{s.people_with_targets:,}", f"in {s.quarter}")
        page.card("targets_year", "Targets this year").set(f"{s.targets_this_year:,}", "all periods and metrics")
