"""Data the benchmarks share, prepared once per run in a temporary folder."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path


@cache
def workdir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="salesdesk-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def demo_database(deals: int = 600) -> Path:
    """A database holding the demo company (default size), closed and ready to open."""
    from salesdesk.db.migrate import open_database
    from salesdesk.services.demo import load_demo

    path = workdir() / f"demo-{deals}.sqlite3"
    db = open_database(path)
    try:
        load_demo(db, deals=deals)
    finally:
        db.close()
    return path


def qt_app():
    """The application the benchmarks paint in: offscreen without a display, styled as the program."""
    import os

    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from salesdesk.app import create_application

    return QApplication.instance() or create_application()
