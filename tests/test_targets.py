"""Targets against actuals: actuals and forecasts against figures worked out by hand,
period edges, roll-ups, cascades exact to the cent, undo exact to the row, and
agreement with the weekly report's figures and plain SQL on the demo company."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from salesdesk.clock import CLOCK
from salesdesk.db.migrate import open_database
from salesdesk.db.models import Activity, Deal, Person, Target
from salesdesk.domain.cascade import CENT, WHOLE, split_by_weights, split_evenly
from salesdesk.domain.periods import Period, PeriodKind, last_full_week, parse_iso_week
from salesdesk.errors import NotFoundError, RuleError, ValidationError
from salesdesk.services import deals, people
from salesdesk.services.targets import commands, queries
from salesdesk.services.targets.metrics import METRICS
from salesdesk.services.targets.queries import TargetRow
from tests.conftest import dump

D = Decimal
Q1 = Period(PeriodKind.QUARTER, dt.date(2026, 1, 1))
Q2 = Period(PeriodKind.QUARTER, dt.date(2026, 4, 1))
JAN = Period(PeriodKind.MONTH, dt.date(2026, 1, 1))
FEB = Period(PeriodKind.MONTH, dt.date(2026, 2, 1))
MAR = Period(PeriodKind.MONTH, dt.date(2026, 3, 1))
YEAR = Period(PeriodKind.YEAR, dt.date(2026, 1, 1))
DURING_Q1 = dt.date(2026, 2, 1)
AFTER_Q1 = dt.date(2026, 4, 10)


# --- splitting exactly --------------------------------------------------------------------


def test_a_hundred_split_three_ways_is_exact_to_the_cent():
    assert split_evenly(D("100.00"), 3) == [D("33.34"), D("33.33"), D("33.33")]
    assert sum(split_evenly(D("100.00"), 3)) == D("100.00")
    assert split_evenly(D("0.02"), 3) == [D("0.01"), D("0.01"), D("0.00")]  # ties: the earlier first
    assert split_evenly(D("10"), 3, WHOLE) == [D(4), D(3), D(3)]
    assert split_evenly(D("0"), 2) == [D("0.00"), D("0.00")]
    assert split_evenly(D("0"), 0) == []


def test_a_split_by_weights_gives_left_over_cents_to_the_largest_remainders():
    # 1000.00 in proportion to 1250.50 and 2000.00: exact shares 384.7100... and 615.2899...
    assert split_by_weights(D("1000.00"), [D("1250.50"), D("2000.00"), D(0)]) == [D("384.71"), D("615.29"), D("0.00")]
    assert split_by_weights(D("1.00"), [D(1), D(1), D(1)]) == [D("0.34"), D("0.33"), D("0.33")]
    assert split_by_weights(D("7"), [D(0), D(0)], WHOLE) == [D(4), D(3)]  # all zero: evenly
    assert split_by_weights(D("9"), [D("0.5"), D("0.25"), D("0.25")], WHOLE) == [D(5), D(2), D(2)]


def test_splits_refuse_what_cannot_be_split_exactly():
    with pytest.raises(ValueError, match="whole units of 0.01"):
        split_evenly(D("1.005"), 2)
    with pytest.raises(ValueError, match="whole units of 1"):
        split_evenly(D("2.5"), 2, WHOLE)
    with pytest.raises(ValueError, match="negative"):
        split_by_weights(D("1.00"), [D(1), D(-1)])
    with pytest.raises(ValueError, match="positive amount or zero"):
        split_evenly(D("-1.00"), 2)
    with pytest.raises(ValueError, match="nothing to split among"):
        split_by_weights(D("1.00"), [])


weights = st.lists(st.decimals(min_value=0, max_value=10**7, places=2), min_size=1, max_size=25)


@given(cents=st.integers(min_value=0, max_value=10**12), weights=weights, money=st.booleans())
def test_any_split_adds_up_exactly_each_part_within_one_unit_of_its_share(cents, weights, money):
    unit = CENT if money else WHOLE
    total = D(cents) * unit
    parts = split_by_weights(total, weights, unit)
    assert len(parts) == len(weights)
    assert sum(parts) == total
    whole = sum(weights) or None
    for part, weight in zip(parts, weights):
        exact = Fraction(total) * (Fraction(weight) / Fraction(whole) if whole else Fraction(1, len(weights)))
        assert part >= 0
        assert abs(Fraction(part) - exact) < Fraction(unit)
        assert part == part.quantize(unit)


@given(cents=st.integers(min_value=0, max_value=10**12), n=st.integers(min_value=1, max_value=40))
def test_an_even_split_differs_by_one_unit_at_most_larger_parts_first(cents, n):
    parts = split_evenly(D(cents) / 100, n)
    assert sum(parts) == D(cents) / 100
    assert max(parts) - min(parts) <= CENT
    assert parts == sorted(parts, reverse=True)
    assert split_evenly(D(cents) / 100, n) == parts  # deterministic


# --- a small company with figures worked out by hand ---------------------------------------


class Book:
    """Deals and activities on top of the ``org`` company, dated around Q1 2026.

    Won (won on): Ava 1,000.00 (2026-01-05) and 250.50 (2026-03-31, the last day of
    Q1) and 999.99 (2026-04-01, the next day); Ben 2,000.00 (2026-02-15); Cai 300.00
    (2025-12-31) and 700.25 (2026-01-01); Nora 100.00 (2026-02-01).  Lost: Ava 5,000.
    Open: Ava 10,000 Proposal with her own 50 %, expected 2026-02-10; Ben 4,000
    Negotiation (80 %) expected 2026-03-20; Cai 1,000 Contact (5 %) expected 2026-04-15.

    So in Q1 2026: Ava 1,250.50; Ben 2,000; Tia (their leader) 3,250.50; Nora 3,350.50;
    Cai and Sam 700.25; Dan and Vera 4,050.75.  Weighted pipeline in Q1: Ava 5,000, Ben
    3,200.
    """

    def __init__(self, org):
        self.org = org
        self.deal: dict[str, int] = {}
        with org.db.transaction() as s:
            self.add(s, "ava_jan", "sp1", "1000.00", won_on=dt.date(2026, 1, 5), created=local(2025, 12, 20, 10))
            self.add(s, "ava_last_day", "sp1", "250.50", won_on=dt.date(2026, 3, 31),
                     created=local(2026, 3, 31, 23, 59, 59))
            self.add(s, "ava_next_day", "sp1", "999.99", won_on=dt.date(2026, 4, 1), created=local(2026, 4, 1))
            self.add(s, "ben_feb", "sp2", "2000.00", won_on=dt.date(2026, 2, 15), created=local(2026, 1, 1))
            self.add(s, "cai_old_year", "sp3", "300.00", won_on=dt.date(2025, 12, 31),
                     created=local(2025, 12, 31, 23, 59, 59))
            self.add(s, "cai_new_year", "sp3", "700.25", won_on=dt.date(2026, 1, 1),
                     created=local(2026, 1, 1, 0, 0))
            self.add(s, "nora_feb", "bm_n", "100.00", won_on=dt.date(2026, 2, 1), created=local(2026, 2, 1, 8))
            self.add(s, "ava_lost", "sp1", "5000.00", lost=True, created=local(2026, 2, 2, 9))
            self.add(s, "ava_fleet", "sp1", "10000.00", stage="Proposal", probability=50,
                     expected_close=dt.date(2026, 2, 10), created=local(2026, 1, 15, 9))
            self.add(s, "ben_vans", "sp2", "4000.00", stage="Negotiation", expected_close=dt.date(2026, 3, 20),
                     created=local(2025, 11, 3, 9))
            self.add(s, "cai_buses", "sp3", "1000.00", expected_close=dt.date(2026, 4, 15),
                     created=local(2026, 4, 2, 9))
            p = org.people
            for owner, done in (("sp1", local(2026, 1, 1, 0, 0)), ("sp1", local(2026, 3, 31, 23, 59)),
                                ("sp1", local(2026, 4, 1, 0, 0)), ("sp2", local(2026, 2, 3, 14)),
                                ("bm_s", local(2025, 12, 31, 23, 59))):
                s.add(Activity(kind="call", subject="Call", owner_id=p[owner], done_at=done))
            s.add(Activity(kind="meeting", subject="Visit", owner_id=p["sp2"], due_on=dt.date(2026, 3, 30)))
            s.add(Activity(kind="task", subject="Later", owner_id=p["sp2"], due_on=dt.date(2026, 4, 30)))

    def add(self, s, key, owner, amount, **kwargs):
        self.deal[key] = add_deal(s, self.org, key, owner, amount, **kwargs)


def add_deal(s, org, title, owner, amount, *, created, stage="Contact", won_on=None, lost=False, probability=None,
             expected_close=None) -> int:
    """A deal made through the services (created, won or lost), then dated exactly."""
    deal_id = deals.create_deal(s, title=title, owner_id=org.people[owner], stage_id=org.stages[stage],
                                amount=amount, probability=probability, expected_close=expected_close)
    if won_on is not None:
        deals.move_deal(s, deal_id, org.stages["Deal"])
    if lost:
        deals.mark_lost(s, deal_id, None, "Went with a competitor")
    s.execute(update(Deal).where(Deal.id == deal_id).values(won_on=won_on, created_at=created))
    return deal_id


@pytest.fixture
def book(org):
    return Book(org)


def read(db, function, *args, **kwargs):
    with db.read() as reader:
        return function(reader, *args, **kwargs)


def by_key(org, figures: dict) -> dict[str, Decimal]:
    names = {pid: key for key, pid in org.people.items()}
    return {names[pid]: value for pid, value in figures.items()}


def rows_by_key(org, rows: list[TargetRow]) -> dict[str, TargetRow]:
    names = {pid: key for key, pid in org.people.items()}
    return {names[row.person_id]: row for row in rows}


def local(*parts) -> dt.datetime:
    """A time on the user's wall clock, as the database stores it (UTC)."""
    return CLOCK.utc_of_local(dt.datetime(*parts))


def set_targets(org, period: Period, metric="won_revenue", **values):
    with org.db.transaction() as s:
        for key, value in values.items():
            commands.set_target(s, org.people[key], period, metric, value)


# --- actuals -----------------------------------------------------------------------------


def test_won_revenue_of_each_subtree_in_a_quarter(book):
    org = book.org
    assert by_key(org, read(org.db, queries.actuals, org.people["vp"], Q1, "won_revenue")) == {
        "vp": D("4050.75"), "dir": D("4050.75"), "bm_n": D("3350.50"), "tl_n": D("3250.50"), "sp1": D("1250.50"),
        "sp2": D("2000.00"), "bm_s": D("700.25"), "sp3": D("700.25"),
    }


def test_actuals_of_chosen_people_only(book):
    org = book.org
    got = read(org.db, queries.actuals, [org.people["sp1"], org.people["bm_n"]], Q1, "won_revenue")
    assert by_key(org, got) == {"sp1": D("1250.50"), "bm_n": D("3350.50")}
    assert read(org.db, queries.actuals, [], Q1) == {}


def test_counts_won_deals_new_deals_and_activities_done(book):
    org = book.org
    won = by_key(org, read(org.db, queries.actuals, org.people["vp"], Q1, "won_deals"))
    assert won == {"vp": 5, "dir": 5, "bm_n": 4, "tl_n": 3, "sp1": 2, "sp2": 1, "bm_s": 1, "sp3": 1}
    assert all(type(v) is Decimal for v in won.values())
    # Created in Q1: ava_last_day (23:59:59 on 31 March), ben_feb, cai_new_year (midnight
    # on 1 January), nora_feb, ava_lost, ava_fleet; not 1 April or 31 December.
    new = by_key(org, read(org.db, queries.actuals, org.people["vp"], Q1, "new_deals"))
    assert new == {"vp": 6, "dir": 6, "bm_n": 5, "tl_n": 4, "sp1": 3, "sp2": 1, "bm_s": 1, "sp3": 1}
    done = by_key(org, read(org.db, queries.actuals, org.people["vp"], Q1, "activities"))
    assert done == {"vp": 3, "dir": 3, "bm_n": 3, "tl_n": 3, "sp1": 2, "sp2": 1, "bm_s": 0, "sp3": 0}


def test_a_deal_won_on_the_last_day_counts_and_one_won_the_next_day_does_not(book):
    org = book.org
    ava = org.people["sp1"]
    assert read(org.db, queries.actuals, [ava], MAR)[ava] == D("250.50")
    assert read(org.db, queries.actuals, [ava], Q2)[ava] == D("999.99")
    assert read(org.db, queries.actuals, [ava], Period.containing("month", dt.date(2026, 4, 1)))[ava] == D("999.99")
    cai = org.people["sp3"]
    assert read(org.db, queries.actuals, [cai], Period.containing("year", dt.date(2025, 6, 1)))[cai] == D("300.00")
    assert read(org.db, queries.actuals, [cai], YEAR)[cai] == D("700.25")
    assert read(org.db, queries.actuals, [cai], Period.containing("quarter", dt.date(2025, 12, 31)))[cai] == D("300.00")


def test_iso_week_53_runs_from_monday_28_december_to_sunday_3_january(org):
    week = parse_iso_week("2026-W53")
    assert (week.start, week.last_day, week.label) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3), "2026-W53")
    with org.db.transaction() as s:
        for title, amount, wall in (("before", "1.00", dt.datetime(2026, 12, 27)),
                                    ("monday", "10.00", dt.datetime(2026, 12, 28)),
                                    ("new year", "100.00", dt.datetime(2027, 1, 1)),
                                    ("sunday", "1000.00", dt.datetime(2027, 1, 3, 23, 59)),
                                    ("next week", "10000.00", dt.datetime(2027, 1, 4))):
            # won on the local day; created at that local time, stored as UTC
            add_deal(s, org, title, "sp1", amount, won_on=wall.date(), created=CLOCK.utc_of_local(wall))
    ava = org.people["sp1"]
    assert read(org.db, queries.actuals, [ava], week)[ava] == D("1110.00")
    assert read(org.db, queries.actuals, [ava], week, "new_deals")[ava] == 3
    assert read(org.db, queries.actuals, [ava], week.next())[ava] == D("10000.00")
    assert week.next().label == "2027-W01"
    assert read(org.db, queries.actuals, [ava], YEAR)[ava] == D("11.00")
    assert read(org.db, queries.actuals, [ava], Period.containing("quarter", dt.date(2027, 1, 1)))[ava] == D("11100.00")


def test_a_person_who_left_still_counts_for_the_team(book):
    org = book.org
    with org.db.transaction() as s:
        people.deactivate_person(s, org.people["sp3"], deals_to=org.people["bm_s"])
    got = by_key(org, read(org.db, queries.actuals, org.people["bm_s"], Q1))
    assert got == {"bm_s": D("700.25"), "sp3": D("700.25")}
    rows = rows_by_key(org, read(org.db, queries.target_rows, org.people["vp"], Q1, "won_revenue", AFTER_Q1))
    assert rows["sp3"].active is False and rows["sp3"].actual == D("700.25")
    # In a quarter where they have nothing, they are not listed.
    later = Period(PeriodKind.QUARTER, dt.date(2026, 7, 1))
    assert "sp3" not in rows_by_key(org, read(org.db, queries.target_rows, org.people["vp"], later))


def test_the_branch_filter_counts_the_branch_only_and_keeps_the_managers_above_it(book):
    org = book.org
    set_targets(org, Q1, vp="9000", dir="8000", bm_n="4000", sp1="1000")
    rows = read(org.db, queries.target_rows, org.people["vp"], Q1, "won_revenue", AFTER_Q1,
                branch_id=org.branches["North"])
    assert [(r.name, r.depth) for r in rows] == [
        ("Vera Price", 0), ("Dan Irving", 1), ("Nora Banks", 2), ("Tia Lund", 3), ("Ava Stone", 4), ("Ben Cole", 4)]
    got = rows_by_key(org, rows)
    assert got["vp"].actual == got["dir"].actual == got["bm_n"].actual == D("3350.50")
    # Vera's and Dan's own targets cover the South too: only the roll-up of the North shows.
    assert (got["vp"].target, got["vp"].rolled_up, got["vp"].effective) == (None, D("4000.00"), D("4000.00"))
    assert got["bm_n"].target == D("4000.00")
    assert read(org.db, queries.actuals, org.people["vp"], Q1, branch_id=org.branches["South"])[org.people["vp"]] \
        == D("700.25")


# --- forecast ----------------------------------------------------------------------------


def test_forecast_is_won_plus_weighted_pipeline_expected_in_the_period(book):
    org = book.org
    got = by_key(org, read(org.db, queries.forecast, org.people["vp"], Q1, "won_revenue", DURING_Q1))
    assert got == {"vp": D("12250.75"), "dir": D("12250.75"), "bm_n": D("11550.50"), "tl_n": D("11450.50"),
                   "sp1": D("6250.50"), "sp2": D("5200.00"), "bm_s": D("700.25"), "sp3": D("700.25")}
    # Cai's 1,000 at 5 % is expected in April.
    cai = org.people["sp3"]
    assert read(org.db, queries.forecast, [cai], Q2, "won_revenue", DURING_Q1)[cai] == D("50.00")
    # Won deals: the expected number of wins; activities: the planned ones due in the period.
    won = by_key(org, read(org.db, queries.forecast, org.people["tl_n"], Q1, "won_deals", DURING_Q1))
    assert won == {"tl_n": D("4.30"), "sp1": D("2.50"), "sp2": D("1.80")}
    done = by_key(org, read(org.db, queries.forecast, org.people["tl_n"], Q1, "activities", DURING_Q1))
    assert done == {"tl_n": D(4), "sp1": D(2), "sp2": D(2)}
    assert set(read(org.db, queries.forecast, org.people["tl_n"], Q1, "new_deals", DURING_Q1).values()) == {None}


def test_a_period_that_is_over_forecasts_its_actual(book):
    org = book.org
    over = read(org.db, queries.forecast, org.people["vp"], Q1, "won_revenue", AFTER_Q1)
    assert over == read(org.db, queries.actuals, org.people["vp"], Q1, "won_revenue")


def test_the_forecast_uses_the_stage_probability_unless_the_deal_overrides_it(book):
    org = book.org
    with org.db.transaction() as s:
        deals.edit_deal(s, book.deal["ben_vans"], probability=25)
        deals.edit_deal(s, book.deal["ava_fleet"], probability=None)  # back to Proposal's 60 %
    got = by_key(org, read(org.db, queries.forecast, org.people["tl_n"], Q1, "won_revenue", DURING_Q1))
    assert got == {"tl_n": D("3250.50") + D("1000.00") + D("6000.00"), "sp1": D("7250.50"), "sp2": D("3000.00")}


# --- the table: targets, roll-ups, unallocated -------------------------------------------------


def test_rows_are_the_subtree_depth_first_senior_first_then_by_name(book):
    org = book.org
    rows = read(org.db, queries.target_rows, org.people["vp"], Q1, "won_revenue", AFTER_Q1)
    assert [(r.name, r.role, r.depth) for r in rows] == [
        ("Vera Price", "VP Sales", 0), ("Dan Irving", "Director of Sales", 1), ("Nora Banks", "Branch Manager", 2),
        ("Tia Lund", "Team Leader", 3), ("Ava Stone", "Salesperson", 4), ("Ben Cole", "Salesperson", 4),
        ("Sam Brook", "Branch Manager", 2), ("Cai Dunn", "Salesperson", 3)]
    assert [r.manager_id for r in rows[1:3]] == [org.people["vp"], org.people["dir"]]
    assert [r.name for r in read(org.db, queries.target_rows, org.people["bm_n"], Q1)] == [
        "Nora Banks", "Tia Lund", "Ava Stone", "Ben Cole"]
    with pytest.raises(NotFoundError):
        read(org.db, queries.target_rows, 999, Q1)


def test_a_manager_without_a_target_shows_the_sum_of_the_reports_and_with_one_the_unallocated(book):
    org = book.org
    set_targets(org, Q1, sp1="1500", sp2="2500.50", bm_n="5000", sp3="600")
    got = rows_by_key(org, read(org.db, queries.target_rows, org.people["vp"], Q1, "won_revenue", AFTER_Q1))
    tia, nora, dan = got["tl_n"], got["bm_n"], got["dir"]
    assert (tia.target, tia.rolled_up, tia.effective, tia.unallocated) == (None, D("4000.50"), D("4000.50"), None)
    assert (nora.target, nora.rolled_up, nora.effective, nora.unallocated) == \
        (D("5000.00"), D("4000.50"), D("5000.00"), D("999.50"))
    assert (dan.target, dan.rolled_up, dan.effective) == (None, D("5600.00"), D("5600.00"))
    assert got["vp"].effective == D("5600.00")
    ava = got["sp1"]
    assert (ava.target, ava.rolled_up, ava.effective, ava.actual) == (D("1500.00"), None, D("1500.00"), D("1250.50"))
    assert ava.gap == D("249.50")
    assert ava.attainment == pytest.approx(1250.50 / 1500)
    assert (got["sp3"].gap, got["sp3"].attainment) == (D("-100.25"), pytest.approx(700.25 / 600))
    assert ava.forecast == D("1250.50")  # Q1 is over on 10 April
    # Over-allocated: the reports were given more than the manager's own target.
    set_targets(org, Q1, bm_n="3000")
    nora = rows_by_key(org, read(org.db, queries.target_rows, org.people["vp"], Q1, "won_revenue", AFTER_Q1))["bm_n"]
    assert nora.unallocated == D("-1000.50")


def test_nobody_with_a_target_leaves_everything_empty_but_the_actuals(book):
    org = book.org
    rows = read(org.db, queries.target_rows, org.people["vp"], Q1, "won_revenue", DURING_Q1)
    for row in rows:
        assert (row.target, row.rolled_up, row.effective, row.unallocated, row.attainment, row.gap) == \
            (None, None, None, None, None, None)
    assert rows[0].actual == D("4050.75") and rows[0].forecast == D("12250.75")


def test_a_quarter_sums_the_months_set_a_year_the_quarters(book):
    org = book.org
    set_targets(org, JAN, sp1="500", sp2="700")
    set_targets(org, FEB, sp1="600")
    got = rows_by_key(org, read(org.db, queries.target_rows, org.people["tl_n"], Q1, "won_revenue", AFTER_Q1))
    assert (got["sp1"].target, got["sp1"].derived) == (D("1100.00"), True)
    assert (got["sp2"].target, got["sp2"].derived) == (D("700.00"), True)
    assert got["tl_n"].rolled_up == D("1800.00")
    # An explicit quarter target wins over its months.
    set_targets(org, Q1, sp1="1000")
    got = rows_by_key(org, read(org.db, queries.target_rows, org.people["tl_n"], Q1, "won_revenue", AFTER_Q1))
    assert (got["sp1"].target, got["sp1"].derived) == (D("1000.00"), False)
    # The year: Q1 explicit for Ava, months for Ben; Q2 explicit for Ben.
    set_targets(org, Q2, sp2="3000")
    got = rows_by_key(org, read(org.db, queries.target_rows, org.people["tl_n"], YEAR, "won_revenue", AFTER_Q1))
    assert (got["sp1"].target, got["sp2"].target, got["tl_n"].rolled_up) == (D("1000.00"), D("3700.00"), D("4700.00"))
    # A month never sums weeks, and other metrics do not mix in.
    set_targets(org, Period.containing("week", dt.date(2026, 3, 2)), sp2="50")
    set_targets(org, MAR, "won_deals", sp2=4)
    assert read(org.db, queries.target_rows, org.people["sp2"], MAR, "won_revenue")[0].target is None
    row = read(org.db, queries.target_rows, org.people["sp2"], MAR, "won_deals")[0]
    assert (row.target, row.effective) == (D(4), D(4))
    assert read(org.db, queries.target_rows, org.people["sp2"], Q1, "won_deals")[0].target == D(4)


def test_the_table_agrees_with_actuals_and_forecast(book):
    org = book.org
    rows = read(org.db, queries.target_rows, org.people["vp"], Q1, "won_revenue", DURING_Q1)
    assert {r.person_id: r.actual for r in rows} == read(org.db, queries.actuals, org.people["vp"], Q1)
    assert {r.person_id: r.forecast for r in rows} == read(org.db, queries.forecast, org.people["vp"], Q1,
                                                             "won_revenue", DURING_Q1)


# --- the year chart ------------------------------------------------------------------------


def test_the_year_month_by_month_with_the_forecast_continuing_from_this_month(book):
    org = book.org
    points = read(org.db, queries.monthly_series, org.people["vp"], 2026, "won_revenue", AFTER_Q1)
    assert [p.month for p in points] == [dt.date(2026, m, 1) for m in range(1, 13)]
    assert [p.actual for p in points[:5]] == [D("1700.25"), D("2100.00"), D("250.50"), D("999.99"), None]
    assert [p.cumulative_actual for p in points[:5]] == [D("1700.25"), D("3800.25"), D("4050.75"), D("5050.74"), None]
    # April: all won so far + every open deal expected up to the end of April (the
    # overdue February and March ones included), then May onwards month by month.
    assert [p.cumulative_forecast for p in points] == [None] * 3 + [D("13300.74")] * 9
    year = read(org.db, queries.target_rows, org.people["vp"], YEAR, "won_revenue", AFTER_Q1)[0]
    assert year.forecast == points[-1].cumulative_forecast
    assert year.actual == points[3].cumulative_actual


def test_the_year_chart_targets_months_else_quarters_spread_evenly(book):
    org = book.org
    set_targets(org, Q1, vp="1000.00")
    points = read(org.db, queries.monthly_series, org.people["vp"], 2026, "won_revenue", AFTER_Q1)
    assert [p.target for p in points[:4]] == [D("333.34"), D("333.33"), D("333.33"), None]
    assert [p.cumulative_target for p in points[:4]] == [D("333.34"), D("666.67"), D("1000.00"), D("1000.00")]
    set_targets(org, JAN, sp1="100", sp3="50")
    points = read(org.db, queries.monthly_series, org.people["vp"], 2026, "won_revenue", AFTER_Q1)
    assert [p.target for p in points[:2]] == [D("150.00"), None]
    assert [p.cumulative_target for p in points[:2]] == [D("150.00"), D("150.00")]
    past = read(org.db, queries.monthly_series, org.people["vp"], 2025, "won_revenue", AFTER_Q1)
    assert past[-1].actual == D("300.00") and {p.cumulative_forecast for p in past} == {None}
    assert {p.cumulative_forecast for p in read(org.db, queries.monthly_series, org.people["vp"], 2026, "new_deals",
                                                 AFTER_Q1)} == {None}


# --- setting a target, undo ------------------------------------------------------------------


def stored(db, person_id, period, metric="won_revenue"):
    with db.session() as s:
        return s.execute(text("SELECT id, value FROM targets WHERE person_id = :p AND period_kind = :k "
                              "AND period_start = :d AND metric = :m"),
                         {"p": person_id, "k": period.kind.value, "d": period.start.isoformat(), "m": metric}).first()


def test_set_change_and_remove_a_target_each_undone_exactly(book):
    org = book.org
    ava = org.people["sp1"]
    steps = [D("1500.00"), D("1750.25"), None, D("20")]
    for value in steps:
        before = dump(org.db)
        with org.db.transaction() as s:
            previous = commands.set_target(s, ava, Q1, "won_revenue", value)
        after = dump(org.db)
        assert after != before
        assert (stored(org.db, ava, Q1) or (None, None))[1] == (None if value is None else int(value * 100))
        with org.db.transaction() as s:
            commands.restore_target(s, ava, Q1, "won_revenue", previous)
        assert dump(org.db) == before
        with org.db.transaction() as s:  # redo
            commands.set_target(s, ava, Q1, "won_revenue", value)
        assert dump(org.db) == after


def test_setting_a_target_writes_an_audit_row(org):
    with org.db.transaction() as s:
        commands.set_target(s, org.people["sp1"], Q1, "won_deals", "12")
    with org.db.session() as s:
        action, entity, entity_id, details = s.execute(
            text("SELECT action, entity, entity_id, details FROM audit_log ORDER BY id DESC LIMIT 1")).one()
    target_id, value = stored(org.db, org.people["sp1"], Q1, "won_deals")
    assert (action, entity, entity_id) == ("set_target", "target", target_id)
    assert f'"person_id": {org.people["sp1"]}' in details
    assert '"period": "2026-Q1"' in details and '"value": "12"' in details
    assert value == 1200  # Money: hundredths


def refused(db, action, match, field=None):
    before = dump(db)
    with pytest.raises((ValidationError, RuleError, NotFoundError), match=match) as caught:
        with db.transaction() as s:
            action(s)
    assert dump(db) == before
    if field is not None:
        assert caught.value.field == field


@pytest.mark.parametrize(("metric", "value", "message"), [
    ("won_revenue", D("-1"), "A target cannot be negative"),
    ("won_revenue", D("12.345"), "A revenue target is in whole cents: at most two decimals"),
    ("won_revenue", "lots", "'lots' is not a number"),
    ("won_revenue", D("1e13"), "The target is too large"),
    ("won_deals", D("2.5"), "A target of won deals is a whole number"),
    ("new_deals", "1.5", "A target of new deals is a whole number"),
    ("activities", D("NaN"), "is not a number"),
])
def test_a_target_value_is_checked(org, metric, value, message):
    refused(org.db, lambda s: commands.set_target(s, org.people["sp1"], Q1, metric, value), message, "value")


def test_unknown_metric_misaligned_period_and_missing_person_are_refused(org):
    refused(org.db, lambda s: commands.set_target(s, org.people["sp1"], Q1, "calls", D(1)), "Unknown metric 'calls'",
            "metric")
    refused(org.db, lambda s: commands.set_target(s, org.people["sp1"], Period(PeriodKind.MONTH, dt.date(2026, 1, 5)),
                                                 "won_revenue", D(1)),
            "2026-01-05 is not the first day of a month", "period")
    refused(org.db, lambda s: commands.set_target(s, 999, Q1, "won_revenue", D(1)), "Person #999 no longer exists")


def test_a_typed_value_is_accepted_as_text_with_thousands_separators(org):
    with org.db.transaction() as s:
        commands.set_target(s, org.people["sp1"], Q1, "won_revenue", "12,500.5")
    assert read(org.db, queries.target_rows, org.people["sp1"], Q1)[0].target == D("12500.50")


# --- cascade --------------------------------------------------------------------------------


def hire(org, name="Eve Hart", manager="tl_n") -> int:
    with org.db.transaction() as s:
        pid = people.add_person(s, name=name, role_id=org.roles["Salesperson"], manager_id=org.people[manager])
    org.people["eve"] = pid
    return pid


def test_cascade_evenly_is_exact_to_the_cent_extra_cents_to_the_first_listed(book):
    org = book.org
    hire(org)
    before = dump(org.db)
    with org.db.transaction() as s:
        previous = commands.cascade_target(s, org.people["tl_n"], Q2, "won_revenue", D("100.00"), "even")
    got = rows_by_key(org, read(org.db, queries.target_rows, org.people["tl_n"], Q2))
    assert [(k, got[k].target) for k in ("tl_n", "sp1", "sp2", "eve")] == [
        ("tl_n", D("100.00")), ("sp1", D("33.34")), ("sp2", D("33.33")), ("eve", D("33.33"))]
    assert got["tl_n"].unallocated == D("0.00")
    assert previous.parts[0] == (org.people["tl_n"], D("100.00"))
    after = dump(org.db)
    with org.db.transaction() as s:
        commands.restore_targets(s, previous)
    assert dump(org.db) == before
    with org.db.transaction() as s:
        commands.cascade_target(s, org.people["tl_n"], Q2, "won_revenue", D("100.00"), "even")
    assert dump(org.db) == after


def test_cascade_of_a_count_splits_whole_units(book):
    org = book.org
    hire(org)
    with org.db.transaction() as s:
        commands.cascade_target(s, org.people["tl_n"], Q2, "won_deals", 10, "even")
    got = rows_by_key(org, read(org.db, queries.target_rows, org.people["tl_n"], Q2, "won_deals"))
    assert [got[k].target for k in ("tl_n", "sp1", "sp2", "eve")] == [D(10), D(4), D(3), D(3)]
    refused(org.db, lambda s: commands.cascade_target(s, org.people["tl_n"], Q2, "won_deals", D("10.5")),
            "A target of won deals is a whole number", "total")


def test_cascade_by_previous_actuals_overwrites_and_undoes_exactly(book):
    org = book.org
    hire(org)
    set_targets(org, Q2, sp2="123.45")  # overwritten, and put back by undo
    before = dump(org.db)
    with org.db.transaction() as s:
        previous = commands.cascade_target(s, org.people["tl_n"], Q2, "won_revenue", D("1000.00"), "previous_actuals")
    # Q1: Ava 1,250.50, Ben 2,000.00, Eve nothing: shares 384.7100..., 615.2899..., 0.
    got = rows_by_key(org, read(org.db, queries.target_rows, org.people["tl_n"], Q2))
    assert [got[k].target for k in ("tl_n", "sp1", "sp2", "eve")] == [D("1000.00"), D("384.71"), D("615.29"), D("0.00")]
    with org.db.transaction() as s:
        commands.restore_targets(s, previous)
    assert dump(org.db) == before
    assert stored(org.db, org.people["sp2"], Q2)[1] == 12345


def test_cascade_by_previous_actuals_counts_each_reports_whole_subtree(book):
    org = book.org
    with org.db.transaction() as s:
        commands.cascade_target(s, org.people["dir"], Q2, "won_revenue", D("4050.75"), "previous_actuals")
    got = rows_by_key(org, read(org.db, queries.target_rows, org.people["dir"], Q2))
    assert (got["bm_n"].target, got["bm_s"].target) == (D("3350.50"), D("700.25"))


def test_cascade_with_no_previous_actuals_splits_evenly(book):
    org = book.org
    later = Period(PeriodKind.QUARTER, dt.date(2026, 10, 1))  # Q3 had nothing won
    with org.db.transaction() as s:
        commands.cascade_target(s, org.people["tl_n"], later, "won_revenue", D("0.03"), "previous_actuals")
    got = rows_by_key(org, read(org.db, queries.target_rows, org.people["tl_n"], later))
    assert (got["sp1"].target, got["sp2"].target) == (D("0.02"), D("0.01"))


def test_cascade_leaves_inactive_reports_out(book):
    org = book.org
    eve = hire(org)
    with org.db.transaction() as s:
        people.deactivate_person(s, eve)
        commands.cascade_target(s, org.people["tl_n"], Q2, "won_revenue", D("10.00"))
    assert stored(org.db, eve, Q2) is None
    assert stored(org.db, org.people["sp1"], Q2)[1] == 500


def test_cascade_refusals(org):
    refused(org.db, lambda s: commands.cascade_target(s, org.people["sp1"], Q2, "won_revenue", D(10)),
            "Ava Stone has no active direct reports to split the target among")
    refused(org.db, lambda s: commands.cascade_target(s, org.people["tl_n"], Q2, "won_revenue", D(10), "by_mood"),
            "Split evenly or in proportion", "how")
    refused(org.db, lambda s: commands.cascade_target(s, org.people["tl_n"], Q2, "won_revenue", D("-5")),
            "A target cannot be negative", "total")


# --- agreement with the weekly report, the org chart's panel and plain SQL on the demo ----------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from salesdesk.services.demo import load_demo

    database = open_database(tmp_path_factory.mktemp("targets") / "demo.sqlite3")
    load_demo(database, seed=2, deals=400)
    yield database
    database.close()


def top_of(db) -> int:
    with db.session() as s:
        return s.scalar(select(Person.id).where(Person.manager_id.is_(None), Person.active.is_(True)))


def test_the_vps_won_revenue_for_last_week_is_every_deal_won_that_week(demo):
    week = last_full_week()
    vp = top_of(demo)
    with demo.session() as s:
        cents = s.execute(text("SELECT coalesce(sum(amount), 0) FROM deals WHERE status = 'won' "
                               "AND won_on >= :start AND won_on < :end"),
                          {"start": week.start.isoformat(), "end": week.end.isoformat()}).scalar()
    assert cents > 0
    assert read(demo, queries.actuals, vp, week, "won_revenue")[vp] == D(cents) / 100


@pytest.mark.parametrize("weeks_ago", [0, 1, 5])
def test_the_week_agrees_with_the_weekly_reports_figures(demo, weeks_ago):
    from salesdesk.reports.weekly import parse_scope, weekly_report

    week = Period.containing("week", CLOCK.today() - dt.timedelta(weeks=weeks_ago))
    vp = top_of(demo)
    with demo.read() as reader:
        report = weekly_report(reader, week, parse_scope(reader, "company"))
    got = {metric: read(demo, queries.actuals, [vp], week, metric)[vp] for metric in METRICS}
    assert got == {"won_revenue": report.won_value, "won_deals": report.won_count, "new_deals": report.new_deals,
                   "activities": report.activities}


def test_every_persons_month_agrees_with_the_org_charts_panel(demo):
    from salesdesk.services.org import person_panel

    today = CLOCK.today()
    month = Period.containing("month", today)
    vp = top_of(demo)
    actual = read(demo, queries.actuals, vp, month)
    rows = {r.person_id: r for r in read(demo, queries.target_rows, vp, month, "won_revenue", today)}
    with demo.read() as reader:
        for pid, value in actual.items():
            panel = person_panel(reader, pid, today)
            assert panel.won_this_month == value
            if pid in rows and rows[pid].target is not None:  # the panel rolls up one level only
                assert rows[pid].target == panel.target_this_month


def test_the_demos_table_holds_together(demo):
    """On real-looking data: roll-ups are the sums of the rows below, effective and
    unallocated follow from them, and a quarter's targets are its months'."""
    today = CLOCK.today()
    vp = top_of(demo)
    for period in (Period.containing("month", today), Period.containing("quarter", today),
                   Period.containing("year", today), last_full_week(today)):
        rows = read(demo, queries.target_rows, vp, period, "won_revenue", today)
        assert rows[0].person_id == vp and rows[0].depth == 0
        for n, row in enumerate(rows):
            below = [r for r in rows[n + 1:] if r.manager_id == row.person_id]
            efforts = [r.effective for r in below if r.effective is not None]
            assert row.rolled_up == (sum(efforts) if efforts else None)
            assert row.effective == (row.target if row.target is not None else row.rolled_up)
            if row.target is not None and row.rolled_up is not None:
                assert row.unallocated == row.target - row.rolled_up
            if row.effective:
                assert row.gap == row.effective - row.actual
            assert row.forecast >= row.actual
        assert rows[0].actual == read(demo, queries.actuals, [vp], period)[vp]


def test_reads_run_inside_a_write_transaction_too(book):
    """The cascade reads last period's actuals through the session: same figures."""
    from salesdesk.db.engine import Reader

    org = book.org
    with org.db.transaction() as s:
        inside = queries.actuals(Reader(s.connection(), raw=False), org.people["vp"], Q1)
    assert inside == read(org.db, queries.actuals, org.people["vp"], Q1)


def test_a_count_target_stored_by_the_model_reads_back_whole(org):
    with org.db.transaction() as s:
        s.add(Target(person_id=org.people["sp1"], period_kind="quarter", period_start=Q1.start, metric="activities",
                     value=D(30)))
    row = read(org.db, queries.target_rows, org.people["sp1"], Q1, "activities")[0]
    assert (row.target, str(row.target)) == (D(30), "30")


def test_the_screens_reads_do_not_import_sqlalchemy(book, db_path):
    """The table and the chart read through the plain reader: the screen can paint before
    SQLAlchemy (about 300 ms of imports) is loaded."""
    import subprocess
    import sys

    code = (
        "import sys, datetime as dt\n"
        "from salesdesk.db.engine import Database\n"
        "from salesdesk.domain.periods import Period\n"
        "from salesdesk.services import targets\n"
        f"db = Database({str(db_path)!r})\n"
        "with db.read() as reader:\n"
        "    rows = targets.target_rows(reader, 1, Period.containing('quarter', dt.date(2026, 2, 1)), 'won_revenue',\n"
        "                               dt.date(2026, 2, 1))\n"
        "    targets.monthly_series(reader, 1, 2026, 'won_revenue', dt.date(2026, 2, 1))\n"
        "assert str(rows[0].actual) == '4050.75', rows[0]\n"
        "sys.exit(1 if any(m.startswith('sqlalchemy') for m in sys.modules) else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
