"""Export: every kind to CSV and XLSX, formulas neutralised, and back again without loss."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from salesdesk.db.migrate import open_database
from salesdesk.db.models import Account, Contact, Product, Target
from salesdesk.services import deals
from salesdesk.transfer.export import export_kind, export_rows
from salesdesk.transfer.importer import guess_mapping, import_file
from salesdesk.transfer.kinds import IMPORT_ORDER

NASTY = ("=SUM(A1:A9)", "+49 30 1234", "-minus first", "@mention", "a\ttab inside", "'=already quoted",
         "'plain quote", "Zoë “quoted”, with comma\nand a line break")


@pytest.fixture
def company(org):
    with org.db.transaction() as s:
        accounts = []
        for i, name in enumerate(NASTY):
            account = Account(name=name, sector="Retail" if i % 2 else None, city="Lyon", employees=10 * i,
                              external_id=f"ACC-{i}" if i % 3 else None)
            s.add(account)
            s.flush()
            accounts.append(account.id)
            s.add(Contact(account_id=account.id, name=f"Contact {i}", email=f"c{i}@example.com", title=name))
        s.add(Product(name="Widget =1+1", code="W-1", series="Tools", price=Decimal("1234.56"), currency="EUR"))
        s.add(Product(name="Gadget", code=None, price=Decimal("99.90")))
        s.flush()
        ids = []
        for i in range(12):
            stage = list(org.stages.values())[i % 9]
            ids.append(deals.create_deal(s, title=NASTY[i % len(NASTY)] + f" #{i}", owner_id=org.people["sp1"],
                                         stage_id=stage, amount=Decimal("1000.10") * (i + 1),
                                         account_id=accounts[i % len(accounts)], probability=(None, 30)[i % 2],
                                         expected_close=dt.date(2026, 3, 1 + i), notes="=cmd|' /C calc'!A0"))
        deals.mark_lost(s, ids[0], 1, "@too expensive")
        deals.mark_lost(s, ids[2], None, "no reason in the list")
        s.add(Target(person_id=org.people["sp1"], period_kind="month", period_start=dt.date(2026, 3, 1),
                     metric="won_revenue", value=Decimal("50000.25")))
        s.add(Target(person_id=org.people["bm_n"], period_kind="quarter", period_start=dt.date(2026, 1, 1),
                     metric="won_deals", value=Decimal(12)))
    return org


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_kind_imports_back_into_a_fresh_database_unchanged(company, tmp_path, suffix):
    fresh = open_database(tmp_path / "fresh.sqlite3")
    try:
        for name in IMPORT_ORDER:
            path = tmp_path / f"{name}{suffix}"
            count = export_kind(company.db, name, path)
            assert count == len(export_rows(company.db, name)[1]) > 0
            import_file(fresh, path, guess_mapping(path, name), backup=False)
        for name in IMPORT_ORDER:
            assert export_rows(fresh, name) == export_rows(company.db, name), name
    finally:
        fresh.close()


def test_csv_is_utf8_with_bom_and_formulas_are_neutralised(company, tmp_path):
    path = tmp_path / "accounts.csv"
    export_kind(company.db, "accounts", path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfname,")
    text = data.decode("utf-8-sig")
    assert "'=SUM(A1:A9)" in text and "'+49 30 1234" in text and "'-minus first" in text
    assert "'@mention" in text and "''=already quoted" in text
    assert "\n=SUM" not in text and ",=SUM" not in text
    assert "Zoë" in text


def test_xlsx_cells_are_text_never_formulas(company, tmp_path):
    path = tmp_path / "deals.xlsx"
    export_kind(company.db, "deals", path)
    sheet = openpyxl.load_workbook(path).worksheets[0]  # not read-only: sees formulas as formulas
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert any(c.value == "'=SUM(A1:A9) #0" and c.data_type == "s" for c in cells)
    notes = [c.value for c in cells if isinstance(c.value, str) and "calc" in c.value]
    assert notes and all(v.startswith("'=") for v in notes)
    # numbers and dates stay numbers and dates
    amounts = [c.value for c in cells if c.column == 8 and c.row > 1]
    assert amounts[0] == pytest.approx(1000.10)
    assert isinstance([c.value for c in cells if c.column == 11 and c.row > 1][0], dt.datetime)


def test_cells_starting_like_formulas_are_quoted_and_unquoted_again():
    from salesdesk.transfer.values import neutralise, unescape

    for risky in ("=1+1", "+1", "-1", "@x", "\tx", "\rx", "\0x", "'=x", "''@x"):
        assert neutralise(risky) == "'" + risky
        assert unescape(neutralise(risky)) == risky
    for safe in ("plain", "'quoted", "1-2", "a=b", ""):
        assert neutralise(safe) == safe and unescape(safe) == safe


def test_export_refuses_other_formats_and_missing_folders(company, tmp_path):
    from salesdesk.errors import ValidationError

    with pytest.raises(ValidationError, match="csv or .xlsx"):
        export_kind(company.db, "deals", tmp_path / "deals.json")
    with pytest.raises(ValidationError, match="no such folder"):
        export_kind(company.db, "deals", tmp_path / "nowhere" / "deals.csv")
    assert list(tmp_path.glob(".salesdesk-*")) == []


def test_the_demo_company_round_trips_with_its_former_staffs_closed_deals(tmp_path):
    """People who left keep their won and lost deals; an export of them imports back
    (an open deal still needs an active owner)."""
    from salesdesk.services.demo import load_demo

    source = open_database(tmp_path / "demo.sqlite3")
    fresh = open_database(tmp_path / "fresh.sqlite3")
    try:
        load_demo(source, seed=2, deals=250)
        with source.read() as reader:
            assert reader.scalar("SELECT count(*) FROM deals d JOIN people p ON p.id = d.owner_id "
                                 "WHERE NOT p.active AND d.status <> 'open'") > 0
        for name in IMPORT_ORDER:
            path = tmp_path / f"{name}.csv"
            export_kind(source, name, path)
            import_file(fresh, path, guess_mapping(path, name), backup=False)
        for name in ("people", "accounts", "deals"):
            assert export_rows(fresh, name)[1] == export_rows(source, name)[1], name
    finally:
        source.close()
        fresh.close()


@pytest.mark.parametrize("policy", ["skip", "update"])
def test_importing_a_deals_export_into_the_same_database_finds_its_deals(company, tmp_path, policy):
    """Export, edit in a spreadsheet, import: the deals are found again, never copied."""
    import csv

    path = tmp_path / "deals.csv"
    count = export_kind(company.db, "deals", path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["title"] = "Renamed in the spreadsheet"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = len(export_rows(company.db, "deals")[1])
    mapping = guess_mapping(path, "deals")
    mapping.duplicates = policy
    result = import_file(company.db, path, mapping, backup=False)
    assert result.created.get("deals", 0) == 0
    assert len(export_rows(company.db, "deals")[1]) == before == count
    titles = [r[0] for r in export_rows(company.db, "deals")[1]]
    assert ("Renamed in the spreadsheet" in titles) == (policy == "update")


def test_an_export_is_readable_like_any_file_the_user_makes(company, tmp_path):
    import os

    path = tmp_path / "people.csv"
    umask = os.umask(0o022)
    try:
        export_kind(company.db, "people", path)
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644
