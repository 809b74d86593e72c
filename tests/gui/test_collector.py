"""Garbage with Qt objects in it is freed on the GUI thread, never by a worker thread."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from salesdesk.ui.collector import GuiThreadCollector


def test_cycles_holding_qt_objects_are_collected_by_the_gui_thread_timer(qtbot):
    assert not gc.isenabled()  # the program's application turned automatic collection off
    collector = QApplication.instance().findChild(GuiThreadCollector, "gui_thread_collector")
    assert collector is not None and collector.timer.isActive()

    class Holder:
        pass

    freed_in = []
    holder = Holder()
    holder.me = holder  # a cycle: only the cycle collector can free it
    holder.qt = QObject()
    holder.qt.destroyed.connect(lambda: freed_in.append(threading.current_thread().name))
    alive = weakref.ref(holder)
    del holder

    def allocate():  # enough new containers to set off an automatic collection, were it on
        allocate.junk = [[] for _ in range(10 * gc.get_threshold()[0])]

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()
    assert alive() is not None  # the worker freed nothing
    qtbot.waitUntil(lambda: alive() is None, timeout=3000)  # the GUI thread's timer did
    assert freed_in == ["MainThread"]
