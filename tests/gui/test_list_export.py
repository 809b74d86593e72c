"""Each list's own Export: the board's deals, the org chart's people, the targets."""

from __future__ import annotations

import csv

import pytest

from tests.gui.conftest import sql


@pytest.mark.parametrize("screen, menu, kind, table", [
    ("pipeline", "Deal", "deals", "deals"),
    ("orgchart", "People", "people", "people"),
    ("targets", "Targets", "targets", "targets"),
])
def test_a_lists_export_writes_that_kind(make_window, company_db, tmp_path, screen, menu, kind, table):
    window = make_window(company_db)
    window.show_screen(screen)
    asked = {}

    def ask(preselected=None):
        asked["kind"] = preselected
        return preselected, tmp_path / f"{kind}.csv"

    window.transfer.ask_export_target = ask
    titles = {m.title().replace("&", ""): m for m in (a.menu() for a in window.menuBar().actions()) if m}
    action = next(a for a in titles[menu].actions() if a.text().startswith("Export") and kind.title() in a.text())
    action.trigger()
    assert asked["kind"] == kind
    with open(tmp_path / f"{kind}.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert len(rows) - 1 == sql(company_db, f"SELECT count(*) FROM {table}") > 0
    assert str(tmp_path / f"{kind}.csv") in window.statusBar().currentMessage()
