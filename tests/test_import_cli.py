"""``salesdesk import`` and ``salesdesk export`` as a user at a terminal meets them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from salesdesk.cli import main
from salesdesk.db.migrate import open_database

DATA = Path("/work/shared/data/crm-sales-opportunities")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def company(org, db_path):
    org.db.close()  # the command opens the file itself
    return db_path


def run(capsys, *args) -> tuple[int, list[str], list[str]]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def test_refused_import_prints_each_problem_with_row_and_column_and_changes_nothing(company, tmp_path, capsys):
    path = tmp_path / "deals.csv"
    path.write_text("title,owner,stage,amount\nGood,ava@example.com,Contact,5\n"
                    "Bad,ava@example.com,Contact,lots\nWorse,someone,Nowhere,1\n", encoding="utf-8")
    before = digest(company)
    code, out, err = run(capsys, "--db", company, "import", "deals", path)
    assert code == 1 and out == []
    assert err[0] == "salesdesk: error: row 3, column amount: 'lots' is not an amount of money"
    assert err[1] == "salesdesk: error: row 4, column owner: nobody called 'someone' (by email, external id or name)"
    assert err[2].startswith("salesdesk: error: row 4, column stage: no stage 'Nowhere'")
    assert err[3] == "salesdesk: error: nothing was imported from deals.csv: 3 problems"
    assert digest(company) == before


def test_import_with_a_saved_mapping_duplicates_and_dry_run(company, tmp_path, capsys):
    path = tmp_path / "crm.csv"
    path.write_text("Id;Deal;Rep;Phase;Value\nA-1;First;Ava Stone;Prospecting;1.000,50\n", encoding="cp1252")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"kind": "deals", "columns": {"Id": "external_id", "Deal": "title", "Rep": "owner",
                                                                  "Phase": "stage", "Value": "amount"},
                                   "values": {"stage": {"Prospecting": "Contact"}}}), encoding="utf-8")
    before = digest(company)
    code, out, _ = run(capsys, "--db", company, "import", "deals", path, "--mapping", mapping, "--dry-run")
    assert code == 0 and out == ["Would import crm.csv (1 rows): new: 1 deals"]
    assert digest(company) == before
    code, out, _ = run(capsys, "--db", company, "import", "deals", path, "--mapping", mapping)
    assert code == 0 and out[0] == "Imported crm.csv (1 rows): new: 1 deals"
    assert out[-1].startswith("a copy of the database before the import: ")
    code, out, _ = run(capsys, "--db", company, "import", "deals", path, "--mapping", mapping)
    assert out[0] == "Imported crm.csv (1 rows): skipped as duplicates: 1 deals"
    code, out, _ = run(capsys, "--db", company, "import", "deals", path, "--mapping", mapping, "--duplicates",
                       "create")
    assert code == 1


def test_a_guessed_mapping_can_be_saved_for_next_time(company, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text("Full Name,E-mail,Reports To\nNew Person,new@example.com,Tia Lund\n", encoding="utf-8-sig")
    saved = tmp_path / "saved.json"
    code, _, err = run(capsys, "--db", company, "import", "people", path, "--save-mapping", saved)
    assert code == 0, err
    assert json.loads(saved.read_text())["columns"] == {"Full Name": "name", "E-mail": "email",
                                                        "Reports To": "manager"}


def test_export_then_import_into_a_new_file(company, tmp_path, capsys):
    out_file = tmp_path / "people.xlsx"
    code, out, _ = run(capsys, "--db", company, "export", "people", out_file)
    assert code == 0 and out == [f"Exported 8 people to {out_file}"]
    fresh = tmp_path / "fresh.sqlite3"
    code, out, err = run(capsys, "--db", fresh, "import", "people", out_file)
    assert code == 0, err
    assert out[0] == "Imported people.xlsx (8 rows): new: 8 people, 2 branches"


def test_usage_errors_and_refusals_leave_no_file(tmp_path, capsys):
    missing_db = tmp_path / "new.sqlite3"
    bad = tmp_path / "bad.csv"
    bad.write_text("title\nx\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", missing_db, "import", "deals", bad)
    assert code == 1 and err[-1].startswith("salesdesk: error: nothing was imported from bad.csv")
    assert not missing_db.exists() and not list(tmp_path.glob("new.sqlite3*"))
    code, _, err = run(capsys, "--db", missing_db, "import", "invoices", bad)
    assert code == 1 and err == ["salesdesk: error: 'invoices' is not something SalesDesk imports; choose one of "
                                 "people, accounts, contacts, products, deals, targets, crm-sales-opportunities"]
    code, _, err = run(capsys, "--db", missing_db, "import", "deals", tmp_path / "nope.csv")
    assert code == 1 and err == [f"salesdesk: error: {tmp_path / 'nope.csv'}: no such file"]
    code, _, err = run(capsys, "--db", missing_db, "export", "deals", tmp_path / "x.csv")
    assert code == 1 and not missing_db.exists()


@pytest.mark.skipif(not DATA.is_dir(), reason="the data set is not here")
def test_the_crm_data_set_from_the_command_line(tmp_path):
    path = tmp_path / "crm.sqlite3"
    result = subprocess.run([sys.executable, "-m", "salesdesk", "--db", str(path), "import",
                             "crm-sales-opportunities", str(DATA)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "new: 42 people, 3 branches, 85 accounts, 7 products, 8,800 deals" in lines[0]
    assert any("'GTXPro' read as the catalogue's 'GTX Pro'" in line for line in lines)
    assert "PySide6" not in result.stderr
    db = open_database(path)
    try:
        with db.read() as reader:
            assert reader.scalar("SELECT sum(amount) FROM deals WHERE status = 'won'") == 1_000_553_400
    finally:
        db.close()


def test_no_import_while_a_window_has_the_file_open(tmp_path):
    """The window would go on showing what the database no longer holds."""
    from salesdesk.safety.instance_lock import InstanceLock
    from tests.test_cli import one_error_line, salesdesk

    db_path = tmp_path / "open.sqlite3"
    open_database(db_path).close()
    source = tmp_path / "accounts.csv"
    source.write_text("name\nAcme\n", encoding="utf-8")
    with InstanceLock(db_path):  # "the window"
        result = salesdesk("--db", str(db_path), "import", "accounts", str(source))
        assert "already has" in one_error_line(result, code=1)
    assert salesdesk("--db", str(db_path), "import", "accounts", str(source)).returncode == 0


# --- a new database: a refused or dry-run import leaves its path as it was ----------------------

def people_file(tmp_path, rows: int, *, bad: bool = False):
    """People with a role SalesDesk has not got (bad), or accounts that import fine."""
    if not bad:
        source = tmp_path / "accounts.csv"
        source.write_text("name\n" + "".join(f"Account {i}\n" for i in range(rows)), encoding="utf-8")
        return source
    source = tmp_path / "people.csv"
    source.write_text("name,role\n" + "".join(f"P {i},Astronaut\n" for i in range(rows)), encoding="utf-8")
    return source


def test_a_dry_run_into_a_new_database_never_touches_its_path(tmp_path):
    """Before, the dry run made the file and deleted it afterwards: a window or a demo
    started there meanwhile lost everything it wrote."""
    from tests.test_cli import salesdesk

    target = tmp_path / "new.sqlite3"
    result = salesdesk("--db", str(target), "import", "accounts", str(people_file(tmp_path, 3)), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert not target.exists() and not list(tmp_path.glob("new.sqlite3*"))
    target.touch()  # an empty file the user made: a new database to the import
    result = salesdesk("--db", str(target), "import", "accounts", str(people_file(tmp_path, 3)), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert target.stat().st_size == 0 and sorted(p.name for p in tmp_path.glob("new.sqlite3*")) == ["new.sqlite3"]


def test_a_database_made_meanwhile_by_another_salesdesk_is_kept(tmp_path):
    """The dry run's own database is private, so a demo written to the path meanwhile stays."""
    import subprocess
    import sys

    target = tmp_path / "new.sqlite3"
    source = people_file(tmp_path, 60_000, bad=True)
    dry = subprocess.Popen([sys.executable, "-m", "salesdesk", "--db", str(target), "import", "people", str(source),
                            "--dry-run"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    demo = subprocess.run([sys.executable, "-m", "salesdesk", "--db", str(target), "demo"], capture_output=True,
                          text=True, timeout=120)
    dry.communicate(timeout=120)
    assert demo.returncode == 0, demo.stderr
    assert dry.returncode == 1
    assert open_database(target, create=False, read_only=True).read is not None and target.stat().st_size > 0


@pytest.mark.parametrize("empty_file", [False, True])
def test_a_refused_import_into_a_new_database_leaves_the_path_as_it_was(tmp_path, empty_file):
    from tests.test_cli import salesdesk

    target = tmp_path / "new.sqlite3"
    if empty_file:
        target.touch()
    result = salesdesk("--db", str(target), "import", "people", str(people_file(tmp_path, 3, bad=True)))
    assert result.returncode == 1
    assert target.exists() == empty_file and (not empty_file or target.stat().st_size == 0)
    assert sorted(p.name for p in tmp_path.glob("new.sqlite3*")) == (["new.sqlite3"] if empty_file else [])


def test_no_new_database_is_made_beside_a_file_sqlite_would_take_for_its_own(tmp_path):
    """SQLite deletes a "-journal" beside an empty database: a file of the user's so named stays."""
    from tests.test_cli import one_error_line, salesdesk

    target = tmp_path / "new.sqlite3"
    journal = tmp_path / "new.sqlite3-journal"
    journal.write_text("the user's own file, whatever its name\n")
    result = salesdesk("--db", str(target), "import", "accounts", str(people_file(tmp_path, 3)))
    assert one_error_line(result, code=1) == (
        f"salesdesk: error: {target}: a new database cannot be made here while new.sqlite3-journal is beside "
        "it (SQLite would take it for its own); move that file away first")
    assert journal.read_text() == "the user's own file, whatever its name\n"
    assert sorted(p.name for p in tmp_path.glob("new.sqlite3*")) == ["new.sqlite3-journal"]


def test_a_mapping_is_never_saved_over_the_file_being_imported(tmp_path):
    from tests.test_cli import one_error_line, salesdesk

    source = people_file(tmp_path, 2)
    before = source.read_bytes()
    result = salesdesk("--db", str(tmp_path / "db.sqlite3"), "import", "people", str(source), "--dry-run",
                       "--save-mapping", str(source), "--replace")
    assert one_error_line(result, code=1) == (f"salesdesk: error: {source}: is the file being imported; "
                                              "give the mapping a name of its own")
    assert source.read_bytes() == before
