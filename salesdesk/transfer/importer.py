"""Import a file: read and check every row, then write all of it or nothing.

``import_file`` runs in one database transaction:

1. every row is read, parsed and checked against the database and the rest of the
   file (``Plan``); problems are collected with their row and column, not raised;
2. any problem: the transaction is rolled back and ``ImportRefused`` lists them all
   (the database is byte for byte as before);
3. a dry run stops here and reports what would happen;
4. otherwise a verified backup of the SQLite file is taken (``reason="import"``), and
   the rows are written in bulk, with one audit row naming the file and the counts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from salesdesk.clock import CLOCK
from salesdesk.db.engine import Database
from salesdesk.domain.money import mark_currency, mark_fits
from salesdesk.errors import DatabaseError
from salesdesk.transfer import values as parse
from salesdesk.transfer.context import Context, check_unique_updates
from salesdesk.transfer.kinds import Field, Kind
from salesdesk.transfer.mapping import Mapping
from salesdesk.transfer.plan import Plan
from salesdesk.transfer.problems import ImportRefused
from salesdesk.transfer.planners import PLANNERS
from salesdesk.transfer.planners.base import Planner
from salesdesk.transfer.reading import Sheet, open_sheet
from salesdesk.transfer.writing import drop_unchanged, storage, write_plan


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    what: str  # "deals", "crm-sales-opportunities"
    source: str
    dry_run: bool
    rows: int
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    backup: Path | None = None
    seconds: float = 0.0
    rounded: dict[str, tuple[int, Decimal]] = field(default_factory=dict)  # currency -> (amounts, total change)
    unchanged: dict[str, int] = field(default_factory=dict)  # asked to update, already as the file says

    def lines(self) -> list[str]:
        """One line per outcome, for the command line and the wizard's last page."""
        verb = "Would import" if self.dry_run else "Imported"
        counts = []
        for label, table in (("new", self.created), ("updated", self.updated), ("unchanged", self.unchanged),
                             ("skipped as duplicates", self.skipped)):
            if table:
                counts.append(f"{label}: " + ", ".join(f"{n:,} {k}" for k, n in table.items()))
        head = f"{verb} {self.source} ({self.rows:,} rows)" + (": " + "; ".join(counts) if counts else ": nothing new")
        out = [head]
        out += [f"note: {w}" for w in self.warnings]
        for currency, (count, change) in sorted(self.rounded.items()):
            verb = "will be" if self.dry_run else "were" if count > 1 else "was"
            out.append(f"note: {count:,} amount{'s' if count > 1 else ''} {verb} rounded to the cent (half up), "
                       f"by {signed(change)} {currency} in all")
        if self.backup is not None:
            out.append(f"a copy of the database before the import: {self.backup}")
        return out


def _remembered(parser: Callable, limit: int = 50_000) -> Callable:
    """A parser that parses each distinct text once: a file repeats its dates thousands of times."""
    seen: dict = {}

    def parse_once(cell):
        value = seen.get(cell)
        if value is None:
            value = parser(cell)  # a ValueError is raised again for each row that has it
            if len(seen) < limit and cell.__class__ is str:
                seen[cell] = value
        return value

    return parse_once


def signed(change: Decimal) -> str:
    """``+0.0045``, ``-1.20``: a total change, exact, with at least the two decimals of cents."""
    change = change.normalize()
    exponent = change.as_tuple().exponent
    assert isinstance(exponent, int)  # a sum of finite amounts
    if exponent > -2:
        change = change.quantize(Decimal("0.01"))
    return f"{change:+f}"


def _parser(f: Field, mapping: Mapping, amounts: parse.Amounts) -> Callable:
    if f.type in ("text", "ref"):
        return parse.text_parser(f.max_length)
    if f.type == "email":
        return parse.email
    order, serial = mapping.date_order, f.name in mapping.serial_dates
    if f.type == "date":
        return _remembered(lambda cell: parse.date(cell, order, serial=serial))
    if f.type == "datetime":
        return _remembered(lambda cell: parse.timestamp(cell, order, serial=serial))
    if f.type == "money":
        return amounts
    if f.type == "currency":
        return _remembered(parse.currency)
    if f.type == "int":
        return lambda cell: parse.integer(cell, 0, 2_000_000_000)
    if f.type == "percent":
        return lambda cell: parse.integer(cell, 0, 100)
    if f.type == "bool":
        return parse.boolean
    raise ValueError(f"unknown field type {f.type}")


_SPACE = frozenset(" \t\r\n\u00a0")
Record = tuple[int, dict, dict]  # row number, {field: value}, {field: header}


def records(sheet: Sheet, mapping: Mapping, plan: Plan, *, required: bool = True,
            home_currency: str = "") -> Iterator[Record]:
    """The sheet's rows as parsed fields; a cell that does not parse is a problem of its row
    and is left out of ``values``.

    ``required=False``: the caller fills some required fields itself (a preset's titles).
    """
    spec: Kind = mapping.spec
    headers = sheet.headers
    by_field: dict[str, int] = {}
    for position, header in enumerate(headers):
        name = mapping.columns.get(header)
        if name is None:
            continue
        if name in by_field:
            earlier = by_field[name]
            what = (f"appears twice (columns {earlier + 1} and {position + 1})" if headers[earlier] == header
                    else f"gives the {spec.field(name).label.lower()}, as column {earlier + 1} ({headers[earlier]!r}) does")
            plan.problem(sheet.header_row, header, f"{what}; rename or unmap one")
            continue
        by_field[name] = position
    # Updating by a key (email, external id) needs only the key: each new row is still
    # checked for what it needs.
    updating = mapping.duplicates == "update" and any(k in by_field for k in spec.keys)
    for f in spec.fields if required and not updating else ():
        if f.required and f.name not in by_field:
            plan.problem(sheet.header_row, "", f"no column gives the {f.label.lower()} ({f.name}), which "
                                               f"{spec.label.lower()} need; map one")
    if plan.problems:
        return
    # (field, column index, header, parser, longest text or None): text cells are checked
    # inline, the parser only runs for the rare cell (line breaks, controls, fillers) and to word
    # the problem; other cells always go through it.
    amounts = mapping.amounts()
    fields = [(f.name, by_field[f.name], headers[by_field[f.name]], _parser(f, mapping, amounts),
               f.max_length if f.type in ("text", "ref") else None)
              for f in spec.fields if f.name in by_field]
    columns = {name: header for name, _i, header, _p, _l in fields}
    money = next((columns[f.name] for f in spec.fields if f.type == "money" and f.name in columns), "")
    has_currency = any(f.name == "currency" for f in spec.fields)
    width = len(headers)
    unescape, needs_quote, fillers = parse.unescape, parse.needs_quote, parse.FILLERS
    text_only = sheet.encoding != "xlsx"  # CSV cells are all text: a blank row has no non-empty cell
    for number, cells in sheet.rows:
        if not any(cells) if text_only else \
                not any(c is not None and (c.strip() if isinstance(c, str) else True) for c in cells):
            continue  # a blank row
        count = len(cells)
        if count > width and any(c not in (None, "") for c in cells[width:]):
            plan.rows_read += 1
            plan.problem(number, "", f"has {count} cells but the header names {width} columns")
            continue
        values: dict = {}
        for name, i, header, parser, longest in fields:
            if i >= count:
                continue
            cell = cells[i]
            if cell.__class__ is str:
                if not cell:
                    continue
                if cell[0] == "'" and needs_quote(cell[1:]):
                    cell = cell[1:]  # quoted by an export: as it is, white space at its ends included
                else:
                    if cell[0] in _SPACE or cell[-1] in _SPACE:
                        cell = cell.strip()
                        if not cell:
                            continue
                    if cell[0] == "'":
                        cell = unescape(cell)
                if longest is not None and len(cell) <= longest and cell.isprintable() \
                        and cell[0] not in fillers:
                    values[name] = cell
                    continue
            elif cell is None:
                continue
            try:
                value = parser(cell)
            except ValueError as exc:
                plan.problem(number, header, str(exc))
                values.setdefault("_bad", True)
                continue
            if value != "":  # "" : a text of invisible characters only, as good as blank
                values[name] = value
        if amounts.marks:  # "$5", "5 EUR": the amount names its currency
            _currency_of_marks(number, values, amounts.take_marks(), money, has_currency, home_currency, plan)
        if amounts.pending:  # rounded to the cent: counted in the row's currency
            plan.rounded(values.get("currency", ""), amounts.take())
        if not values:
            continue  # only blanks in the columns read: a blank row too
        values.pop("_bad", None)
        plan.rows_read += 1
        # A row with a bad cell is still checked (every problem is listed); the cell's
        # own problem stands for it and nothing is written anyway.
        yield number, values, columns


def run_import(db: Database, what: str, source: str, build: Callable[[Context, Plan], None], *,
               dry_run: bool = False, backup: bool = True, details: dict | None = None) -> ImportResult:
    """Plan with ``build(ctx, plan)`` in a transaction, then write it all or nothing."""
    if db.read_only and not dry_run:
        raise DatabaseError("The database is open read-only; nothing can be imported into it")
    started = CLOCK.elapsed_since()
    plan = Plan(keep=not dry_run)
    copy = None
    with db.transaction() as session:
        ctx = Context(session)
        if not dry_run:
            plan.store, plan.stored = storage(session)
        build(ctx, plan)
        _warn_of_currencies_without_rate(ctx, plan)
        check_unique_updates(ctx, plan)
        plan.refuse_if_problems()
        drop_unchanged(session, plan)
        rounded = plan.rounding_in(ctx.currency)
        if not dry_run:
            if backup and db.path is not None:
                from salesdesk.safety.backups import back_up_database  # copies, then thins the folder

                copy = back_up_database(db.engine, db.path, reason="import")
            try:
                write_plan(session, plan, action="import", entity=what, details={
                    "source": source, "rows": plan.rows_read, "created": dict(plan.created),
                    "updated": dict(plan.updated), "unchanged": dict(plan.unchanged), "skipped": dict(plan.skipped),
                    **_rounding_details(rounded),
                    **(details or {})})
            except (IntegrityError, sqlite3.IntegrityError) as exc:  # a rule the checks above missed: still all or nothing
                raise DatabaseError(_refused_by_database(exc)) from None
    return ImportResult(what, source, dry_run, plan.rows_read, dict(plan.created), dict(plan.updated),
                        dict(plan.skipped), list(plan.warnings), copy, CLOCK.elapsed_since(started), rounded,
                        dict(plan.unchanged))


def _warn_of_currencies_without_rate(ctx: Context, plan: Plan) -> None:
    """Deals in a currency the company keeps no rate for are left out of totals (never
    added as if they were in the company's currency): the preview says so first."""
    home = plan.settings.get("currency") or ctx.currency
    for currency, count in sorted(plan.deal_currencies.items()):
        if currency == home or ctx.rows("SELECT 1 FROM exchange_rates WHERE currency = :c AND quote = :home LIMIT 1",
                                        c=currency, home=home):
            continue
        plan.warn(f"{count:,d} deal{'s are' if count != 1 else ' is'} in {currency}, a currency this company "
                  f"(counting in {home}) keeps no exchange rate for: left out of totals, targets and reports, "
                  f"with a note, until a rate is kept (Edit > Exchange rates…)")


def _rounding_details(rounded: dict[str, tuple[int, Decimal]]) -> dict:
    """What the audit row says of amounts rounded to the cent (nothing when none were)."""
    if not rounded:
        return {}
    return {"rounded_to_cent": {currency: {"amounts": count, "by": f"{change.normalize():f}"}
                                for currency, (count, change) in sorted(rounded.items())}}


def _refused_by_database(exc) -> str:
    """"UNIQUE constraint failed: people.email" in the user's words."""
    detail = str(getattr(exc, "orig", exc)).split("\n")[0]
    if detail.startswith("UNIQUE constraint failed: "):
        where = detail.removeprefix("UNIQUE constraint failed: ")
        return (f"Nothing was imported: a row would give {where} a value another record already has "
                "(an updated record taking another's email, name, code or external id).")
    return f"Nothing was imported: the database refused a row ({detail})."


def _currency_of_marks(number: int, values: dict, marks: list[str], header: str, has_currency: bool,
                       home: str, plan: Plan) -> None:
    """An amount written with a currency agrees with the row's currency, or gives it when
    the row has none; never is a "$5" stored as 5 euros."""
    currency = values.get("currency") if has_currency else home
    for mark in marks:
        if currency:
            if not mark_fits(mark, currency):
                whose = "the row's currency" if has_currency and values.get("currency") else "the currency"
                plan.problem(number, header, f"the amount is written in {mark}, but {whose} is {currency}")
                values.setdefault("_bad", True)
            continue
        named = mark_currency(mark)
        if named is None and home and mark_fits(mark, home):
            named = home  # "$5" in a company that counts in dollars
        if named is None:
            plan.problem(number, header, f"the amount is written in {mark}, which stands for several currencies: give the row's currency "
                                         "(a currency column, or a code such as USD in the amount)")
            values.setdefault("_bad", True)
            continue
        currency = named
        if has_currency:
            values["currency"] = named


def plan_file(ctx: Context, plan: Plan, path: str | Path, mapping: Mapping, *, sheet: str | None = None,
              planner: Planner | None = None) -> None:
    planner = planner or PLANNERS[mapping.kind](ctx, plan, mapping)
    try:
        with open_sheet(path, sheet) as opened:
            for number, values, columns in records(opened, mapping, plan, home_currency=ctx.currency):
                planner.row(number, values, columns)
    except ImportRefused as exc:  # the file breaks off: keep what was found before
        for problem in exc.problems:
            plan.problem(problem.row, problem.column, problem.reason)
        return
    planner.finish()


def import_file(db: Database, path: str | Path, mapping: Mapping, *, dry_run: bool = False,
                sheet: str | None = None, backup: bool = True) -> ImportResult:
    """Import ``path`` (CSV or XLSX) as ``mapping.kind``: all of it, or nothing and ``ImportRefused``."""
    path = Path(path)
    return run_import(db, mapping.kind, path.name,
                      lambda ctx, plan: plan_file(ctx, plan, path, mapping, sheet=sheet),
                      dry_run=dry_run, backup=backup, details={"mapping": mapping.to_json()})


def guess_mapping(path: str | Path, kind_name: str, sheet: str | None = None) -> Mapping:
    """The mapping guessed from the file's headers."""
    with open_sheet(path, sheet) as opened:
        return Mapping.guess(kind_name, opened.headers)
