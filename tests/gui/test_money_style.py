"""The deal editor and the targets table read amounts as the user's language writes them."""

from __future__ import annotations

import pytest

from salesdesk.domain.money import ENGLISH, MoneyStyle, set_style
from tests.gui.conftest import sql, when_modal

GERMAN = MoneyStyle(",", ".", "de_DE")


def new_deal(board, amount_text: str) -> dict:
    seen = {}

    def fill(dialog):
        dialog.title.setText("Forklift fleet")
        dialog.amount.setText(amount_text)
        dialog.owner.setCurrentIndex(1)
        dialog.save()
        seen["error"] = dialog.errors["amount"].text() if dialog.errors["amount"].isVisible() else ""
        if seen["error"]:  # nothing typed is kept: closing asks nothing
            dialog.title.clear()
            dialog.amount.clear()
            dialog.reject()

    when_modal(fill)
    board.headers[1].add.click()
    return seen


def test_german_style_saves_1_234_comma_50_as_one_thousand_two_hundred_and_thirty_four(board, company_db):
    set_style(GERMAN)
    assert new_deal(board, "1.234,50") == {"error": ""}
    assert sql(company_db, "SELECT amount FROM deals WHERE title = 'Forklift fleet'") == 123450
    assert new_deal(board, "1,5") == {"error": ""}
    assert sql(company_db, "SELECT min(amount) FROM deals WHERE title = 'Forklift fleet'") == 150


@pytest.mark.parametrize("typed", ["1.234,50", "1,5"])
def test_english_style_refuses_a_german_amount_and_saves_nothing(board, company_db, typed):
    set_style(ENGLISH)
    count = sql(company_db, "SELECT count(*) FROM deals")
    seen = new_deal(board, typed)
    assert "for the decimals" in seen["error"] and "1,234.50" in seen["error"]
    assert sql(company_db, "SELECT count(*) FROM deals") == count


def test_the_editor_shows_an_amount_in_the_users_style(board, company_db):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    set_style(GERMAN)
    board.refresh()
    column = board.columns[5]
    deal_id = board.model.column(5).ids[0]
    shown = {}

    def look(dialog):
        shown["text"] = dialog.amount.text()
        dialog.reject()

    when_modal(look)
    QTest.mouseDClick(column.viewport(), Qt.MouseButton.LeftButton, pos=column.card_rect(0).center().toPoint())
    whole, fraction = divmod(sql(company_db, "SELECT amount FROM deals WHERE id = ?", deal_id), 100)
    assert shown["text"] == f"{whole:,}".replace(",", ".") + f",{fraction:02d}"
