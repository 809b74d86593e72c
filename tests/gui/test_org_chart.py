"""The org chart editor driven like a user would: drag, dialogs, undo, find, export."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from salesdesk.ui.history import History
from salesdesk.ui.orgchart.chart import OrgChartWidget
from tests.conftest import dump
from tests.gui.conftest import sql, when_modal


@pytest.fixture
def chart(company_db, ui_settings, qtbot):
    widget = OrgChartWidget(company_db, History(), ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1500, 900)
    widget.move(0, 0)
    widget.show()
    widget.refresh()
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    qtbot.waitUntil(lambda: widget._fitted)
    widget.scene.set_all_collapsed(False)  # the tests reach every box
    widget.view.set_zoom(0.6)
    return widget


def person(db, name):
    return sql(db, "SELECT id FROM people WHERE name = ?", name)


def manager_of(db, name):
    return sql(db, "SELECT m.name FROM people p JOIN people m ON m.id = p.manager_id WHERE p.name = ?", name)


def screen_point(chart, person_id, dy=0.5):
    rect = chart.scene.box_rect(person_id)
    chart.view.centerOn(rect.center())
    QApplication.processEvents()
    view_point = chart.view.mapFromScene(rect.center().x(), rect.top() + rect.height() * dy * 0.8)
    return chart.view.viewport().mapToGlobal(view_point)


def test_it_opens_readable_with_the_top_selected(company_db, ui_settings, qtbot):
    widget = OrgChartWidget(company_db, History(), ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    widget.refresh()
    qtbot.waitUntil(lambda: widget._fitted)
    vera = person(company_db, "Vera Price")
    assert widget.scene.current() == vera and widget.panel.name.text() == "Vera Price"
    assert widget.view.zoom() >= 0.55  # names can be read
    # Twelve sellers side by side would not fit readably: their teams start collapsed.
    assert widget.scene.collapsed == {person(company_db, n) for n in ("Bruno Lefort", "Chloé Martin", "Dieter Braun")}
    visible = widget.view.mapToScene(widget.view.viewport().rect()).boundingRect()
    assert all(visible.contains(widget.scene.box_rect(p).center()) for p in widget.scene.positions)


def test_every_active_person_has_a_box_and_counts_those_below(chart, company_db):
    active = sql(company_db, "SELECT count(*) FROM people WHERE active")
    assert len(chart.scene.items) == active == 16
    vera = person(company_db, "Vera Price")
    assert chart.scene.roots == [vera]
    assert chart.scene.below[vera] == 15
    assert chart.scene.below[person(company_db, "Bruno Lefort")] == 4


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool drives the real X pointer")
def test_a_real_mouse_drag_gives_a_person_a_new_manager(chart, company_db, qtbot):
    seller, new_manager = person(company_db, "Seller 0"), person(company_db, "Chloé Martin")
    assert manager_of(company_db, "Seller 0") == "Bruno Lefort"
    chart.scene.select(seller)
    start = screen_point(chart, seller)
    # The target must be on screen too: zoom out so both boxes show.
    chart.view.set_zoom(0.35)
    chart.view.centerOn(chart.scene.itemsBoundingRect().center())
    QApplication.processEvents()
    start = chart.view.viewport().mapToGlobal(chart.view.mapFromScene(chart.scene.box_rect(seller).center()))
    end = chart.view.viewport().mapToGlobal(chart.view.mapFromScene(chart.scene.box_rect(new_manager).center()))
    subprocess.Popen(["xdotool", "mousemove", str(start.x()), str(start.y()), "sleep", "0.3", "mousedown", "1",
                      "sleep", "0.2", "mousemove", str(start.x() + 15), str(start.y() + 15), "sleep", "0.2",
                      "mousemove", str(end.x()), str(end.y()), "sleep", "0.3",
                      "mousemove", str(end.x() + 1), str(end.y() + 1), "sleep", "0.3", "mouseup", "1"])
    qtbot.waitUntil(lambda: manager_of(company_db, "Seller 0") == "Chloé Martin", timeout=8000)
    assert chart.scene.people[seller].manager_id == new_manager
    assert seller in chart.scene.children[new_manager]
    chart.undo_stack.undo()
    assert manager_of(company_db, "Seller 0") == "Bruno Lefort"
    assert seller in chart.scene.children[person(company_db, "Bruno Lefort")]


def test_a_drop_that_breaks_a_rule_is_refused_and_says_which(chart, company_db):
    before = dump(company_db)
    said = {}
    when_modal(lambda box: (said.setdefault("text", box.text()), box.accept()))
    chart.move_person(person(company_db, "Bruno Lefort"), person(company_db, "Seller 1"))
    assert "more senior" in said["text"]
    assert dump(company_db) == before
    assert chart.undo_stack.count() == 0
    # The chart had already coloured that target red, with the same reason.
    reason = chart.scene.may_manage(person(company_db, "Seller 1"), person(company_db, "Bruno Lefort"))
    assert "a manager must hold a more senior role" in reason and reason in said["text"]  # one wording (issue 14)


def test_a_manager_moves_with_their_whole_team(chart, company_db):
    bruno, chloe = person(company_db, "Bruno Lefort"), person(company_db, "Chloé Martin")
    team = chart.scene.subtree(bruno)
    # A branch manager may not report to another branch manager; a team leader may.
    with company_db.transaction() as s:
        s.execute(__import__("sqlalchemy").text("UPDATE people SET role_id = (SELECT id FROM roles WHERE name = 'Team Leader') WHERE id = :p"), {"p": bruno})
    chart.refresh()
    assert chart.move_person(bruno, chloe)
    assert chart.scene.subtree(bruno) == team
    assert team <= chart.scene.subtree(chloe)
    assert chart.scene.below[chloe] == 4 + len(team)


def test_hire_through_the_dialog_then_undo(chart, company_db, qtbot):
    count = sql(company_db, "SELECT count(*) FROM people")
    chart.scene.select(person(company_db, "Dieter Braun"))
    seen = {}

    def fill(dialog):
        dialog.name.setText("Hannah Vogel")
        dialog.email.setText("not an email")
        dialog.save()
        seen["error"] = dialog.errors["email"].text()
        dialog.email.setText("hannah.vogel@example.com")
        dialog.save()

    when_modal(fill)
    chart.add_person()
    assert "not an email address" in seen["error"]
    assert sql(company_db, "SELECT count(*) FROM people") == count + 1
    assert manager_of(company_db, "Hannah Vogel") == "Dieter Braun"
    hannah = person(company_db, "Hannah Vogel")
    assert hannah in chart.scene.items and chart.scene.current() == hannah
    assert sql(company_db, "SELECT b.name FROM people p JOIN branches b ON b.id = p.branch_id WHERE p.id = ?", hannah) == "Berlin"
    chart.undo_stack.undo()
    assert sql(company_db, "SELECT count(*) FROM people") == count
    assert hannah not in chart.scene.items
    chart.undo_stack.redo()
    assert person(company_db, "Hannah Vogel") == hannah


def labels_of(dialog) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def test_let_go_of_a_manager_moves_their_reports_up_and_undo_restores(chart, company_db):
    before = dump(company_db)
    bruno = person(company_db, "Bruno Lefort")
    chart.scene.select(bruno)

    def answer(dialog):
        assert "Their 4 direct reports will report to <b>Vera Price</b>" in labels_of(dialog)
        dialog.accept()

    when_modal(answer)
    chart.remove_current()
    assert sql(company_db, "SELECT active FROM people WHERE id = ?", bruno) == 0
    assert manager_of(company_db, "Seller 0") == "Vera Price"
    assert bruno not in chart.scene.items
    chart.undo_stack.undo()
    assert dump(company_db) == before
    assert bruno in chart.scene.items


def test_let_go_of_a_seller_hands_their_open_deals_to_the_person_picked(chart, company_db):
    before = dump(company_db)
    seller, chloe = person(company_db, "Seller 0"), person(company_db, "Chloé Martin")
    open_deals = sql(company_db, "SELECT count(*) FROM deals WHERE owner_id = ? AND status = 'open'", seller)
    assert open_deals > 0
    chart.scene.select(seller)

    def answer(dialog):
        assert f"Their {open_deals} open deal" in labels_of(dialog)
        assert not dialog.remove.isEnabled() or dialog.leaving.closed_deals == 0
        dialog.recipient.setCurrentIndex(dialog.recipient.findData(chloe))
        dialog.accept()

    when_modal(answer)
    chart.remove_current()
    assert sql(company_db, "SELECT count(*) FROM deals WHERE owner_id = ? AND status = 'open'", chloe) >= open_deals
    assert sql(company_db, "SELECT count(*) FROM deals WHERE owner_id = ? AND status = 'open'", seller) == 0
    chart.undo_stack.undo()
    assert dump(company_db) == before


def test_find_a_person_centres_and_selects_them(chart, company_db, qtbot):
    chart.find.setText("dieter")
    QTest.keyClick(chart.find, Qt.Key.Key_Return)
    dieter = person(company_db, "Dieter Braun")
    assert chart.scene.current() == dieter
    assert chart.panel.name.text() == "Dieter Braun"
    visible = chart.view.mapToScene(chart.view.viewport().rect()).boundingRect()
    assert visible.contains(chart.scene.box_rect(dieter).center())


def test_collapse_and_expand_a_team(chart, company_db, qtbot):
    bruno = person(company_db, "Bruno Lefort")
    seller = chart.scene.children[bruno][0]
    chart.scene.toggle_collapsed(bruno)
    assert not chart.scene.items[seller].isVisible()
    assert bruno in chart.scene.collapsed
    chart.scene.toggle_collapsed(bruno)
    assert chart.scene.items[seller].isVisible()


def test_export_png_and_a_one_page_vector_pdf(chart, tmp_path):
    png = chart.export_png(tmp_path / "chart.png")
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 500
    pdf = chart.export_pdf(tmp_path / "chart.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") + data.count(b"/Type /Page/") == 1 or b"/Count 1" in data
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Vera Price" in text and "Branch Manager" in text


def test_lines_follow_moves_and_collapses(chart, company_db):
    """A manager's lines span their reports after any change (no stale connector)."""
    scene = chart.scene

    def spans_match():
        for manager, reports in scene.visible_children().items():
            if manager not in scene.items or not reports:
                continue
            x = scene.positions[manager][0]
            expected = (scene.positions[reports[0]][0] - x, scene.positions[reports[-1]][0] - x)
            assert scene.items[manager].span == expected, scene.people[manager].name
        for pid, item in scene.items.items():
            if pid in scene.positions and not scene.visible_children().get(pid):
                assert item.span is None, scene.people[pid].name

    spans_match()
    bruno, chloe = person(company_db, "Bruno Lefort"), person(company_db, "Chloé Martin")
    seller = scene.children[bruno][0]
    assert chart.move_person(seller, chloe)
    spans_match()
    scene.toggle_collapsed(chloe)
    spans_match()
    scene.set_all_collapsed(False)
    spans_match()
    chart.undo_stack.undo()
    spans_match()


def test_someone_let_go_can_be_brought_back(chart, company_db):
    seller = person(company_db, "Seller 5")
    with company_db.transaction() as s:
        from salesdesk.services.people import deactivate_person

        deactivate_person(s, seller, deals_to=person(company_db, "Chloé Martin"))
    chart.refresh()
    assert seller not in chart.scene.positions
    assert chart.reactivate(seller)
    assert sql(company_db, "SELECT active FROM people WHERE id = ?", seller) == 1
    assert chart.scene.current() == seller
    chart.undo_stack.undo()
    assert sql(company_db, "SELECT active FROM people WHERE id = ?", seller) == 0


def test_branch_and_role_editors_make_undoable_steps(chart, company_db):
    from salesdesk.ui.orgchart.dialogs import BranchesDialog, RolesDialog

    branches = BranchesDialog(chart, chart)
    branches.table.selectRow(0)
    first = branches.branches[0]
    branches._step("rename", lambda s: __import__("salesdesk.services.branches", fromlist=["x"]).rename_branch(s, first[0], "Lyon Centre"),
                   lambda s, old: __import__("salesdesk.services.branches", fromlist=["x"]).rename_branch(s, first[0], old))
    assert sql(company_db, "SELECT name FROM branches WHERE id = ?", first[0]) == "Lyon Centre"
    assert "Lyon Centre" in [branches.table.item(r, 0).text() for r in range(branches.table.rowCount())]
    chart.undo_stack.undo()
    assert sql(company_db, "SELECT name FROM branches WHERE id = ?", first[0]) == first[1]

    roles = RolesDialog(chart, chart)
    said = {}
    when_modal(lambda box: (said.setdefault("text", box.text()), box.accept()))
    roles.list.setCurrentRow(5)
    roles.up()  # Salesperson above Team Leader: nobody here is a team leader, allowed
    assert [r[1] for r in roles.roles][4:] == ["Salesperson", "Team Leader"]
    before = [r[1] for r in roles.roles]
    roles.up()  # Salesperson above Branch Manager: the sellers' managers would no longer be senior
    assert "senior" in said.get("text", "")
    assert [r[1] for r in roles.roles] == before
    chart.undo_stack.undo()
    assert sql(company_db, "SELECT name FROM roles WHERE rank = 6") == "Salesperson"


def test_let_go_of_the_top_says_why_removing_is_not_possible(company_db, qtbot):
    """The dialog uses the service's rule and words (it once allowed a removal the
    service then refused: the top of the company, or someone with done activities)."""
    from salesdesk.ui.orgchart.dialogs import LetGoDialog

    top = sql(company_db, "SELECT id FROM people WHERE manager_id IS NULL AND active ORDER BY id LIMIT 1")
    dialog = LetGoDialog(company_db, top)
    qtbot.addWidget(dialog)
    assert not dialog.remove.isEnabled()
    why = dialog.findChild(QLabel, "let_go_refused").text()
    assert "deactivate them instead" in why or "is the top of the organisation" in why
