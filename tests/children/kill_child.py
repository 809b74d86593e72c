"""The child of tests/test_kill.py: random moves and edits, each reported after its commit.

``python tests/children/kill_child.py DATABASE SEED`` prints ``ready``, then one line per action,
``<audit id> <action> <deal id> <value>``, only after ``db.transaction()`` has returned,
i.e. after SQLite's COMMIT (with ``synchronous=FULL``) is done.  It runs until killed.
Every 20 actions it also runs the window's integrity check and header sniff, which
must never drop the process's locks on the file while another program reads it.
"""

from __future__ import annotations

import random
import sys

from sqlalchemy import select

from salesdesk.db.migrate import open_database
from salesdesk.db.models import AuditEntry, Deal, Stage
from salesdesk.safety.files import sqlite_kind
from salesdesk.safety.integrity import quick_problems
from salesdesk.services import deals


def main(path: str, seed: int) -> None:
    rnd = random.Random(seed)
    db = open_database(path)
    with db.session() as s:
        movable = s.execute(select(Deal.id, Deal.pipeline_id).where(Deal.status != "lost")).all()
        stages: dict[int, list[int]] = {}
        for stage_id, pipeline_id in s.execute(select(Stage.id, Stage.pipeline_id)):
            stages.setdefault(pipeline_id, []).append(stage_id)
    print("ready", flush=True)
    number = 0
    while True:
        number += 1
        if number % 20 == 1:  # what the window does beside the changes: look at the file itself
            quick_problems(path)
            sqlite_kind(path)
        deal_id, pipeline_id = rnd.choice(movable)
        with db.transaction() as s:
            if rnd.random() < 0.6:
                stage_id = rnd.choice(stages[pipeline_id])
                deals.move_deal(s, deal_id, stage_id)
                value = str(stage_id)
            else:
                value = f"k{seed}-{number}"
                deals.edit_deal(s, deal_id, notes=value)
            s.flush()
            audit_id, action = s.execute(
                select(AuditEntry.id, AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)).one()
        sys.stdout.write(f"{audit_id} {action} {deal_id} {value}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
