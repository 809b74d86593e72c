"""The board on a laptop screen: card sizes, autoscroll while dragging, hover text, won
days, and keys that work as soon as the board is on view."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QHelpEvent, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from salesdesk.ui.pipeline.model import encode_ids
from tests.gui.conftest import sql, when_modal


def _inside(board, widget) -> bool:
    viewport = board.column_scroll.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return top_left.x() >= 0 and top_left.x() + widget.width() <= viewport.width()


def test_fit_all_stages_shows_all_nine_headers_at_1366_and_refits(make_window, company_db, qtbot):
    window = make_window(company_db)
    window.resize(1366, 740)
    board = window.screens["pipeline"].board
    board.density_actions["fit"].trigger()
    qtbot.waitUntil(lambda: all(_inside(board, h) for h in board.headers))
    assert len(board.headers) == 9
    assert board.column_scroll.horizontalScrollBar().maximum() == 0
    narrow = board.card_geometry.column_width
    window.resize(1800, 740)
    qtbot.waitUntil(lambda: board.card_geometry.column_width > narrow)
    assert all(_inside(board, h) for h in board.headers)
    # kept for the next start
    assert window.screens["pipeline"].board.settings.value("pipeline_board/density") == "fit"
    board.density_actions["comfortable"].trigger()
    assert board.card_geometry.column_width == 248 and board.columns[0].width() == 248


def _drag_move(view, pos: QPoint, ids) -> None:
    """A drag's pointer over ``view``: entered (Qt sends moves to the widget entered), then moved."""
    mime = encode_ids(ids)
    QApplication.sendEvent(view.viewport(), QDragEnterEvent(pos, Qt.DropAction.MoveAction, mime,
                                                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    event = QDragMoveEvent(pos, Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), event)


def test_dragging_near_the_right_edge_scrolls_the_board_and_drops_in_an_offscreen_stage(board, company_db, qtbot):
    board.resize(1000, 700)
    qtbot.wait(50)
    bar = board.column_scroll.horizontalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    deal_id = board.model.column(0).ids[0]
    # the drag over the last column in sight, 10 px from the area's right edge
    scroll = board.column_scroll
    last_seen = max((v for v in board.columns if _inside(board, v) or v.mapTo(scroll.viewport(), QPoint(0, 0)).x()
                     < scroll.viewport().width()), key=lambda v: v.column_row)
    edge = scroll.viewport().mapToGlobal(QPoint(scroll.viewport().width() - 10, 100))
    _drag_move(last_seen, last_seen.viewport().mapFromGlobal(edge), [deal_id])
    assert scroll.autoscrolling
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=5000)
    # the drag leaves the edge zone: scrolling stops
    middle = scroll.viewport().mapToGlobal(QPoint(scroll.viewport().width() // 2, 100))
    _drag_move(last_seen, last_seen.viewport().mapFromGlobal(middle), [deal_id])
    assert not scroll.autoscrolling
    # the stage that was off-screen takes the drop
    target = board.columns[7]
    assert _inside(board, target)
    _drag_move(target, QPoint(20, 10), [deal_id])
    mime = encode_ids([deal_id])
    drop = QDropEvent(QPointF(20, 10), Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target.viewport(), drop)
    qtbot.waitUntil(lambda: deal_id in board.model.column(7).ids)
    assert sql(company_db, "SELECT stage_id FROM deals WHERE id = ?", deal_id) == board.model.column(7).stage.id
    # and back to the left edge: it scrolls the other way, slower further in
    left = scroll.viewport().mapToGlobal(QPoint(40, 100))
    first_seen = min((v for v in board.columns if v.mapTo(scroll.viewport(), QPoint(v.width(), 0)).x() > 0),
                     key=lambda v: v.column_row)
    _drag_move(first_seen, first_seen.viewport().mapFromGlobal(left), [deal_id])
    qtbot.waitUntil(lambda: bar.value() == 0, timeout=8000)
    scroll.stop_autoscroll()


def test_edge_speed_grows_near_the_edge():
    from salesdesk.ui.pipeline.board_scroll import edge_speed

    assert edge_speed(500, 1000) == 0
    assert 0 < edge_speed(960, 1000) < edge_speed(990, 1000)
    assert 0 > edge_speed(40, 1000) > edge_speed(5, 1000)


def test_hovering_a_card_tells_all_it_cannot_show(board, company_db, qtbot):
    view = board.columns[0]
    deal_id = board.model.column(0).ids[0]
    card = board.model.card_by_id(deal_id)
    pos = view.card_rect(0).center().toPoint()
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos)))
    qtbot.waitUntil(QToolTip.isVisible)
    document = QTextDocument()
    document.setHtml(QToolTip.text())
    text = document.toPlainText()
    owner = sql(company_db, "SELECT p.name FROM deals d JOIN people p ON p.id = d.owner_id WHERE d.id = ?", deal_id)
    assert card.title in text and owner in text
    assert (card.account or "No account") in text
    assert card.currency in text and f"in {board.model.column(0).stage.name}" in text
    subject = sql(company_db, "SELECT (SELECT subject FROM activities WHERE deal_id = ? AND done_at IS NULL "
                              "ORDER BY due_on LIMIT 1)", deal_id)
    assert (f"Next: {subject}" if subject else "No activity planned") in text
    QToolTip.hideText()


def test_won_cards_show_the_day_won(board, company_db):
    won_row = next(r for r in range(board.model.column_count()) if board.model.column(r).stage.is_won)
    deal_id = board.model.column(won_row).ids[0]
    won_on = sql(company_db, "SELECT won_on FROM deals WHERE id = ?", deal_id)
    card = board.model.card_by_id(deal_id)
    assert card.won_on.isoformat() == won_on
    note, _colour = board.card_painter.day_note(card, stale=False, today=board.model.today)
    assert note == f"won {card.won_on.strftime('%d %b')}"


def test_the_deal_keys_work_from_start_and_after_switching_screens(make_window, company_db, qtbot):
    window = make_window(company_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    board = window.screens["pipeline"].board
    opened = {}

    def look(dialog):
        opened["title"] = dialog.windowTitle()
        dialog.reject()

    when_modal(look)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "title" in opened)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.show_screen("orgchart")
    window.show_screen("pipeline")
    qtbot.waitUntil(lambda: board.isAncestorOf(window.focusWidget()))
    moved = board.selection.current
    assert moved is not None
    before = sql(company_db, "SELECT stage_id FROM deals WHERE id = ?", moved)
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    after = sql(company_db, "SELECT stage_id FROM deals WHERE id = ?", moved)
    assert after != before and board.model.locate(moved)[0] == 1
    # Delete in the search box still deletes text
    board.search.setFocus()
    board.search.setText("ab")
    board.search.end(False)
    board.search.cursorBackward(False)
    QTest.keyClick(board.search, Qt.Key.Key_Delete)
    assert board.search.text() == "a"
