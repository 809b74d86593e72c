"""No exported cell is a formula in a spreadsheet program: LibreOffice (headless) opens the
CSV and XLSX exports of hostile texts, every option of its CSV import on, and shows each
text cell as the text the export wrote (neutralised with its leading quote), none evaluated.

Needs ``soffice`` (Debian: libreoffice-calc-nogui, which ``make test`` installs when it
can); skipped, saying so, where it is missing.  One soffice run converts every file.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import openpyxl
import pytest

from salesdesk.transfer.export import export_kind, export_rows
from salesdesk.transfer.kinds import IMPORT_ORDER, kind
from salesdesk.transfer.values import neutralise
from tests.test_export_round_trip import HOSTILE, fill_with_texts, text_sql

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed, so no spreadsheet program "
                                "checked the exports (Debian: apt-get install libreoffice-calc-nogui; make test "
                                "installs it when run as root)")
# Every option of LibreOffice's CSV import on, "evaluate formulas" (the 13th) included: the
# most a user could ask of it when opening our file.
CSV_IMPORT = "CSV:44,34,76,1,,0,false,true,true,true,true,true,true"
KINDS = IMPORT_ORDER[:-1]
ODD = "_x000D_ is not a line break"
ESCAPE = re.compile("_x[0-9A-Fa-f]{4}_")  # how OOXML writes a character in text (_x000D_ is CR)  # targets hold no text a person typed


def libreoffice_resaves(files: list[Path], folder: Path) -> dict[str, openpyxl.Workbook]:
    """Each file as LibreOffice opens it, saved as XLSX (one soffice call for them all),
    read with its formulas as formulas."""
    out = folder / "resaved"
    profile = folder / "lo-profile"  # its own: a LibreOffice the user has open is not disturbed
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
               "--norestore", f"--infilter={CSV_IMPORT}", "--convert-to", "xlsx", "--outdir", str(out),
               *map(str, files)]
    # No display (the suite's Xvfb is not LibreOffice's business), a session of its own so
    # that a hang is killed with every process soffice started, and output to a file: a
    # pipe held open by a leftover child would keep the test waiting after the kill.
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["SAL_USE_VCLPLUGIN"] = "svp"
    log = folder / "soffice.log"
    with log.open("w") as output:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                 env=env, start_new_session=True)
        try:
            code = child.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            pytest.skip("LibreOffice did not finish converting the exports within 120 s on this machine")
    assert code == 0, log.read_text()
    return {f.name: openpyxl.load_workbook(out / f"{f.stem}.xlsx") for f in files}


def formulas(book: openpyxl.Workbook) -> list[str]:
    return [f"{c.coordinate}: {c.value!r}" for row in book.worksheets[0].iter_rows() for c in row
            if c.data_type in ("f", "e")]


def as_shown(text: str, csv: bool) -> str:
    """A text as LibreOffice shows it, not evaluated: CRLF as LF, and from a CSV a lone CR
    as LF too and no spaces at its ends (the CSV import's "trim spaces" is on)."""
    text = neutralise(text).replace("\r\n", "\n")
    return text.replace("\r", "\n").strip(" ") if csv else text


def texts_changed(book: openpyxl.Workbook, headers, rows, *, csv: bool) -> list[str]:
    """The text cells LibreOffice shows otherwise than the export wrote them (=1+1 as 2)."""
    shown = list(book.worksheets[0].iter_rows(values_only=True))
    out = [f"header row: {shown[0]!r}"] if tuple(shown[0][:len(headers)]) != tuple(headers) else []
    for number, (row, seen) in enumerate(zip(rows, shown[1:]), 2):
        out += [f"row {number}, {header}: {written!r} shown as {cell!r}"
                for header, value, cell in zip(headers, row, seen)
                if value.__class__ is str and (written := as_shown(value, csv)) != (cell or "")
                and not (ESCAPE.search(value) and not csv)]  # see the test below
    return out + ([f"{len(shown) - 1} rows shown, {len(rows)} written"] if len(shown) - 1 != len(rows) else [])


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    """The database of hostile texts, its exports and what LibreOffice made of them."""
    from salesdesk.db.migrate import open_database
    from tests.conftest import Org

    folder = tmp_path_factory.mktemp("libreoffice")
    org = Org(open_database(folder / "hostile.sqlite3"))
    fill_with_texts(org, [*HOSTILE, ODD])
    with org.db.transaction() as s:  # near a spreadsheet's limit of 32,767 characters a cell
        s.execute(text_sql("UPDATE deals SET notes = :long WHERE id = (SELECT max(id) FROM deals)"),
                  {"long": "=1+1 " * 6400})
    files = [folder / f"{name}-{suffix}.{suffix}" for name in KINDS for suffix in ("csv", "xlsx")]
    for path in files:
        export_kind(org.db, path.stem.split("-")[0], path)
    control = folder / "control.csv"  # the same text, not from our export: evaluated
    control.write_text("name\n=1+1\n", encoding="utf-8")
    yield org, files, libreoffice_resaves([*files, control], folder)
    org.db.close()


def test_libreoffice_evaluates_no_cell_of_an_export_as_a_formula(opened):
    org, files, books = opened
    assert formulas(books["control.csv"]) == ["A2: '=1+1'"]  # how an evaluated one looks here
    for path in files:
        name = path.stem.split("-")[0]
        book = books[path.name]
        if path.suffix == ".xlsx":  # opened as a workbook, not read as text
            assert book.worksheets[0].title == kind(name).label, path.name
        assert formulas(book) == [], path.name
        changed = texts_changed(book, *export_rows(org.db, name), csv=path.suffix == ".csv")
        assert changed == [], path.name
    deals = [c for row in books["deals-xlsx.xlsx"].worksheets[0].iter_rows(values_only=True) for c in row]
    assert "'=1+1" in deals and "'@SUM(1;1)" in deals  # text, shown as written


def test_a_text_that_looks_like_an_ooxml_escape_is_shown_as_written(opened):
    _org, _files, books = opened
    names = [row[0] for row in books["accounts-xlsx.xlsx"].worksheets[0].iter_rows(values_only=True)]
    assert ODD in names
