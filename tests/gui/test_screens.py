"""What every screen gets from the window: its database, its settings, its undo stack."""

from __future__ import annotations

from salesdesk.ui.main_window import SCREEN_KEYS


def test_every_screen_keeps_its_state_in_the_window_settings(make_window, company_db):
    # A screen's filters and layout then live (and are isolated in tests) with the window's.
    window = make_window(company_db)
    for key in SCREEN_KEYS:
        screen = window.screen_for(key)
        assert screen.db is company_db
        board = getattr(screen, "board", None)
        assert (board.settings if board is not None else screen.settings) is window.state.settings, key
        assert screen.undo_stack in window.undo_group.stacks()
