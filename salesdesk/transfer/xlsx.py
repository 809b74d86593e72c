"""Reading XLSX workbooks with a small streaming reader of SalesDesk's own.

An XLSX file is a zip archive of XML parts that any program may have written: cached
formula values, error cells, rows stored out of order, entity bombs and huge
shared-string tables are all real.  openpyxl (kept for writing the export) dropped rows
stored out of order, turned error values into text and failed with its own words on
broken parts; this reader reads only what an import needs and refuses the rest in words:

- ``_rels/.rels`` names the workbook part, whose relationships name its sheets, its
  shared strings and its styles;
- the workbook: the sheets in order, and whether its dates count from 1904;
- the styles, only as far as needed to tell dates from numbers (number formats);
- the shared strings, counted against ``MAX_SHARED_STRINGS`` before any is kept;
- the sheet, streamed: every ``<row>`` and its ``<c>`` cells, in row-number order
  (rows stored out of order are held and sorted, within ``MAX_HELD_CELLS``).

XML is read by expat with every part's DOCTYPE refused before anything in it is
declared: no entity is ever expanded (billion laughs) or fetched (XXE).  The size of a
part is asked of the zip's directory before it is inflated.

A cell that cannot be read (an error value, a formula without its saved value, a number
that is not a finite number, a shared string that is not there) is reported with its row
and column through ``report`` and its row is not handed on; a file that cannot be read
at all raises ``ImportRefused``.
"""

from __future__ import annotations

import datetime as dt
import math
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.parsers import expat

from salesdesk.safety.files import open_file
from salesdesk.transfer.problems import ImportRefused, Problem
from salesdesk.transfer.reading import LOOK_CLOSER, MAX_CELL, MAX_CELLS, MAX_COLUMNS, inspect_text

# Limits, each named in its refusal.
MAX_PARTS = 10_000  # entries of the zip archive (its directory is read whole)
MAX_SMALL_PART = 16 * 2**20  # workbook, relationships, styles: bytes uncompressed
MAX_SHEET_BYTES = 256 * 2**20  # a sheet's XML, uncompressed (about 500,000 rows of 10 cells)
MAX_STRINGS_BYTES = 128 * 2**20  # the shared strings' XML, uncompressed
MAX_SHARED_STRINGS = 1_000_000
MAX_HELD_CELLS = 2_000_000  # cells held to sort a sheet whose rows are stored out of order
MAX_ROWS = 1_048_576  # a spreadsheet's own last row
MAX_TAG = 1 << 20  # one XML tag (its attributes), in bytes

CHUNK = 1 << 16
# SpreadsheetML's namespace (transitional, strict), or none at all
MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main", "")

Report = Callable[[int, "int | None", str], None]  # row, column index (0-based) or None, reason


def _refuse(reason: str, row: int = 0) -> ImportRefused:
    return ImportRefused([Problem(row, "", reason)])


class _Declares(Exception):
    """A DOCTYPE in an XML part: refused before anything in it is read."""


def _no_doctype(*_args) -> None:
    raise _Declares()


@contextmanager
def open_workbook(path: Path) -> Iterator[Workbook]:
    """The workbook at ``path`` (opened with ``open_file``), its archive closed after."""
    handle = open_file(path, "rb")
    try:
        _check_directory(handle, path.name)
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
                struct.error) as exc:
            raise _refuse(f"{path.name} cannot be read as an XLSX workbook: it is not a complete zip archive "
                          f"({exc})") from None
        try:
            yield Workbook(archive, path.name)
        finally:
            archive.close()
    finally:
        handle.close()


def _check_directory(handle, name: str) -> None:
    """Refuse an archive whose directory lists more than ``MAX_PARTS`` entries, before
    zipfile reads the directory whole."""
    size = handle.seek(0, 2)
    handle.seek(max(0, size - 22 - 0xFFFF))
    tail = handle.read()
    handle.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        raise _refuse(f"{name} cannot be read as an XLSX workbook: it is not a zip archive (or it is cut short)")
    entries = int.from_bytes(tail[end + 10:end + 12], "little")
    if entries > MAX_PARTS:  # 0xFFFF: a ZIP64 count, as many as that at least
        raise _refuse(f"{name} holds more than {MAX_PARTS:,} parts, the most SalesDesk reads in a workbook")


class Workbook:
    """One open workbook: its sheets, date system, number formats and shared strings."""

    def __init__(self, archive: zipfile.ZipFile, name: str):
        self.archive = archive
        self.name = name
        self.parts = {info.filename.lower(): info for info in archive.infolist()}
        book = self._office_document()
        if book.endswith(".bin"):
            raise _refuse(f"{name} is a binary workbook (.xlsb): save it as .xlsx or CSV")
        self.book = book
        self.date1904 = False
        self.sheets: list[tuple[str, str, str]] = []  # name, relationship type, part
        self.hidden: set[int] = set()  # positions of the sheets a spreadsheet does not show
        relations = self._relationships(book)
        for tag, attrs in self._tags(book, "the workbook"):
            if tag == "workbookPr":
                self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")
            elif tag == "sheet":
                kind, part = relations.get(attrs.get("id", ""), ("", ""))
                self.sheets.append((attrs.get("name", ""), kind, part))
                if attrs.get("state", "visible") != "visible":
                    self.hidden.add(len(self.sheets) - 1)
        self.strings_part = next((part for kind, part in relations.values() if kind == "sharedStrings"), None)
        self.styles_part = next((part for kind, part in relations.values() if kind == "styles"), None)

    # --- the sheet ------------------------------------------------------------------------

    def sheet(self, wanted: str | None, report: Report) -> tuple[str, Iterator[tuple[int, list]]]:
        """The title of the sheet named ``wanted`` (or the first sheet of cells) and its rows."""
        if not self.sheets:
            raise _refuse(f"{self.name} has no sheets")
        if wanted is not None:
            found = [s for s in self.sheets if s[0] == wanted]
            if not found:
                raise _refuse(f"{self.name} has no sheet named {wanted!r}")
            title, kind, part = found[0]
            if kind not in ("worksheet", ""):
                raise _refuse(f"the sheet {wanted!r} of {self.name} is a chart, not a table of cells")
        else:
            found = [s for s in self.sheets if s[1] in ("worksheet", "")]
            if not found:
                raise _refuse(f"{self.name} has no sheet of cells (only charts)")
            # the first sheet a person sees: a hidden one is read only when asked for by name
            shown = [s for i, s in enumerate(self.sheets) if s in found and i not in self.hidden]
            if not shown:
                raise _refuse(f"every sheet of {self.name} is hidden: name the one to import (--sheet)")
            found = shown
            title, kind, part = found[0]
        if not kind:  # the workbook lists the sheet, its list of parts does not
            raise _refuse(f"{self.name} lists the sheet {title!r} but does not hold it: the workbook is damaged")
        info = self._member(part, MAX_SHEET_BYTES, f"the sheet {title!r}")
        dates = self._date_styles()
        strings = self._shared_strings()
        return title, _SheetReader(self, info, strings, dates, report).rows()

    # --- the parts --------------------------------------------------------------------------

    def _member(self, part: str, limit: int, what: str) -> zipfile.ZipInfo:
        info = self.parts.get(part.lower())
        if info is None:
            raise _refuse(f"{self.name} names {what} ({part}) but does not hold it: the workbook is damaged")
        if info.flag_bits & 0x1:
            raise _refuse(f"{self.name} is encrypted: save it without a password")
        if info.file_size > limit:
            raise _refuse(f"{what} of {self.name} is {info.file_size:,} bytes uncompressed; SalesDesk reads at most "
                          f"{limit:,} bytes ({limit // 2**20} MB) there")
        return info

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The inflated bytes of a part, a chunk at a time; a damaged archive in words.
        They are counted against the size the archive declares (which ``_member`` held
        to its limit): a part that inflates beyond it is a zip bomb, whatever zipfile does."""
        left = info.file_size
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    left -= len(chunk)
                    if left < 0:
                        raise _refuse(f"{self.name} is damaged: its part {info.filename} unpacks to more than the "
                                      f"{info.file_size:,} bytes it declares")
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                struct.error) as exc:
            raise _refuse(f"{self.name} is damaged: its part {info.filename} cannot be unpacked ({exc})") from None

    def parse(self, info: zipfile.ZipInfo, parser, what: str, row: Callable[[], int] = lambda: 0) -> Iterator[None]:
        """Feed a part to ``parser`` chunk by chunk, pausing after each; DOCTYPEs refused."""
        parser.StartDoctypeDeclHandler = _no_doctype
        try:
            for chunk in self.chunks(info):
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
        except _Declares:
            raise _refuse(f"{self.name}: {what} declares XML entities (a DOCTYPE), which SalesDesk does not "
                          "read") from None
        except expat.ExpatError as exc:
            raise _refuse(f"{self.name}: the XML of {what} is damaged or cut short "
                          f"({expat.errors.messages[exc.code]}, line {exc.lineno}, column {exc.offset})",
                          row()) from None

    def _tags(self, part: str, what: str) -> list[tuple[str, dict[str, str]]]:
        """Every start tag of a small part: (local name, attributes by local name)."""
        info = self._member(part, MAX_SMALL_PART, what)
        tags: list[tuple[str, dict[str, str]]] = []

        def start(name, attrs):
            tags.append((name.rpartition("}")[2], {k.rpartition("}")[2]: v for k, v in attrs.items()}))

        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = start
        for _ in self.parse(info, parser, what):
            pass
        return tags

    def _office_document(self) -> str:
        if "_rels/.rels" not in self.parts:
            if "xl/workbook.xml" in self.parts:
                return "xl/workbook.xml"
            raise _refuse(f"{self.name} cannot be read as an XLSX workbook: it is a zip archive without a workbook "
                          "part")
        for tag, attrs in self._tags("_rels/.rels", "the list of the file's parts"):
            if tag == "Relationship" and attrs.get("Type", "").endswith("/officeDocument"):
                return _resolve("", attrs.get("Target", ""))
        raise _refuse(f"{self.name} cannot be read as an XLSX workbook: it is a zip archive naming no workbook part")

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        folder, _, base = part.rpartition("/")
        rels = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        if rels.lower() not in self.parts:
            return {}
        found = {}
        for tag, attrs in self._tags(rels, "the list of the workbook's parts"):
            if tag == "Relationship" and attrs.get("TargetMode") != "External":
                found[attrs.get("Id", "")] = (attrs.get("Type", "").rpartition("/")[2],
                                              _resolve(folder, attrs.get("Target", "")))
        return found

    def _date_styles(self) -> frozenset[str]:
        """The style indexes (the ``s`` of a cell, as written) whose number format is a date."""
        if self.styles_part is None:
            return frozenset()
        formats: dict[str, str] = {}
        numbers: list[str] = []
        inside = ""
        for tag, attrs in self._tags(self.styles_part, "the styles"):
            if tag == "numFmt":
                formats[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")
            elif tag in ("cellXfs", "cellStyleXfs", "dxfs"):
                inside = tag
            elif tag == "xf" and inside == "cellXfs":
                numbers.append(attrs.get("numFmtId", "0"))
        return frozenset(str(i) for i, number in enumerate(numbers) if _is_date_format(number, formats))

    def _shared_strings(self) -> list:
        if self.strings_part is None:
            return []
        info = self._member(self.strings_part, MAX_STRINGS_BYTES, "the shared-strings part")
        # Counted before any is kept (a small file can list millions of strings).
        count, tail = 0, b""
        for chunk in self.chunks(info):
            count += (tail + chunk).count(b"<si")
            tail = chunk[-2:]
            if count > MAX_SHARED_STRINGS:
                raise self._too_many_strings()
        return _read_strings(self, info)

    def _too_many_strings(self) -> ImportRefused:
        return _refuse(f"{self.name} holds more than {MAX_SHARED_STRINGS:,} shared strings, the most SalesDesk "
                       "reads in a workbook")


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a part name (relative to the folder of its source)."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(folder, target)) if folder else posixpath.normpath(target)


# --- shared strings and cell text ---------------------------------------------------------

_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    """``_x0007_`` is how a spreadsheet writes a character XML cannot hold (ECMA-376)."""
    return _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text)


class Unreadable(str):
    """A shared string that cannot be imported: its text is the reason."""

    __slots__ = ()


def cell_text(raw: str) -> str:
    """The text of a cell as the import takes it, or ``Unreadable`` saying why not."""
    text = _unescape(raw) if "_x" in raw else raw
    if len(text) > MAX_CELL:
        return Unreadable(f"is longer than {MAX_CELL:,} characters")
    if LOOK_CLOSER.search(text) is None:
        return text
    reason, text = inspect_text(text, mark_is_invisible=True)
    return Unreadable(reason) if reason else text


def _read_strings(book: Workbook, info: zipfile.ZipInfo) -> list:
    """The shared strings in order: the text of each ``<si>`` (its runs, without the
    phonetic guides), cleaned as any cell's text."""
    strings: list = []
    pieces: list[str] = []
    depth_phonetic = 0
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    names: dict[str, str] = {}

    def start(name, attrs):
        nonlocal depth_phonetic
        local = names.get(name) or names.setdefault(name, name.rpartition("}")[2])
        if local == "t":
            if not depth_phonetic:
                parser.CharacterDataHandler = pieces.append
        elif local == "rPh":
            depth_phonetic += 1
        elif local == "sst":
            declared = attrs.get("uniqueCount", "")
            if declared.isdigit() and int(declared) > MAX_SHARED_STRINGS:
                raise book._too_many_strings()

    def end(name):
        nonlocal depth_phonetic
        local = names[name]
        if local == "t":
            parser.CharacterDataHandler = None
        elif local == "si":
            if len(strings) >= MAX_SHARED_STRINGS:
                raise book._too_many_strings()
            text = "".join(pieces)
            pieces.clear()
            strings.append(cell_text(text) if text else "")
        elif local == "rPh":
            depth_phonetic -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    for _ in book.parse(info, parser, "the shared-strings part"):
        if len(pieces) > 64 and sum(map(len, pieces)) > 4 * MAX_CELL:
            raise _refuse(f"{book.name}: a shared string is longer than {MAX_CELL:,} characters")
    return strings


# --- dates ----------------------------------------------------------------------------------

# Built-in number formats that show a date (ECMA-376 18.8.30; 27-36 and 50-58 are the
# East Asian ones); 46 ([h]:mm:ss) is a duration, not a moment.
_DATE_FORMATS = frozenset({*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)})
_LITERALS = re.compile(r'"[^"]*"|\\.|\[(?!h+\]|m+\]|s+\])[^\]]*\]', re.IGNORECASE)
_DURATION = re.compile(r"\[(h+|m+|s+)\]", re.IGNORECASE)


def _is_date_format(number: str, formats: dict[str, str]) -> bool:
    code = formats.get(number)
    if code is None:
        return number.isdigit() and int(number) in _DATE_FORMATS
    first = _LITERALS.sub("", code.split(";")[0])
    if _DURATION.search(first):
        return False
    return re.search(r"(?<!_)[dmyhsDMYHS]", first) is not None and first.lower() != "general"


_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_LAST_SERIAL = 2_958_465  # 9999-12-31 in the 1900 system


def _moment(serial: float, date1904: bool):
    """A serial number shown as a date: the moment it names; a time of day alone (under
    1) or a number beyond 9999 stays the number."""
    high = _LAST_SERIAL - 1462 if date1904 else _LAST_SERIAL
    if not 1 <= serial < high + 1:
        return serial
    days = math.floor(serial)
    millis = round((serial - days) * 86_400_000)
    if not date1904 and serial < 60:
        days += 1  # 1900 was no leap year; the 1900 system counts its 29 February
    return (_EPOCH_1904 if date1904 else _EPOCH_1900) + dt.timedelta(days=days, milliseconds=millis)


# --- the sheet's rows -----------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DIGITS = "0123456789"
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']([^"']*)""")


def column_index(letters: str) -> int:
    """``A`` -> 0, ``AB`` -> 27; -1 when ``letters`` are not a column's."""
    if not letters or len(letters) > 3 or not letters.isascii() or not letters.isalpha():
        return -1
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _SheetReader:
    """One pass over a sheet's XML: rows as ``(row number, cells)``, in row order."""

    def __init__(self, book: Workbook, info: zipfile.ZipInfo, strings: list, dates: frozenset[str], report: Report):
        self.book, self.info, self.strings, self.dates, self.report = book, info, strings, dates, report

    def survey(self) -> bool:
        """Are the rows stored in order?  A quick look at the raw XML's row tags (and a
        count of its cells, against ``MAX_CELLS``), before the sheet is parsed."""
        ordered, last, cells, tail = True, 0, 0, b""
        for chunk in self.book.chunks(self.info):
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut >= 0 and data.find(b">", cut) < 0:  # a tag cut in two: read it with the next chunk
                data, tail = data[:cut], data[cut:]
                if len(tail) > MAX_TAG:
                    raise _refuse(f"{self.book.name}: the sheet holds an XML tag longer than {MAX_TAG:,} bytes; it is "
                                  "not a sheet SalesDesk can read")
            else:
                tail = b""
            cells += data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/")
            if cells > MAX_CELLS:
                raise self.too_many_cells()
            if ordered:
                for match in _ROW_TAG.finditer(data):
                    end = data.find(b">", match.end() - 1)
                    number = _ROW_NUMBER.search(data, match.end() - 1, end)
                    if number is None:
                        last += 1
                        continue
                    digits = number[1]
                    if not digits.isdigit() or int(digits) <= last:
                        ordered = False
                        break
                    last = int(digits)
        return ordered

    def too_many_cells(self) -> ImportRefused:
        return _refuse(f"the sheet of {self.book.name} has more than {MAX_CELLS:,} cells, the most SalesDesk reads")

    def rows(self) -> Iterator[tuple[int, list]]:
        ordered = self.survey()
        held: dict[int, list] = {}
        held_cells = 0
        for number, cells in self.parse(ordered):
            if ordered:
                yield number, cells
                continue
            if number in held:
                raise _refuse(f"the sheet stores row {number} twice: the file is damaged", number)
            held_cells += len(cells)
            if held_cells > MAX_HELD_CELLS:
                raise _refuse(f"the sheet of {self.book.name} stores its rows out of order, and SalesDesk sorts at "
                              f"most {MAX_HELD_CELLS:,} cells of such a sheet: open the file in your spreadsheet "
                              "program and save it")
            held[number] = cells
        for number in sorted(held):
            yield number, held[number]

    def parse(self, ordered: bool) -> Iterator[tuple[int, list]]:  # noqa: C901 - one state machine
        book, strings, dates, report = self.book, self.strings, self.dates, self.report
        date1904 = book.date1904
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        done: list[tuple[int, list]] = []
        text: list[str] = []  # the cell's <v>, or its inline string's runs
        columns: dict[str, int] = {}
        names: dict[str, str] = {}
        # the row and the cell being read
        number = 0
        cells: list = []
        bad = False
        column = -1
        ref = kind = style = None
        formula = has_value = inline = False
        phonetic = 0
        count = 0
        in_row = False  # between a <row> and its end: a sheet cut short there is cut in that row

        def problem(index: int, reason: str) -> None:
            nonlocal bad
            bad = True
            report(number, index, reason)

        def where(index: int) -> str:
            return ref or f"{column_letters(index)}{number}"

        def value_of(index: int, raw: str):  # noqa: C901 - one branch per cell type
            if kind is None or kind == "n":
                value: int | float
                if raw.isdigit() and raw.isascii() and len(raw) < 16:
                    value = int(raw)
                elif _NUMBER.fullmatch(raw):
                    value = float(raw)
                    if not math.isfinite(value):
                        return problem(index, f"{where(index)} holds {_show(raw)}, which is too large a number")
                    if value.is_integer() and "." not in raw and "e" not in raw.lower():
                        value = int(value)
                else:
                    return problem(index, f"{where(index)} holds {_show(raw)}, which is not a number")
                return _moment(value, date1904) if style is not None and style in dates else value
            if kind == "s":
                if not (raw.isdigit() and raw.isascii()):
                    return problem(index, f"{where(index)} refers to the shared string {_show(raw)}, which is not "
                                          "a number")
                position = int(raw)
                if position >= len(strings):
                    return problem(index, f"{where(index)} refers to shared string {position:,}, but the workbook "
                                          f"holds {len(strings):,}: the file is damaged")
                value = strings[position]
                if value.__class__ is Unreadable:
                    return problem(index, f"{where(index)} {value}")
                return value
            if kind == "str" or kind == "inlineStr":
                value = cell_text(raw)
                return problem(index, f"{where(index)} {value}") if value.__class__ is Unreadable else value
            if kind == "e":
                return problem(index, f"{where(index)} holds the error {raw or 'value'}")
            if kind == "b":
                if raw.strip().lower() in ("1", "true"):
                    return True
                if raw.strip().lower() in ("0", "false"):
                    return False
                return problem(index, f"{where(index)} holds {_show(raw)}, which is not true or false")
            if kind == "d":
                try:
                    return dt.datetime.fromisoformat(raw.strip())
                except ValueError:
                    return problem(index, f"{where(index)} holds {_show(raw)}, which is not a date")
            return problem(index, f"{where(index)} has the cell type {_show(kind)}, which SalesDesk does not read")

        def cell_end():
            nonlocal column
            if ref is None:
                index = column + 1
            else:
                letters = ref.rstrip(_DIGITS)
                index = columns.get(letters)
                if index is None:
                    index = column_index(letters)
                    if index < 0:
                        return problem(column + 1, f"{_show(ref)} is not a cell's name: the file is damaged")
                    if len(columns) < 20_000:
                        columns[letters] = index
            column = index
            if has_value or inline:
                value = value_of(index, "".join(text))
            elif formula:
                value = problem(index, f"{where(index)} holds a formula with no saved value: open the file in your "
                                       "spreadsheet program and save it")
            else:
                value = None
            if value is None:
                return None
            if index >= MAX_COLUMNS:
                raise _refuse(f"{where(index)} is in column {index + 1:,}; SalesDesk reads at most {MAX_COLUMNS:,} "
                              "columns", number)
            have = len(cells)
            if index == have:
                cells.append(value)
            elif index > have:
                cells.extend([None] * (index - have))
                cells.append(value)
            elif cells[index] is None:
                cells[index] = value
            else:
                problem(index, f"{where(index)} is stored twice: the file is damaged")
            return None

        def start(name, attrs):
            nonlocal ref, kind, style, formula, has_value, inline, number, cells, bad, column, phonetic, count, in_row
            local = names.get(name)
            if local is None:
                local = names[name] = name.rpartition("}")[2] if name.rpartition("}")[0] in MAIN else ""
            if local == "c":
                ref = attrs.get("r")
                kind = attrs.get("t")
                style = attrs.get("s")
                formula = has_value = inline = False
                text.clear()
                count += 1
                if count > MAX_CELLS:
                    raise self.too_many_cells()
            elif local == "v":
                has_value = True
                text.clear()
                parser.CharacterDataHandler = text.append
            elif local == "f":
                formula = True
            elif local == "row":
                given = attrs.get("r")
                if given is None:
                    following = number + 1
                elif given.isdigit() and given.isascii():
                    following = int(given)
                else:
                    raise _refuse(f"the sheet has a row numbered {_show(given)}: the file is damaged", number)
                if following > MAX_ROWS or following < 1:
                    raise _refuse(f"the sheet has a row {following:,}; a sheet has at most {MAX_ROWS:,} rows",
                                  number)
                if ordered and following <= number:
                    raise _refuse("the sheet's rows are stored out of order in a way SalesDesk cannot follow: open "
                                  "the file in your spreadsheet program and save it", following)
                number, cells, bad, column, in_row = following, [], False, -1, True
            elif local == "is":
                inline = True
                kind = "inlineStr"
                text.clear()
            elif local == "t":
                if inline and not phonetic:
                    parser.CharacterDataHandler = text.append
            elif local == "rPh":
                phonetic += 1

        def end(name):
            nonlocal phonetic, in_row
            local = names[name]
            if local == "c":
                cell_end()
            elif local == "v" or local == "t":
                parser.CharacterDataHandler = None
            elif local == "row":
                in_row = False
                if not bad and cells:
                    done.append((number, cells))
            elif local == "rPh":
                phonetic -= 1

        def root(name, attrs):
            namespace, _, local = name.rpartition("}")
            if local != "worksheet" or namespace not in MAIN:
                raise _refuse(f"{book.name}: the sheet's part holds a {_show(local)}, not a worksheet")
            names[name] = local
            parser.StartElementHandler = start

        parser.StartElementHandler = root
        parser.EndElementHandler = end
        for _ in book.parse(self.info, parser, "the sheet", lambda: number if in_row else number + 1):
            if len(text) > 64 and sum(map(len, text)) > 4 * MAX_CELL:
                raise _refuse(f"a cell of row {number} is longer than {MAX_CELL:,} characters", number)
            yield from done
            done.clear()
        yield from done


def _show(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")
