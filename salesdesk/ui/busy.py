"""A wait cursor for work the user waits on; it comes back whatever happens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication


@contextmanager
def wait_cursor() -> Iterator[None]:
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:  # an error too: a cursor left spinning would say the program hangs
        QApplication.restoreOverrideCursor()
