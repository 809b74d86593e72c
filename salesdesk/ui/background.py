"""Work off the GUI thread, its outcome back on it: copies and checks of a database file.

``Background.run(work, done)`` runs ``work()`` on the background's own thread pool and
calls ``done(result, error)`` on the GUI thread once it ended: the result and None, or
None and the exception it raised (an unexpected one logged first, with its traceback).
The outcome crosses threads through a queued signal, so ``work`` never touches a Qt
object and nothing polls for it.

The pool is the background's own, not the application's, so that ``wait`` at close
waits for our work alone; it must be idle before the background is destroyed (the
window waits at close), since the work's last act is to signal it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from salesdesk.errors import log_if_unexpected

log = logging.getLogger(__name__)

Done = Callable[[Any, Exception | None], None]


class Job:
    """One piece of work handed to ``Background.run``: whether it is still under way."""

    def __init__(self, what: str):
        self.what = what
        self._ended = threading.Event()

    def running(self) -> bool:
        """Queued or working: its outcome is not known yet."""
        return not self._ended.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work ended (its outcome is on its way to the GUI thread);
        whether it did within ``timeout`` seconds."""
        return self._ended.wait(timeout)


class _Work(QRunnable):
    def __init__(self, background: Background, job: Job, work: Callable[[], Any], done: Done, logger_name: str):
        super().__init__()
        self._background = background
        self._job = job
        self._work = work
        self._done = done
        self._logger_name = logger_name

    def run(self) -> None:
        try:
            result, error = self._work(), None
        except Exception as exc:  # reported on the GUI thread, never lost in a thread
            log_if_unexpected(exc, self._job.what, self._logger_name)
            result, error = None, exc
        try:
            self._background._finished.emit(self._done, result, error)
        finally:
            self._job._ended.set()


class Background(QObject):
    """Runs callables on a thread pool of its own; see the module's docstring."""

    _finished = Signal(object, object, object)  # done, result, error

    def __init__(self, parent: QObject | None = None, max_threads: int = 4):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)  # a copy and a check run side by side, as before
        # Queued: the worker thread only posts the outcome; this object's (the GUI) thread delivers it.
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(self, work: Callable[[], Any], done: Done, what: str, logger_name: str = __name__) -> Job:
        """Start ``work()``; ``done(result, error)`` follows on the GUI thread.  ``what``
        names it in the log ("a backup")."""
        job = Job(what)
        self._pool.start(_Work(self, job, work, done, logger_name))
        return job

    def wait(self, timeout: float = 120) -> bool:
        """Block until no work is running or queued; whether that came within ``timeout`` seconds."""
        finished = self._pool.waitForDone(int(timeout * 1000))
        if not finished:
            log.warning("background work still running after %s s", timeout)
        return finished

    @Slot(object, object, object)
    def _deliver(self, done: Done, result: Any, error: Exception | None) -> None:
        done(result, error)
