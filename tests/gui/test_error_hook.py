"""An exception in a slot: logged, explained in a dialog, the window keeps working."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from salesdesk.errors import RuleError
from salesdesk.log import setup_logging, teardown_logging
from salesdesk.ui.dialogs.error_dialog import ErrorDialog
from salesdesk.ui.error_hook import ExceptionHook, describe_error


def raised(exc: BaseException):
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 - we want its traceback
        return type(caught), caught, caught.__traceback__


def test_a_bug_is_explained_in_plain_words_with_the_traceback_as_details(tmp_path):
    report = describe_error(*raised(ZeroDivisionError("division by zero")), tmp_path / "salesdesk.log")
    assert report.title == "Something went wrong"
    assert "could not finish what it was doing" in report.message
    assert "ZeroDivisionError: division by zero" in report.message
    assert "Traceback (most recent call last)" in report.details
    assert report.log_file == tmp_path / "salesdesk.log"
    assert not report.user_error


def test_a_refused_rule_is_shown_as_its_message_alone():
    report = describe_error(*raised(RuleError("Ava cannot manage Vera: a manager must hold a more senior role")))
    assert report.message == "Ava cannot manage Vera: a manager must hold a more senior role"
    assert report.details is None
    assert report.user_error


@pytest.fixture
def hooked_window(make_window, company_db, tmp_path):
    """A window with the hook installed as ``run_gui`` does, logging to tmp_path."""
    log_file = setup_logging(tmp_path / "logs")
    window = make_window(company_db)
    hook = ExceptionHook(log_file)
    hook.attach(window, window.reload)
    hook.install()
    yield window, hook, log_file
    hook.uninstall()
    if hook.dialog is not None:
        hook.dialog.close()
    teardown_logging()


def error_dialogs() -> list[ErrorDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()]


def fail():
    raise ValueError("the card could not be saved")


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_shows_a_dialog_logs_it_and_reloads(qtbot, hooked_window):
    window, hook, log_file = hooked_window
    assert sys.excepthook is hook

    with qtbot.waitSignal(window.reloaded, timeout=2000):
        QTimer.singleShot(0, fail)
        qtbot.waitUntil(lambda: len(error_dialogs()) == 1)
    dialog = error_dialogs()[0]
    assert "ValueError: the card could not be saved" in dialog.message.text()
    assert not dialog.details.isVisible()
    dialog.details_button.click()
    assert dialog.details.isVisible()
    assert "in fail" in dialog.details.toPlainText()
    logged = log_file.read_text()
    assert "unexpected error" in logged and "ValueError: the card could not be saved" in logged
    dialog.close()
    qtbot.waitUntil(lambda: hook.dialog is None)

    # The program goes on: the window still answers its shortcuts.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen().key == "targets"


@pytest.mark.qt_no_exception_capture
def test_errors_while_the_dialog_is_open_do_not_stack_dialogs(qtbot, hooked_window):
    window, hook, _ = hooked_window
    for _ in range(50):
        QTimer.singleShot(0, fail)
    qtbot.waitUntil(lambda: hook.dialog is not None and hook.dialog.extra_errors == 49)
    assert len(error_dialogs()) == 1
    assert "49 more errors happened since" in hook.dialog.more.text()


@pytest.mark.qt_no_exception_capture
def test_a_refused_rule_shows_a_warning_without_details(qtbot, hooked_window):
    window, hook, log_file = hooked_window

    def refuse():
        raise RuleError("“Deal 3” is lost; reopen it before moving it")

    QTimer.singleShot(0, refuse)
    qtbot.waitUntil(lambda: len(error_dialogs()) == 1)
    dialog = error_dialogs()[0]
    assert dialog.message.text() == "“Deal 3” is lost; reopen it before moving it"
    assert dialog.details_button is None
    assert "refused: “Deal 3” is lost" in log_file.read_text()
    dialog.close()


@pytest.mark.qt_no_exception_capture
def test_a_reload_that_fails_too_does_not_loop(qtbot, hooked_window):
    window, hook, _ = hooked_window
    calls = []

    def broken_reload():
        calls.append(1)
        raise OSError("disk I/O error")

    hook.attach(window, broken_reload)
    QTimer.singleShot(0, fail)
    qtbot.waitUntil(lambda: hook.dialog is not None and hook.dialog.extra_errors == 1)
    qtbot.wait(100)
    assert calls == [1]
    assert "1 more error happened since" in hook.dialog.more.text()
