"""The weekly report of a 50-person branch, about ten pages, from the database to a
finished PDF file: every figure read (SQL), laid out twice (pages counted, then
painted) and written.  Goal: under 350 ms.

Baseline, in the same run: the same number of pages holding the same number of text
lines written with ``QPdfWriter`` and ``drawText`` alone (no database, no layout):
what Qt needs to produce such a file at all.
"""

from __future__ import annotations

import sqlite3
import time
from functools import cache
from pathlib import Path

from benchmarks.data import demo_database, qt_app, workdir
from benchmarks.harness import benchmark

RUNS = 9


@cache
def branch50_database() -> Path:
    """The demo company with everyone moved into its first branch: a 50-person branch."""
    import shutil

    path = workdir() / "branch50.sqlite3"
    shutil.copy(demo_database(), path)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("UPDATE people SET branch_id = (SELECT min(id) FROM branches)")
    connection.close()
    return path


@cache
def _shape() -> tuple[int, int]:
    """(pages, text lines) of the branch's report, for the baseline to match."""
    import subprocess

    out = workdir() / "shape.pdf"
    pages = _write(out)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True).stdout
    return pages, sum(1 for line in text.splitlines() if line.strip())


def _write(out: Path) -> int:
    from salesdesk.db.migrate import open_database
    from salesdesk.domain.periods import last_full_week
    from salesdesk.reports.weekly import parse_scope, weekly_report
    from salesdesk.reports.weekly_pdf import write_weekly_pdf

    db = open_database(branch50_database())
    try:
        with db.read() as reader:
            name = reader.scalar("SELECT name FROM branches ORDER BY id LIMIT 1")
            report = weekly_report(reader, last_full_week(), parse_scope(reader, f"branch:{name}"))
        return write_weekly_pdf(report, out)
    finally:
        db.close()


@benchmark("report.weekly_branch50", unit="ms", baseline="report.raw_pdf")
def weekly_branch50() -> list[float]:
    """The weekly report of a 50-person branch (about 10 pages) to a PDF file: read, lay out, write."""
    qt_app()
    pages, _lines = _shape()
    samples = []
    for n in range(RUNS):
        start = time.perf_counter()
        written = _write(workdir() / f"branch50-{n}.pdf")
        samples.append((time.perf_counter() - start) * 1000)
        assert written == pages
    return samples


@benchmark("report.raw_pdf", unit="ms")
def raw_pdf() -> list[float]:
    """Baseline: as many pages and text lines as the branch report, drawText only."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QFont, QPainter, QPdfWriter

    qt_app()
    pages, lines = _shape()
    per_page = -(-lines // pages)
    samples = []
    for n in range(RUNS):
        start = time.perf_counter()
        writer = QPdfWriter(str(workdir() / f"raw-{n}.pdf"))
        writer.setResolution(96)
        painter = QPainter(writer)
        painter.setFont(QFont("Helvetica", 9))
        for page in range(pages):
            if page:
                writer.newPage()
            for line in range(per_page):
                painter.drawText(QRectF(0, line * 16, 700, 16), Qt.AlignmentFlag.AlignLeft,
                                 f"Line {line} of page {page}: Some deal title  12,345.67 EUR  Someone")
        painter.end()
        samples.append((time.perf_counter() - start) * 1000)
    return samples
