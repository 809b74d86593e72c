"""Background work: off the GUI thread, its outcome back on it, and waited for at close."""

from __future__ import annotations

import logging
import threading

from salesdesk.errors import DatabaseError
from salesdesk.ui.background import Background


def test_the_result_comes_back_on_the_gui_thread(qtbot):
    background = Background()
    seen = {}

    def work():
        seen["worker"] = threading.current_thread()
        return 42

    def done(result, error):
        seen["outcome"] = (result, error)
        seen["deliverer"] = threading.current_thread()

    job = background.run(work, done, "a sum")
    qtbot.waitUntil(lambda: "outcome" in seen)
    assert seen["outcome"] == (42, None)
    assert seen["deliverer"] is threading.main_thread() and seen["worker"] is not threading.main_thread()
    assert not job.running()


def test_an_unexpected_error_is_logged_and_delivered_ours_only_delivered(qtbot, caplog):
    background = Background()
    outcomes = []
    bug, refusal = ZeroDivisionError("division by zero"), DatabaseError("The disk is full.")

    def fail(exc):
        def work():
            raise exc
        return work

    with caplog.at_level(logging.ERROR):
        background.run(fail(bug), lambda result, error: outcomes.append((result, error)), "a backup", "salesdesk.test")
        background.run(fail(refusal), lambda result, error: outcomes.append((result, error)), "a backup")
        qtbot.waitUntil(lambda: len(outcomes) == 2)
    assert sorted(outcomes, key=lambda outcome: str(outcome[1])) == [(None, refusal), (None, bug)]
    logged = [r for r in caplog.records if r.name == "salesdesk.test"]
    assert [r.getMessage() for r in logged] == ["a backup failed unexpectedly"] and logged[0].exc_info[1] is bug
    assert len(caplog.records) == 1  # the refusal is written for the user, not a bug


def test_wait_returns_once_the_running_work_ended(qtbot):
    background = Background()
    release, ended = threading.Event(), threading.Event()

    def work():
        release.wait(5)
        ended.set()

    job = background.run(work, lambda result, error: None, "a slow copy")
    assert job.running()
    threading.Timer(0.3, release.set).start()
    assert background.wait(10)
    assert ended.is_set() and not job.running()
