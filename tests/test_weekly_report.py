"""The weekly report's figures against independent SQL on the demo company."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesdesk.clock import CLOCK
from salesdesk.db.engine import as_datetime
from salesdesk.domain.periods import last_full_week, parse_iso_week
from salesdesk.errors import ValidationError
from salesdesk.reports.weekly import BRANCH, COMPANY, PERSON, Scope, parse_scope, weekly_report
from salesdesk.services.targets.queries import actuals
from salesdesk.services.demo import load_demo


@pytest.fixture
def demo(db):
    load_demo(db, seed=4, deals=400)
    return db


@pytest.fixture
def week():
    return last_full_week()


def cents(value) -> Decimal:
    return (Decimal(value or 0) / 100).quantize(Decimal("0.01"))


def expected(reader, week, owner_filter: str, params: dict) -> dict:
    """The headline figures, written out again without the module's helpers."""
    p = {**params, "a": week.start.isoformat(), "b": week.end.isoformat()}
    won = reader.one(f"SELECT count(*), sum(amount) FROM deals WHERE status = 'won' AND won_on BETWEEN :a AND "
                     f"date(:b, '-1 day') AND {owner_filter}", p)
    lost = reader.one(f"SELECT count(*), sum(amount) FROM deals WHERE status = 'lost' AND lost_on BETWEEN :a AND "
                      f"date(:b, '-1 day') AND {owner_filter}", p)
    # Stamps are UTC; the week is the user's: each stamp's local day, worked out in Python.
    def in_week(table: str, column: str) -> int:
        stamps = reader.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {owner_filter}", p)
        return sum(week.start <= CLOCK.to_local(as_datetime(at)).date() < week.end for (at,) in stamps)

    new, done = in_week("deals", "created_at"), in_week("activities", "done_at")
    return {"won_count": won[0], "won_value": cents(won[1]), "lost_count": lost[0], "lost_value": cents(lost[1]),
            "new_deals": new, "activities": done}


def figures(report_figures) -> dict:
    return {k: getattr(report_figures, k) for k in
            ("won_count", "won_value", "lost_count", "lost_value", "new_deals", "activities")}


def test_company_figures_agree_with_independent_sql_for_the_week_and_the_one_before(demo, week):
    with demo.read() as reader:
        report = weekly_report(reader, week, parse_scope(reader, "company"))
        assert figures(report.current) == expected(reader, week, "1 = 1", {})
        assert figures(report.previous) == expected(reader, week.previous(), "1 = 1", {})
        assert report.current.won_count > 0 and report.current.activities > 0  # the demo week is not empty
        assert report.change.won_value == report.current.won_value - report.previous.won_value
        assert report.change.activities == report.current.activities - report.previous.activities
        # The pipeline at a week's end is rebuilt from the history (checked in test_weekly_pdf);
        # a week not over yet shows today's.
        this_week = weekly_report(reader, week.next(), parse_scope(reader, "company"))
        open_cents, weighted = reader.one(
            "SELECT sum(d.amount), sum(d.amount * coalesce(d.probability, s.probability)) FROM deals d "
            "JOIN stages s ON s.id = d.stage_id WHERE d.status = 'open'")
        assert this_week.current.open_value == cents(open_cents)
        assert abs(this_week.current.weighted_value - cents(weighted) / 100) <= Decimal("0.005")
        assert this_week.previous.open_value == report.current.open_value  # Monday 00:00 is one instant
        assert len(report.people) == reader.scalar("SELECT count(*) FROM people")


def test_won_value_agrees_with_the_targets_actuals_for_a_person_scope(demo, week):
    with demo.read() as reader:
        root = reader.scalar("SELECT id FROM people WHERE manager_id IS NULL")
        email = reader.scalar("SELECT email FROM people WHERE id = :id", {"id": root})
        scope = parse_scope(reader, f"person:{email.upper()}")
        assert scope == Scope(PERSON, root, scope.label)
        for period in (week, week.previous(), parse_iso_week(week.previous().previous().label)):
            report = weekly_report(reader, period, scope)
            assert report.won_value == actuals(reader, root, period, "won_revenue")[root]
            assert report.won_count == actuals(reader, root, period, "won_deals")[root]
            assert report.new_deals == actuals(reader, root, period, "new_deals")[root]
            assert report.activities == actuals(reader, root, period, "activities")[root]


def test_a_manager_scope_is_their_subtree(demo, week):
    with demo.read() as reader:
        manager, email = reader.one("SELECT m.id, m.email FROM people m WHERE m.email IS NOT NULL AND EXISTS "
                                    "(SELECT 1 FROM people c WHERE c.manager_id = m.id) AND m.manager_id IS NOT NULL "
                                    "ORDER BY m.id")
        report = weekly_report(reader, week, parse_scope(reader, f"person:{email}"))
        team = actuals(reader, manager, week, "won_revenue")
        assert set(report.people) == set(team)
        assert report.won_value == team[manager]


def test_a_branch_scope_only_counts_that_branchs_people(demo, week):
    with demo.read() as reader:
        branches = reader.execute("SELECT id, name FROM branches ORDER BY name")
        total = Decimal(0)
        for branch_id, name in branches:
            scope = parse_scope(reader, f"branch:{name.lower()}")
            assert scope == Scope(BRANCH, branch_id, name)
            report = weekly_report(reader, week, scope)
            members = {row[0] for row in reader.execute("SELECT id FROM people WHERE branch_id = :b", {"b": branch_id})}
            assert set(report.people) == members
            assert figures(report.current) == expected(
                reader, week, "owner_id IN (SELECT id FROM people WHERE branch_id = :br)", {"br": branch_id})
            assert all(row.branch == name for row in report.by_branch)
            owners = {row[0] for row in reader.execute("SELECT owner_id FROM deals WHERE id IN (%s)" % ",".join(
                str(d.deal_id) for d in (*report.won, *report.lost, *report.top_open, *report.stale)) or "NULL")}
            assert owners <= members
            assert {n.person_id for n in report.notes} <= members
            total += report.won_value
        company = weekly_report(reader, week, parse_scope(reader, "company"))
        unbranched = reader.scalar(
            "SELECT coalesce(sum(amount), 0) FROM deals WHERE status = 'won' AND won_on >= :a AND won_on < :b "
            "AND owner_id IN (SELECT id FROM people WHERE branch_id IS NULL)",
            {"a": week.start.isoformat(), "b": week.end.isoformat()})
        assert total + cents(unbranched) == company.won_value
        assert sum(row.won_value for row in company.by_branch) == company.won_value


def test_stage_changes_listed_are_the_stage_changes_of_the_week(demo, week):
    with demo.read() as reader:
        report = weekly_report(reader, week, parse_scope(reader, "company"))
        # Stamps are UTC; the week is the user's: each change's local day, worked out in Python.
        changes = [(deal_id, from_name, to_name, CLOCK.to_local(as_datetime(at))) for deal_id, from_name, to_name, at
                   in reader.execute("SELECT c.deal_id, f.name, t.name, c.changed_at FROM stage_changes c "
                                     "LEFT JOIN stages f ON f.id = c.from_stage_id "
                                     "LEFT JOIN stages t ON t.id = c.to_stage_id ORDER BY c.changed_at, c.id")]
        in_week = [change for change in changes if week.start <= change[3].date() < week.end]
        assert in_week
        assert [(m.deal_id, m.from_stage, m.to_stage) for m in report.stage_changes] == [c[:3] for c in in_week]
        # Shown in local time, as the user's wall clock read when the deal moved.
        assert [f"{m.changed_at:%Y-%m-%d %H:%M:%S}" for m in report.stage_changes] == [
            f"{c[3]:%Y-%m-%d %H:%M:%S}" for c in in_week]


def test_lists_won_lost_top_open_products_and_notes(demo, week):
    with demo.read() as reader:
        report = weekly_report(reader, week, parse_scope(reader, "company"))
        assert sum(d.amount for d in report.won) == report.won_value
        assert len(report.lost) == report.current.lost_count and all(d.reason for d in report.lost)
        open_then = open_at_end(reader, week.end)
        top = sorted(open_then, key=lambda i: (-open_then[i][0], i))[:10]
        assert [d.deal_id for d in report.top_open] == top
        p = {"a": week.start.isoformat(), "b": week.end.isoformat()}
        lines = reader.one(
            "SELECT count(DISTINCT l.deal_id), sum(l.quantity) FROM deal_lines l JOIN deals d ON d.id = l.deal_id "
            "WHERE d.status = 'won' AND d.won_on >= :a AND d.won_on < :b", p)
        assert sum(r.quantity for r in report.by_product) == (lines[1] or 0)
        assert max((r.deals for r in report.by_product), default=0) <= lines[0]
        notes = reader.scalar("SELECT count(*) FROM weekly_notes WHERE week_start = :a AND trim(text) <> ''", p)
        assert len(report.notes) == notes > 0
        stale_days = dict(reader.execute("SELECT id, stale_days FROM stages"))
        end = CLOCK.local_midnight(week.end)  # stamps are UTC
        planned = {row[0] for row in reader.execute(
            "SELECT deal_id FROM activities WHERE due_on >= :b AND (done_at IS NULL OR done_at >= :b_at)",
            {**p, "b_at": end.isoformat(sep=" ")})}
        stale = {i for i, (_, stage, entered) in open_then.items() if stale_days[stage] is not None
                 and entered < end - dt.timedelta(days=stale_days[stage] + 1) and i not in planned}
        assert report.stale_count == len(stale) > 0
        assert {d.deal_id for d in report.stale} <= stale
        # The stage each deal was in, by id: Renewals' stages go stale too, and share names.
        assert all(d.days_in_stage > stale_days[open_then[d.deal_id][1]] for d in report.stale)


def open_at_end(reader, end: dt.date) -> dict[int, tuple[int, int, dt.datetime]]:
    """Deal id -> (cents, stage, entered) of the deals open when ``end`` began, rebuilt in
    Python from the deals and their whole stage history."""
    won_stages = {row[0] for row in reader.execute("SELECT id FROM stages WHERE is_won")}
    end_at = CLOCK.local_midnight(end)  # stamps are UTC; won_on and lost_on are local days
    last: dict[int, tuple] = {}
    for deal_id, changed_at, cid, stage in reader.execute(
            "SELECT deal_id, changed_at, id, to_stage_id FROM stage_changes ORDER BY deal_id"):
        when = dt.datetime.fromisoformat(str(changed_at))
        if when < end_at and (deal_id not in last or (when, cid) > last[deal_id][:2]):
            last[deal_id] = (when, cid, stage)
    out = {}
    for did, cents, stage, status, won_on, lost_on, created in reader.execute(
            "SELECT id, amount, stage_id, status, won_on, lost_on, created_at FROM deals"):
        created = dt.datetime.fromisoformat(str(created))
        if created >= end_at or (status == "won" and str(won_on) < str(end)) \
                or (status == "lost" and str(lost_on) < str(end)):
            continue
        when, _, stage = last.get(did, (created, 0, stage))
        if stage not in won_stages:
            out[did] = (cents, stage, when)
    return out


@pytest.mark.parametrize("text, words", [
    ("branch:Atlantis", "No branch named 'Atlantis'"),
    ("person:nobody@example.com", "No person with the email 'nobody@example.com'"),
    ("team:North", "is not a scope"),
    ("branch:", "is not a scope"),
    ("", "is not a scope"),
    ("company:x", "is not a scope"),
])
def test_an_unknown_or_malformed_scope_is_a_one_line_validation_error(demo, text, words):
    with demo.read() as reader, pytest.raises(ValidationError) as caught:
        parse_scope(reader, text)
    assert caught.value.field == "scope"
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_company_scope_is_labelled_with_the_company_name(demo):
    with demo.read() as reader:
        scope = parse_scope(reader, " Company ")
        assert scope.kind == COMPANY and scope.id is None
        assert scope.label == reader.scalar("SELECT value FROM settings WHERE key = 'company'")


def test_a_scope_with_no_activity_gives_zeros_not_errors(org):
    week = last_full_week(dt.date(2026, 3, 4))
    with org.db.read() as reader:
        report = weekly_report(reader, week, parse_scope(reader, "branch:North"), today=dt.date(2026, 3, 4))
        assert report.current.won_value == Decimal("0.00") and report.current.won_count == 0
        assert report.won == report.stage_changes == report.by_product == report.notes == ()
        assert set(report.people) == {org.people[k] for k in ("bm_n", "tl_n", "sp1", "sp2")}


def test_every_scopes_headline_target_is_the_sum_of_its_tables_top_rows(demo, week):
    """The London branch holds the top of the organisation: its headline counted the top's
    target and again that of a London manager under a manager from another branch."""
    from tests.target_checks import headline_targets_agree

    with demo.read() as reader:
        assert headline_targets_agree(reader, week) > 10
