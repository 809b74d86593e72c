"""Import of each kind from CSV and XLSX: dialects, mappings, duplicates, rules, all or nothing."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from salesdesk.transfer.importer import guess_mapping, import_file
from salesdesk.transfer.mapping import Mapping
from salesdesk.transfer.problems import ImportRefused

from tests.conftest import dump


def write(path, text: str, encoding: str = "utf-8") -> str:
    path.write_bytes(text.encode(encoding))
    return path


def refused(db, path, mapping) -> list[str]:
    with pytest.raises(ImportRefused) as caught:
        import_file(db, path, mapping, backup=False)
    return [str(p) for p in caught.value.problems]


def rows(db, sql: str):
    with db.read() as reader:
        return reader.execute(sql)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_accounts_in_any_common_dialect(db, tmp_path, delimiter, encoding):
    d = delimiter
    text = (f"Account Name{d}Industry{d}City{d}Employees\r\n"
            f"Café Lumière{d}Retail{d}Lyon{d}12\r\n"
            f"\"Smith{d} Jones\nand Sons\"{d}Finance{d}Zürich{d}\"1,200\"\r\n\r\n"
            f"Ærø Fisk{d}{d}Århus{d}\r\n")
    path = write(tmp_path / "accounts.csv", text, encoding)
    mapping = guess_mapping(path, "accounts")
    assert mapping.columns == {"Account Name": "name", "Industry": "sector", "City": "city", "Employees": "employees"}
    result = import_file(db, path, mapping, backup=False)
    assert result.created == {"accounts": 3}
    assert rows(db, "SELECT name, sector, city, employees FROM accounts ORDER BY id") == [
        ("Café Lumière", "Retail", "Lyon", 12), (f"Smith{d} Jones\nand Sons", "Finance", "Zürich", 1200),
        ("Ærø Fisk", None, "Århus", None)]


def test_row_numbers_are_the_spreadsheet_rows(db, tmp_path):
    path = write(tmp_path / "a.csv", 'name,employees\n"two\nlines",1\n\nthird,many\n')
    problems = refused(db, path, guess_mapping(path, "accounts"))
    # header = row 1, the two-line cell is row 2, the blank line row 3
    assert problems == ["row 4, column employees: 'many' is not a whole number"]


def test_xlsx_with_dates_and_serial_numbers(db, org, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Deal Name", "Owner", "Stage", "Value", "Close Date", "Created"])
    sheet.append(["Dated", "ava@example.com", "Proposal", 1500.5, dt.datetime(2026, 3, 31), "2026-01-05 10:30"])
    sheet.append(["Serial", "Ava Stone", "Negotiation", "2.500,75", 46112, 46027])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    mapping = guess_mapping(path, "deals")
    problems = refused(db, path, mapping)  # numbers in a date column without a date format: said, not guessed
    assert [p.split(":")[0] for p in problems] == ["row 3, column Close Date", "row 3, column Created"]
    mapping.serial_dates = ["expected_close", "created_at"]
    result = import_file(db, path, mapping, backup=False)
    assert result.created == {"deals": 2}
    assert rows(db, "SELECT title, amount, expected_close, created_at FROM deals ORDER BY id") == [
        ("Dated", 150050, "2026-03-31", "2026-01-05 10:30:00.000000"),
        ("Serial", 250075, "2026-03-31", "2026-01-05 00:00:00.000000")]


def test_value_mapping_of_stages_and_owners_saved_and_reused(db, org, tmp_path):
    path = write(tmp_path / "export.csv", "Opportunity,Agent,Phase,Close Value,Close\n"
                                          "A,Ava,Prospecting,10,\nB,Ava,Won,20,2026-02-03\nC,Ben,Lost,0,2026-02-04\n")
    mapping = guess_mapping(path, "deals")
    assert mapping.columns == {"Opportunity": "title", "Agent": "owner", "Phase": "stage", "Close Value": "amount",
                               "Close": "expected_close"}
    assert "Prospecting" in "\n".join(refused(db, path, mapping))
    mapping.values = {"stage": {"prospecting": "Contact", "Won": "Deal", "Lost": "lost:Proposal"},
                      "owner": {"Ava": "ava@example.com", "Ben": "Ben Cole"}}
    saved = tmp_path / "mapping.json"
    mapping.save(saved)
    assert json.loads(saved.read_text())["values"]["stage"]["Won"] == "Deal"
    import_file(db, path, Mapping.load(saved, "deals"), backup=False)
    assert rows(db, "SELECT d.title, s.name, d.status, p.name, d.won_on, d.lost_on FROM deals d "
                    "JOIN stages s ON s.id = d.stage_id JOIN people p ON p.id = d.owner_id ORDER BY d.id") == [
        ("A", "Contact", "open", "Ava Stone", None, None),
        ("B", "Deal", "won", "Ava Stone", "2026-02-03", None),
        ("C", "Proposal", "lost", "Ben Cole", None, "2026-02-04")]


def test_any_bad_row_and_nothing_is_imported_every_problem_listed(db, org, tmp_path):
    path = write(tmp_path / "deals.csv", "title,owner,stage,amount,expected_close\n"
                                         "Fine,ava@example.com,Proposal,100,2026-01-01\n"
                                         "Bad amount,ava@example.com,Proposal,12abc,2026-01-01\n"
                                         ",nobody@example.com,Nowhere,-5,31/31/2026\n")
    before = dump(db)
    problems = refused(db, path, guess_mapping(path, "deals"))
    assert problems == [
        "row 3, column amount: '12abc' is not an amount of money",
        "row 4, column amount: -5 is negative; amounts cannot be negative",
        "row 4, column expected_close: '31/31/2026' is not a date",
        "row 4, column owner: nobody called 'nobody@example.com' (by email, external id or name)",
        "row 4, column stage: no stage 'Nowhere' in this pipeline (stages: Contact, Information Exchange, "
        "Lead Generation, Identification, Qualification, Proposal, Negotiation, Deal, After Sales); map it in the "
        "wizard or the mapping's \"values\"",
        "row 4, column title: a deal needs a title"]
    assert dump(db) == before


def test_a_dry_run_counts_and_writes_nothing(db, db_path, org, tmp_path):
    path = write(tmp_path / "p.csv", "name,email,role,manager\nNew Seller,new@example.com,Salesperson,Tia Lund\n")
    before = db_path.read_bytes()
    result = import_file(db, path, guess_mapping(path, "people"), dry_run=True)
    assert result.dry_run and result.created == {"people": 1} and result.backup is None
    assert db_path.read_bytes() == before


def test_a_real_import_takes_a_backup_and_writes_an_audit_row(db, org, tmp_path):
    path = write(tmp_path / "p.csv", "name,email,manager\nNew Seller,new@example.com,Tia Lund\n")
    result = import_file(db, path, guess_mapping(path, "people"))
    assert result.backup is not None and result.backup.exists() and "import" in result.backup.name
    assert rows(db, "SELECT count(*) FROM people WHERE email = 'new@example.com'") == [(1,)]
    (action, entity, details), = rows(db, "SELECT action, entity, details FROM audit_log WHERE action = 'import'")
    assert entity == "people" and json.loads(details)["created"] == {"people": 1}


def test_people_with_managers_later_in_the_file_and_new_branches(db, org, tmp_path):
    path = write(tmp_path / "p.csv", "name,email,role,manager,branch\n"
                                     "Sue Seller,sue@example.com,Salesperson,tom@example.com,\n"
                                     "Tom Lead,tom@example.com,Team Leader,Nora Banks,West\n")
    import_file(db, path, guess_mapping(path, "people"), backup=False)
    assert rows(db, "SELECT p.name, m.name, b.name FROM people p JOIN people m ON m.id = p.manager_id "
                    "JOIN branches b ON b.id = p.branch_id WHERE p.email IN ('sue@example.com', 'tom@example.com') "
                    "ORDER BY p.name") == [("Sue Seller", "Tom Lead", "West"), ("Tom Lead", "Nora Banks", "West")]


def test_people_breaking_the_hierarchy_rules_are_refused(db, org, tmp_path):
    path = write(tmp_path / "p.csv", "name,role,manager\n"
                                     "Junior Boss,Salesperson,\n"
                                     "Odd One,Branch Manager,Ava Stone\n"
                                     "Loop A,Team Leader,Loop B\nLoop B,Team Leader,Loop A\n"
                                     "Lost,Salesperson,Nobody Known\n")
    problems = refused(db, path, guess_mapping(path, "people"))
    text = "\n".join(problems)
    assert "row 2, column manager: Junior Boss needs a manager: Vera Price is the top of the organisation" in text
    assert "row 3, column manager: Ava Stone (Salesperson) cannot manage Odd One (Branch Manager)" in text
    assert "row 4, column manager: Loop B (Team Leader) cannot manage Loop A" in text
    assert "row 6, column manager: nobody called 'Nobody Known'" in text


@pytest.mark.parametrize("policy, expected", [
    ("skip", [("Ava Stone", None), ("Ben Cole", None)]),
    ("update", [("Ava Renamed", "+33 1 23"), ("Ben Cole", None)]),
])
def test_duplicates_by_email_skip_or_update(db, org, tmp_path, policy, expected):
    with org.db.transaction() as s:
        from salesdesk.services import people

        people.edit_person(s, org.people["sp2"], email="ben@example.com")
    path = write(tmp_path / "p.csv", "name,email,phone\nAva Renamed,AVA@example.com,+33 1 23\n"
                                     "Ben Cole,ben@example.com,\n")
    mapping = guess_mapping(path, "people")
    mapping.duplicates = policy
    result = import_file(db, path, mapping, backup=False)
    if policy == "skip":
        assert result.skipped == {"people": 2}
    else:  # Ben's row says what his record says already
        assert (result.updated, result.unchanged) == ({"people": 1}, {"people": 1})
    assert rows(db, "SELECT name, phone FROM people WHERE lower(email) IN ('ava@example.com', 'ben@example.com') "
                    "ORDER BY id") == expected


def test_duplicates_create_is_refused_where_the_key_is_unique(db, org, tmp_path):
    path = write(tmp_path / "p.csv", "name,email\nAnother Ava,ava@example.com\n")
    mapping = guess_mapping(path, "people")
    mapping.duplicates = "create"
    assert refused(db, path, mapping) == [
        "row 2, column email: ava@example.com is already Ava Stone's; choose skip or update for duplicates"]


def test_deals_by_external_id_and_repeated_keys_in_one_file(db, org, tmp_path):
    path = write(tmp_path / "d.csv", "external_id,title,owner,stage,amount\n"
                                     "X-1,First,Ava Stone,Contact,10\nX-2,Second,Ava Stone,Contact,20\n")
    import_file(db, path, guess_mapping(path, "deals"), backup=False)
    again = write(tmp_path / "d2.csv", "external_id,title,owner,stage,amount\n"
                                       "X-1,First (bigger),Ava Stone,Contact,15\nX-3,Third,Ava Stone,Contact,30\n")
    mapping = guess_mapping(again, "deals")
    mapping.duplicates = "update"
    result = import_file(db, again, mapping, backup=False)
    assert (result.created, result.updated) == ({"deals": 1}, {"deals": 1})
    assert rows(db, "SELECT external_id, title, amount FROM deals ORDER BY id") == [
        ("X-1", "First (bigger)", 1500), ("X-2", "Second", 2000), ("X-3", "Third", 3000)]
    twice = write(tmp_path / "d3.csv", "external_id,title,owner,stage\nX-9,A,Ava Stone,Contact\n"
                                       "X-9,B,Ava Stone,Contact\n")
    assert refused(db, twice, guess_mapping(twice, "deals")) == ["row 3, column external_id: 'X-9' is already in row 2"]


def test_products_contacts_and_targets(db, org, tmp_path):
    products = write(tmp_path / "pr.csv", "SKU;Product Name;Category;List Price\nW-1;Widget;Tools;€ 1.234,50\n")
    import_file(db, products, guess_mapping(products, "products"), backup=False)
    assert rows(db, "SELECT code, name, series, price FROM products") == [("W-1", "Widget", "Tools", 123450)]
    accounts = write(tmp_path / "a.csv", "name\nAcme\n")
    import_file(db, accounts, guess_mapping(accounts, "accounts"), backup=False)
    contacts = write(tmp_path / "c.csv", "Company,Contact Name,Email\nAcme,Jo Buyer,jo@acme.test\n")
    import_file(db, contacts, guess_mapping(contacts, "contacts"), backup=False)
    assert rows(db, "SELECT a.name, c.name, c.email FROM contacts c JOIN accounts a ON a.id = c.account_id") == [
        ("Acme", "Jo Buyer", "jo@acme.test")]
    targets = write(tmp_path / "t.csv", "person,period,period_start,metric,value\n"
                                        "ava@example.com,,2026-03,,5000\nAva Stone,,2026-Q2,won_deals,4\n"
                                        "Ben Cole,week,2026-11-23,,100.50\nBen Cole,,2026-W48,,1\n")
    problems = refused(db, targets, guess_mapping(targets, "targets"))
    assert problems == ["row 5, column period_start: '2026-W48' is already in row 4"]
    fixed = write(tmp_path / "t2.csv", targets.read_text().rsplit("\n", 2)[0] + "\n")
    import_file(db, fixed, guess_mapping(fixed, "targets"), backup=False)
    assert rows(db, "SELECT period_kind, period_start, metric, value FROM targets ORDER BY id") == [
        ("month", "2026-03-01", "won_revenue", 500000), ("quarter", "2026-04-01", "won_deals", 400),
        ("week", "2026-11-23", "won_revenue", 10050)]


def test_missing_required_columns_and_duplicate_headers(db, org, tmp_path):
    path = write(tmp_path / "d.csv", "title,amount,amount\nA,1,2\n")
    mapping = Mapping("deals", {"title": "title", "amount": "amount"})
    assert refused(db, path, mapping) == [
        "row 1: no column gives the owner (owner), which deals need; map one",
        "row 1: no column gives the stage (stage), which deals need; map one",
        "row 1, column amount: appears twice (columns 2 and 3); rename or unmap one"]


def test_updating_deals_leaves_what_the_file_does_not_give(db, org, tmp_path):
    first = write(tmp_path / "d.csv", "external_id,title,owner,stage,amount,currency\nX-1,First,Ava Stone,Contact,10,USD\n")
    import_file(db, first, guess_mapping(first, "deals"), backup=False)
    second = write(tmp_path / "d2.csv", "external_id,title,owner,stage\nX-1,Renamed,Ben Cole,Contact\n")
    mapping = guess_mapping(second, "deals")
    mapping.duplicates = "update"
    import_file(db, second, mapping, backup=False)
    assert rows(db, "SELECT d.title, p.name, d.amount, d.currency FROM deals d JOIN people p ON p.id = d.owner_id") \
        == [("Renamed", "Ben Cole", 1000, "USD")]


def test_updating_a_manager_keeps_their_team_valid(db, org, tmp_path):
    with org.db.transaction() as s:
        from salesdesk.services import people

        people.edit_person(s, org.people["tl_n"], email="tia@example.com")
    path = write(tmp_path / "p.csv", "email,role,active\ntia@example.com,Salesperson,\n")
    mapping = guess_mapping(path, "people")
    mapping.duplicates = "update"
    assert refused(db, path, mapping) == [
        "row 2, column role: Tia Lund cannot become Salesperson: Ava Stone (Salesperson) reports to them and a manager must "
        "hold a more senior role"]
    path = write(tmp_path / "p2.csv", "email,active\ntia@example.com,no\n")
    mapping = guess_mapping(path, "people")
    mapping.duplicates = "update"
    assert refused(db, path, mapping) == [
        "row 2, column active: Tia Lund still manages Ava Stone; give the team another manager first"]


def test_a_zip_that_is_not_a_workbook_is_refused(db, tmp_path):
    import zipfile

    path = tmp_path / "accounts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(ImportRefused, match="accounts.xlsx cannot be read as an XLSX workbook"):
        guess_mapping(path, "accounts")


@pytest.mark.parametrize("text", ["12.345", "1.005", "1,234"])
def test_an_amount_with_a_dot_and_three_digits_is_refused_not_guessed(text):
    """Twelve thousand in Germany, twelve in the UK: the importer asks instead of rounding."""
    from salesdesk.transfer.values import cents

    with pytest.raises(ValueError, match="could be .* say which mark separates the decimals"):
        cents(text)
    assert cents("1.234.567") == 123456700  # a mark twice can only group thousands


def test_an_update_taking_anothers_email_is_refused_in_words_and_changes_nothing(org, tmp_path):
    from sqlalchemy import text

    from tests.conftest import dump

    with org.db.transaction() as s:
        s.execute(text("UPDATE people SET external_id = 'P-2' WHERE id = :id"), {"id": org.people["sp1"]})
    path = tmp_path / "people.csv"
    path.write_text("external_id,email\nP-2,vera@example.com\n", encoding="utf-8")
    mapping = guess_mapping(path, "people")
    mapping.duplicates = "update"
    before = dump(org.db)
    with pytest.raises(ImportRefused) as refused:  # found with its row before anything is written
        import_file(org.db, path, mapping, backup=False)
    assert [str(p) for p in refused.value.problems] == [
        "row 2, column email: 'vera@example.com' is already the email of person 1 (Vera Price)"]
    assert dump(org.db) == before
