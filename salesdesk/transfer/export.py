"""Export a kind to CSV or XLSX, in the form our import reads back unchanged.

- Headers are the kind's field names, so the import's mapping guesses them all.
- References are written as the import looks them up: a person by email (else
  external id, else name), an account by external id (else name), a product by code
  (else name).
- CSV is UTF-8 with a byte-order mark, so spreadsheet programs pick the right encoding.
- Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
  ``@``, tab, CR or NUL) is neutralised with a leading single quote (OWASP), and so is
  text the import would trim (white space at either end): the import takes the quote
  off again and keeps the rest as it is.  XLSX text cells are inline strings, never
  formulas, with CR written so that XML does not turn it into LF.
- A text holding NUL or another control character (tab and line breaks aside) is
  refused, naming its row and column: the import refuses them, and XLSX cannot hold them.
- The file is written next to its destination and moved into place when complete;
  never over the database, a backup or a read-only file (``salesdesk.safety.output``).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import itertools
import re
from decimal import Decimal
from pathlib import Path

from salesdesk.db.engine import Database, as_date, as_datetime
from salesdesk.domain.money import from_cents
from salesdesk.errors import DatabaseError, ValidationError
from salesdesk.safety.files import open_file
from salesdesk.safety.output import check_output_path, written_aside
from salesdesk.transfer.characters import CONTROL
from salesdesk.transfer.kinds import kind
from salesdesk.transfer.values import neutralise
from salesdesk.transfer.xlsx import column_letters

_PERSON = "coalesce({p}.email, {p}.external_id, {p}.name)"

QUERIES: dict[str, str] = {
    "people": (
        "SELECT p.name, p.email, p.phone, p.hire_date, r.name, " + _PERSON.format(p="m") + ", b.name, p.active, "
        "p.external_id FROM people p JOIN roles r ON r.id = p.role_id LEFT JOIN people m ON m.id = p.manager_id "
        "LEFT JOIN branches b ON b.id = p.branch_id ORDER BY p.id"),
    "accounts": (
        "SELECT a.name, a.sector, a.website, a.phone, a.city, a.country, a.employees, " + _PERSON.format(p="o")
        + ", a.external_id FROM accounts a LEFT JOIN people o ON o.id = a.owner_id ORDER BY a.id"),
    "contacts": (
        "SELECT coalesce(a.external_id, a.name), c.name, c.title, c.email, c.phone FROM contacts c "
        "JOIN accounts a ON a.id = c.account_id ORDER BY c.id"),
    "products": "SELECT name, code, series, price, currency, active FROM products ORDER BY id",
    "deals": (
        "SELECT d.title, " + _PERSON.format(p="o") + ", coalesce(a.external_id, a.name), coalesce(c.email, c.name), "
        "pl.name, s.name, d.status, d.amount, d.currency, d.probability, d.expected_close, d.won_on, d.lost_on, "
        "r.name, d.lost_note, (SELECT coalesce(pr.code, pr.name) FROM deal_lines l JOIN products pr "
        "ON pr.id = l.product_id WHERE l.deal_id = d.id ORDER BY l.id LIMIT 1), d.created_at, d.notes, "
        "coalesce(d.external_id, :reference || d.id) FROM deals d JOIN people o ON o.id = d.owner_id LEFT JOIN accounts a ON a.id = d.account_id "
        "LEFT JOIN contacts c ON c.id = d.contact_id JOIN pipelines pl ON pl.id = d.pipeline_id "
        "JOIN stages s ON s.id = d.stage_id LEFT JOIN lost_reasons r ON r.id = d.lost_reason_id ORDER BY d.id"),
    "targets": (
        "SELECT " + _PERSON.format(p="p") + ", t.period_kind, t.period_start, t.metric, t.value FROM targets t "
        "JOIN people p ON p.id = t.person_id ORDER BY t.id"),
}
HEADERS: dict[str, tuple[str, ...]] = {
    "people": ("name", "email", "phone", "hire_date", "role", "manager", "branch", "active", "external_id"),
    "accounts": ("name", "sector", "website", "phone", "city", "country", "employees", "owner", "external_id"),
    "contacts": ("account", "name", "title", "email", "phone"),
    "products": ("name", "code", "series", "price", "currency", "active"),
    "deals": ("title", "owner", "account", "contact", "pipeline", "stage", "status", "amount", "currency",
              "probability", "expected_close", "won_on", "lost_on", "lost_reason", "lost_note", "product",
              "created_at", "notes", "external_id"),
    "targets": ("person", "period", "period_start", "metric", "value"),
}
MONEY = {("products", "price"), ("deals", "amount"), ("targets", "value")}
DATES = {"hire_date", "expected_close", "won_on", "lost_on", "period_start"}
TIMES = {"created_at"}
BOOLS = {"active"}


REFERENCE_KEY = "database_reference"


def database_reference(db: Database) -> str:
    """The random name of this database, kept in its settings (migration 0002 makes it
    when the file is created or upgraded).

    A deal has no natural key (titles repeat), so an export names each deal without an
    external id ``<reference>#<id>``; importing that file into the same database finds
    the deals again (skip or update, never a second copy), while in another database it
    is just an external id, which that database then keeps and exports in turn.  A copy
    of the file (a backup, a restore) is the same database and shares the name.
    """
    with db.read() as reader:
        found = reader.scalar("SELECT value FROM settings WHERE key = :key", {"key": REFERENCE_KEY})
    if found:
        return found
    if db.read_only:  # a backup from before 0002, or the row deleted by hand: a stand-in would copy or skip wrongly
        raise DatabaseError(f"{db.display_name}: has no name for its deals in exports yet (the setting "
                            f"{REFERENCE_KEY}); export deals once from the SalesDesk window, which gives it one")
    import secrets

    from sqlalchemy import text

    with db.transaction() as session:
        session.execute(text("INSERT INTO settings (key, value) VALUES (:key, :value) ON CONFLICT (key) DO NOTHING"),
                        {"key": REFERENCE_KEY, "value": "sd-" + secrets.token_hex(6)})
    with db.read() as reader:
        return reader.scalar("SELECT value FROM settings WHERE key = :key", {"key": REFERENCE_KEY})


def export_rows(db: Database, kind_name: str) -> tuple[tuple[str, ...], list[list]]:
    """The header and the rows of a kind, as Python values (dates, ``Decimal`` money)."""
    name = kind(kind_name).name
    headers = HEADERS[name]
    money = [i for i, h in enumerate(headers) if (name, h) in MONEY]
    days = [i for i, h in enumerate(headers) if h in DATES]
    times = [i for i, h in enumerate(headers) if h in TIMES]
    flags = [i for i, h in enumerate(headers) if h in BOOLS]
    metric = headers.index("metric") if name == "targets" else None
    params = {"reference": database_reference(db) + "#"} if name == "deals" else {}
    with db.read() as reader:
        rows = [list(r) for r in reader.execute(QUERIES[name], params)]
    for row in rows:
        for i in money:
            if row[i] is not None:
                row[i] = from_cents(int(row[i]))
                if metric is not None and row[metric] != "won_revenue" and row[i] == row[i].to_integral_value():
                    row[i] = row[i].quantize(Decimal(1))  # a count of deals or activities
        for i in days:
            row[i] = as_date(row[i])
        for i in times:
            row[i] = as_datetime(row[i])
        for i in flags:
            if row[i] is not None:
                row[i] = bool(row[i])
    return headers, rows


# Characters no export writes: the control characters the import refuses (so the file
# would not come back; transfer.characters); an XLSX also cannot hold lone surrogates.
# Tab, CR and LF are text.
_NOT_IN_CSV = CONTROL
_NOT_IN_XLSX = re.compile(f"{CONTROL.pattern}|[\ud800-\udfff]")


def _refuse_unwritable(label: str, headers, rows, unwritable: re.Pattern) -> None:
    """Refused in words, naming the row (as the file would number it) and the column."""
    for number, row in enumerate(rows, 2):
        for header, value in zip(headers, row):
            if value.__class__ is str and (found := unwritable.search(value)):
                raise ValidationError("file", f"{label.lower()}, row {number:,}, column {header}: holds the invisible "
                                      f"character U+{ord(found[0]):04X}, which an export does not write (an import "
                                      "would refuse it); remove it in SalesDesk, then export again")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, Decimal, int, float)):
        return str(value)
    return neutralise(str(value))


def export_kind(db: Database, kind_name: str, path: str | Path, *, replace: bool = False) -> int:
    """Write a kind to ``path`` (.csv or .xlsx); returns the number of rows written.

    An existing file is replaced only with ``replace`` (the user said so)."""
    path = Path(path).expanduser()
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError("file", f"{path.name}: export writes .csv or .xlsx files")
    target = check_output_path(path, db.path, replace=replace)
    headers, rows = export_rows(db, kind_name)
    _refuse_unwritable(kind(kind_name).label, headers, rows, _NOT_IN_XLSX if suffix == ".xlsx" else _NOT_IN_CSV)
    with written_aside(target) as temp:
        if suffix == ".csv":
            with open_file(temp, "w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(headers)
                writer.writerows([_cell_text(v) for v in row] for row in rows)
        else:
            _write_xlsx(temp, kind(kind_name).label, headers, rows)
    return len(rows)


# A workbook of one sheet, written here rather than by openpyxl: its writer leaves a CR
# bare in the XML, where every reader takes it for a line feed (XML's own rule), and
# refuses characters XML cannot hold.  Every text cell is an inline string (never a
# formula, whatever it starts with), numbers and dates are numbers (dates styled).
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        '</Relationships>'),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId2" Target="styles.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/></Relationships>'),
    "xl/styles.xml": (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
        '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_DATE_STYLE, _TIME_STYLE = 1, 2
# What must not stand as itself in XML text: markup, and CR (read back as LF unless
# written as a reference).  What XML cannot hold at all never gets here (refused above);
# a literal "_x0041_" looks like a spreadsheet's escape of a character (ECMA-376: read
# as "A"), so its underscore is escaped in turn: "_x005F_x0041_".
_XML_MARKUP = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"}
_XML_SPECIAL = re.compile('[&<>"\r]')
_LOOKS_ESCAPED = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


def xml_text(text: str) -> str:
    if "_x" in text:
        text = _LOOKS_ESCAPED.sub("_x005F_", text)
    return _XML_SPECIAL.sub(lambda m: _XML_MARKUP[m[0]], text)


def _write_xlsx(path: Path, title: str, headers, rows) -> None:
    from openpyxl.utils.datetime import to_excel

    letters = [column_letters(i) for i in range(len(headers))]

    def cell(ref: str, value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if isinstance(value, str):
            return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{xml_text(neutralise(value))}</t></is></c>'
        if isinstance(value, (dt.date, dt.datetime)):
            style = _TIME_STYLE if isinstance(value, dt.datetime) else _DATE_STYLE
            return f'<c r="{ref}" s="{style}"><v>{to_excel(value)!r}</v></c>'
        return f'<c r="{ref}"><v>{value}</v></c>'  # int, Decimal: a number

    def sheet_rows():
        for number, row in enumerate(itertools.chain([headers], rows), 1):
            cells = "".join(cell(f"{letter}{number}", v) for letter, v in zip(letters, row))
            yield f'<row r="{number}">{cells}</row>'

    with open_file(path, "wb") as handle:
        _zip_parts(handle, title, sheet_rows())


def _zip_parts(handle, title: str, sheet_rows) -> None:
    """The parts and the streamed sheet into ``handle``; the zip file is closed when
    writing fails (a full disk): left to the garbage collector, it tries to write its end
    again and prints a traceback."""
    from zipfile import ZIP_DEFLATED, ZipFile

    archive = ZipFile(handle, "w", ZIP_DEFLATED)
    try:
        for name, xml in _PARTS.items():
            archive.writestr(name, _XML_HEAD + (xml.format(title=xml_text(title)) if "{title}" in xml else xml))
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((_XML_HEAD + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         "<sheetData>").encode())
            batch = []
            for row in sheet_rows:
                batch.append(row)
                if len(batch) == 1000:
                    sheet.write("".join(batch).encode("utf-8"))
                    batch.clear()
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode("utf-8"))
        archive.close()
    except BaseException:
        with contextlib.suppress(OSError, ValueError):  # the first failure says it; the caller deletes the file
            archive.close()
        raise
