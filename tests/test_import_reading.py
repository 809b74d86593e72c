"""The reading layer against broken and hostile files: the ``reading_*`` files of the
corpus (tests/data/import), each with its expected outcome, and generated extremes
refused within bounded time and memory in a child process.

XLSX files are built here part by part (``write_xlsx``): rows out of order, error
values, entity declarations and huge tables are what no spreadsheet program writes on
request.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import pytest

from salesdesk.cli import main
from salesdesk.transfer.importer import guess_mapping, import_file
from salesdesk.transfer.problems import ImportRefused
from salesdesk.transfer.reading import open_sheet

from tests.conftest import dump
from tests.test_import_corpus import CHILD, CORPUS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/></Types>')
ROOT_RELS = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
             f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')


def sheet_xml(rows: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'


def strings_xml(strings: list[str]) -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(strings)}">{items}</sst>'


def styles_xml(formats: list[int | str]) -> str:
    """cellXfs in order, one per entry: a built-in numFmtId, or a custom format code."""
    custom = [(164 + i, f) for i, f in enumerate(formats) if isinstance(f, str)]
    ids = iter(number for number, _ in custom)
    xfs = "".join(f'<xf numFmtId="{next(ids) if isinstance(f, str) else f}"/>' for f in formats)
    codes = "".join(f'<numFmt numFmtId="{n}" formatCode="{code}"/>' for n, code in custom)
    return (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><numFmts>{codes}</numFmts>'
            f'<cellXfs count="{len(formats)}">{xfs}</cellXfs></styleSheet>')


def write_xlsx(path: Path, rows: str | None = None, *, sheet: str | None = None, strings: str | None = None,
               styles: str | None = None, workbook_pr: str = "", sheets: str | None = None) -> Path:
    """A workbook of one sheet named Sheet1: ``rows`` (the ``<row>`` elements) or the
    whole ``sheet`` part; ``strings``/``styles`` parts when given; ``sheets`` replaces
    the workbook's list of sheets."""
    rels = [f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>']
    if strings is not None:
        rels.append(f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>')
    if styles is not None:
        rels.append(f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>')
    listed = '<sheet name="Sheet1" sheetId="1" r:id="rId1"/>' if sheets is None else sheets
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">{workbook_pr}'
                f'<sheets>{listed}</sheets></workbook>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels",
                         f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">{"".join(rels)}'
                         '</Relationships>')
        archive.writestr("xl/worksheets/sheet1.xml", sheet if sheet is not None else sheet_xml(rows or ""))
        if strings is not None:
            archive.writestr("xl/sharedStrings.xml", strings)
        if styles is not None:
            archive.writestr("xl/styles.xml", styles)
    return path


def inline_row(number: int, *cells: str) -> str:
    """A row of inline strings in columns A, B, ..."""
    out = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{c}</t></is></c>' for i, c in enumerate(cells))
    return f'<row r="{number}">{out}</row>'


# file -> ("ok", {sql: rows}) or ("refused", [problems as printed]); the kind is the
# word after "reading_"
EXPECTED: dict[str, tuple] = {
    # CSV
    "reading_accounts_cp1252_byte_late.csv": ("refused", [
        "row 5002, column city: byte 0xF6 is not UTF-8, while the rest of the file is: save the file again as "
        "UTF-8"]),
    "reading_accounts_mid_bom.csv": ("refused", [
        "row 3: repeats the header row: were two files joined into one? Remove the second header",
        "row 3, column name: holds a byte-order mark (U+FEFF), which belongs only at the start of a file: were two "
        "files joined into one?"]),
    # the header again in other letters or with spaces around: the same sign of two files in one
    "reading_accounts_header_again_other_case.csv": ("refused", [
        "row 3: repeats the header row: were two files joined into one? Remove the second header"]),
    "reading_accounts_header_again_other_case.xlsx": ("refused", [
        "row 3: repeats the header row: were two files joined into one? Remove the second header"]),
    "reading_accounts_header_twice_other_case.csv": ("refused", [
        "row 1, column NAME: gives the name, as column 1 ('name') does; rename or unmap one"]),
    "reading_accounts_repeated_header.csv": ("refused", [
        "row 3: repeats the header row: were two files joined into one? Remove the second header"]),
    "reading_accounts_ctrl_z.csv": ("ok", {"SELECT name, city FROM accounts ORDER BY id": [
        ("First Ltd", "Lyon"), ("Second Ltd", "Nice")]}),
    "reading_accounts_control_chars.csv": ("refused", [
        "row 2, column name: holds a control character (BEL, U+0007) at position 5; remove it",
        "row 3, column name: holds a control character (ESC, U+001B) at position 4; remove it"]),
    "reading_accounts_invisible_name.csv": ("refused", ["row 2, column name: an account needs a name"]),
    "reading_accounts_too_many_columns.csv": ("refused", ["row 1: has 1,001 columns; SalesDesk reads at most 1,000"]),
    # XLSX
    "reading_accounts_rows_out_of_order.xlsx": ("ok", {"SELECT name, city FROM accounts ORDER BY id": [
        ("Second Ltd", "Lyon"), ("Third Ltd", "Nice"), ("Fourth Ltd", "Paris")]}),
    "reading_accounts_formulas_cached.xlsx": ("ok", {"SELECT name, city, employees FROM accounts ORDER BY id": [
        ("ACME", "Lyon", None), ("Staff Ltd", None, 42)]}),
    "reading_accounts_formula_errors.xlsx": ("refused", [
        "row 2, column name: A2 holds the error #REF!",
        "row 3, column employees: C3 holds the error #N/A",
        "row 4, column name: A4 holds the error #DIV/0!",
        "row 5, column employees: C5 holds the error #VALUE!",
        "row 6, column name: A6 holds the error #NAME?",
        "row 7, column employees: C7 holds the error #NUM!",
        "row 8, column name: A8 holds the error #NULL!"]),
    "reading_accounts_formula_no_value.xlsx": ("refused", [
        "row 4, column city: B4 holds a formula with no saved value: open the file in your spreadsheet program and "
        "save it"]),
    # the sheet a spreadsheet opens on, not a hidden one before it
    "reading_accounts_hidden_first_sheet.xlsx": ("ok", {"SELECT name FROM accounts": [("Visible Co",)]}),
    # number and boolean cells as text: what the spreadsheet shows (15 digits, TRUE)
    "reading_accounts_boolean_name.xlsx": ("ok", {"SELECT name FROM accounts": [("TRUE",)]}),
    "reading_accounts_long_numbers.xlsx": ("ok", {"SELECT name, external_id FROM accounts ORDER BY id": [
        ("BigId Co", "12345678901234500000"), ("12345678901234500000", "41111111111111100")]}),
    "reading_accounts_float_noise.xlsx": ("ok", {"SELECT name, city FROM accounts": [("1.1", "3")]}),
    "reading_deals_date_formats.xlsx": ("ok", {"SELECT title, expected_close FROM deals ORDER BY id": [
        ("Built-in 14", "2023-03-15"), ("Built-in 22", "2023-03-15"), ("Custom dd/mm/yyyy", "2025-12-09")]}),
    "reading_deals_date1904.xlsx": ("ok", {"SELECT title, expected_close FROM deals": [
        ("Counted from 1904", "2023-03-15")]}),
    # a number cell without a date format is a number, in a date column too (unless mapped as serials)
    "reading_deals_number_not_date.xlsx": ("refused", [
        "row 2, column expected_close: 45000 is a number, not a date: write it as YYYY-MM-DD, or say the column "
        "holds spreadsheet serial numbers (in the wizard's Values page, or \"serial_dates\" in the mapping)"]),
    "reading_accounts_billion_laughs.xlsx": ("refused", [
        "reading_accounts_billion_laughs.xlsx: the sheet declares XML entities (a DOCTYPE), which SalesDesk does "
        "not read"]),
    "reading_accounts_xxe.xlsx": ("refused", [
        "reading_accounts_xxe.xlsx: the shared-strings part declares XML entities (a DOCTYPE), which SalesDesk "
        "does not read"]),
    "reading_accounts_no_sheets.xlsx": ("refused", ["reading_accounts_no_sheets.xlsx has no sheets"]),
    "reading_accounts_shared_string_out_of_range.xlsx": ("refused", [
        "row 2, column city: B2 refers to shared string 7, but the workbook holds 3: the file is damaged"]),
    "reading_accounts_bad_numbers.xlsx": ("refused", [
        "row 2, column employees: B2 holds 'abc', which is not a number",
        "row 3, column employees: B3 holds 'NaN', which is not a number",
        "row 4, column employees: B4 holds 'inf', which is not a number",
        "row 5, column employees: B5 holds '1e999', which is too large a number"]),
    "reading_accounts_broken_styles.xlsx": ("refused", [
        "reading_accounts_broken_styles.xlsx: the XML of the styles is damaged or cut short (unclosed token, line 1, "
        "column 108)"]),
    "reading_accounts_truncated_sheet.xlsx": ("refused", [
        "row 3: reading_accounts_truncated_sheet.xlsx: the XML of the sheet is damaged or cut short (no element "
        "found, line 1, column 397)"]),
    "reading_accounts_not_zip.xlsx": ("refused", [
        "reading_accounts_not_zip.xlsx cannot be read as an XLSX workbook: it is not a zip archive (or it is cut "
        "short)"]),
    "reading_accounts_old_excel.xlsx": ("refused", [
        "reading_accounts_old_excel.xlsx is an Excel 97-2003 workbook (.xls) or a password-protected one: save it as "
        ".xlsx or CSV"]),
    "reading_accounts_row_twice.xlsx": ("refused", ["row 2: the sheet stores row 2 twice: the file is damaged"]),
    "reading_accounts_header_again.xlsx": ("refused", [
        "row 3: repeats the header row: were two files joined into one? Remove the second header"]),
    "reading_accounts_shared_control.xlsx": ("refused", [
        "row 2, column name: A2 holds a control character (BEL, U+0007) at position 5; remove it"]),
    "reading_accounts_sheet_part_missing.xlsx": ("refused", [
        "reading_accounts_sheet_part_missing.xlsx lists the sheet 'Sheet1' but does not hold it: the workbook is "
        "damaged"]),
    "reading_accounts_cut_zip.xlsx": ("refused", [
        "reading_accounts_cut_zip.xlsx cannot be read as an XLSX workbook: it is not a zip archive (or it is cut "
        "short)"]),
}


def test_every_reading_file_of_the_corpus_has_its_outcome():
    assert sorted(p.name for p in CORPUS.glob("reading_*")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_reading_file_has_its_expected_outcome(org, db_path, name):
    path = CORPUS / name
    kind = name.split("_")[1]
    outcome = EXPECTED[name]
    before = db_path.read_bytes(), dump(org.db)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing of a library's on stderr
        if outcome[0] == "ok":
            import_file(org.db, path, guess_mapping(path, kind), backup=False)
            with org.db.read() as reader:
                for sql, rows in outcome[1].items():
                    assert reader.execute(sql) == rows
            return
        with pytest.raises(ImportRefused) as refused:
            import_file(org.db, path, guess_mapping(path, kind), backup=False)
    assert [str(p) for p in refused.value.problems] == outcome[1]
    assert (db_path.read_bytes(), dump(org.db)) == before


def _cells(path: Path) -> list[list]:
    with open_sheet(path) as sheet:
        return [cells for _, cells in sheet.rows]


def test_date_formatted_cells_read_as_moments_and_others_as_numbers():
    assert [row[4] for row in _cells(CORPUS / "reading_deals_date_formats.xlsx")] == [
        dt.datetime(2023, 3, 15), dt.datetime(2023, 3, 15, 12), dt.datetime(2025, 12, 9)]
    assert [row[4] for row in _cells(CORPUS / "reading_deals_date1904.xlsx")] == [dt.datetime(2023, 3, 15)]
    assert [row[3:] for row in _cells(CORPUS / "reading_deals_number_not_date.xlsx")] == [[1000, 45000]]


def test_rows_stored_out_of_order_come_in_row_order(tmp_path):
    path = write_xlsx(tmp_path / "shuffled.xlsx", inline_row(1, "name") + "".join(
        inline_row(n, f"Row {n}") for n in (5, 2, 4, 3, 7, 6)))
    with open_sheet(path) as sheet:
        assert [(n, cells) for n, cells in sheet.rows] == [(n, [f"Row {n}"]) for n in range(2, 8)]


def test_a_cell_beyond_the_last_column_read_is_refused_naming_the_limit(org, tmp_path):
    path = write_xlsx(tmp_path / "wide.xlsx", inline_row(1, "name") + '<row r="2"><c r="A2" t="inlineStr"><is><t>'
                      'A</t></is></c><c r="ALN2"><v>1</v></c></row>')
    with pytest.raises(ImportRefused) as refused:
        import_file(org.db, path, guess_mapping(path, "accounts"), backup=False)
    assert [str(p) for p in refused.value.problems] == [
        "row 2: ALN2 is in column 1,002; SalesDesk reads at most 1,000 columns"]


def _patched_sizes(path: Path, part: str, size: int) -> Path:
    """The archive with ``part``'s uncompressed size declared as ``size`` (in its local
    header and in the directory), its contents unchanged."""
    data = bytearray(path.read_bytes())
    name = part.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[at + offset:at + offset + 4] = size.to_bytes(4, "little")
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def _big_sheet(path: Path, megabytes: int) -> Path:
    """A sheet of a header and ``megabytes`` of blank rows: a few hundred KB zipped."""
    blank = "<row/>" * (megabytes * 2**20 // 6)
    return write_xlsx(path, inline_row(1, "name") + blank + inline_row(2_000_000, "Last"))


def test_a_sheet_declared_larger_than_the_limit_is_refused_unopened(org, tmp_path):
    path = _patched_sizes(write_xlsx(tmp_path / "bomb.xlsx", inline_row(1, "name") + inline_row(2, "A")),
                          "xl/worksheets/sheet1.xml", 3 * 2**30)
    with pytest.raises(ImportRefused) as refused:
        guess_mapping(path, "accounts")
    assert [str(p) for p in refused.value.problems] == [
        "the sheet 'Sheet1' of bomb.xlsx is 3,221,225,472 bytes uncompressed; SalesDesk reads at most 268,435,456 "
        "bytes (256 MB) there"]


def test_a_sheet_that_unpacks_beyond_its_declared_size_is_refused(org, tmp_path):
    path = _patched_sizes(write_xlsx(tmp_path / "liar.xlsx", inline_row(1, "name") + "<row/>" * 200_000),
                          "xl/worksheets/sheet1.xml", 100_000)
    with pytest.raises(ImportRefused) as refused:
        guess_mapping(path, "accounts")
    # zipfile stops at the declared size too (then the checksum fails); either way, in words
    [problem] = [str(p) for p in refused.value.problems]
    assert problem.startswith("liar.xlsx is damaged: its part xl/worksheets/sheet1.xml "), problem


# Generous bounds: the files were refused in 1-2 s and under 80 MB, where before they
# took 67-106 s and up to 701 MB.
SECONDS, PEAK_KB = 10, 200_000


def _refused_at_once(db_path: Path, org, path: Path, problem: str) -> None:
    """``salesdesk import`` of ``path`` in a child process: refused with ``problem``
    within ``SECONDS`` and ``PEAK_KB`` of memory (VmHWM), the database as it was."""
    org.db.close()
    before = db_path.read_bytes()
    started = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", CHILD, "--db", str(db_path), "import", "accounts", str(path)],
                           capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - started
    assert child.returncode == 1, child.stderr
    *lines, peak = child.stderr.splitlines()
    assert lines == [f"salesdesk: error: {problem}", f"salesdesk: error: nothing was imported from {path.name}: "
                                                     "1 problem"]
    peak_kb = int(peak.split()[1])
    assert peak_kb < PEAK_KB and seconds < SECONDS, (peak_kb, seconds)
    assert db_path.read_bytes() == before


needs_proc = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")


@needs_proc
def test_a_csv_of_a_million_columns_is_refused_at_once(db_path, org, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(",".join(["name", *(f"c{i}" for i in range(1, 10**6))]).encode() + b"\nA\n")
    assert path.stat().st_size > 7_000_000
    _refused_at_once(db_path, org, path, "row 1: has at least 513,889 columns; SalesDesk reads at most 1,000")


@needs_proc
def test_a_small_workbook_of_millions_of_shared_strings_is_refused_at_once(db_path, org, tmp_path):
    strings = f'<sst xmlns="{MAIN}">' + "<si><t>x</t></si>" * 3_000_000 + "</sst>"
    path = write_xlsx(tmp_path / "strings.xlsx", inline_row(1, "name") + inline_row(2, "A"), strings=strings)
    assert path.stat().st_size < 1_000_000
    _refused_at_once(db_path, org, path, "strings.xlsx holds more than 1,000,000 shared strings, the most "
                                         "SalesDesk reads in a workbook")


@needs_proc
def test_a_sheet_of_more_cells_than_the_limit_is_refused_at_once(db_path, org, tmp_path):
    path = write_xlsx(tmp_path / "cells.xlsx", inline_row(1, "name") + "<row>" + "<c/>" * 20_000_001 + "</row>")
    _refused_at_once(db_path, org, path, "the sheet of cells.xlsx has more than 20,000,000 cells, the most "
                                         "SalesDesk reads")


def test_a_csv_past_the_cell_limit_is_refused_naming_it(org, tmp_path, monkeypatch):
    from salesdesk.transfer import reading

    monkeypatch.setattr(reading, "MAX_CELLS", 10)  # the limit itself is 20 million cells
    path = tmp_path / "many.csv"
    path.write_text("name,city\n" + "".join(f"A{i},Lyon\n" for i in range(10)), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_file(org.db, path, guess_mapping(path, "accounts"), backup=False)
    assert [str(p) for p in refused.value.problems] == [
        "row 7: brings the file past 10 cells, the most SalesDesk reads in one import: split the file"]


# --- files that are not files to read -------------------------------------------------------


def _cli_errors(db_path: Path, path: Path, capsys) -> list[str]:
    assert main(["--db", str(db_path), "import", "accounts", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.splitlines()


# Root reads any file; without the capabilities that let it (setpriv), it reads as others do.
SETPRIV = shutil.which("setpriv")
AS_OTHERS = ([SETPRIV, "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search"]
             if os.geteuid() == 0 and SETPRIV else [])


@pytest.mark.skipif(os.geteuid() == 0 and not SETPRIV, reason="root reads any file and setpriv is missing: a file "
                                                              "without read permission cannot be made here")
@pytest.mark.parametrize("locked", ["file", "folder"])
def test_a_file_without_read_permission_is_refused_in_words(db_path, org, tmp_path, locked):
    path = tmp_path / "locked" / "secret.csv"
    path.parent.mkdir()
    path.write_text("name\nA\n", encoding="utf-8")
    (path if locked == "file" else path.parent).chmod(0)
    org.db.close()
    try:
        child = subprocess.run([*AS_OTHERS, sys.executable, "-m", "salesdesk", "--db", str(db_path), "import",
                                "accounts", str(path)], capture_output=True, text=True, timeout=60)
    finally:
        path.parent.chmod(0o700)
    assert (child.returncode, child.stdout) == (1, "")
    assert child.stderr.splitlines() == {
        "file": [f"salesdesk: error: {path}: SalesDesk may not read this file (permission denied)",
                 "salesdesk: error: nothing was imported from secret.csv: 1 problem"],
        # the command line looks at the file first: the system's words
        "folder": [f"salesdesk: error: {path}: Permission denied"]}[locked]


def test_a_file_in_a_folder_without_permission_is_refused_in_words(tmp_path, monkeypatch):
    """What the wizard sees of a locked folder (the command line looks first, above)."""
    from salesdesk.transfer import reading

    def refused(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    path = tmp_path / "a.csv"
    monkeypatch.setattr(reading.os, "stat", refused)
    with pytest.raises(ImportRefused) as refusal, open_sheet(path):
        pass
    assert [str(p) for p in refusal.value.problems] == [
        f"{path}: SalesDesk may not look into its folder (permission denied)"]


def test_a_permission_refused_by_the_system_is_said_in_words(tmp_path, monkeypatch):
    """What root cannot see above: the system's refusal to open the file, in words."""
    from salesdesk.transfer import reading

    def refused(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    path = tmp_path / "secret.csv"
    path.write_text("name\nA\n", encoding="utf-8")
    monkeypatch.setattr(reading, "open_file", refused)
    with pytest.raises(ImportRefused) as refusal, open_sheet(path):
        pass
    assert [str(p) for p in refusal.value.problems] == [f"{path}: SalesDesk may not read this file (permission "
                                                        "denied)"]


@pytest.mark.parametrize("make", ["folder", "fifo"])
def test_a_folder_or_a_pipe_named_as_the_file_is_refused_in_words(db_path, org, tmp_path, capsys, make):
    path = tmp_path / "accounts.csv"
    if make == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    with pytest.raises(ImportRefused) as refused, open_sheet(path):
        pass
    [problem] = [str(p) for p in refused.value.problems]
    assert problem.startswith(f"{path}: ") and ("folder" in problem or "pipe" in problem), problem
    org.db.close()
    [line] = _cli_errors(db_path, path, capsys)
    assert line.startswith("salesdesk: error: ") and ("folder" in line or "pipe" in line), line


def test_each_problem_of_a_refused_file_is_one_error_line(db_path, org, capsys):
    org.db.close()
    assert _cli_errors(db_path, CORPUS / "reading_accounts_formula_errors.xlsx", capsys) == [
        *(f"salesdesk: error: {p}" for p in EXPECTED["reading_accounts_formula_errors.xlsx"][1]),
        "salesdesk: error: nothing was imported from reading_accounts_formula_errors.xlsx: 7 problems"]


def test_a_mark_cut_by_the_end_of_a_chunk_read_is_still_found(org, tmp_path):
    """The encoding pass reads a megabyte at a time: a byte-order mark across two of
    them is refused as any other."""
    from salesdesk.transfer.reading import SCAN_BYTES

    rows = b"name,city\n" + b"".join(b"A%06d,Lyon\n" % i for i in range(SCAN_BYTES // 13 - 1))
    path = tmp_path / "joined.csv"
    path.write_bytes(rows + b"x" * (SCAN_BYTES - len(rows) - 2) + b"\xef\xbb\xbfname,city\nB,Nice\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(org.db, path, guess_mapping(path, "accounts"), backup=False)
    assert [str(p) for p in refused.value.problems][-1].endswith(
        "holds a byte-order mark (U+FEFF), which belongs only at the start of a file: were two files joined into one?")


@pytest.mark.parametrize(("byte", "problem"), [
    (b"\x81", "row 3, column city: byte 0x81 is not a character in Windows-1252, the file's encoding (it is not "
              "UTF-8): save the file again as UTF-8"),
    (b"\x07", "row 3, column city: holds a control character (BEL, U+0007) at position 2; remove it")])
def test_a_windows_1252_file_is_checked_as_closely_as_a_utf8_one(org, tmp_path, byte, problem):
    path = tmp_path / "legacy.csv"
    path.write_bytes(b"name,city\nCaf\xe9 Cr\xe8me,Lyon\nNa\xefve Ltd,N" + byte + b"ice\n")
    with pytest.raises(ImportRefused) as refused:
        import_file(org.db, path, guess_mapping(path, "accounts"), backup=False)
    assert [str(p) for p in refused.value.problems] == [problem]


def test_the_database_itself_or_another_one_is_refused_as_a_database(org, db_path, tmp_path):
    """Not read as text ("byte 0xF1 is not UTF-8"), and never opened with a plain open()."""
    other = tmp_path / "other.xlsx"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for path in (db_path, other):
        before = db_path.read_bytes()
        with pytest.raises(ImportRefused) as refused:
            import_file(org.db, path, guess_mapping(CORPUS / "accounts_utf16_tab.csv", "accounts"), backup=False)
        assert [str(p) for p in refused.value.problems] == [
            f"{path}: is a database (SalesDesk's or another program's), not a CSV or XLSX file; to bring a database "
            "back use its backups (salesdesk restore)"]
        assert db_path.read_bytes() == before
