"""Reading spreadsheets row by row: CSV in any common dialect, and XLSX.

A ``Sheet`` gives the header and then ``(row number, cells)`` one row at a time, so a
file of a million rows is never held whole.  Row numbers are the ones a spreadsheet
shows for the file: the header is row 1, and a cell with a line break inside quotes
stays one row (a CSV's line numbers would disagree there, a spreadsheet's do not).

CSV: the encoding is decided for the whole file, in one streamed pass before any row is
read: a byte-order mark names it (UTF-8, UTF-16, UTF-32); else a file that is UTF-8
throughout is UTF-8, and one without a single multi-byte UTF-8 sequence is
Windows-1252 (as older spreadsheet programs export).  A file with both is two encodings
in one, and is refused at the row of its first byte that is not UTF-8: read as either,
part of it would be stored wrong.  The delimiter is whichever of ``, ; TAB |`` splits
the first rows most consistently.

XLSX: ``salesdesk.transfer.xlsx``, a streaming reader of our own; dates come as dates,
numbers as numbers.

What the reader refuses, with its row and column (the rows are not handed on, and the
file is refused once read): a control character in a cell (C0 but tab and line
breaks, DEL, C1; a Ctrl-Z ending the file is the end-of-file mark of old programs, and
dropped), a byte-order mark after the start of a CSV (two files joined), a row that
repeats the header.  A cell made only of invisible characters (zero-width spaces,
no-break spaces...) reads as empty, so that a required field made of them is refused
as missing.  What it refuses at once, naming the limit: more than ``MAX_COLUMNS``
columns, a cell over ``MAX_CELL`` characters, a line over ``MAX_LINE``, a file of more
than ``MAX_CELLS`` cells.

The checks cost nothing on the common path: the encoding pass also looks for any
character worth a closer look and any over-long line, and a CSV without either is
handed to csv as it is; only the others go line by line.  Cells are otherwise handed on
as they are: parsing them is the job of ``values``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, cast

from salesdesk.errors import DatabaseError, SalesDeskError
from salesdesk.safety.files import NOT_ORDINARY, open_file, sqlite_kind
from salesdesk.transfer.characters import control_problem, invisible
from salesdesk.transfer.problems import MAX_LISTED, ImportRefused, Problem

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 * 1024
# A cell may hold a long note, not a whole file: beyond this csv refuses the row.
MAX_CELL = 1_000_000
MAX_COLUMNS = 1_000
MAX_CELLS = 20_000_000  # of one file (a CSV or the sheet of a workbook): a million rows of 20 columns
MAX_LINE = 4 * MAX_CELL  # characters of one line of a CSV (a line is read whole before csv splits it)
SCAN_BYTES = 1 << 20
csv.field_size_limit(MAX_CELL)

Cell = str | int | float | bool | dt.date | dt.datetime | None

# What makes a cell worth a closer look: control characters (C0 but tab and line breaks,
# DEL, C1), characters a cell could seem empty with, byte-order marks, and the bytes
# the file's encoding lacks (kept by "surrogateescape" as lone surrogates).  The
# no-break space is left out: common in real names, and stripped as a space anyway.
_INVISIBLE_ONLY = ("\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180e\u2000-\u200f\u2028-\u202f"
                   "\u205f-\u206f\u2800\u3000\u3164\ufeff\uffa0")
LOOK_CLOSER = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_INVISIBLE_ONLY}\udc80-\udcff\ufffe\uffff]")
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
REPEATED_HEADER = "repeats the header row: were two files joined into one? Remove the second header"
JOINED_BOM = ("holds a byte-order mark (U+FEFF), which belongs only at the start of a file: were two files "
              "joined into one?")


def inspect_text(text: str, *, mark_is_invisible: bool = False) -> tuple[str | None, str]:
    """Why a cell's text cannot be imported (or None), and the text itself: ``""`` for
    a cell of invisible characters only.  The caller asks only of text ``LOOK_CLOSER``
    found something in (or of any text, if it is cheaper than asking)."""
    reason = control_problem(text)
    if reason:
        return reason, text
    # a mark starting a cell is where a second file's start lands; inside a text it is
    # a zero-width no-break space, kept as written (an export writes it so)
    if not mark_is_invisible and text[:1] == "\ufeff":
        return JOINED_BOM, text
    return None, "" if invisible(text) else text


def header_key(cells: list) -> list:
    """A row as a header compares: case, spaces at the ends and empty cells at its end aside."""
    key = [c.strip().casefold() if isinstance(c, str) else c for c in cells]
    while key and key[-1] in ("", None):
        key.pop()
    return key


def repeats_header(cells: list, key: list) -> bool:
    """Whether a data row is the header again (``key``: ``header_key(header)``); cheap
    for the rows whose first cell differs, which is nearly all."""
    first = cells[0] if cells else None
    return (bool(key) and isinstance(first, str) and first.strip().casefold() == key[0]
            and header_key(cells) == key)


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
    _check_file(path)
    try:
        with open_file(path, "rb") as handle:
            head = handle.read(8)
    except DatabaseError as exc:  # the database itself (or its -wal) under another name
        raise ImportRefused([Problem(0, "", str(exc))]) from None
    except PermissionError:
        raise _file_refused(path, "SalesDesk may not read this file (permission denied)") from None
    except (OSError, SalesDeskError) as exc:
        raise _file_refused(path, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused([Problem(0, "", f"{path.name} is an Excel 97-2003 workbook (.xls) or a password-protected "
                                            "one: save it as .xlsx or CSV")])
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")) or path.suffix.lower() in (".xlsx", ".xlsm"):
        with _open_xlsx(path, sheet) as opened:
            yield opened
    else:
        with _open_csv(path) as opened:
            yield opened


def _file_refused(path: Path, reason: str) -> ImportRefused:
    return ImportRefused([Problem(0, "", f"{path}: {reason}")])


def _check_file(path: Path) -> None:
    """A file that is there, a file (not a folder, a pipe or a device), in one sentence."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise _file_refused(path, "no such file") from None
    except PermissionError:
        raise _file_refused(path, "SalesDesk may not look into its folder (permission denied)") from None
    except (OSError, ValueError) as exc:
        raise _file_refused(path, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    if stat.S_ISDIR(mode):
        raise _file_refused(path, "is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise _file_refused(path, NOT_ORDINARY)
    # asked through SQLite (no descriptor of ours to close under a live connection)
    if sqlite_kind(path) == "sqlite":
        raise _file_refused(path, "is a database (SalesDesk's or another program's), not a CSV or XLSX file; "
                                  "to bring a database back use its backups (salesdesk restore)")


class _Findings:
    """Problems the reader found in cells: their rows are not handed on, and the file is
    refused with all of them at its end (or at once, when the file cannot go on).  A
    column is named when the file is refused: an XLSX's cells may be read before its
    header is known."""

    def __init__(self) -> None:
        self.found: list[tuple[int, int | None, str]] = []
        self.more = 0
        self.headers: list[str] = []

    def add(self, row: int, index: int | None, reason: str) -> None:
        if len(self.found) >= MAX_LISTED:
            self.more += 1
            return
        self.found.append((row, index, reason))

    def _column(self, index: int | None) -> str:
        if index is None:
            return ""
        return self.headers[index] if index < len(self.headers) and self.headers[index] else str(index + 1)

    def refuse(self, problems: list[Problem] | tuple = ()) -> NoReturn:
        # in the order of the file: by row, the row's own problem before its cells'
        ordered = sorted(self.found, key=lambda f: (f[0], -1 if f[1] is None else f[1]))
        found = [Problem(row, self._column(index), reason) for row, index, reason in ordered]
        raise ImportRefused(found + list(problems), self.more)

    def refuse_if_any(self) -> None:
        if self.found or self.more:
            self.refuse()


def _too_wide(row: int, count: int) -> ImportRefused:
    return ImportRefused([Problem(row, "", f"has {count:,} columns; SalesDesk reads at most {MAX_COLUMNS:,}")])


def _width(cells: list) -> int:
    """The number of cells up to the last that is not empty."""
    width = len(cells)
    while width and cells[width - 1] in ("", None):
        width -= 1
    return width


# --- CSV ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Survey:
    """What one pass over a CSV's bytes found: its encoding, and whether it is plain
    (nothing worth a closer look, no line longer than ``MAX_LINE``): csv reads a plain
    file directly, the others line by line."""

    encoding: str
    plain: bool


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def survey(path: Path) -> Survey:
    with open_file(path, "rb") as handle:
        head = handle.read(4)
        mark = next(((bom, name) for bom, name in _BOMS if head.startswith(bom)), None)
        if mark is not None and mark[1] != "utf-8-sig":
            return Survey(mark[1], False)  # rare: read line by line, checked there
        handle.seek(len(mark[0]) if mark else 0)
        scan = _Scan()
        run = longest = 0  # bytes since the last line break; the longest line across chunks
        while chunk := handle.read(SCAN_BYTES):
            scan.feed(chunk)
            first = chunk.find(b"\n")  # lines within a chunk are shorter than MAX_LINE anyway
            if first < 0:
                run += len(chunk)
            else:
                longest = max(longest, run + first)
                run = len(chunk) - chunk.rfind(b"\n") - 1
        scan.end()
    short = max(longest, run) <= MAX_LINE
    if mark is not None or not scan.invalid or scan.multibyte:
        return Survey("utf-8-sig" if mark else "utf-8", short and not (scan.look or scan.invalid))
    return Survey("cp1252", short and not scan.look_cp1252)


# Bytes that never need a closer look: printable ASCII, tab and line breaks.  What is
# left of a chunk without them is most often nothing, and searched quickly when not.
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"
_LOOK_CLOSER_VALID = re.compile(LOOK_CLOSER.pattern.replace("\udc80-\udcff", ""))
# The same in Windows-1252: C0 controls, DEL, the soft hyphen, the five undefined bytes.
_LOOK_CLOSER_CP1252 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x81\x8d\x8f\x90\x9d\xad]")


class _Scan:
    """The bytes of a CSV as they pass: are they UTF-8 throughout (``invalid`` when
    not), do they hold a multi-byte sequence, anything worth a closer look as UTF-8
    (``look``) or as Windows-1252 (``look_cp1252``)?  Strict decoding costs little;
    only a file with a byte that is not UTF-8 is decoded again, keeping such bytes,
    from there on."""

    def __init__(self) -> None:
        self.strict = codecs.getincrementaldecoder("utf-8")()
        self.lenient: codecs.IncrementalDecoder | None = None
        self.rest = codecs.getincrementaldecoder("utf-8")("surrogateescape")  # a sequence cut by a chunk's end
        self.multibyte = self.invalid = self.look = self.look_cp1252 = False
        self.fed = self.made = 0  # bytes given to the lenient decoder, characters it made

    def feed(self, chunk: bytes) -> None:
        utf8_open = not (self.look or self.invalid)  # once either, the file is read line by line as UTF-8
        rest = chunk.translate(None, _PLAIN_ASCII) if utf8_open or not self.look_cp1252 else b""
        if rest:
            if utf8_open:
                self.look = _LOOK_CLOSER_VALID.search(self.rest.decode(rest)) is not None
            self.look_cp1252 = self.look_cp1252 or _LOOK_CLOSER_CP1252.search(rest) is not None
        if self.lenient is None:
            pending = self.strict.getstate()[0]
            try:
                self.strict.decode(chunk)
                self.multibyte = self.multibyte or not chunk.isascii()  # valid: each byte >= 0x80 is in one
                return
            except UnicodeDecodeError:
                self.invalid = True
                self.lenient = codecs.getincrementaldecoder("utf-8")("surrogateescape")
                chunk = pending + chunk
        if not self.multibyte:
            # a byte that is not UTF-8 decodes to one character, a multi-byte sequence to fewer
            self.fed += len(chunk)
            self.made += len(self.lenient.decode(chunk))
            self.multibyte = self.made < self.fed - len(self.lenient.getstate()[0])

    def end(self) -> None:
        """A sequence cut short by the end of the file is a byte that is not UTF-8."""
        if self.lenient is None:
            try:
                self.strict.decode(b"", final=True)
            except UnicodeDecodeError:
                self.invalid = True
        elif self.lenient.decode(b"", final=True):
            self.invalid = True


def detect_encoding(path: Path) -> str:
    return survey(path).encoding


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


class _LineTooLong(Exception):
    """A line over ``MAX_LINE`` characters; ``line`` is its start."""

    def __init__(self, line: str) -> None:
        self.line = line


class _Lines:
    """The lines of a CSV for csv, one at a time: each at most ``MAX_LINE`` characters,
    ``flagged`` when one of the row being read holds a character worth a closer look,
    and a Ctrl-Z at the very end (an old end-of-file mark) dropped."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.flagged = False

    def __iter__(self) -> Iterator[str]:
        readline = self.handle.readline
        line = readline(MAX_LINE + 1)
        while line:
            following = readline(MAX_LINE + 1)
            if len(line) > MAX_LINE:
                raise _LineTooLong(line)
            if LOOK_CLOSER.search(line):
                if not following and line.endswith("\x1a"):
                    line = line.rstrip("\x1a")
                    if not line:
                        return
                self.flagged = self.flagged or LOOK_CLOSER.search(line) is not None
            yield line
            line = following


class _CsvRows:
    """The rows of a CSV after its header, checked as the module says."""

    def __init__(self, reader, lines: _Lines | None, survey: Survey, findings: _Findings, delimiter: str) -> None:
        self.reader, self.lines, self.survey, self.findings = reader, lines, survey, findings
        self.delimiter = delimiter
        self.header: list[str] = []

    def cleaned(self, number: int, cells: list[str]) -> list[str] | None:
        """A flagged row: its cells cleaned, or None (and its problems noted)."""
        assert self.lines is not None  # only rows read through _Lines are flagged
        self.lines.flagged = False
        fine = True
        for i, cell in enumerate(cells):
            if not LOOK_CLOSER.search(cell):
                continue
            byte = _ESCAPED_BYTE.search(cell)
            if byte is not None:
                self.findings.add(number, i, self._not_in_encoding(ord(byte[0]) - 0xDC00))
                self.findings.refuse()  # the file as a whole is in question: at once
            reason, cells[i] = inspect_text(cell)
            if reason is None and self.header and "\ufeff" + self.header[0] in cell:
                reason = JOINED_BOM  # a file without a last line break, and another's start after it
            if reason is not None:
                self.findings.add(number, i, reason)
                fine = False
        if not fine and repeats_header([c.replace("\ufeff", "") for c in cells], header_key(self.header)):
            self.findings.add(number, None, REPEATED_HEADER)
        return cells if fine else None

    def _not_in_encoding(self, byte: int) -> str:
        encoding = self.survey.encoding
        if encoding == "cp1252":
            return (f"byte 0x{byte:02X} is not a character in Windows-1252, the file's encoding (it is not UTF-8): "
                    "save the file again as UTF-8")
        if encoding == "utf-8-sig":
            return (f"byte 0x{byte:02X} is not UTF-8, though the file starts with UTF-8's byte-order mark: save the "
                    "file again as UTF-8")
        return f"byte 0x{byte:02X} is not UTF-8, while the rest of the file is: save the file again as UTF-8"

    def unusual(self, number: int, cells: list[str]) -> list[str] | None:
        """A row equal to the header, or wider than ``MAX_COLUMNS``."""
        if cells and repeats_header(cells, header_key(self.header)):
            self.findings.add(number, None, REPEATED_HEADER)
            return None
        width = _width(cells)
        if width > MAX_COLUMNS:
            self.findings.refuse([_too_wide(number, width).problems[0]])
        return cells[:width]

    def read(self, number: int, header: list[str] | None = None,
             widest: int = MAX_COLUMNS) -> Iterator[tuple[int, list[str]]]:
        """The rows after row ``number``, each checked against ``header`` and ``widest``
        (the header itself is read with neither); the file refused at its end if any
        row had a problem."""
        lines = self.lines
        budget = MAX_CELLS
        key = header_key(header) if header else []
        first = key[0] if key else None
        try:
            for cells in self.reader:
                number += 1
                budget -= len(cells)
                if budget < 0:
                    self.findings.refuse([Problem(number, "", f"brings the file past {MAX_CELLS:,} cells, the most "
                                                              "SalesDesk reads in one import: split the file")])
                if lines is not None and lines.flagged:
                    cells = self.cleaned(number, cells)
                    if cells is None:
                        continue
                if len(cells) > widest or (cells and cells[0].strip().casefold() == first and repeats_header(cells, key)):
                    cells = self.unusual(number, cells)
                    if cells is None:
                        continue
                yield number, cells
        except (csv.Error, UnicodeError) as exc:
            self.findings.refuse([Problem(number + 1, "", _csv_reason(exc))])
        except _LineTooLong as long:
            # a line that long is most often a row of too many columns: say so when it is
            cells = long.line.count(self.delimiter) + 1
            reason = (f"has at least {cells:,} columns; SalesDesk reads at most {MAX_COLUMNS:,}"
                      if cells > MAX_COLUMNS else
                      f"has a line longer than {MAX_LINE:,} characters, the longest SalesDesk reads")
            self.findings.refuse([Problem(number + 1, "", reason)])
        self.findings.refuse_if_any()


@contextmanager
def _open_csv(path: Path) -> Iterator[Sheet]:
    surveyed = survey(path)
    errors = "strict" if surveyed.encoding in ("utf-16", "utf-32") else "surrogateescape"
    with open_file(path, "r", encoding=surveyed.encoding, errors=errors, newline="") as handle:
        try:
            sample = handle.read(SAMPLE_BYTES)
        except UnicodeError as exc:
            raise ImportRefused([Problem(1, "", f"the file cannot be read as {surveyed.encoding} text "
                                                f"({exc.reason if isinstance(exc, UnicodeDecodeError) else exc})")]) from None
        delimiter = sniff_delimiter(sample)
        handle.seek(0)
        lines = None if surveyed.plain else _Lines(handle)
        # strict: a quote never closed is an error of its row, not the rest of the file in one cell
        reader = csv.reader(handle if lines is None else lines, delimiter=delimiter, strict=True)
        findings = _Findings()
        rows = _CsvRows(reader, lines, surveyed, findings, delimiter)
        header_row, headers = 0, None
        for header_row, cells in rows.read(0, None, sys.maxsize):  # noqa: B007 (read after the loop) skip blank lines before the header
            if any(c.strip() for c in cells):
                headers = cells
                break
        findings.refuse_if_any()  # a header with a problem: nothing after it would make sense
        if headers is None:
            raise ImportRefused([Problem(1, "", "the file is empty: it needs a header row naming the columns")])
        if _width(headers) > MAX_COLUMNS:
            raise _too_wide(header_row, _width(headers))
        rows.header = headers
        findings.headers = [h.strip() for h in headers]
        # a list of text is a list of cells; the rows are only read after this
        data = cast("Iterator[tuple[int, list[Cell]]]", rows.read(header_row, headers))
        yield Sheet(path.name, findings.headers, data, surveyed.encoding, delimiter, header_row)


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
    from salesdesk.transfer.values import as_text
    from salesdesk.transfer.xlsx import open_workbook

    findings = _Findings()
    with open_workbook(path) as book:
        title, rows = book.sheet(sheet, findings.add)
        header_row, raw, headers = 0, None, None
        try:
            for header_row, values in rows:  # noqa: B007 (read after the loop)
                if any(v is not None and (v.strip() if isinstance(v, str) else True) for v in values):
                    raw, headers = values, ["" if v is None else as_text(v).strip() for v in values]
                    break
        except ImportRefused as exc:
            findings.refuse(exc.problems)
        # a header with a problem (its row was left out): nothing after it would make sense
        if any(row <= header_row for row, _, _ in findings.found) or headers is None:
            findings.refuse_if_any()
        if headers is None:
            raise ImportRefused([Problem(1, "", "the sheet is empty: it needs a header row naming the columns")])
        findings.headers = headers
        assert raw is not None  # found with headers

        def data() -> Iterator[tuple[int, list[Cell]]]:
            try:
                key = header_key(raw)
                for number, values in rows:
                    if repeats_header(values, key):
                        findings.add(number, None, REPEATED_HEADER)
                        continue
                    yield number, values
            except ImportRefused as exc:
                findings.refuse(exc.problems)
            findings.refuse_if_any()

        yield Sheet(title, headers, data(), "xlsx", "", header_row)
