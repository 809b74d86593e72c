"""The kill test (README: Data safety; after SQLite's own crash tests).

A child process (tests/children/kill_child.py) moves and edits deals of a demo company at full
speed and reports each action only after its commit has returned; the parent kills it
with SIGKILL at a random moment, then checks that every reported action is in the
database, that each deal agrees with its newest audit row (the change and its audit row
are one transaction), and that ``PRAGMA integrity_check`` is ok.  The next child opens
the file the killed one left behind, hot ``-wal`` and all.

Meanwhile another program reads the file over and over (connect, read, close), as a
user's ``sqlite3`` or a backup tool would: were the child to lose its locks on the
file, that reader would checkpoint and delete the ``-wal`` the child goes on writing to,
and reported actions would be lost.

20 kills in the normal suite; more with ``SALESDESK_KILL_RUNS=500``.  The figures are
printed (``pytest -s``) and, with ``SALESDESK_KILL_REPORT=FILE``, written as JSON.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from salesdesk.db.migrate import open_database
from salesdesk.services.demo import load_demo

CHILD = Path(__file__).parent / "children" / "kill_child.py"
OUTSIDE_READER = """
import sqlite3, sys, time
while True:
    try:
        c = sqlite3.connect(sys.argv[1], timeout=5)
        c.execute("SELECT count(*) FROM deals").fetchall()
        c.close()
    except sqlite3.Error:
        pass
    time.sleep(0.005)
"""
RUNS = int(os.environ.get("SALESDESK_KILL_RUNS", "20"))


@dataclass
class Figures:
    runs: int = 0
    reported: int = 0
    lost: list[str] = field(default_factory=list)
    disagreeing: list[str] = field(default_factory=list)
    integrity_ok: int = 0
    killed_before_ready: int = 0


def run_and_kill(path: Path, seed: int, rnd: random.Random) -> list[str]:
    """Start a child, kill it at a random moment, return the lines it reported in full."""
    child = subprocess.Popen([sys.executable, str(CHILD), str(path), str(seed)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=Path(__file__).parent.parent)
    ready = child.stdout.readline() == b"ready\n"
    time.sleep(rnd.uniform(0.0, 0.35))
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err.decode()
    if not ready:
        return []
    text = out.decode()
    complete = text if text.endswith("\n") else text[: text.rfind("\n") + 1]  # a line cut mid-write was not reported
    return complete.splitlines()


def check(path: Path, lines: list[str], figures: Figures) -> None:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        figures.integrity_ok += 1
        for line in lines:
            audit_id, action, deal_id, value = line.split()
            row = connection.execute("SELECT action, entity, entity_id, details FROM audit_log WHERE id = ?",
                                     (int(audit_id),)).fetchone()
            details = json.loads(row[3]) if row and row[3] else {}
            expected = details.get("stage_id") == int(value) if action in ("move", "reorder") else details.get("notes") == value
            if row is None or row[:3] != (action, "deal", int(deal_id)) or not expected:
                figures.lost.append(line)
        figures.reported += len(lines)
        # Each deal shows what its newest audit row says: no change without its audit row, or the reverse.
        newest = connection.execute(
            "SELECT a.entity_id, a.action, a.details FROM audit_log a JOIN (SELECT entity_id, max(id) AS id "
            "FROM audit_log WHERE entity = 'deal' AND action IN ('move', 'reorder') GROUP BY entity_id) m ON a.id = m.id")
        for deal_id, _action, details in newest:
            stage_id = connection.execute("SELECT stage_id FROM deals WHERE id = ?", (deal_id,)).fetchone()[0]
            if stage_id != json.loads(details)["stage_id"]:
                figures.disagreeing.append(f"deal {deal_id}: stage {stage_id}, audit {details}")
    finally:
        connection.close()


def test_no_reported_action_is_lost_when_the_process_is_killed(tmp_path):
    path = tmp_path / "killed.sqlite3"
    db = open_database(path)
    load_demo(db, deals=150)
    db.close()
    rnd = random.Random(int(os.environ.get("SALESDESK_KILL_SEED", "8")))
    figures = Figures()
    started = time.perf_counter()
    reader = subprocess.Popen([sys.executable, "-c", OUTSIDE_READER, str(path)])
    try:
        for run in range(RUNS):
            lines = run_and_kill(path, seed=run, rnd=rnd)
            figures.killed_before_ready += not lines
            figures.runs += 1
            check(path, lines, figures)
    finally:
        reader.kill()
        reader.wait(30)
    summary = (f"kill test (another program reading throughout): {figures.runs} SIGKILLs, "
               f"{figures.reported} actions reported, "
               f"{len(figures.lost)} lost, integrity_check ok in {figures.integrity_ok} of {figures.runs} runs "
               f"({time.perf_counter() - started:.1f} s)")
    print(summary)
    if os.environ.get("SALESDESK_KILL_REPORT"):
        Path(os.environ["SALESDESK_KILL_REPORT"]).write_text(json.dumps({
            "runs": figures.runs, "reported": figures.reported, "lost": len(figures.lost),
            "integrity_ok": figures.integrity_ok, "killed_before_first_action": figures.killed_before_ready}))
    assert figures.lost == [], summary
    assert figures.disagreeing == [], summary
    assert figures.integrity_ok == figures.runs
    assert figures.reported > figures.runs  # the children really worked before dying
