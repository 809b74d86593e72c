"""A ``salesdesk`` command, ready to be killed (tests/test_restore_kill.py, test_command_kills.py).

``python tests/children/command_child.py [--die-mid-copy] ARGS...`` loads what ``restore``,
``backup`` and ``import`` load, prints ``ready``, waits for a line on its standard input, then runs
``salesdesk ARGS...`` (the ``main()`` of ``python -m salesdesk``).  Loading first puts
the parent's random SIGKILL inside the command rather than in Python's start-up, and
lets the parent start the next child while it checks what the last one left.

``--die-mid-copy`` makes the first copy through SQLite's backup API stop after its
first step and the process kill itself there with SIGKILL: a copy cut short at a known
point, for the tests of what such a copy leaves behind.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sqlite3.dbapi2
import sys

import salesdesk.db.migrate  # what the commands load, loaded before "ready"
import salesdesk.safety.backups
import salesdesk.safety.instance_lock
import salesdesk.safety.restore
import salesdesk.transfer.importer  # noqa: F401
from salesdesk.cli import main


class DyingConnection(sqlite3.Connection):
    def backup(self, target, *, pages=-1, progress=None, name="main", sleep=0.25):
        def die(_status, remaining, _total):
            if remaining:
                os.kill(os.getpid(), signal.SIGKILL)

        super().backup(target, pages=8, progress=die, name=name, sleep=0)


def die_mid_copy() -> None:
    connect = sqlite3.connect

    def connect_dying(*args, **kwargs):
        kwargs.setdefault("factory", DyingConnection)
        return connect(*args, **kwargs)

    sqlite3.connect = sqlite3.dbapi2.connect = connect_dying  # the second is SQLAlchemy's


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--die-mid-copy"]:
        args = args[1:]
        die_mid_copy()
    print("ready", flush=True)
    sys.stdin.readline()
    sys.exit(main(args))
