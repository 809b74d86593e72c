"""Start-up: from process start to a painted main window."""

from __future__ import annotations

from benchmarks.data import demo_database, workdir
from benchmarks.harness import benchmark
from benchmarks.subprocess_timing import samples


@benchmark("qt.bare_window", unit="ms")
def bare_window() -> list[float]:
    """A bare QApplication + QMainWindow shown and painted, in a fresh process."""
    return samples("benchmarks.probes.bare_window")


@benchmark("app.start", unit="ms", baseline="qt.bare_window")
def app_start() -> list[float]:
    """run_gui() on the demo database until the main window is painted, in a fresh process."""
    database = demo_database()
    settings = workdir() / "start-ui.ini"
    return samples("benchmarks.probes.start_app", str(database), str(settings))
