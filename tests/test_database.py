"""The database promises of the README's Data safety, checked on real files."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from salesdesk.db.migrate import KNOWN_REVISIONS, alembic_config, alembic_revisions, head_revision, open_database
from salesdesk.db.models import Base
from salesdesk.errors import DatabaseError
from salesdesk.paths import backup_dir


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_connection_settings_protect_committed_work(db):
    with db.session() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_reads_run_inside_a_real_transaction(db, db_path):
    """A read sees one consistent snapshot even while another program commits (a read
    session: a change's transaction() takes the write lock, so the other would wait)."""
    with db.session() as s, s.begin():
        before = s.execute(text("SELECT count(*) FROM branches")).scalar()
        other = sqlite3.connect(db_path)
        other.execute("INSERT INTO branches (name, active) VALUES ('Elsewhere', 1)")
        other.commit()
        other.close()
        assert s.execute(text("SELECT count(*) FROM branches")).scalar() == before
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM branches")).scalar() == before + 1


def test_a_failed_action_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError):
        with db.transaction() as s:
            s.execute(text("INSERT INTO branches (name, active) VALUES ('Half', 1)"))
            raise RuntimeError("power cut")
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM branches WHERE name = 'Half'")).scalar() == 0


def test_foreign_keys_are_enforced(db):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.transaction() as s:
            s.execute(text("INSERT INTO people (name, role_id, active, created_at, updated_at, version) "
                           "VALUES ('Ghost', 999, 1, '2026-01-01', '2026-01-01', 1)"))


def test_new_database_has_the_default_process_and_ladder(db):
    with db.session() as s:
        stages = s.execute(text("SELECT name, probability FROM stages WHERE pipeline_id = 1 ORDER BY position")).all()
        roles = s.execute(text("SELECT name FROM roles ORDER BY rank")).scalars().all()
    assert [name for name, _ in stages] == [
        "Contact", "Information Exchange", "Lead Generation", "Identification", "Qualification",
        "Proposal", "Negotiation", "Deal", "After Sales",
    ]
    assert [p for _, p in stages] == [5, 10, 15, 25, 40, 60, 80, 100, 100]
    assert roles == ["VP Sales", "Director of Sales", "Sales Manager", "Branch Manager", "Team Leader", "Salesperson"]


def test_start_up_knows_every_migration_without_asking_alembic():
    assert list(KNOWN_REVISIONS) == alembic_revisions()


def test_opening_an_up_to_date_database_does_not_load_sqlalchemy(db_path):
    """The window's first paint reads through sqlite3 alone (README, Speed: start-up)."""
    import subprocess
    import sys

    open_database(db_path).close()
    script = ("import sys; from salesdesk.db.migrate import open_database; "
              f"db = open_database({str(db_path)!r}); "
              "rows = None\n"
              "with db.read() as r: rows = r.execute('SELECT name FROM roles ORDER BY rank')\n"
              "assert rows[0] == ('VP Sales',), rows\n"
              "loaded = [m for m in sys.modules if m.startswith(('sqlalchemy', 'alembic'))]\n"
              "assert not loaded, loaded")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_migrations_build_exactly_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == head_revision()


def test_reopening_is_idempotent(db_path):
    open_database(db_path).close()
    first = digest(db_path)
    open_database(db_path).close()
    db = open_database(db_path)
    with db.session() as s:
        assert s.execute(text("SELECT count(*) FROM roles")).scalar() == 6
    db.close()
    assert first  # the file stays a valid, single-seeded database


def test_an_older_database_is_backed_up_then_upgraded(db_path):
    db = open_database(db_path)
    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")  # what an old SalesDesk would have left
    db.close()

    upgraded = open_database(db_path)
    with upgraded.session() as s:
        assert s.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    upgraded.close()
    copies = list(backup_dir(db_path).glob("*before-upgrade*.sqlite3"))
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as old:
        assert old.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_newer_database_is_refused_untouched(db_path):
    open_database(db_path).close()
    with sqlite3.connect(db_path) as c:
        c.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    before = digest(db_path)
    with pytest.raises(DatabaseError, match="newer version of SalesDesk"):
        open_database(db_path)
    assert digest(db_path) == before


def test_a_foreign_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "photos.db"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE pictures (id INTEGER PRIMARY KEY)")
    c.close()
    before = digest(path)
    with pytest.raises(DatabaseError, match="not a SalesDesk database"):
        open_database(path)
    assert digest(path) == before
    assert not (tmp_path / "photos.db-wal").exists()


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Dear diary")
    with pytest.raises(DatabaseError, match="not an SQLite file"):
        open_database(path)
    assert path.read_text() == "Dear diary"


def test_missing_file_or_folder(tmp_path):
    with pytest.raises(DatabaseError, match="no such database file"):
        open_database(tmp_path / "typo.sqlite3", create=False)
    assert not (tmp_path / "typo.sqlite3").exists()
    with pytest.raises(DatabaseError, match="no such folder"):
        open_database(tmp_path / "missing" / "x.sqlite3")
    with pytest.raises(DatabaseError, match="is a folder"):
        open_database(tmp_path)


def test_board_totals_use_a_covering_index(db):
    """Column totals must not read the deals table itself (README, Speed: 70 ms vs 403 ms at 1M)."""
    with db.session() as s:
        plan = " ".join(str(r[-1]) for r in s.execute(text(
            "EXPLAIN QUERY PLAN SELECT stage_id, count(*), sum(amount) FROM deals "
            "WHERE status = 'open' GROUP BY stage_id")))
    assert "COVERING INDEX" in plan


def test_reads_nest_and_a_failed_read_says_what_failed(db):
    """A screen's read inside another's shares its snapshot; a read that fails reports its
    own error, not "cannot commit - no transaction is active"."""
    with db.read() as outer:
        with db.read() as inner:
            assert inner.scalar("SELECT count(*) FROM roles") == outer.scalar("SELECT count(*) FROM roles")
        assert outer.scalar("SELECT 1") == 1
    with pytest.raises(sqlite3.OperationalError, match="no such table: nowhere"):
        with db.read() as reader:
            reader.execute("SELECT * FROM nowhere")
    with db.read() as reader:  # and the next read works
        assert reader.scalar("SELECT 1") == 1


def test_a_read_inside_a_read_shares_its_snapshot(db):
    """Issue 14 named Database.read() as not nestable: a screen's read may call a service
    that reads too.  The inner read works and sees what the outer one sees."""
    from salesdesk.services import branches

    with db.read() as outer:
        before = outer.scalar("SELECT count(*) FROM branches")
        with db.transaction() as s:  # another writer commits meanwhile
            branches.add_branch(s, "Nested")
        with db.read() as inner:
            assert inner.scalar("SELECT count(*) FROM branches") == before
        assert outer.scalar("SELECT count(*) FROM branches") == before
    with db.read() as after:
        assert after.scalar("SELECT count(*) FROM branches") == before + 1
