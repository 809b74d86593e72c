"""Exports come back as they left: a database's own deals are found again, another's are
new, and every text, hostile or not, survives export and import in both formats.

Deal names: a deal without an external id is exported as ``<reference>#<id>``, where the
reference is the database's own (``settings.database_reference``, made by migration 0002
when the file is created or upgraded).  Everything that copies the file shares it: a
backup, a restored backup, the file moved to another computer; they are one database at
different moments, so its export re-imports as skip or update there too.
"""

from __future__ import annotations

import csv
import importlib
import re
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesdesk.cli import main
from salesdesk.db.migrate import KNOWN_REVISIONS, open_database
from salesdesk.transfer.kinds import IMPORT_ORDER

_INDEXES = importlib.import_module("salesdesk.db.migrations.versions.0003_exchange_rates")._INDEXES
NEWEST = KNOWN_REVISIONS[-1]

REFERENCE = re.compile(r"sd-[0-9a-f]{12}")


def run(capsys, *args) -> tuple[int, list[str], list[str]]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def ok(capsys, *args) -> list[str]:
    code, out, err = run(capsys, *args)
    assert (code, err) == (0, []), err
    return out


def count(path: Path, table: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()


def reference_of(path: Path) -> str | None:
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT value FROM settings WHERE key = 'database_reference'").fetchone()
        return row and row[0]
    finally:
        connection.close()


def demo(capsys, path: Path, seed: int, deals: int = 40) -> Path:
    ok(capsys, "--db", path, "demo", "--seed", seed, "--deals", deals)
    return path


# --- deal names -----------------------------------------------------------------------------


def test_every_database_has_its_own_reference_from_its_creation(tmp_path, capsys):
    a = demo(capsys, tmp_path / "a.sqlite3", 1)
    b = tmp_path / "b.sqlite3"
    open_database(b).close()
    assert REFERENCE.fullmatch(reference_of(a)) and REFERENCE.fullmatch(reference_of(b))
    assert reference_of(a) != reference_of(b)
    ok(capsys, "--db", a, "export", "deals", tmp_path / "a.csv")
    names = [line.rsplit(",", 1)[1] for line in (tmp_path / "a.csv").read_text("utf-8-sig").splitlines()[1:]]
    assert names[:2] == [f"{reference_of(a)}#1", f"{reference_of(a)}#2"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("policy", ["skip", "update"])
def test_a_databases_own_export_imports_back_as_skip_or_update(tmp_path, capsys, suffix, policy):
    """The command line reads the database read-only for the export: the reference was
    there from the start, so the import finds every deal again (200 stayed 200)."""
    a = demo(capsys, tmp_path / "a.sqlite3", 1)
    path = tmp_path / f"deals{suffix}"
    ok(capsys, "--db", a, "export", "deals", path)
    _rename_first_deal(path, "Renamed in the spreadsheet")
    out = ok(capsys, "--db", a, "import", "deals", path, "--duplicates", policy)
    # the one deal renamed in the spreadsheet is updated; the rest are found as they are
    outcome = {"skip": "skipped as duplicates: 40 deals", "update": "updated: 1 deals; unchanged: 39 deals"}[policy]
    assert out[0] == f"Imported {path.name} (40 rows): {outcome}"
    assert count(a, "deals") == 40
    connection = sqlite3.connect(a)
    title = connection.execute("SELECT title FROM deals WHERE id = 1").fetchone()[0]
    connection.close()
    assert (title == "Renamed in the spreadsheet") == (policy == "update")


def _rename_first_deal(path: Path, title: str) -> None:
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        book.worksheets[0]["A2"] = title
        book.save(path)
    else:
        lines = path.read_text("utf-8-sig").splitlines(keepends=True)
        lines[1] = title + lines[1][lines[1].index(","):]
        path.write_text("".join(lines), "utf-8-sig")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_another_databases_export_creates_its_deals(tmp_path, capsys, suffix):
    """Two databases' exports into a third: each creates its deals (the second's are not
    "duplicates" of the first's, though both companies are the same demo with the same
    people), and a second import of each then skips them."""
    a = demo(capsys, tmp_path / "a.sqlite3", 1)
    c = demo(capsys, tmp_path / "c.sqlite3", 1, deals=30)
    b = tmp_path / "b.sqlite3"
    for source in (a, c):
        for kind in IMPORT_ORDER[:-1]:  # targets are not needed for deals
            path = tmp_path / f"{source.stem}-{kind}{suffix}"
            ok(capsys, "--db", source, "export", kind, path)
            out = ok(capsys, "--db", b, "import", kind, path)
        assert f"new: {count(source, 'deals')} deals" in out[0]
    assert count(b, "deals") == 70
    for source in (a, c):
        out = ok(capsys, "--db", b, "import", "deals", tmp_path / f"{source.stem}-deals{suffix}")
        assert f"skipped as duplicates: {count(source, 'deals')} deals" in out[0]
    assert count(b, "deals") == 70
    # b keeps the names a gave its deals: b's export imports into a as a's own deals
    ok(capsys, "--db", b, "export", "deals", tmp_path / f"b{suffix}")
    out = ok(capsys, "--db", a, "import", "deals", tmp_path / f"b{suffix}")
    assert "skipped as duplicates: 40 deals" in out[0] and "new: 30 deals" in out[0]


def test_an_older_database_gets_a_reference_at_its_upgrade_and_keeps_one_it_had(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine

    from salesdesk.db.migrate import alembic_config

    paths = []
    for name, had in (("old.sqlite3", None), ("exported.sqlite3", "sd-0badc0de")):
        path = tmp_path / name
        engine = create_engine(f"sqlite:///{path}")
        config = alembic_config(engine.url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            if had:  # an earlier SalesDesk's export from the window wrote one
                connection.exec_driver_sql(f"INSERT INTO settings VALUES ('database_reference', '{had}')")
        engine.dispose()
        open_database(path).close()
        paths.append(path)
    assert REFERENCE.fullmatch(reference_of(paths[0]))
    assert reference_of(paths[1]) == "sd-0badc0de"
    assert list((tmp_path / "old.sqlite3-backups").glob("*before-upgrade*"))  # the usual copy first


def test_a_backup_and_its_restore_share_the_reference(tmp_path, capsys):
    """A backup is this database at an earlier moment: restored, its deals are the ones an
    export made before named, so that export re-imports as skip, not as copies."""
    a = demo(capsys, tmp_path / "a.sqlite3", 1)
    ok(capsys, "--db", a, "export", "deals", tmp_path / "deals.csv")
    ok(capsys, "--db", a, "backup")
    backup = max((tmp_path / "a.sqlite3-backups").glob("*manual*"))
    assert reference_of(backup) == reference_of(a)
    ok(capsys, "--db", a, "restore", backup, "--yes")
    assert "skipped as duplicates: 40 deals" in ok(capsys, "--db", a, "import", "deals", tmp_path / "deals.csv")[0]


def as_revision_0001(path: Path) -> Path:
    """The file as SalesDesk left it before migration 0002: the same tables, no reference."""
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("DELETE FROM settings WHERE key = 'database_reference'")
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
        connection.execute("DROP TABLE exchange_rates")  # came with 0003, with the currency in the deals' indexes
        for name, before, _, status in _INDEXES:
            connection.execute(f"DROP INDEX {name}")
            connection.execute(f"CREATE INDEX {name} ON deals ({', '.join(before)})"
                               + (f" WHERE status = '{status}'" if status else ""))
    connection.close()
    return path


def revision_of(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        connection.close()


def test_the_commands_that_only_read_work_on_a_file_of_revision_0001(tmp_path, capsys):
    """Every file made before 0002 is one: check, report and backup read it as it is (the
    tables are the same), and the deal export upgrades it first, as the window does, so
    that its deals have their name (with the usual copy before the upgrade)."""
    a = as_revision_0001(demo(capsys, tmp_path / "a.sqlite3", 1))
    assert "ok (integrity, foreign keys and sales rules;" in ok(capsys, "--db", a, "check")[0]
    ok(capsys, "--db", a, "backup")
    (backup,) = (tmp_path / "a.sqlite3-backups").glob("*manual*")
    assert (revision_of(backup), revision_of(a), reference_of(a)) == ("0001", "0001", None)
    ok(capsys, "--db", a, "export", "deals", tmp_path / "deals.csv")
    assert (revision_of(a), bool(REFERENCE.fullmatch(reference_of(a) or ""))) == (NEWEST, True)
    assert list((tmp_path / "a.sqlite3-backups").glob("*before-upgrade*"))
    assert "skipped as duplicates: 40 deals" in ok(capsys, "--db", a, "import", "deals", tmp_path / "deals.csv")[0]
    assert count(a, "deals") == 40


def test_a_restored_backup_of_revision_0001_keeps_the_databases_reference(tmp_path, capsys):
    """The copy made before the upgrade has no reference: restored, it takes the one of the
    database it replaces (the same database), so the exports made since still find its deals."""
    a = as_revision_0001(demo(capsys, tmp_path / "a.sqlite3", 1))
    ok(capsys, "--db", a, "export", "deals", tmp_path / "deals.csv")  # upgrades it
    reference = reference_of(a)
    (before,) = (tmp_path / "a.sqlite3-backups").glob("*before-upgrade*")
    assert reference_of(before) is None
    ok(capsys, "--db", a, "restore", before, "--yes")
    assert "skipped as duplicates: 40 deals" in ok(capsys, "--db", a, "import", "deals", tmp_path / "deals.csv")[0]
    assert (count(a, "deals"), reference_of(a), revision_of(a)) == (40, reference, NEWEST)


# --- every text, hostile or not ------------------------------------------------------------

LONG = "=" + "long " * 3999 + "="  # 20,000 characters: the longest notes the import takes
HOSTILE = (
    "=1+1", "+1+1", "-1+1", "@SUM(1;1)", "=cmd|' /C calc'!A0", '=HYPERLINK("http://example.com","x")',
    "'=1+1", "''=1+1", "'plain quote", "'", "''", "'" * 300,
    " =1+1", "\n=1+1", "\r=1+1", "\r\n=1+1", "\t=1+1", "\u00a0=1+1", "\ufeff=1+1",
    "  leading spaces", "trailing spaces  ", " both ", "\ttabs\t", "line\nbreak", "cr\ronly", "crlf\r\nbreak",
    "ends with a line break\n", "ends with CRLF\r\n", "\u2028line separators\u2029",
    '"quoted"', 'say ""hi""', "comma, semicolon; pipe| tab\tinside",
    "Zoë Ünïcödé Straße 日本語 עברית", "emoji 👩‍💼🚀🇩🇪", "zero\u200bwidth\u200djoiner", "bom\ufeffinside",
    "_x0041_ looks escaped _x000D_", "#1", "<tag>&amp;</tag>", LONG,
)
FREE_TEXT = {  # the text fields of each kind that hold what a person typed (the others are checked words)
    "people": ("name", "phone", "external_id"),
    "accounts": ("name", "sector", "website", "phone", "city", "country", "external_id"),
    "contacts": ("name", "title", "phone"),
    "products": ("name", "code", "series"),
    "deals": ("title", "lost_note", "notes", "external_id"),
}


def _fit(text: str, kind: str, field: str) -> str:
    from salesdesk.transfer.kinds import kind as kind_of

    return text[:kind_of(kind).field(field).max_length]


def fill_with_texts(org, texts) -> None:
    """A person, an account, a contact, a product and a deal for each text, in every free
    text field (cut to the field's length); each names the others by what the export
    writes: some by email or external id, the rest by their hostile names."""
    import datetime as dt
    from decimal import Decimal

    from salesdesk.db.models import Account, Contact, Deal, Person, Product

    with org.db.transaction() as s:
        for i, text in enumerate(texts):
            def fit(kind, field, text=text):
                return _fit(text, kind, field)
            person = Person(name=fit("people", "name"), phone=fit("people", "phone"),
                            email=f"p{i}@example.com" if i % 2 else None,
                            external_id=fit("people", "external_id") if i % 3 == 1 else None,
                            role_id=org.roles["Salesperson"], manager_id=org.people["bm_s"],
                            branch_id=org.branches["South"])
            account = Account(name=fit("accounts", "name"), sector=fit("accounts", "sector"),
                              website=fit("accounts", "website"), phone=fit("accounts", "phone"),
                              city=fit("accounts", "city"), country=fit("accounts", "country"), employees=i,
                              external_id=fit("accounts", "external_id") if i % 2 else None)
            s.add_all([person, account])
            s.flush()
            account.owner_id = person.id
            contact = Contact(account_id=account.id, name=fit("contacts", "name"), title=fit("contacts", "title"),
                              email=f"c{i}@example.com", phone=fit("contacts", "phone"))
            product = Product(name=fit("products", "name"), code=fit("products", "code") if i % 2 else None,
                              series=fit("products", "series"), price=Decimal("10.50"), currency="EUR")
            s.add_all([contact, product])
            s.flush()
            lost = i % 4 == 3
            s.add(Deal(title=fit("deals", "title"), owner_id=person.id, account_id=account.id,
                       contact_id=contact.id, pipeline_id=1, stage_id=org.stages["Qualification"],
                       amount=Decimal("10.50"), currency="EUR", status="lost" if lost else "open",
                       lost_on=dt.date(2026, 3, 2) if lost else None,
                       lost_note=fit("deals", "lost_note") if lost else None,
                       notes=text,
                       external_id=fit("deals", "external_id") if i % 3 == 2 else None,
                       created_at=dt.datetime(2026, 3, 1, 9, 30), stage_entered_at=dt.datetime(2026, 3, 1, 9, 30)))
            s.flush()
            from salesdesk.db.models import DealLine

            s.add(DealLine(deal_id=s.scalar(text_sql("SELECT max(id) FROM deals")), product_id=product.id,
                           quantity=1, unit_price=Decimal("10.50"), discount_pct=0))


def _differences(got, wanted) -> list:
    """The rows (and their cells) that came back otherwise, for a readable failure."""
    (headers, rows), (_, expected) = got, wanted
    out = [("rows", len(rows), len(expected))] if len(rows) != len(expected) else []
    for number, (row, want) in enumerate(zip(rows, expected), 2):
        out += [(number, header, cell, wanted) for header, cell, wanted in zip(headers, row, want) if cell != wanted]
    return out


def text_sql(sql: str):
    from sqlalchemy import text

    return text(sql)


def texts_of(db, *, deal_names: bool = True) -> dict[str, list[tuple]]:
    """Every free text field of every record, as stored (but deals' external ids, unless
    ``deal_names``)."""
    free = {**FREE_TEXT, "deals": FREE_TEXT["deals"] if deal_names else FREE_TEXT["deals"][:-1]}
    with db.read() as r:
        return {kind: [tuple(row) for row in r.execute(f"SELECT {', '.join(fields)} FROM {kind} ORDER BY id")]
                for kind, fields in free.items()}


def not_text(path: Path) -> list[str]:
    """The cells of an export that a spreadsheet would run: an XLSX formula, or a CSV cell
    starting as one (after the white space LibreOffice trims)."""
    from salesdesk.transfer.values import FORMULA_STARTS

    if path.suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path).worksheets[0]  # not read-only: formulas as formulas
        return [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type not in ("s", "n", "d")]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [f"row {number}: {cell!r}" for number, row in enumerate(csv.reader(handle), 1) for cell in row
                if cell.lstrip(" \t\r\n").startswith(FORMULA_STARTS)]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_hostile_text_survives_export_and_import_in_every_kind(org, tmp_path, suffix):
    from salesdesk.transfer.export import export_kind, export_rows
    from salesdesk.transfer.importer import guess_mapping, import_file

    fill_with_texts(org, HOSTILE)
    fresh = open_database(tmp_path / "fresh.sqlite3")
    try:
        for kind in IMPORT_ORDER:
            path = tmp_path / f"{kind}{suffix}"
            export_kind(org.db, kind, path)
            assert not_text(path) == [], path.name
            import_file(fresh, path, guess_mapping(path, kind), backup=False)
        assert texts_of(fresh)["accounts"] == texts_of(org.db)["accounts"]
        for kind in IMPORT_ORDER:
            assert _differences(export_rows(fresh, kind), export_rows(org.db, kind)) == [], kind
        people = [row[0] for row in texts_of(fresh)["people"]]
        assert {_fit(t, "people", "name") for t in HOSTILE} <= set(people)  # white space and quotes included
    finally:
        fresh.close()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_control_character_refuses_the_export_in_words_naming_its_cell(org, tmp_path, capsys, suffix):
    """Stored before the import refused them: no file that would not import back, and no
    traceback (XLSX cannot hold them at all)."""
    fill_with_texts(org, ["plain", "bell\x07inside", "nul\x00inside"])
    org.db.close()
    path = tmp_path / f"accounts{suffix}"
    code, out, err = run(capsys, "--db", org.db.path, "export", "accounts", path)
    assert (code, out) == (1, [])
    assert err == [("salesdesk: error: accounts, row 3, column name: holds the invisible character U+0007, which an "
                    "export does not write (an import would refuse it); remove it in SalesDesk, then export again")]
    assert not path.exists() and list(tmp_path.glob(".salesdesk-*")) == []


# --- the property: any text, any free text field, both formats ------------------------------

VISIBLE = st.characters(blacklist_categories=("Cs", "Cc", "Z", "Cf"))  # a letter, digit, mark or sign
ANY = st.characters(blacklist_categories=("Cs",), blacklist_characters="".join(
    map(chr, (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)))) + "\ufffe\uffff")  # refused


def texts(max_length: int):
    """Any text that fits the field and holds something visible (all white space, or all
    zero-width, is an empty cell to the import)."""
    return st.tuples(st.text(ANY, max_size=8), VISIBLE, st.text(ANY, max_size=max_length)).map(
        lambda parts: "".join(parts)[:max_length]).filter(lambda t: any(c.isalnum() or not c.isspace() for c in t))


def field_texts(kind_name: str, optional: tuple[str, ...] = ()):
    from salesdesk.transfer.kinds import kind as kind_of

    spec = kind_of(kind_name)
    return st.fixed_dictionaries({name: (st.none() | texts(spec.field(name).max_length)) if name in optional
                                  else texts(spec.field(name).max_length) for name in FREE_TEXT[kind_name]})


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A company without accounts, products or deals, to copy for each example."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = open_database(path)
    from tests.conftest import Org

    Org(db)
    db.close()
    return path


@pytest.fixture(scope="module")
def empty(tmp_path_factory) -> Path:
    """A new database, to copy as each example's target: it has nobody, so the template's
    people without email or external id are not made twice (people are not found by name)."""
    path = tmp_path_factory.mktemp("empty") / "empty.sqlite3"
    open_database(path).close()
    return path


def _copy(source: Path, target: Path):
    """A database copied through SQLite (never a plain read of a database file)."""
    with sqlite3.connect(source) as a, sqlite3.connect(target) as b:
        a.backup(b)
    a.close()
    b.close()
    return open_database(target)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(person=field_texts("people", ("phone", "external_id")),
       account=field_texts("accounts", ("sector", "website", "phone", "city", "country", "external_id")),
       contact=field_texts("contacts", ("title", "phone")),
       product=field_texts("products", ("code", "series")),
       deal=field_texts("deals", ("lost_note", "notes", "external_id")))
def test_any_text_in_any_free_text_field_comes_back_unchanged(template, empty, person, account, contact, product, deal):
    import datetime as dt
    import tempfile
    from decimal import Decimal

    from hypothesis import assume

    from salesdesk.db.models import Account, Contact, Deal, DealLine, Person, Product
    from salesdesk.transfer.export import export_kind, export_rows
    from salesdesk.transfer.importer import guess_mapping, import_file

    with sqlite3.connect(template) as c:  # a new person is named by their external id, else their name
        words = {w.casefold() for row in c.execute("SELECT name, email FROM people") for w in row if w}
    c.close()
    assume((person["external_id"] or person["name"]).casefold().strip() not in words)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        source = _copy(template, folder / "source.sqlite3")
        try:
            with source.transaction() as s:
                org = {name: s.scalar(text_sql(sql)) for name, sql in (
                    ("role", "SELECT id FROM roles WHERE name = 'Salesperson'"),
                    ("manager", "SELECT id FROM people WHERE name = 'Sam Brook'"),
                    ("branch", "SELECT id FROM branches WHERE name = 'South'"),
                    ("stage", "SELECT id FROM stages WHERE pipeline_id = 1 AND name = 'Qualification'"),
                    ("reason", "SELECT id FROM lost_reasons WHERE name = 'Other'"))}
                p = Person(**person, role_id=org["role"], manager_id=org["manager"], branch_id=org["branch"])
                a = Account(**account)
                r = Product(**product, price=Decimal(5), currency="EUR")
                s.add_all([p, a, r])
                s.flush()
                a.owner_id = p.id
                k = Contact(**contact, account_id=a.id, email="contact@example.com")
                s.add(k)
                s.flush()
                d = Deal(**deal, owner_id=p.id, account_id=a.id, contact_id=k.id, pipeline_id=1,
                         stage_id=org["stage"], amount=Decimal(5), currency="EUR", status="lost",
                         lost_on=dt.date(2026, 3, 2), lost_reason_id=org["reason"],
                         created_at=dt.datetime(2026, 3, 1, 9), stage_entered_at=dt.datetime(2026, 3, 1, 9))
                s.add(d)
                s.flush()
                s.add(DealLine(deal_id=d.id, product_id=r.id, quantity=1, unit_price=Decimal(5), discount_pct=0))
            for suffix in (".csv", ".xlsx"):
                target = _copy(empty, folder / f"target{suffix}.sqlite3")
                try:
                    for kind in IMPORT_ORDER[:-1]:
                        path = folder / f"{kind}{suffix}"
                        export_kind(source, kind, path, replace=True)
                        import_file(target, path, guess_mapping(path, kind), backup=False)
                    # a deal of another database keeps the name it had there as its external id
                    assert texts_of(target, deal_names=False) == texts_of(source, deal_names=False), suffix
                    for kind in IMPORT_ORDER[:-1]:
                        assert _differences(export_rows(target, kind), export_rows(source, kind)) == [], kind
                finally:
                    target.close()
        finally:
            source.close()
