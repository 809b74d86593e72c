"""Issue 14: a bug caught to keep a screen true to the database still reaches the log
with its traceback; a refusal written for the user does not."""

from __future__ import annotations

import logging


from salesdesk.errors import RuleError
from salesdesk.ui.history import History
from salesdesk.ui.operations import DEALS, run_step


def test_an_unexpected_error_in_a_step_is_logged_with_its_traceback(company_db, caplog):
    stack, shown = History(), []

    def broken(session):
        raise KeyError("a bug")

    with caplog.at_level(logging.ERROR):
        assert not run_step(stack, company_db, "Break it", broken, lambda s, r: None, lambda r, u: None, shown.append, kinds={DEALS})
    assert shown and isinstance(shown[0], KeyError)  # the screen was told, as before
    (record,) = [r for r in caplog.records if "failed unexpectedly" in r.getMessage()]
    assert "'Break it' failed unexpectedly" in record.getMessage()
    assert record.exc_info and record.exc_info[0] is KeyError


def test_a_refusal_for_the_user_is_not_logged_as_a_bug(company_db, caplog):
    stack, shown = History(), []

    def refused(session):
        raise RuleError("A deal needs a title")

    with caplog.at_level(logging.ERROR):
        assert not run_step(stack, company_db, "Refuse it", refused, lambda s, r: None, lambda r, u: None, shown.append, kinds={DEALS})
    assert [str(e) for e in shown] == ["A deal needs a title"]
    assert not [r for r in caplog.records if "failed unexpectedly" in r.getMessage()]
