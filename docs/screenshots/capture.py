"""Take the screenshots in this folder from a real window.

    rm -f /tmp/demo.sqlite3 && .venv/bin/python -m salesdesk --db /tmp/demo.sqlite3 demo
    xvfb-run -s "-screen 0 1440x900x24" .venv/bin/python docs/screenshots/capture.py \\
        /tmp/demo.sqlite3 docs/screenshots/main-window.png [SCREEN]

The window fills the virtual screen (no window manager draws a frame) and the shot
is the X root window (ImageMagick's ``import``), so it shows what X really drew.
Window settings and logs go to a temporary folder, never the user's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from salesdesk.app import run_gui

from PySide6.QtCore import QSettings, QTimer  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

SETTLE_MS = 1500  # fonts, icons and the first queries have all landed by then


def main(database: str, output: str, screen: str | None = None) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="salesdesk-shot-"))
    os.environ.setdefault("SALESDESK_LOG_DIR", str(scratch / "logs"))
    settings = QSettings(str(scratch / "ui.ini"), QSettings.Format.IniFormat)
    target = Path(output).resolve()

    def arrange(window) -> None:
        window.setGeometry(QGuiApplication.primaryScreen().geometry())
        if screen:
            window.show_screen(screen)

        def shoot() -> None:
            if shutil.which("import") and os.environ.get("DISPLAY"):
                subprocess.run(["import", "-window", "root", str(target)], check=True)
            else:
                window.grab().save(str(target))
            print(f"wrote {target}")
            window.close()

        QTimer.singleShot(SETTLE_MS, shoot)

    try:
        return run_gui(database, settings=settings, on_window=arrange)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:4]))
