"""Reading spreadsheets row by row: CSV in any common dialect, and XLSX.

A ``Sheet`` gives the header and then ``(row number, cells)`` one row at a time, so a
file of a million rows is never held whole.  Row numbers are the ones a spreadsheet
shows for the file: the header is row 1, and a cell with a line break inside quotes
stays one row (a CSV's line numbers would disagree there, a spreadsheet's do not).

CSV: the encoding is read from a byte-order mark (UTF-8, UTF-16), else the file is
UTF-8 when every byte of it decodes as UTF-8 (checked in one streamed pass), else
Windows-1252, which decodes any byte, as exports of older spreadsheet programs need.
The delimiter is whichever of ``, ; TAB |`` splits the first rows most consistently.

XLSX: openpyxl in read-only mode (streamed, cached values of formulas); dates come as
dates, numbers as numbers.  Cells are otherwise handed on as they are: parsing them is
the job of ``values``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from salesdesk.errors import DatabaseError
from salesdesk.safety.files import open_file
from salesdesk.transfer.problems import ImportRefused, Problem

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 * 1024
# A cell may hold a long note, not a whole file: beyond this csv refuses the row.
MAX_CELL = 1_000_000
csv.field_size_limit(MAX_CELL)

Cell = str | int | float | dt.date | dt.datetime | None


@dataclass
class Sheet:
    """The header of a file and an iterator over its data rows."""

    name: str
    headers: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 1


@contextmanager
def open_sheet(path: str | Path, sheet: str | None = None) -> Iterator[Sheet]:
    """Open a CSV or XLSX file; ``ImportRefused`` when it cannot be read as a table."""
    path = Path(path)
    if not path.is_file():
        raise ImportRefused([Problem(0, "", f"{path}: no such file")])
    try:
        with open_file(path, "rb") as handle:
            head = handle.read(8)
    except DatabaseError as exc:  # the database itself (or its -wal) under another name
        raise ImportRefused([Problem(0, "", str(exc))]) from None
    if head.startswith(b"PK\x03\x04") or path.suffix.lower() in (".xlsx", ".xlsm"):
        with _open_xlsx(path, sheet) as opened:
            yield opened
    else:
        with _open_csv(path) as opened:
            yield opened


# --- CSV ----------------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    with open_file(path, "rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def sniff_delimiter(sample: str) -> str:
    """The delimiter that gives the first rows the same number (>1) of cells most often."""
    lines = sample.splitlines(keepends=True)
    if len(sample) >= SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut short
    text = "".join(lines)
    best, best_score = ",", (-1, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(len(r) == width for r in rows[:50]), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


@contextmanager
def _open_csv(path: Path) -> Iterator[Sheet]:
    encoding = detect_encoding(path)
    # cp1252 leaves five bytes undefined; decode them as Latin-1 would rather than fail.
    errors = "strict" if encoding != "cp1252" else "replace"
    with open_file(path, "r", encoding=encoding, errors=errors, newline="") as handle:
        try:
            sample = handle.read(SAMPLE_BYTES)
        except UnicodeError as exc:
            raise ImportRefused([Problem(1, "", f"the file cannot be read as {encoding} text ({exc.reason})")])
        delimiter = sniff_delimiter(sample)
        handle.seek(0)
        # strict: a quote never closed is an error of its row, not the rest of the file in one cell
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        number = 0
        headers: list[str] | None = None
        try:
            for cells in reader:  # skip blank lines before the header
                number += 1
                if any(c.strip() for c in cells):
                    headers = cells
                    break
        except (csv.Error, UnicodeError) as exc:
            raise ImportRefused([Problem(number + 1, "", _csv_reason(exc))]) from None
        if headers is None:
            raise ImportRefused([Problem(1, "", "the file is empty: it needs a header row naming the columns")])
        header_row = number

        def rows() -> Iterator[tuple[int, list[Cell]]]:
            n = header_row
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except (csv.Error, UnicodeError) as exc:
                    raise ImportRefused([Problem(n + 1, "", _csv_reason(exc))]) from None
                n += 1
                yield n, cells

        yield Sheet(path.name, [h.strip() for h in headers], rows(), encoding, delimiter, header_row)


def _csv_reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeError):
        return f"the file is not valid text in its encoding ({exc})"
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell is longer than {MAX_CELL:,} characters"
    return f"the file cannot be read as CSV ({text})"


# --- XLSX ---------------------------------------------------------------------------------


@contextmanager
def _open_xlsx(path: Path, sheet: str | None) -> Iterator[Sheet]:
    from zipfile import BadZipFile

    import openpyxl

    from openpyxl.utils.exceptions import InvalidFileException

    handle = open_file(path, "rb")  # ours to close: openpyxl leaves a file object it was given open
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        handle.close()
        raise ImportRefused([Problem(0, "", f"{path.name} cannot be read as an XLSX workbook ({exc})")]) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ImportRefused([Problem(0, "", f"{path.name} has no sheet named {sheet!r}")])
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        cells = worksheet.iter_rows(values_only=True)
        headers = None
        number = 0
        for values in cells:
            number += 1
            if any(v is not None and str(v).strip() for v in values):
                headers = ["" if v is None else str(v).strip() for v in values]
                break
        if headers is None:
            raise ImportRefused([Problem(1, "", "the sheet is empty: it needs a header row naming the columns")])
        header_row = number

        def rows() -> Iterator[tuple[int, list[Cell]]]:
            for n, values in enumerate(cells, header_row + 1):
                yield n, list(values)

        yield Sheet(worksheet.title, headers, rows(), "xlsx", "", header_row)
    finally:
        book.close()
        handle.close()
