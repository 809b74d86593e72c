"""The demo company: deterministic, valid, and with something to show in every recent week."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter, defaultdict

import pytest
from sqlalchemy import text

from salesdesk.db.migrate import open_database
from salesdesk.domain import hierarchy
from salesdesk.domain.periods import Period, PeriodKind, last_full_week
from salesdesk.errors import RuleError
from salesdesk.services import people
from salesdesk.services.branches import add_branch
from salesdesk.services.checks import rule_problems
from salesdesk.services.demo import DemoSummary, is_empty, load_demo
from salesdesk.services.demo import loading as demo_loading

TODAY = dt.date(2026, 11, 25)  # a Wednesday
NOW = dt.datetime(2026, 11, 25, 9, 0)


def everything(db) -> dict[str, list[tuple]]:
    """Every row of every table, in rowid order: nothing left out but the database's own
    random reference (each file has its own, made when it is created)."""
    with db.session() as s:
        tables = [r[0] for r in s.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))]
        found = {t: s.execute(text(f'SELECT * FROM "{t}" ORDER BY rowid')).all() for t in tables}
    found["settings"] = [row for row in found.get("settings", []) if row[0] != "database_reference"]
    return found


def schema(db) -> list[tuple]:
    with db.session() as s:
        return s.execute(text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")).all()


def rows(db, sql: str, **params) -> list:
    with db.session() as s:
        return s.execute(text(sql), params).all()


def scalar(db, sql: str, **params):
    with db.session() as s:
        return s.execute(text(sql), params).scalar()


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """The default demo company (600 deals), loaded once and only read by the tests."""
    database = open_database(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    steps: list[str] = []
    summary = load_demo(database, seed=1, today=TODAY, progress=steps.append)
    database.steps = steps
    database.summary = summary
    yield database
    database.close()


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A bigger company, for the checks that want many deals."""
    database = open_database(tmp_path_factory.mktemp("demo") / "big.sqlite3")
    database.summary = load_demo(database, seed=3, deals=5000, today=TODAY)
    yield database
    database.close()


def load_into(path, **kwargs):
    database = open_database(path)
    try:
        summary = load_demo(database, **kwargs)
        return summary, everything(database)
    finally:
        database.close()


# --------------------------------------------------------------------------- determinism


def test_same_seed_and_day_give_identical_tables(tmp_path):
    first, tables_a = load_into(tmp_path / "a.sqlite3", seed=5, deals=400, today=TODAY)
    second, tables_b = load_into(tmp_path / "b.sqlite3", seed=5, deals=400, today=TODAY)
    assert first == second
    assert tables_a.keys() == tables_b.keys()
    for table in tables_a:
        assert tables_a[table] == tables_b[table], table
    assert sum(len(r) for r in tables_a.values()) > 3000
    _, other = load_into(tmp_path / "c.sqlite3", seed=6, deals=400, today=TODAY)
    assert other["deals"] != tables_a["deals"]
    assert other["people"] != tables_a["people"]


def test_the_fast_sqlite_path_writes_what_the_core_path_writes(tmp_path):
    """The raw driver path bypasses the column types; it must store exactly what they store."""
    fast_db = open_database(tmp_path / "fast.sqlite3")
    core_db = open_database(tmp_path / "core.sqlite3")
    try:
        fast = demo_loading.load(fast_db, seed=2, deals=300, today=TODAY, progress=None, raw_sqlite=None)
        core = demo_loading.load(core_db, seed=2, deals=300, today=TODAY, progress=None, raw_sqlite=False)
        assert fast == core
        assert everything(fast_db) == everything(core_db)
        assert schema(fast_db) == schema(core_db)
    finally:
        fast_db.close()
        core_db.close()


# --------------------------------------------------------------------------- the organisation


def test_about_fifty_people_one_top_and_the_hierarchy_rules_hold(company):
    staff = rows(company, "SELECT p.id, p.name, p.email, p.active, p.manager_id, p.branch_id, r.name AS role, r.rank "
                          "FROM people p JOIN roles r ON r.id = p.role_id ORDER BY p.id")
    assert 45 <= len(staff) <= 55
    by_id = {p.id: p for p in staff}
    active = [p for p in staff if p.active]
    tops = [p for p in active if p.manager_id is None]
    assert len(tops) == 1 and tops[0].rank == 1
    managers = {p.id: p.manager_id for p in staff}
    names = {p.id: p.name for p in staff}
    for person in staff:
        if person.manager_id is None:
            continue
        boss = by_id[person.manager_id]
        hierarchy.check_seniority(person.name, person.rank, boss.name, boss.rank, boss.role)
        hierarchy.check_no_cycle(person.id, person.manager_id, managers, names)
        if person.active:
            assert boss.active, person.name
    roles = Counter(p.role for p in active)
    assert roles["VP Sales"] == 1 and roles["Director of Sales"] == 2
    assert 2 <= roles["Sales Manager"] <= 3 and 4 <= roles["Branch Manager"] <= 5
    assert roles["Team Leader"] >= 4 and roles["Salesperson"] >= 20
    # Skipping a level is used: some salespeople report straight to a branch manager.
    assert any(p.role == "Salesperson" and by_id[p.manager_id].role == "Branch Manager" for p in active)
    # Every branch has a manager, a city and a region; everyone belongs to a branch.
    branches = rows(company, "SELECT id, name, city, region FROM branches")
    assert 4 <= len(branches) <= 5
    for branch in branches:
        assert branch.city and branch.region
        assert any(p.branch_id == branch.id and p.role == "Branch Manager" for p in active)
    assert all(p.branch_id is not None for p in staff)
    # Emails are firstname.lastname at the company's domain, one per person; hired before today.
    assert len({p.email for p in staff}) == len(staff)
    assert all(re.fullmatch(r"[a-z-]+\.[a-z-]+@northwind-trading\.eu", p.email) for p in staff)
    assert scalar(company, "SELECT max(hire_date) FROM people") < str(TODAY)
    assert scalar(company, "SELECT count(*) FROM people WHERE created_at > updated_at") == 0
    # The service layer's own checks agree.
    with company.session() as s:
        assert rule_problems(s) == []


def test_former_salespeople_own_only_closed_deals(company):
    former = rows(company, "SELECT p.id, r.name FROM people p JOIN roles r ON r.id = p.role_id WHERE NOT p.active")
    assert 1 <= len(former) <= 2 and all(role == "Salesperson" for _, role in former)
    for pid, _ in former:
        statuses = Counter(r[0] for r in rows(company, "SELECT status FROM deals WHERE owner_id = :p", p=pid))
        assert statuses and statuses["open"] == 0, statuses


def test_customers_products_and_deal_owners(company):
    summary = company.summary
    assert 150 <= summary.accounts <= 300 and summary.contacts >= summary.accounts
    assert 15 <= summary.products <= 25
    assert scalar(company, "SELECT count(DISTINCT sector) FROM accounts") >= 6
    assert scalar(company, "SELECT count(*) FROM accounts WHERE website IS NULL OR city IS NULL "
                           "OR country IS NULL") == 0
    assert scalar(company, "SELECT count(*) FROM accounts a WHERE NOT EXISTS "
                           "(SELECT 1 FROM contacts c WHERE c.account_id = a.id)") == 0
    assert scalar(company, "SELECT count(DISTINCT series) FROM products") >= 4
    # Deals belong to salespeople and team leaders, with a contact of their account.
    owner_roles = {r[0] for r in rows(company, "SELECT DISTINCT r.name FROM deals d JOIN people p ON p.id = d.owner_id "
                                                "JOIN roles r ON r.id = p.role_id")}
    assert owner_roles <= {"Salesperson", "Team Leader"}
    assert scalar(company, "SELECT count(*) FROM deals d JOIN contacts c ON c.id = d.contact_id "
                           "WHERE c.account_id <> d.account_id") == 0
    # An account is entered before its first deal.
    assert scalar(company, "SELECT count(*) FROM deals d JOIN accounts a ON a.id = d.account_id "
                           "WHERE a.created_at > d.created_at") == 0


# --------------------------------------------------------------------------- deals


def test_deals_counts_amounts_and_lines(company):
    s = company.summary
    assert s.deals == 600 == s.open_deals + s.won_deals + s.lost_deals
    assert s.open_deals >= 60 and s.won_deals >= 60 and s.lost_deals >= 60
    counts = dict(rows(company, "SELECT status, count(*) FROM deals GROUP BY status"))
    assert counts == {"open": s.open_deals, "won": s.won_deals, "lost": s.lost_deals}
    assert scalar(company, "SELECT count(*) FROM deals") == 600
    assert scalar(company, "SELECT count(*) FROM stage_changes") == s.stage_changes
    assert scalar(company, "SELECT count(*) FROM activities") == s.activities
    # Amounts are cents: from about 2k to a few hundred k euros, skewed to the small end.
    amounts = sorted(r[0] for r in rows(company, "SELECT amount FROM deals"))
    assert amounts[0] >= 100_000 and amounts[-1] <= 2_000_000_000
    median = amounts[len(amounts) // 2]
    assert 500_000 <= median <= 6_000_000 and sum(amounts) / len(amounts) > median
    # Line items add up to the amount exactly; most deals have them.
    sums = dict(rows(company, "SELECT deal_id, sum(quantity * unit_price * (100 - discount_pct) / 100) "
                              "FROM deal_lines GROUP BY deal_id"))
    with_lines = rows(company, "SELECT id, amount FROM deals WHERE id IN (SELECT deal_id FROM deal_lines)")
    assert len(with_lines) > 500
    assert all(sums[i] == amount for i, amount in with_lines)
    # Mostly the main pipeline, some renewals; a probability of their own on about 10%.
    by_pipeline = dict(rows(company, "SELECT p.name, count(*) FROM deals d JOIN pipelines p ON p.id = d.pipeline_id "
                                     "GROUP BY p.name"))
    assert by_pipeline["New business"] > 400 and 30 <= by_pipeline["Renewals"] <= 150
    overrides = scalar(company, "SELECT count(*) FROM deals WHERE probability IS NOT NULL")
    assert 30 <= overrides <= 100
    # Won deals also reached "After Sales" sometimes.
    assert scalar(company, "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id "
                           "WHERE s.name = 'After Sales'") > 0


def test_deals_span_the_last_twelve_months(company):
    first, last = rows(company, "SELECT min(created_at), max(created_at) FROM deals")[0]
    assert first >= "2025-11-26" and last <= "2026-11-25 09:00"
    months = {r[0] for r in rows(company, "SELECT substr(created_at, 1, 7) FROM deals")}
    assert len(months) >= 12
    # Ids follow creation time.
    created = [r[0] for r in rows(company, "SELECT created_at FROM deals ORDER BY id")]
    assert created == sorted(created)
    # Nothing happens after the demo's "now".
    for sql in ("SELECT max(changed_at) FROM stage_changes", "SELECT max(updated_at) FROM deals",
                "SELECT max(done_at) FROM activities", "SELECT max(created_at) FROM activities",
                "SELECT max(updated_at) FROM weekly_notes", "SELECT max(created_at) FROM accounts"):
        assert scalar(company, sql) <= "2026-11-25 09:00:00.000000", sql


def stage_history_problems(db) -> list[str]:
    stages = {r.id: r for r in rows(db, "SELECT id, pipeline_id, name, is_won FROM stages")}
    history = defaultdict(list)
    for change in rows(db, "SELECT id, deal_id, from_stage_id, to_stage_id, changed_at, changed_by_id "
                           "FROM stage_changes ORDER BY deal_id, changed_at, id"):
        history[change.deal_id].append(change)
    problems = []
    for deal in rows(db, "SELECT id, pipeline_id, stage_id, status, won_on, lost_on, lost_reason_id, "
                         "stage_entered_at, created_at, updated_at FROM deals"):
        chain = history[deal.id]
        if not chain:
            problems.append(f"{deal.id}: no history")
            continue
        if chain[0].from_stage_id is not None or chain[0].changed_at != deal.created_at:
            problems.append(f"{deal.id}: the first change is not the creation")
        for before, after in itertools.pairwise(chain):
            if after.from_stage_id != before.to_stage_id:
                problems.append(f"{deal.id}: change {after.id} does not start where {before.id} ended")
            if not (after.changed_at > before.changed_at and after.id > before.id):
                problems.append(f"{deal.id}: changes out of order")
        if chain[-1].to_stage_id != deal.stage_id or chain[-1].changed_at != deal.stage_entered_at:
            problems.append(f"{deal.id}: the history does not end where the deal is")
        if any(stages[c.to_stage_id].pipeline_id != deal.pipeline_id for c in chain):
            problems.append(f"{deal.id}: a stage of another pipeline")
        if deal.updated_at < deal.stage_entered_at or chain[-1].changed_by_id is None:
            problems.append(f"{deal.id}: updated before its last move, or a move by nobody")
        stage = stages[deal.stage_id]
        if deal.status == "won":
            into_won = next(c for c in chain if stages[c.to_stage_id].is_won)
            if not stage.is_won or deal.won_on != into_won.changed_at[:10] or deal.lost_on:
                problems.append(f"{deal.id}: won, but not on the day it reached the won stage")
        elif deal.status == "lost":
            if stage.is_won or deal.won_on or not deal.lost_on or deal.lost_reason_id is None:
                problems.append(f"{deal.id}: lost without a date or reason, or in a won stage")
            elif deal.lost_on < chain[-1].changed_at[:10] or deal.updated_at[:10] != deal.lost_on:
                problems.append(f"{deal.id}: lost before its last move")
        elif stage.is_won or deal.won_on or deal.lost_on:
            problems.append(f"{deal.id}: open, but in a won stage or with an outcome")
    return problems


def test_stage_history_is_consistent(company):
    assert stage_history_problems(company) == []


def test_stage_history_is_consistent_with_many_deals(big):
    assert big.summary.deals == 5000
    assert stage_history_problems(big) == []
    first, last = rows(big, "SELECT min(expected_close), max(expected_close) FROM deals")[0]
    assert first > "2025-10-01" and last <= str(TODAY + dt.timedelta(days=92))
    assert rows(big, "PRAGMA foreign_key_check") == []
    with big.session() as s:
        assert rule_problems(s) == []


def test_board_columns_are_numbered_from_zero(company):
    for stage_id, lost, positions in rows(
        company, "SELECT stage_id, status = 'lost', group_concat(position) FROM "
                 "(SELECT stage_id, status, position FROM deals ORDER BY position) GROUP BY stage_id, status = 'lost'"):
        numbers = sorted(float(p) for p in positions.split(","))
        assert numbers == [float(i) for i in range(len(numbers))], (stage_id, lost)


def test_stale_deals_and_activities_at_every_stage_of_being_done(company):
    stale = scalar(company, "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id "
                            "WHERE d.status = 'open' AND s.stale_days IS NOT NULL "
                            "AND julianday(:now) - julianday(d.stage_entered_at) > s.stale_days", now=str(NOW))
    assert stale >= 5
    expected = rows(company, "SELECT expected_close FROM deals WHERE status = 'open'")
    overdue = sum(1 for (day,) in expected if day < str(TODAY))
    soon = sum(1 for (day,) in expected if str(TODAY) <= day <= str(TODAY + dt.timedelta(days=92)))
    assert overdue > 0 and soon > 2 * overdue and overdue + soon == len(expected)
    # A closed deal was expected to close around when it did.
    assert scalar(company, "SELECT count(*) FROM deals WHERE status <> 'open' AND abs(julianday(expected_close) "
                           "- julianday(coalesce(won_on, lost_on))) > 60") == 0
    kinds = {r[0] for r in rows(company, "SELECT DISTINCT kind FROM activities")}
    assert kinds == {"call", "meeting", "email", "task"}
    open_deals = "deal_id IN (SELECT id FROM deals WHERE status = 'open')"
    assert scalar(company, "SELECT count(*) FROM activities WHERE done_at IS NULL AND due_on = :d", d=str(TODAY)) > 0
    assert scalar(company, "SELECT count(*) FROM activities WHERE done_at IS NULL AND due_on < :d", d=str(TODAY)) > 0
    assert scalar(company, f"SELECT count(*) FROM activities WHERE done_at IS NULL AND due_on > :d AND {open_deals}",
                  d=str(TODAY)) > 0
    assert scalar(company, "SELECT count(*) FROM activities WHERE done_at IS NOT NULL") > 200
    # Pending work only on open deals; done work after the deal was created.
    assert scalar(company, f"SELECT count(*) FROM activities WHERE done_at IS NULL AND NOT {open_deals}") == 0
    assert scalar(company, "SELECT count(*) FROM activities a JOIN deals d ON d.id = a.deal_id "
                           "WHERE a.done_at < d.created_at OR a.created_at < d.created_at "
                           "OR a.done_at < a.created_at") == 0


@pytest.mark.parametrize("today", [TODAY, dt.date(2026, 11, 23)], ids=["wednesday", "monday"])
def test_every_recent_week_has_new_deals_moves_wins_and_losses(tmp_path, company, today):
    if today == TODAY:
        db = company
    else:  # on a Monday morning this week is only a few hours old
        db = open_database(tmp_path / "monday.sqlite3")
        load_demo(db, seed=4, deals=300, today=today)
    try:
        last = last_full_week(today)
        weeks = [last.start - dt.timedelta(weeks=k) for k in range(7, -1, -1)] + [last.end]
        for monday in weeks:
            week = Period(PeriodKind.WEEK, monday)
            span = dict(a=str(week.start), b=str(week.end))
            figures = {
                "new": scalar(db, "SELECT count(*) FROM deals WHERE created_at >= :a AND created_at < :b", **span),
                "moves": scalar(db, "SELECT count(*) FROM stage_changes WHERE from_stage_id IS NOT NULL "
                                    "AND changed_at >= :a AND changed_at < :b", **span),
                "won": scalar(db, "SELECT count(*) FROM deals WHERE status = 'won' AND won_on >= :a AND won_on < :b",
                              **span),
                "lost": scalar(db, "SELECT count(*) FROM deals WHERE status = 'lost' "
                                   "AND lost_on >= :a AND lost_on < :b", **span),
            }
            assert all(figures.values()), (week.label, figures)
    finally:
        if db is not company:
            db.close()


# --------------------------------------------------------------------------- around the deals


def test_targets_are_plausible_against_what_people_win(company):
    sellers = [r[0] for r in rows(company, "SELECT p.id FROM people p JOIN roles r ON r.id = p.role_id "
                                           "WHERE r.name IN ('Salesperson', 'Team Leader') AND p.active")]
    months = rows(company, "SELECT person_id, period_start, value FROM targets "
                           "WHERE period_kind = 'month' AND metric = 'won_revenue'")
    by_person = defaultdict(dict)
    for pid, start, value in months:
        assert start.endswith("-01") and value > 0
        by_person[pid][start] = value
    assert set(sellers) <= set(by_person)
    veteran = max(by_person.values(), key=len)
    months_shown = [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 13)]
    assert sorted(veteran) == [f"{y}-{m:02d}-01" for y, m in months_shown]
    won = dict(((pid, month), value) for pid, month, value in rows(
        company, "SELECT owner_id, substr(won_on, 1, 7) || '-01', sum(amount) FROM deals WHERE status = 'won' "
                 "GROUP BY owner_id, substr(won_on, 1, 7)"))
    managers = {r[0] for r in rows(company, "SELECT DISTINCT manager_id FROM people WHERE manager_id IS NOT NULL")}
    past = [(pid, start, value) for pid, start, value in months if start < "2026-11-01" and pid not in managers]
    reached = sum(1 for pid, start, value in past if won.get((pid, start), 0) >= value)
    assert 0.15 * len(past) < reached < 0.85 * len(past)
    # A target covers the person's team: a team leader's month is at least their reports' together.
    for leader in managers & set(by_person):
        reports = [r[0] for r in rows(company, f"SELECT id FROM people WHERE manager_id = {leader}")]
        for start, value in by_person[leader].items():
            assert value >= sum(by_person.get(r, {}).get(start, 0) for r in reports)
    quarters = rows(company, "SELECT t.person_id FROM targets t JOIN people p ON p.id = t.person_id "
                             "JOIN roles r ON r.id = p.role_id WHERE t.period_kind = 'quarter'")
    assert quarters and {r[0] for r in quarters} == {r[0] for r in rows(
        company, "SELECT p.id FROM people p JOIN roles r ON r.id = p.role_id WHERE r.name = 'Branch Manager'")}


def test_weekly_notes_budgets_expenses_settings_and_audit(company):
    notes = rows(company, "SELECT person_id, week_start, text FROM weekly_notes")
    weeks = Counter(week for _, week, _ in notes)
    assert len(weeks) >= 8 and all(dt.date.fromisoformat(w).weekday() == 0 for w in weeks)
    last = str(last_full_week(TODAY).start)
    assert weeks[last] >= 35
    texts = [t for _, _, t in notes]
    assert len(set(texts)) > 0.9 * len(texts) and all(len(t) > 30 for t in texts)
    assert company.summary.weekly_notes == len(notes) and company.summary.targets > 400
    budgets = rows(company, "SELECT branch_id, count(*) FROM budgets WHERE period_kind = 'month' GROUP BY branch_id")
    assert len(budgets) == scalar(company, "SELECT count(*) FROM branches") and all(n >= 3 for _, n in budgets)
    assert scalar(company, "SELECT count(DISTINCT category) FROM expenses") >= 5
    assert scalar(company, "SELECT count(*) FROM expenses WHERE spent_on > :d", d=str(TODAY)) == 0
    settings = dict(rows(company, "SELECT key, value FROM settings"))
    assert settings["company"] == "Northwind Trading" and settings["currency"] == "EUR"
    audit = rows(company, "SELECT action, entity, at, details FROM audit_log")
    assert [(a, e) for a, e, _, _ in audit] == [("demo", "database")]
    assert audit[0][2].startswith("2026-11-25 09:00") and '"deals": 600' in audit[0][3]


def test_integrity_foreign_keys_and_indexes(company, tmp_path):
    assert rows(company, "PRAGMA integrity_check") == [("ok",)]
    assert rows(company, "PRAGMA foreign_key_check") == []
    # The load rebuilds the indexes of the big tables: they are back exactly as migrated.
    fresh = open_database(tmp_path / "fresh.sqlite3")
    try:
        assert schema(company) == schema(fresh)
    finally:
        fresh.close()


def test_progress_names_the_steps(company):
    assert company.steps[:3] == ["People", "Accounts", "Products"]
    assert {"Deals", "Targets", "Saving"} <= set(company.steps) and company.steps[-1] == "Done"
    assert isinstance(company.summary, DemoSummary)


# --------------------------------------------------------------------------- refusals and all-or-nothing


def test_is_empty(db, company):
    assert is_empty(db)
    assert not is_empty(company)
    with db.transaction() as s:
        add_branch(s, "North")
    assert is_empty(db)  # a branch alone is no company yet
    with db.transaction() as s:
        role = s.execute(text("SELECT id FROM roles WHERE rank = 1")).scalar()
        people.add_person(s, name="Vera Price", role_id=role, manager_id=None)
    assert not is_empty(db)


def test_loading_into_a_database_with_data_is_refused_and_changes_nothing(tmp_path, db):
    database = open_database(tmp_path / "twice.sqlite3")
    try:
        load_demo(database, deals=50, today=TODAY)
        before = everything(database)
        with pytest.raises(RuleError, match="already holds data; the demo company goes into an empty database"):
            load_demo(database, deals=50, today=TODAY)
        assert everything(database) == before
    finally:
        database.close()
    with db.transaction() as s:
        role = s.execute(text("SELECT id FROM roles WHERE rank = 1")).scalar()
        people.add_person(s, name="Vera Price", role_id=role, manager_id=None)
    before = everything(db)
    with pytest.raises(RuleError):
        load_demo(db, today=TODAY)
    assert everything(db) == before


@pytest.mark.parametrize("step", ["Indexes", "Targets"])
def test_a_failure_midway_leaves_the_database_as_it_was(db, step):
    """Every deal, its history and activities are written by then (and, at "Indexes",
    the indexes of those tables are still dropped for the bulk load)."""
    before, indexes = everything(db), schema(db)

    def fail_late(name: str) -> None:
        if name == step:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        load_demo(db, deals=3000, today=TODAY, progress=fail_late)
    assert everything(db) == before
    assert schema(db) == indexes
    assert is_empty(db)
    summary = load_demo(db, deals=100, today=TODAY)  # and the database is still usable
    assert summary.deals == 100 and rows(db, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize("deals", [0, 1, 30])
def test_tiny_companies_are_valid_too(tmp_path, deals):
    database = open_database(tmp_path / "tiny.sqlite3")
    try:
        summary = load_demo(database, deals=deals, today=dt.date(2026, 3, 2))
        assert summary.deals == deals == scalar(database, "SELECT count(*) FROM deals")
        assert stage_history_problems(database) == []
        assert rows(database, "PRAGMA foreign_key_check") == []
        with database.session() as s:
            assert rule_problems(s) == []
    finally:
        database.close()


def test_money_reads_back_as_euros_through_the_models(company):
    from decimal import Decimal

    from sqlalchemy import select

    from salesdesk.db.models import Deal, DealLine, Product

    with company.session() as s:
        deal = s.scalars(select(Deal).where(Deal.status == "won").order_by(Deal.id).limit(1)).one()
        lines = s.scalars(select(DealLine).where(DealLine.deal_id == deal.id)).all()
        assert isinstance(deal.amount, Decimal) and deal.amount >= Decimal("1000")
        if lines:
            total = sum(line.quantity * line.unit_price * (100 - line.discount_pct) / 100 for line in lines)
            assert total == deal.amount
        prices = s.scalars(select(Product.price)).all()
        assert all(Decimal("100") <= price <= Decimal("50000") for price in prices)
