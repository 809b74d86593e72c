"""Pipeline screen (placeholder until the board lands): open deals per stage."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QWidget

from salesdesk.db.engine import Database
from salesdesk.services.summary import PipelineSummary, pipeline_summary
from salesdesk.ui.format import compact_money, money, plural
from salesdesk.ui.screen import Screen
from salesdesk.ui.widgets.cards import BreakdownRow
from salesdesk.ui.widgets.placeholder import PlaceholderPage


class PipelineScreen(Screen):
    key = "pipeline"
    title = "Pipeline"
    icon_name = "pipeline"
    description = (
        "Drag deals across the nine stages of your sales process, spot the ones that have gone "
        "stale, and see each column's total and weighted value as you go."
    )

    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(db, parent)
        self.page = PlaceholderPage(self.icon_name, self.title, self.description)
        self.layout_.addWidget(self.page)
        self.summary: PipelineSummary | None = None

    def refresh(self) -> None:
        with self.db.session() as session:
            self.summary = summary = pipeline_summary(session)
        cur = summary.currency
        won = [s for s in summary.stages if s.is_won]
        page = self.page
        page.card("open_deals", "Open deals").set(f"{summary.open_deals:,}", f"in {summary.name or 'no pipeline'}")
        page.card("open_value", "Pipeline value").set(compact_money(summary.open_amount, cur), money(summary.open_amount, cur))
        page.card("weighted", "Weighted value").set(
            compact_money(summary.weighted_amount, cur), "amount × win probability"
        )
        won_count = sum(s.deals for s in won)
        won_amount = sum((s.amount for s in won), Decimal(0))
        page.card("won", "Won").set(
            f"{won_count:,}", f"{money(won_amount, cur)} in Deal and After Sales" if won else "", tone="success" if won_count else ""
        )
        largest = max((s.amount for s in summary.open_stages), default=0) or 1
        page.breakdown("stages", "Open deals by stage").set_rows(
            [
                BreakdownRow(s.name, plural(s.deals, "deal"), money(s.amount, cur), float(s.amount / largest), f"{s.probability}%")
                for s in summary.open_stages
            ],
            "This pipeline has no stages.",
        )
