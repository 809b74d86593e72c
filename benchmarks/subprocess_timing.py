"""Run a probe in a fresh Python process and read the milliseconds it reports."""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

from benchmarks.harness import REPO
from benchmarks.data import workdir
from salesdesk.clock import CLOCK

RUNS = 7
TIMEOUT_S = 60


@cache
def bytecode_folder() -> Path:
    """One folder of .pyc files for the whole run, so the warm-up leaves them for the runs."""
    return workdir() / "pycache"


def probe_env() -> dict[str, str]:
    env = dict(os.environ)
    # A user's second start reads .pyc files (Python writes them on the first, pip
    # when it installs).  A machine that forbids writing them (this one sets
    # PYTHONDONTWRITEBYTECODE) would make every probe compile its modules again:
    # 50 ms more for the program than for the bare window.  A folder of our own keeps
    # the checkout untouched and makes both probes start alike on any machine.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(bytecode_folder())
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    # Keep the user's own logs and data out of it.
    env["SALESDESK_LOG_DIR"] = str(workdir() / "logs")
    env["SALESDESK_DATA_DIR"] = str(workdir() / "data")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def time_probe(module: str, *args: str) -> float:
    """Milliseconds from starting ``python -m module args`` to the window painted."""
    env = probe_env()
    env["BENCH_T0"] = repr(CLOCK.elapsed_since())
    done = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=TIMEOUT_S,
    )
    for line in done.stdout.splitlines():
        if line.startswith("PAINTED_MS "):
            return float(line.split()[1])
    raise RuntimeError(f"{module} reported no paint (exit {done.returncode}):\n{done.stderr[-2000:]}")


def samples(module: str, *args: str, runs: int = RUNS) -> list[float]:
    time_probe(module, *args)  # warm-up: file cache and .pyc files, as on a user's second start
    return [time_probe(module, *args) for _ in range(runs)]
