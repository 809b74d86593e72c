"""A SalesDesk process that confirms one move, for tests/test_file_safety.py.

``python tests/children/move_child.py DATABASE services|window GO_FILE`` opens the
database the way the window does (the screens' reader open, the background integrity
check run), prints ``ready``, waits until GO_FILE exists, moves one open deal to
another stage, prints ``moved <deal id> <stage id> <audit id>`` once the commit has
returned, and then waits to be killed.  ``window`` runs the real main window
(offscreen) and its own background check; ``services`` the same calls without Qt.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def move_one(db) -> str:
    from sqlalchemy import select

    from salesdesk.db.models import AuditEntry, Deal, Stage
    from salesdesk.services import deals

    with db.transaction() as s:
        deal_id, stage_id, pipeline_id = s.execute(
            select(Deal.id, Deal.stage_id, Deal.pipeline_id).where(Deal.status == "open").order_by(Deal.id)).first()
        target = s.scalar(select(Stage.id).where(Stage.pipeline_id == pipeline_id, Stage.id != stage_id,
                                                 Stage.is_won.is_(False)).order_by(Stage.position))
        deals.move_deal(s, deal_id, target)
        s.flush()
        audit_id = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    return f"moved {deal_id} {target} {audit_id}"


def wait_for(go: Path) -> None:
    while not go.exists():
        time.sleep(0.01)


def services(path: str, go: Path) -> None:
    from salesdesk.db.migrate import open_database
    from salesdesk.safety.integrity import quick_problems

    db = open_database(path)
    with db.read() as reader:  # the screens' reader, kept open as in the window
        reader.scalar("SELECT count(*) FROM deals")
    with db.session() as s:  # and a pooled SQLAlchemy connection
        s.connection()
    assert quick_problems(Path(path)) == []  # the window's background check
    print("ready", flush=True)
    wait_for(go)
    print(move_one(db), flush=True)
    time.sleep(600)


def window(path: str, go: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, QTimer

    from salesdesk.app import run_gui

    settings = QSettings(str(Path(path).with_suffix(".ini")), QSettings.Format.IniFormat)

    def on_window(win) -> None:
        def checked(_result) -> None:
            print("ready", flush=True)
            poll.start()

        def poll_go() -> None:
            if go.exists():
                poll.stop()
                print(move_one(win.db), flush=True)

        poll = QTimer(win)
        poll.setInterval(10)
        poll.timeout.connect(poll_go)
        win.integrity_checked.connect(checked)

    run_gui(path, settings=settings, on_window=on_window)


if __name__ == "__main__":
    {"services": services, "window": window}[sys.argv[2]](sys.argv[1], Path(sys.argv[3]))
