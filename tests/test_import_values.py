"""What a cell means: dates, amounts, currencies and texts as an import reads them, the
mapping's choices for the files that need one (serial dates, the decimal mark, rounding
to the cent), and what a refused import must never change (reference data included).

The corpus ``tests/data/import/values_*`` holds one file per class, each with its
expected outcome; a file with a mapping has it beside it as ``<name>.mapping.json``.
Every refused file is refused in the same words from the command line.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from salesdesk.cli import main
from salesdesk.db.migrate import open_database
from salesdesk.errors import ValidationError
from salesdesk.transfer import values
from salesdesk.transfer.importer import guess_mapping, import_file
from salesdesk.transfer.mapping import Mapping
from salesdesk.transfer.problems import ImportRefused

from tests.conftest import dump

CORPUS = Path(__file__).parent / "data" / "import"

SERIAL = ("is a number, not a date: write it as YYYY-MM-DD, or say the column holds spreadsheet serial "
          "numbers (in the wizard's Values page, or \"serial_dates\" in the mapping)")
SUB_CENT = ("has more than two decimals: amounts are kept to the cent; round them in the file, or choose to round "
            "amounts to the cent (in the wizard's Values page, or \"round_cents\" in the mapping)")
EITHER = "could be 1234 or 1.234: say which mark separates the decimals (in the wizard's Values page, or " \
         "\"decimal_separator\" in the mapping)"
ASK = "say which mark separates the decimals"
NOT_ISO = "is not a currency code (ISO 4217, such as EUR or USD)"
OTHER_DIGITS = "has digits other than 0-9; write amounts with 0-9"

# file -> ("ok", {sql: rows}) or ("refused", [problems as printed])
EXPECTED: dict[str, tuple] = {
    # dates: a bare number in a text file is not a date unless the mapping says so
    "values_deals_year_as_date.csv": ("refused", [
        "row 2, column expected_close: 2026 is a year, not a date; write the day as YYYY-MM-DD",
        "row 3, column expected_close: 2026-03 is a month, not a date; write the day as YYYY-MM-DD"]),
    "values_deals_numbers_as_dates.csv": ("refused", [
        f"row 2, column expected_close: 1.5 {SERIAL}",
        f"row 3, column created_at: 45000.5 {SERIAL}",
        f"row 3, column expected_close: 45000 {SERIAL}"]),
    "values_deals_serial_dates.csv": ("ok", {"SELECT title, expected_close, created_at FROM deals ORDER BY id": [
        ("Serial", "2023-03-15", "2023-03-15 12:00:00.000000"),
        ("Text", "2023-03-15", "2023-03-15 12:00:00.000000")]}),
    "values_people_year_as_hire_date.csv": ("refused", [
        "row 2, column hire_date: 2019 is a year, not a date; write the day as YYYY-MM-DD",
        f"row 3, column hire_date: 0.5 {SERIAL}"]),
    # XLSX: a date cell is a date; a number (no date format) is refused unless the mapping says serials
    "values_deals_numbers_as_dates.xlsx": ("refused", [
        f"row 3, column expected_close: 46112 {SERIAL}",
        "row 4, column expected_close: 2026 is a year, not a date; write the day as YYYY-MM-DD"]),
    "values_deals_serial_dates_xlsx.xlsx": ("ok", {
        "SELECT title, expected_close, created_at FROM deals ORDER BY id": [
            ("Date cell", "2026-03-31", "2026-01-05 10:30:00.000000"),
            ("Number", "2026-03-31", "2026-01-05 18:00:00.000000")]}),
    # currencies: ISO 4217 codes, ASCII, any case
    "values_products_currencies.csv": ("refused", [
        f"row 2, column currency: 'ΑΒΓ' {NOT_ISO}",
        f"row 3, column currency: 'ßx' {NOT_ISO}",
        f"row 4, column currency: 'XYZ' {NOT_ISO}",
        "row 5, column currency: HRK is no longer a currency: it was replaced by EUR",
        f"row 6, column currency: 'EU' {NOT_ISO}",
        f"row 7, column currency: 'E1R' {NOT_ISO}"]),
    "values_products_currencies_any_case.csv": ("ok", {
        "SELECT name, currency FROM products WHERE name <> 'Gadget' AND name <> 'Widget' ORDER BY id": [
            ("Lower", "EUR"), ("Mixed", "USD"), ("Padded", "CHF"), ("None given", "EUR")]}),
    # a currency written in the amount agrees with the row's, or gives it
    "values_deals_currency_marks.csv": ("ok", {"SELECT title, amount, currency FROM deals ORDER BY id": [
        ("Pounds", 500, "GBP"), ("Dollars", 700, "USD"), ("Code after", 900, "CHF"), ("Euros", 123450, "EUR")]}),
    "values_deals_currency_marks_refused.csv": ("refused", [
        "row 2, column amount: the amount is written in $, but the row's currency is EUR",
        "row 3, column amount: the amount is written in USD, but the row's currency is EUR",
        "row 4, column amount: 'USD 5 EUR' is not an amount of money"]),
    # every kind, CSV and XLSX: references to what is not there, bad values, rules
    "values_people_bad_references.csv": ("refused", [
        "row 2, column manager: nobody called 'Nobody Known' (by email, external id or name)",
        "row 3, column email: 'ole@example' is not an email address",
        "row 4, column role: no role 'Chief Wizard' (roles: VP Sales, Director of Sales, Sales Manager, Branch "
        "Manager, Team Leader, Salesperson)"]),
    "values_people_bad_references_xlsx.xlsx": ("refused", [
        "row 2, column manager: nobody called 'Nobody Known' (by email, external id or name)",
        "row 3, column email: 'ole@example' is not an email address",
        "row 4, column role: no role 'Chief Wizard' (roles: VP Sales, Director of Sales, Sales Manager, Branch "
        "Manager, Team Leader, Salesperson)"]),
    "values_people_manager_cycle.csv": ("refused", [
        "row 2, column manager: Ula Vik (Branch Manager) cannot manage Uma Vik (Branch Manager): a manager must "
        "hold a more senior role",
        "row 3, column manager: Uma Vik (Branch Manager) cannot manage Ula Vik (Branch Manager): a manager must "
        "hold a more senior role"]),
    "values_contacts_bad_values.csv": ("refused", [
        "row 2, column email: 'kim@example' is not an email address",
        "row 3, column account: no account 'Nowhere GmbH' (by external id or name)",
        "row 4, column name: a contact needs a name"]),
    "values_products_bad_prices_and_codes.csv": ("refused", [
        "row 2, column price: -5 is negative; amounts cannot be negative",
        "row 4, column code: 'N-1' is already in row 3",
        "row 5, column price: (4.00) is negative (in brackets); amounts cannot be negative"]),
    "values_targets_bad_rows.csv": ("refused", [
        "row 3, column person: nobody called 'nobody@example.com' (by email, external id or name)",
        "row 4, column metric: 'won_magic' is not one of won_revenue, won_deals, new_deals, activities",
        "row 5, column value: -3 is negative; amounts cannot be negative",
        "row 6, column period_start: 2025 has no week 53; its last week is 2025-W52"]),
    "values_targets_bad_rows_xlsx.xlsx": ("refused", [
        "row 3, column person: nobody called 'nobody@example.com' (by email, external id or name)",
        "row 4, column metric: 'won_magic' is not one of won_revenue, won_deals, new_deals, activities",
        "row 5, column value: -3 is negative; amounts cannot be negative",
        "row 6, column period_start: 2025 has no week 53; its last week is 2025-W52"]),
    "values_deals_currencies.csv": ("refused", [f"row 2, column currency: 'ΑΒΓ' {NOT_ISO}"]),
    # amounts: never guessed, sub-cent only with the rounding chosen
    "values_deals_sub_cent.csv": ("ok", {"SELECT title, amount FROM deals ORDER BY id": [
        ("Line 1", 95758), ("Line 2", 2237), ("Line 3", 1250)]}),
    "values_deals_sub_cent_refused.csv": ("refused", [
        f"row 2, column amount: 957.5775 {SUB_CENT}", f"row 3, column amount: 0.125 {SUB_CENT}"]),
    "values_deals_xlsx_sub_cent.xlsx": ("refused", [f"row 2, column amount: 957.5775 {SUB_CENT}"]),
    "values_deals_ambiguous_amounts.csv": ("refused", [
        f"row 2, column amount: 1,234 {EITHER}", f"row 3, column amount: 1.234 {EITHER}"]),
    "values_deals_decimal_comma.csv": ("ok", {"SELECT title, amount FROM deals ORDER BY id": [
        ("A", 123), ("B", 123400), ("C", 1250), ("D", 123450), ("E", 123450)]}),
    "values_deals_decimal_dot.csv": ("refused", [
        f"row 3, column amount: 1.234 {SUB_CENT}",
        "row 4, column amount: '12,5' is not an amount written with '.' for the decimals, as chosen for this "
        "import"]),
    "values_deals_odd_amounts.csv": ("refused", [
        "row 2, column amount: (12.00) is negative (in brackets); amounts cannot be negative",
        "row 3, column amount: 1e5 is written with an exponent; write the amount out in digits",
        "row 4, column amount: '0x10' is not an amount of money",
        f"row 5, column amount: '١٢٣' {OTHER_DIGITS}",
        f"row 6, column amount: '１２３' {OTHER_DIGITS}"]),
    "values_deals_hostile_amounts.csv": ("refused", [
        "row 2, column amount: '((((((((((((((((((((((((((((((((((((((((…' is not an amount of money",
        f"row 3, column amount: {'1' * 40}… is too large an amount",
        f"row 4, column amount: 1.{'5' * 38}… {SUB_CENT}"]),
    "values_deals_clear_amounts.csv": ("ok", {"SELECT title, amount FROM deals ORDER BY id": [
        ("Minus zero", 0), ("Grouped", 123456700), ("Both", 123450), ("Spaces", 123456700), ("Swiss", 123450),
        ("Lakh", 123456700), ("Euro", 123450), ("Short", 1250)]}),
    "values_deals_xlsx_amounts.xlsx": ("ok", {"SELECT title, amount FROM deals ORDER BY id": [
        ("Noise", 1210), ("Sum", 30), ("Whole", 250000)]}),
    "values_targets_sub_cent.csv": ("ok", {"SELECT period_kind, period_start, metric, value FROM targets": [
        ("month", "2026-03-01", "won_revenue", 100001)]}),
    # texts: control characters refused where they are, invisible names are no names
    "values_accounts_control_characters.csv": ("refused", [
        "row 2, column name: holds a control character (ESC, U+001B) at position 4; remove it",
        "row 3, column name: holds a control character (BEL, U+0007) at position 5; remove it",
        "row 5, column name: holds a control character (VT, U+000B) at position 9; remove it",
        "row 6, column name: holds a control character (DEL, U+007F) at position 7; remove it",
        "row 7, column name: holds a control character (U+009B) at position 4; remove it"]),
    "values_accounts_invisible_names.csv": ("refused", [
        "row 2, column name: an account needs a name", "row 3, column name: an account needs a name",
        "row 4, column name: an account needs a name", "row 6, column name: an account needs a name",
        "row 7, column name: an account needs a name"]),
    "values_contacts_control_characters.csv": ("refused", [
        "row 2, column name: holds a control character (ESC, U+001B) at position 3; remove it",
        "row 3, column title: holds a control character (BS, U+0008) at position 6; remove it"]),
    # periods of targets: our words, not Python's
    "values_targets_periods.csv": ("refused", [
        "row 2, column period_start: 2025 has no week 53; its last week is 2025-W52",
        "row 3, column period_start: 2026-13 is not a month: months run from 01 to 12",
        "row 4, column period_start: 2026 has no week 0; its first week is 2026-W01",
        "row 5, column period_start: 2026-00 is not a month: months run from 01 to 12",
        "row 6, column period_start: 0000-03: SalesDesk reports on the years 2 to 9998",
        "row 8, column period_start: 2026-Q5 is not a quarter: quarters run from Q1 to Q4",
        "row 9, column period_start: 2026-Q0 is not a quarter: quarters run from Q1 to Q4"]),
    # an update taking a value another record has: named with its row before anything is written
    "values_products_unique_update.csv": ("refused", [
        "row 2, column name: 'Gadget' is already the name of product 1"]),
    "values_people_unique_update.csv": ("refused", [
        "row 2, column email: 'vera@example.com' is already the email of person 1 (Vera Price)"]),
}


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.glob("values_*") if not p.name.endswith(".mapping.json"))


def kind_of(name: str) -> str:
    return name.split("_")[1]


def mapping_of(path: Path) -> Path | None:
    found = path.with_name(path.stem + ".mapping.json")
    return found if found.exists() else None


def load_mapping(path: Path) -> Mapping:
    saved = mapping_of(path)
    return Mapping.load(saved, kind_of(path.name)) if saved else guess_mapping(path, kind_of(path.name))


@pytest.fixture
def company(org):
    """The org of conftest with an account, two products and an external id to clash with."""
    with org.db.transaction() as s:
        s.execute(text("INSERT INTO accounts (name, created_at) VALUES ('Acme', '2026-01-01 00:00:00.000000')"))
        s.execute(text("INSERT INTO products (name, code, price, currency, active) VALUES "
                       "('Gadget', 'G-1', 1000, 'EUR', 1), ('Widget', 'W-1', 2000, 'EUR', 1)"))
        s.execute(text("UPDATE people SET external_id = 'P-2' WHERE id = :id"), {"id": org.people["sp1"]})
    return org


def test_the_values_corpus_is_complete():
    assert corpus_files() == sorted(EXPECTED)
    for path in CORPUS.glob("values_*.mapping.json"):
        assert path.name.removesuffix(".mapping.json") in {Path(n).stem for n in EXPECTED}, path.name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_values_file_has_its_expected_outcome(company, db_path, name):
    path = CORPUS / name
    outcome = EXPECTED[name]
    before = db_path.read_bytes(), dump(company.db, skip=())
    if outcome[0] == "ok":
        result = import_file(company.db, path, load_mapping(path), backup=False)
        assert result.created.get(kind_of(name), 0) == len(next(iter(outcome[1].values())))
        with company.db.read() as reader:
            for sql, rows in outcome[1].items():
                assert reader.execute(sql) == rows
    else:
        with pytest.raises(ImportRefused) as refused:
            import_file(company.db, path, load_mapping(path), backup=False)
        assert [str(p) for p in refused.value.problems] == outcome[1]
        assert (db_path.read_bytes(), dump(company.db, skip=())) == before


def run(capsys, *args) -> tuple[int, list[str], list[str]]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


# every refused file, from the command line too: tests/gui/test_import_channels.py


# --- amounts ----------------------------------------------------------------------------------

# The decisions of the values.cents docstring: text, decimal mark chosen -> cents or the refusal.
AMOUNTS = [
    ("1,234", "", EITHER), ("1,234", ",", SUB_CENT), ("1,234", ".", 123400),
    ("1.234", "", EITHER), ("1.234", ",", 123400), ("1.234", ".", SUB_CENT),
    ("1.234,5", "", 123450), ("1.234,5", ",", 123450), ("1.234,5", ".", "for the decimals"),
    ("12,5", "", 1250), ("12,5", ",", 1250), ("12,5", ".", "for the decimals"),
    ("1 234,50", "", 123450), ("€ 1.234,50", "", 123450), ("1.234,50 EUR", "", 123450),
    ("-0,00", "", 0), ("(12.00)", "", "negative (in brackets)"), ("-5", "", "is negative"),
    ("1e5", "", "exponent"), ("1E-2", "", "exponent"), ("0x10", "", "not an amount of money"),
    ("١٢٣", "", OTHER_DIGITS), ("１２３", "", OTHER_DIGITS), ("12.5", ",", "for the decimals"),
    ("957.5775", "", SUB_CENT), ("0.125", "", SUB_CENT), (".5", "", 50), ("12.500", ".", 1250),
    ("1.234.567", "", 123456700), ("1,234,567", "", 123456700), ("1,234,567.891", "", SUB_CENT),
    ("12,34,567.00", "", 123456700), ("1'234.50", "", 123450), ("1,2,3", "", "not an amount of money"),
    ("1.234.5", "", "not an amount of money"), ("1,23.45", "", "not an amount of money"),
    ("12.345", "", ASK), ("1.005", "", ASK), ("0,123", "", SUB_CENT), ("1234,567", "", SUB_CENT),
    ("12", "", 1200), ("12.34", "", 1234), ("9999999999999.99", "", 999999999999999),
    ("10000000000000", "", "too large"), ("", "", "not an amount of money"), ("€", "", "not an amount of money"),
    (2500, "", 250000), (12.5, "", 1250), (957.5775, "", SUB_CENT), (12.100000000000001, "", 1210),
    (float("nan"), "", "not an amount of money"), (float("inf"), "", "not an amount of money"),
    (True, "", "not an amount of money"), (dt.date(2026, 1, 1), "", "not an amount of money"),
    (dt.time(12, 30), "", "not an amount of money"),
]


@pytest.mark.parametrize(("cell", "decimal", "expected"), AMOUNTS, ids=[repr(a[:2]) for a in AMOUNTS])
def test_each_amount_means_one_thing_or_is_refused(cell, decimal, expected):
    amounts = values.Amounts(decimal=decimal)
    if isinstance(expected, int):
        assert amounts(cell) == expected
    else:
        with pytest.raises(ValueError) as refused:
            amounts(cell)
        assert expected in str(refused.value)


@pytest.mark.parametrize(("cell", "cents", "change"), [
    ("957.5775", 95758, Decimal("0.0025")), ("0.125", 13, Decimal("0.005")), ("1.004", 100, Decimal("-0.004")),
    ("12.50", 1250, 0), (957.5775, 95758, Decimal("0.0025"))])
def test_rounding_to_the_cent_is_half_up_and_says_by_how_much(cell, cents, change):
    amounts = values.Amounts(decimal=".", round_cents=True)
    assert amounts(cell) == cents
    assert amounts.take() == ([change] if change else [])
    assert amounts.take() == []


def test_the_table_of_decisions_is_in_the_docstring():
    for text_ in ("1,234", "1.234", "1.234,5", "12,5", "1 234,50", "€ 1.234,50", "-0,00", "(12.00)", "1e5",
                  "0x10", "١٢٣", "１２３"):
        assert f"``{text_}``" in values.__doc__, text_


def test_rounded_amounts_are_counted_in_the_outcome_and_the_audit_row(company):
    path = CORPUS / "values_deals_sub_cent.csv"
    mapping = load_mapping(path)
    dry = import_file(company.db, path, mapping, dry_run=True)
    assert "note: 2 amounts will be rounded to the cent (half up), by +0.0045 EUR in all" in dry.lines()
    done = import_file(company.db, path, mapping, backup=False)
    assert "note: 2 amounts were rounded to the cent (half up), by +0.0045 EUR in all" in done.lines()
    with company.db.read() as reader:
        details = json.loads(reader.scalar("SELECT details FROM audit_log WHERE action = 'import' ORDER BY id DESC"))
    assert details["rounded_to_cent"] == {"EUR": {"amounts": 2, "by": "0.0045"}}
    assert details["mapping"]["round_cents"] is True


def test_sub_cent_amounts_like_the_superstore_sales_need_the_decimal_mark_too(company, tmp_path):
    """22.368 (a sale of the "Sample Superstore" data) could be 22368: rounding alone does not say."""
    path = tmp_path / "orders.csv"
    path.write_text("title,owner,stage,amount\nOrder,ava@example.com,Contact,22.368\n", encoding="utf-8")
    mapping = guess_mapping(path, "deals")
    mapping.round_cents = True
    with pytest.raises(ImportRefused) as refused:
        import_file(company.db, path, mapping, backup=False)
    assert "say which mark separates the decimals" in str(refused.value.problems[0])
    mapping.decimal_separator = "."
    import_file(company.db, path, mapping, backup=False)
    with company.db.read() as reader:
        assert reader.scalar("SELECT amount FROM deals WHERE title = 'Order'") == 2237


def test_rounding_is_counted_in_each_rows_currency(company, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("title,owner,stage,amount,currency\nA,ava@example.com,Contact,1.005,USD\n"
                    "B,ava@example.com,Contact,2.004,\nC,ava@example.com,Contact,3.001,usd\n", encoding="utf-8")
    mapping = guess_mapping(path, "deals")
    mapping.round_cents, mapping.decimal_separator = True, "."  # 2.004 could be 2004 without the decimal mark
    result = import_file(company.db, path, mapping, backup=False)
    notes = [line for line in result.lines() if "rounded" in line]
    assert notes == ["note: 1 amount was rounded to the cent (half up), by -0.004 EUR in all",
                     "note: 2 amounts were rounded to the cent (half up), by +0.004 USD in all"]


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "serial", "expected"), [
    ("2026-03-31", False, dt.date(2026, 3, 31)), ("31.03.2026", False, dt.date(2026, 3, 31)),
    (dt.datetime(2026, 3, 31, 10), False, dt.date(2026, 3, 31)), (dt.date(2026, 3, 31), False, dt.date(2026, 3, 31)),
    ("45000", True, dt.date(2023, 3, 15)), (45000, True, dt.date(2023, 3, 15)), ("45000.5", True, dt.date(2023, 3, 15)),
    ("61", True, dt.date(1900, 3, 1)),
    ("2026", False, "a year, not a date"), ("2026", True, "a year, not a date"), (2026, True, "a year, not a date"),
    ("1.5", False, "is a number, not a date"), ("45000", False, "is a number, not a date"),
    (45000, False, "is a number, not a date"), (1.5, True, "out of range"), ("60", True, "out of range"),
    ("2026-03", False, "a month, not a date"), ("２０２６-０３-３１", False, "not a date"),
    ("2026-02-30", False, "not a date"), (True, False, "not a date"), (dt.time(12), False, "not a date"),
])
def test_each_date_means_one_thing_or_is_refused(cell, serial, expected):
    if isinstance(expected, dt.date):
        assert values.date(cell, serial=serial) == expected
    else:
        with pytest.raises(ValueError) as refused:
            values.date(cell, serial=serial)
        assert expected in str(refused.value)


def test_a_moment_in_a_serial_column_keeps_its_time_and_is_refused_otherwise():
    assert values.timestamp("45000.75", serial=True) == dt.datetime(2023, 3, 15, 18)
    assert values.timestamp(45000.75, serial=True) == dt.datetime(2023, 3, 15, 18)
    with pytest.raises(ValueError, match="is a number, not a date"):
        values.timestamp("45000.75")
    with pytest.raises(ValueError, match="is a number, not a date"):
        values.timestamp(45000.75)


# --- currencies and texts ---------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ("EUR", "EUR"), ("eur", "EUR"), (" Usd ", "USD"), ("XAU", "XAU"), ("XCG", "XCG"),
    ("ΑΒΓ", NOT_ISO), ("ßx", NOT_ISO), ("ÉUR", NOT_ISO), ("XYZ", NOT_ISO), ("EURO", NOT_ISO), ("E", NOT_ISO),
    ("XXX", NOT_ISO), ("XTS", NOT_ISO), ("HRK", "replaced by EUR"), ("ZWL", "replaced by ZWG"), (978, NOT_ISO)])
def test_a_currency_is_an_active_iso_code_in_any_case(cell, expected):
    if expected.isupper() and len(expected) == 3:
        assert values.currency(cell) == expected
    else:
        with pytest.raises(ValueError) as refused:
            values.currency(cell)
        assert expected in str(refused.value)


def test_the_currency_list_holds_the_active_codes():
    from salesdesk.domain.currencies import ACTIVE, WITHDRAWN

    assert len(ACTIVE) > 170 and {"EUR", "USD", "GBP", "CHF", "JPY", "SEK", "INR", "CNY", "XOF"} <= ACTIVE
    assert all(len(code) == 3 and code.isascii() and code.isupper() for code in ACTIVE)
    assert not ACTIVE & set(WITHDRAWN) and set(WITHDRAWN.values()) <= ACTIVE


@pytest.mark.parametrize(("cell", "expected"), [
    ("Plain", "Plain"), ("Zoë, \"quoted\"\nline", "Zoë, \"quoted\"\nline"), ("tab\there", "tab\there"),
    ("a\u00a0b", "a\u00a0b"), ("\u200b\u200b", ""), ("\u2060\u00a0\u200d", ""), ("x\u200b", "x\u200b"),
    ("\u3164\u3164", ""), ("\u2800", ""), ("\ufeff\u115f", ""), ("Ha\u3164n", "Ha\u3164n"),
    ("Esc\x1b", "ESC, U+001B"), ("Ctrl-Z\x1a", "SUB, U+001A"), ("\x85next line", "U+0085"),
    ("no\ufffe", "U+FFFE"), ("nul\x00", "NUL character")])
def test_a_text_cell_is_kept_as_written_refused_for_control_characters_or_empty_when_invisible(cell, expected):
    parse = values.text_parser(200)
    if expected == cell or expected == "":
        assert parse(cell) == expected
    else:
        with pytest.raises(ValueError) as refused:
            parse(cell)
        assert expected in str(refused.value)


# --- the mapping's choices ----------------------------------------------------------------------


def test_the_mapping_keeps_serial_dates_the_decimal_mark_and_rounding(tmp_path):
    mapping = Mapping("deals", {"Close": "expected_close", "Value": "amount"}, serial_dates=["expected_close"],
                      decimal_separator=",", round_cents=True)
    saved = mapping.save(tmp_path / "m.json")
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert (data["serial_dates"], data["decimal_separator"], data["round_cents"]) == (["expected_close"], ",", True)
    again = Mapping.load(saved)
    assert (again.serial_dates, again.decimal_separator, again.round_cents) == (["expected_close"], ",", True)
    plain = Mapping("deals", {"Value": "amount"}).to_json()
    assert not {"serial_dates", "decimal_separator", "round_cents"} & set(plain), "old mappings stay as they were"


@pytest.mark.parametrize(("extra", "reason"), [
    ({"round_cents": "yes"}, "\"round_cents\" is true or false"),
    ({"decimal_separator": ";"}, "\"decimal_separator\" is \",\" or \".\""),
    ({"serial_dates": "expected_close"}, "\"serial_dates\" is a list of date fields"),
    ({"serial_dates": ["title"]}, "title: not a date field of deals"),
    ({"serial_dates": ["nowhere"]}, "nowhere: not a date field of deals"),
])
def test_a_mapping_with_a_choice_that_makes_no_sense_is_refused_in_words(tmp_path, extra, reason):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"kind": "deals", "columns": {"Value": "amount"}, **extra}), encoding="utf-8")
    with pytest.raises(ValidationError) as refused:
        Mapping.load(path)
    assert reason in str(refused.value)


# --- what a refusal never changes: reference data included ----------------------------------------


def _without_lost_reasons(db_path: Path) -> None:
    database = open_database(db_path)
    with database.transaction() as s:
        s.execute(text("DELETE FROM lost_reasons"))
    database.close()


def _state(db_path: Path):
    database = open_database(db_path, read_only=True)
    try:
        return db_path.read_bytes(), dump(database, skip=())
    finally:
        database.close()


def test_opening_a_database_whose_lost_reasons_were_all_deleted_gives_none_back(db_path):
    _without_lost_reasons(db_path)
    before = _state(db_path)
    open_database(db_path).close()
    assert _state(db_path) == before
    assert before[1]["lost_reasons"] == []


def test_a_refused_import_into_a_database_without_lost_reasons_changes_nothing(db_path, tmp_path, capsys):
    _without_lost_reasons(db_path)
    path = tmp_path / "deals.csv"
    path.write_text("title,owner,stage,amount\nA,nobody@example.com,Contact,957.5775\n", encoding="utf-8")
    before = _state(db_path)
    code, _out, err = run(capsys, "--db", db_path, "import", "deals", path)
    assert code == 1 and len(err) == 3
    assert _state(db_path) == before
    database = open_database(db_path)
    try:
        with pytest.raises(ImportRefused):
            import_file(database, path, guess_mapping(path, "deals"), backup=False)
    finally:
        database.close()
    assert _state(db_path) == before


def test_a_new_database_gets_the_reference_data_once(db_path):
    open_database(db_path).close()
    with sqlite3.connect(db_path) as connection:
        counts = [connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("roles", "pipelines", "lost_reasons", "settings")]
    connection.close()
    assert all(counts)
    open_database(db_path).close()
    with sqlite3.connect(db_path) as connection:
        again = [connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("roles", "pipelines", "lost_reasons", "settings")]
    connection.close()
    assert again == counts


@pytest.mark.parametrize("settings_kept", [False, True], ids=["no settings", "a migration's setting"])
def test_a_database_whose_creation_stopped_before_its_reference_data_gets_it_on_the_next_open(db_path, settings_kept):
    """A setting a migration writes at creation (the database's reference) is no ladder of roles."""
    open_database(db_path).close()
    with sqlite3.connect(db_path) as connection:
        for table in ("stages", "pipelines", "roles", "lost_reasons", "settings"):
            connection.execute(f"DELETE FROM {table}")
        if settings_kept:
            connection.execute("INSERT INTO settings (key, value) VALUES ('database_reference', 'sd-1'), "
                               "('currency', 'CHF')")
    connection.close()
    database = open_database(db_path)
    try:
        with database.read() as reader:
            assert reader.scalar("SELECT count(*) FROM roles") == 6
            assert reader.scalar("SELECT count(*) FROM lost_reasons") > 0
            assert reader.scalar("SELECT value FROM settings WHERE key = 'currency'") == \
                ("CHF" if settings_kept else "EUR")
    finally:
        database.close()


# --- updates that would take another record's value ---------------------------------------------


def test_an_update_clash_found_in_a_dry_run_too(company):
    path = CORPUS / "values_products_unique_update.csv"
    with pytest.raises(ImportRefused) as refused:
        import_file(company.db, path, load_mapping(path), dry_run=True)
    assert [str(p) for p in refused.value.problems] == EXPECTED[path.name][1]


def test_updates_that_swap_free_values_in_order_are_fine(company, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("code,name\nG-1,Gizmo\nW-1,Gadget\n", encoding="utf-8")
    mapping = guess_mapping(path, "products")
    mapping.duplicates = "update"
    import_file(company.db, path, mapping, backup=False)
    with company.db.read() as reader:
        assert reader.execute("SELECT code, name FROM products ORDER BY id") == [("G-1", "Gizmo"), ("W-1", "Gadget")]


@pytest.mark.parametrize(("content", "reason"), [
    ('{"kind": "deals", "columns": {"a": ' + "1" * 5000 + "}}", "is not a mapping file: a number in it is too long"),
    ('{"kind": "deals", "columns": {"Deal": ["title"]}}', "\"columns\" maps each column to a field name"),
    ('{"kind": "deals", "columns": {"Deal": "title"}, "values": {"stage": {"Won": ["Deal"]}}}',
     "\"values\" maps each word of the file to a SalesDesk word"),
    ('{"kind": "deals", "columns": {}, "pad": "' + "x" * 1_100_000 + '"}', "is not a mapping file: it is larger than 1 MB"),
    # a misspelt choice would be a choice silently not made
    ('{"kind": "deals", "columns": {"Deal": "title"}, "bogus": 1, "round_cent": true}',
     'has "round_cent", which a mapping does not know (did you mean "round_cents"?); it knows columns, date_order, '
     'decimal_separator, duplicates, kind, round_cents, serial_dates, values'),
    ('{"kind": "deals", "columns": {"Deal": "title", "Deal": "notes"}}', 'is not a mapping file: it names "Deal" '
     'twice in one place'),
])
def test_a_mapping_file_that_is_no_mapping_is_refused_in_one_line(company, db_path, tmp_path, capsys, content, reason):
    company.db.close()
    path, source = tmp_path / "m.json", tmp_path / "deals.csv"
    path.write_text(content, encoding="utf-8")
    source.write_text("Deal\nA\n", encoding="utf-8")
    before = db_path.read_bytes()
    code, out, err = run(capsys, "--db", db_path, "import", "deals", source, "--mapping", path)
    assert (code, out, err) == (1, [], [f"salesdesk: error: {path}: {reason}"])
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(("cell", "parse"), [
    ("1" * 100_000, values.cents), ("1." + "5" * 100_000, values.cents), ("(" + "1" * 100_000 + ")", values.cents),
    ("1." + "5" * 100_000, lambda cell: values.date(cell, serial=True)),
    ("1." + "5" * 100_000, lambda cell: values.timestamp(cell, serial=True)),
    ("2026-" + "1" * 100_000, values.date)])
def test_a_huge_cell_is_refused_in_a_line_that_shows_only_its_start(cell, parse):
    with pytest.raises(ValueError) as refused:
        parse(cell)
    assert len(str(refused.value)) < 300 and "…" in str(refused.value)


def test_brackets_in_brackets_are_no_amount_and_no_recursion_error():
    with pytest.raises(ValueError, match="is not an amount of money"):
        values.cents("(" * 5000 + "1" + ")" * 5000)


def test_a_total_rounding_of_whole_units_is_written_out_in_digits(company, tmp_path):
    """2,000 prices of 0.005 rounded up by 10 in all: "10", not Decimal's "1E+1"."""
    path = tmp_path / "products.csv"
    path.write_text("name,price\n" + "".join(f"Part {i},0.005\n" for i in range(2000)), encoding="utf-8")
    mapping = guess_mapping(path, "products")
    mapping.round_cents = True
    result = import_file(company.db, path, mapping, backup=False)
    assert "note: 2,000 amounts were rounded to the cent (half up), by +10.00 EUR in all" in result.lines()
    with company.db.read() as reader:
        details = json.loads(reader.scalar("SELECT details FROM audit_log WHERE action = 'import' ORDER BY id DESC"))
    assert details["rounded_to_cent"] == {"EUR": {"amounts": 2000, "by": "10"}}


def test_a_name_two_accounts_share_is_refused_not_given_to_the_first(company, db_path, tmp_path):
    """Imported with "create another", two accounts are named alike: a deal naming one of
    them would be attached to the older without a word."""
    with company.db.transaction() as s:
        s.execute(text("INSERT INTO accounts (name, created_at) VALUES ('ACME', '2026-01-02 00:00:00.000000')"))
    with company.db.read() as reader:
        ids = [r[0] for r in reader.execute("SELECT id FROM accounts WHERE lower(name) = 'acme' ORDER BY id")]
    path = tmp_path / "deals.csv"
    path.write_text("title,owner,stage,amount,account\nOrder,ava@example.com,Contact,10,Acme\n", encoding="utf-8")
    before = db_path.read_bytes(), dump(company.db, skip=())
    with pytest.raises(ImportRefused) as refused:
        import_file(company.db, path, guess_mapping(path, "deals"), backup=False)
    assert [str(p) for p in refused.value.problems] == [
        f"row 2, column account: 2 accounts are named 'Acme' (accounts {ids[0]} and {ids[1]}): give the account's "
        "external id instead"]
    assert (db_path.read_bytes(), dump(company.db, skip=())) == before


@pytest.mark.parametrize("kind_name", ["accounts", "products", "targets", "deals"])
def test_an_unchanged_export_imported_to_update_changes_nothing_and_says_so(company, tmp_path, kind_name):
    """Not "updated: N" with every record given a new version (a window holding one
    would then see a conflict on its next save)."""
    from salesdesk.transfer.export import export_kind

    seed = tmp_path / "seed.csv"
    seed.write_text("title,owner,stage,amount\nKept,ava@example.com,Contact,10\n", encoding="utf-8")
    import_file(company.db, seed, guess_mapping(seed, "deals"), backup=False)
    seed.write_text("person,period_start,metric,value\nava@example.com,2026-05,won_revenue,5000\n", encoding="utf-8")
    import_file(company.db, seed, guess_mapping(seed, "targets"), backup=False)
    path = tmp_path / f"{kind_name}.csv"
    count = export_kind(company.db, kind_name, path)
    before = dump(company.db)
    mapping = guess_mapping(path, kind_name)
    mapping.duplicates = "update"
    result = import_file(company.db, path, mapping, backup=False)
    assert (result.updated, result.unchanged) == ({}, {kind_name: count})
    assert f"unchanged: {count:,} {kind_name}" in result.lines()[0]
    assert dump(company.db) == before  # the audit row aside, every table as it was
