"""``salesdesk report weekly``: a PDF a reader can check, and one-line refusals that write nothing."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from decimal import Decimal

import pytest

from salesdesk.domain.periods import last_full_week
from tests.test_cli import one_error_line, salesdesk


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "demo.sqlite3"
    result = salesdesk("--db", str(path), "demo", "--deals", "300")
    assert result.returncode == 0, result.stderr
    return path


def pdf_text(path) -> str:
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def won_value(db, week, branch=None) -> Decimal:
    """The week's won value by independent SQL."""
    sql = ("SELECT coalesce(sum(d.amount), 0) FROM deals d JOIN people p ON p.id = d.owner_id "
           "LEFT JOIN branches b ON b.id = p.branch_id WHERE d.status = 'won' AND d.won_on >= ? AND d.won_on < ?")
    params = [week.start.isoformat(), week.end.isoformat()]
    if branch:
        sql += " AND b.name = ?"
        params.append(branch)
    with sqlite3.connect(db) as c:
        cents = c.execute(sql, params).fetchone()[0]
    c.close()
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def a_branch(db) -> str:
    with sqlite3.connect(db) as c:
        name = c.execute("SELECT name FROM branches ORDER BY id LIMIT 1").fetchone()[0]
    c.close()
    return name


def test_the_default_week_for_the_company(demo_db, tmp_path):
    out = tmp_path / "weekly.pdf"
    result = salesdesk("--db", str(demo_db), "report", "weekly", "--out", str(out))
    assert result.returncode == 0, result.stderr
    week = last_full_week()
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and str(out) in lines[0] and "page" in lines[0]
    assert out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    text = pdf_text(out)
    with sqlite3.connect(demo_db) as c:
        company = c.execute("SELECT value FROM settings WHERE key = 'company'").fetchone()[0]
    c.close()
    assert company in text
    assert f"Week {week.label}" in text
    assert "Page 1 of" in text
    value = won_value(demo_db, week)
    assert f"{value:,.2f} EUR" in text


def test_a_branch_in_a_given_week(demo_db, tmp_path):
    branch = a_branch(demo_db)
    week = last_full_week().previous()
    out = tmp_path / "branch.pdf"
    result = salesdesk("--db", str(demo_db), "report", "weekly", "--week", week.label, "--scope", f"branch:{branch}",
                       "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    text = pdf_text(out)
    assert f"Branch {branch}" in text and week.label in text
    value = won_value(demo_db, week, branch)
    assert f"{value:,.2f} EUR" in text


@pytest.mark.parametrize("args", [
    ["--week", "2026-48"],
    ["--week", "2025-W53"],
    ["--scope", "branch:Atlantis"],
    ["--scope", "person:nobody@example.com"],
    ["--scope", "galaxy"],
])
def test_refusals_are_one_line_and_write_no_file(demo_db, tmp_path, args):
    out = tmp_path / "refused.pdf"
    result = salesdesk("--db", str(demo_db), "report", "weekly", *args, "--out", str(out))
    assert result.returncode != 0
    one_error_line(result, code=result.returncode)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["report"], ["report", "weekly"], ["report", "monthly", "--out", "x.pdf"]])
def test_usage_errors_exit_2(demo_db, tmp_path, args):
    one_error_line(salesdesk("--db", str(demo_db), *args), code=2)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_as_the_output_is_refused_in_one_line(demo_db, tmp_path):
    result = salesdesk("--db", str(demo_db), "report", "weekly", "--out", str(tmp_path))
    assert "is a folder" in one_error_line(result, code=1)
    assert list(tmp_path.iterdir()) == []


def test_the_report_writes_its_pdf_with_no_display(demo_db, tmp_path):
    """The one command that loads Qt (to draw the PDF) needs no display: a scheduled job
    on a server runs it."""
    import os
    import sys

    environment = {k: v for k, v in os.environ.items()
                   if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XAUTHORITY")}
    out = tmp_path / "headless.pdf"
    result = subprocess.run([sys.executable, "-m", "salesdesk", "--db", str(demo_db), "report", "weekly",
                             "--out", str(out)], capture_output=True, text=True, env=environment, timeout=120)
    assert result.returncode == 0, result.stderr
    assert pdf_text(out).startswith("Weekly sales report")


def test_the_other_commands_never_load_qt(demo_db, tmp_path):
    import sys

    script = ("import sys\nfrom salesdesk.cli import main\n"
              f"for argv in (['check'], ['rates', 'list'], ['export', 'deals', {str(tmp_path / 'd.csv')!r}],"
              f" ['backup', '--list']):\n"
              f"    assert main(['--db', {str(demo_db)!r}, *argv]) == 0, argv\n"
              "loaded = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
              "assert not loaded, loaded\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
