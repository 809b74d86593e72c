"""The side panel of the org chart: the selected person, their reports and their team's figures."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFormLayout, QFrame, QLabel, QListWidget, QListWidgetItem, QProgressBar, QVBoxLayout

from salesdesk.clock import CLOCK
from salesdesk.ui import theme
from salesdesk.ui.format import compact_money, money


class PersonPanel(QFrame):
    """Signals:
        person_chosen(int): a direct report was double-clicked (show them).
    """

    person_chosen = Signal(int)

    def __init__(self, db, parent=None):
        super().__init__(parent)
        self.db = db
        self.setObjectName("org_panel")
        self.setFixedWidth(290)
        self.setStyleSheet(f"#org_panel {{ background: {theme.SURFACE}; border-left: 1px solid {theme.BORDER}; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(8)
        self.name = QLabel()
        self.name.setObjectName("org_panel_name")
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() + 3)
        font.setWeight(font.Weight.DemiBold)
        self.name.setFont(font)
        self.name.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet(f"color: {theme.MUTED};")
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.name)
        layout.addWidget(self.subtitle)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.manager, self.contact, self.hired = QLabel(), QLabel(), QLabel()
        self.contact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.contact.setWordWrap(True)
        form.addRow("Reports to", self.manager)
        form.addRow("Contact", self.contact)
        form.addRow("Hired", self.hired)
        layout.addLayout(form)
        self.pipeline_title = QLabel("<b>Team pipeline</b>")
        layout.addWidget(self.pipeline_title)
        self.pipeline = QLabel()
        self.pipeline.setObjectName("org_panel_pipeline")
        self.pipeline.setWordWrap(True)
        layout.addWidget(self.pipeline)
        layout.addWidget(QLabel("<b>Won this month</b>"))
        self.won = QLabel()
        self.won.setObjectName("org_panel_won")
        self.won.setWordWrap(True)
        layout.addWidget(self.won)
        self.attainment = QProgressBar()
        self.attainment.setTextVisible(True)
        self.attainment.setFixedHeight(16)
        layout.addWidget(self.attainment)
        self.reports_title = QLabel("<b>Direct reports</b>")
        layout.addWidget(self.reports_title)
        self.reports = QListWidget()
        self.reports.setObjectName("org_panel_reports")
        self.reports.itemDoubleClicked.connect(self._on_report)
        layout.addWidget(self.reports, 1)
        self.figures = None
        self.show_person(0)

    def show_person(self, person_id: int, today: dt.date | None = None) -> None:
        if not person_id:
            self.figures = None
            self.name.setText("Nobody selected")
            self.subtitle.setText("Click a box to see the person, their team and their figures. "
                                  "Drag a box onto someone else to change their manager.")
            for label in (self.manager, self.contact, self.hired, self.pipeline, self.won):
                label.setText("")
            self.attainment.hide()
            self.reports.clear()
            return
        from salesdesk.services.org import person_panel

        with self.db.read() as reader:
            self.figures = f = person_panel(reader, person_id, today or CLOCK.today())
        p = f.person
        self.name.setText(p.name + ("" if p.active else " (inactive)"))
        self.subtitle.setText(f"{p.role} · {p.branch or 'no branch'}")
        self.manager.setText(f.manager or "— (top of the organisation)")
        self.contact.setText("\n".join(x for x in (p.email, p.phone) if x) or "—")
        self.hired.setText(p.hire_date.strftime("%d %b %Y") if p.hire_date else "—")
        self.pipeline.setText(
            f"{f.team_open_deals:,} open deals · {compact_money(f.team_open_amount, f.currency)}<br>"
            f"weighted {money(f.team_weighted, f.currency)}<br>"
            f"<span style='color:{theme.MUTED}'>{f.team_size:,} people in the team</span>"
            + (f"<br><span style='color:{theme.WARNING}'>{html.escape(f.left_out)}</span>" if f.left_out else ""))
        target = f.target_this_month
        if target:
            share = float(f.won_this_month / target) if target else 0.0
            self.won.setText(f"{money(f.won_this_month, f.currency)} of {money(target, f.currency)} target")
            self.attainment.setRange(0, 100)
            self.attainment.setValue(min(100, round(share * 100)))
            self.attainment.setFormat(f"{share * 100:.0f} %")
            self.attainment.show()
        else:
            self.won.setText(f"{money(f.won_this_month, f.currency)} (no target set)")
            self.attainment.hide()
        self.reports.clear()
        self.reports_title.setText(f"<b>Direct reports</b> ({len(f.direct_reports)})")
        for report_id, name, role in f.direct_reports:
            item = QListWidgetItem(f"{name} — {role}")
            item.setData(Qt.ItemDataRole.UserRole, report_id)
            self.reports.addItem(item)

    @Slot(QListWidgetItem)
    def _on_report(self, item: QListWidgetItem) -> None:
        self.person_chosen.emit(item.data(Qt.ItemDataRole.UserRole))
