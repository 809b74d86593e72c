"""Logging for the window: a rotating file in the log folder, and warnings on stderr.

The file is what a user sends with a bug report, so the error dialog names it.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from salesdesk import paths

LOG_FILE_NAME = "salesdesk.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

# Marks the handlers we add, so that a second call (tests, a reopened window) replaces
# them instead of writing every line twice.
_OURS = "_salesdesk_handler"


def log_file(log_dir: Path | None = None) -> Path:
    return (log_dir or paths.log_dir()) / LOG_FILE_NAME


def setup_logging(log_dir: Path | None = None, *, level: int = logging.INFO) -> Path:
    """Send log records to ``<log_dir>/salesdesk.log`` (about 1 MB x 5) and warnings to stderr.

    Returns the log file's path.  If the folder cannot be created (a read-only home),
    logging goes to stderr only and the returned path says where it would have been.
    """
    path = log_file(log_dir)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.WARNING)
    handlers: list[logging.Handler] = [stderr]
    problem = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        rotating = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
        )
        rotating.setLevel(level)
        handlers.append(rotating)
    except OSError as exc:
        stderr.setLevel(logging.INFO)
        problem = exc
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    if problem is not None:
        logging.getLogger(__name__).warning("cannot write the log file %s (%s); logging to stderr", path, problem)
    return path


def teardown_logging() -> None:
    """Remove and close our handlers (tests; a second window in one process)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(handler)
        handler.close()
