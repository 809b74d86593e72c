"""Start-up stays fast by design: the first paint never waits for SQLAlchemy."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_first_paint_reads_without_sqlalchemy(company_file, tmp_path):
    script = f"""
import sys
from PySide6.QtCore import QSettings
from salesdesk.app import create_application
from salesdesk.db.migrate import open_database
from salesdesk.ui.main_window import MainWindow
app = create_application()
window = MainWindow(open_database({str(company_file)!r}), QSettings({str(tmp_path / 'ui.ini')!r}, QSettings.Format.IniFormat))
window.show()
app.processEvents()
board = window.screens["pipeline"].board
assert board.model.column(0).ids, "the board shows deals"
assert "people" in window.counts_label.text()
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic"))
assert not loaded, loaded[:5]
print("ok")
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_side_bar_entries_name_their_screens():
    """The side bar knows the screens without importing them; the names must agree."""
    from salesdesk.ui.main_window import SCREENS

    for entry in SCREENS:
        screen = entry.load()
        assert (screen.key, screen.title, screen.icon_name) == (entry.key, entry.title, entry.icon_name)
