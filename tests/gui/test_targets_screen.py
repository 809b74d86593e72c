"""The targets screen as a manager uses it: a quarter, a team, targets edited and split."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesdesk.domain.periods import Period
from salesdesk.ui.history import History
from salesdesk.ui.targets.model import TARGET
from salesdesk.ui.targets.view import TargetsWidget
from tests.conftest import dump
from tests.gui.conftest import sql


@pytest.fixture
def screen(company_db, ui_settings, qtbot):
    widget = TargetsWidget(company_db, History(), ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.refresh()
    return widget


def person(db, name):
    return sql(db, "SELECT id FROM people WHERE name = ?", name)


def test_the_team_with_actuals_from_the_deals(screen, company_db):
    names = [r.name for r in screen.rows]
    assert names[0] == "Vera Price" and len(names) == 16
    quarter = screen.period
    won = sql(company_db, "SELECT coalesce(sum(amount), 0) FROM deals WHERE status = 'won' AND won_on >= ? AND won_on < ?",
              quarter.start.isoformat(), quarter.end.isoformat())
    assert screen.rows[0].actual == Decimal(won) / 100
    assert screen.rows[0].target == Decimal("500000.00")  # the fixture's quarterly target for Vera
    assert screen.model.data(screen.model.index(0, TARGET)) == "500,000"


def test_edit_a_target_in_place_then_undo(screen, company_db):
    before = dump(company_db)
    row = next(i for i, r in enumerate(screen.rows) if r.name == "Bruno Lefort")
    assert screen.model.setData(screen.model.index(row, TARGET), "120,000")
    bruno = person(company_db, "Bruno Lefort")
    assert sql(company_db, "SELECT value FROM targets WHERE person_id = ? AND period_kind = 'quarter'", bruno) == 12_000_000
    assert next(r for r in screen.rows if r.name == "Bruno Lefort").target == Decimal("120000.00")
    assert screen.undo_stack.undoText().startswith("Target of Bruno Lefort")
    screen.undo_stack.undo()
    assert dump(company_db) == before


def test_a_bad_target_is_refused_with_a_message(screen, company_db, qtbot, monkeypatch):
    said = []
    monkeypatch.setattr("salesdesk.ui.targets.view.QMessageBox.warning", lambda parent, title, text: said.append(text))
    row = next(i for i, r in enumerate(screen.rows) if r.name == "Bruno Lefort")
    assert not screen.model.setData(screen.model.index(row, TARGET), "lots")
    assert said == ["“lots” is not a number"]
    assert not screen.model.setData(screen.model.index(row, TARGET), "-5")
    assert said[-1] == "A target cannot be negative"
    assert sql(company_db, "SELECT count(*) FROM targets WHERE person_id = ?", person(company_db, "Bruno Lefort")) == 0


def test_split_a_managers_target_exactly_and_undo(screen, company_db):
    before = dump(company_db)
    bruno = person(company_db, "Bruno Lefort")
    assert screen.split_target(bruno, Decimal("100000.00"), "even")
    parts = [sql(company_db, "SELECT value FROM targets WHERE person_id = ? AND period_kind = 'quarter' "
                             "AND period_start = ?", p, screen.period.start.isoformat())
             for p in (sql(company_db, "SELECT id FROM people WHERE manager_id = ? ORDER BY id", bruno),)]
    reports = [r for r in screen.rows if r.manager_id == bruno]
    assert len(reports) == 4
    assert sum(r.target for r in reports) == Decimal("100000.00")
    assert {r.target for r in reports} == {Decimal("25000.00")}
    assert parts
    screen.undo_stack.undo()
    assert dump(company_db) == before


def test_periods_move_and_drill_into_a_team(screen, company_db):
    start = screen.period
    screen.go_next()
    assert screen.period == start.next()
    assert screen.period_label.text() == screen.period.label.replace("-", " ")
    screen.go_previous()
    screen.kind_box.setCurrentIndex(screen.kind_box.findData("month"))
    screen._on_kind(screen.kind_box.currentIndex())
    assert screen.period == Period.containing("month", start.start)
    bruno = person(company_db, "Bruno Lefort")
    screen.drill_into(bruno)
    assert screen.rows[0].name == "Bruno Lefort" and len(screen.rows) == 5
    screen.go_up()
    assert screen.rows[0].name == "Vera Price"


def test_charts_load_pyqtgraph_only_when_shown_and_drill_on_a_bar(screen, company_db, qtbot):
    assert screen._charts is None
    screen.show()
    qtbot.waitUntil(lambda: screen._charts is not None)
    per_person, yearly = screen._charts
    assert len(per_person.actual_bars.opts["height"]) == 3  # Vera's three branch managers
    bruno = person(company_db, "Bruno Lefort")
    with qtbot.waitSignal(per_person.person_clicked):
        per_person.person_clicked.emit(bruno)
    assert screen.rows[0].name == "Bruno Lefort"


def test_export_the_chart_as_png_and_svg(screen, qtbot, tmp_path):
    from xml.etree import ElementTree

    from PySide6.QtGui import QImage

    screen.show()
    qtbot.waitUntil(lambda: screen._charts is not None)
    png = screen.export_png(tmp_path / "chart.png")
    assert not QImage(str(png)).isNull()
    screen.tabs.setCurrentIndex(1)
    svg = screen.export_svg(tmp_path / "chart.svg")
    assert ElementTree.parse(svg).getroot().tag.endswith("svg")
