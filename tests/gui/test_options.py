"""Remembered screen state is declared once (ui/options.py): typed, with a default, and
a value an old or hand-edited settings file holds that cannot be read is the default."""

from __future__ import annotations

import datetime as dt

from salesdesk.services.board import BoardFilter
from salesdesk.ui import options


def test_values_read_back_as_their_type_and_bad_ones_as_the_default(ui_settings):
    options.BOARD_CLOSE_FROM.write(ui_settings, dt.date(2026, 11, 2))
    options.BOARD_OWNER.write(ui_settings, 7)
    options.BOARD_STALE_ONLY.write(ui_settings, True)
    ui_settings.sync()
    assert options.BOARD_CLOSE_FROM.read(ui_settings) == dt.date(2026, 11, 2)
    assert options.BOARD_OWNER.read(ui_settings) == 7
    assert options.BOARD_STALE_ONLY.read(ui_settings) is True
    for option, bad in ((options.BOARD_CLOSE_FROM, "2 Nov"), (options.BOARD_OWNER, "seven"),
                        (options.TARGETS_TEAM, "")):
        ui_settings.setValue(option.key, bad)
        assert option.read(ui_settings) == option.default
    assert options.TARGETS_KIND.read(None) == "quarter"  # a screen built without settings


def test_a_hand_edited_filter_opens_the_board_unfiltered_where_it_cannot_be_read(company_db, ui_settings, qtbot):
    from salesdesk.ui.history import History

    from salesdesk.ui.pipeline.board import BoardWidget

    ui_settings.setValue(options.BOARD_OWNER.key, "nobody")
    ui_settings.setValue(options.BOARD_CLOSE_TO.key, "31/12/2026")
    ui_settings.setValue(options.BOARD_TEXT.key, "Deal 1")
    board = BoardWidget(company_db, History(), ui_settings)
    qtbot.addWidget(board)
    board.refresh()
    assert board.model.board_filter == BoardFilter(text="Deal 1")
