"""The org-chart editor's services: every refusal names its rule, every change undoes
exactly (the whole database compared before and after), and the side panel's figures
agree with plain queries written independently."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select, text, update

from salesdesk.clock import CLOCK
from salesdesk.db.models import (
    Account,
    Activity,
    Budget,
    Deal,
    Expense,
    Person,
    Role,
    Stage,
    StageChange,
    Target,
    WeeklyNote,
)
from salesdesk.domain.hierarchy import subtree
from salesdesk.domain.periods import Period, PeriodKind
from salesdesk.errors import NotFoundError, RuleError, ValidationError
from salesdesk.services import deals, people
from salesdesk.services import org as chart
from salesdesk.services.branches import (
    add_branch,
    delete_branch,
    edit_branch,
    rename_branch,
    restore_branch,
    set_branch_active,
)
from salesdesk.services.roles import add_role, delete_role, rename_role, reorder_roles, restore_role
from tests.conftest import dump
from tests.org_tree import org_children

OLD = dt.datetime(2020, 1, 2, 3, 4, 5)


def backdate(db) -> None:
    """Old stamps everywhere, so that a change stamped now (and an undo that forgets to
    put the old stamp back) shows in ``dump`` even within the same second."""
    with db.transaction() as s:
        s.execute(update(Person.__table__).values(updated_at=OLD))
        s.execute(update(Deal.__table__).values(updated_at=OLD))


def refused(db, action, error=RuleError, match=None):
    """``action(session)`` is refused with ``match`` and leaves the database untouched."""
    before = dump(db)
    with pytest.raises(error, match=match) as caught:
        with db.transaction() as s:
            action(s)
    assert dump(db) == before
    return caught.value


def value(db, sql, **params):
    with db.session() as s:
        return s.execute(text(sql), params).scalar()


def month_start() -> dt.date:
    return Period.containing(PeriodKind.MONTH, CLOCK.today()).start


class Sales:
    """Deals, targets and history on top of the ``org`` company, amounts easy to add up.

    Open (stage default probability in brackets): Ava 10,000 Proposal (60) and 2,000
    Contact with her own 50 %; Ben 4,000 Negotiation (80); Cai 7,000 Qualification (40);
    Nora 1,000 Contact (5).  Won this month: Ava 3,000, Ben 1,500; Cai 900 last month.
    Lost: Ava 500.  Month targets: Nora 20,000; Ava 5,000; Ben 4,000.
    """

    def __init__(self, org):
        self.org = org
        p, st = org.people, org.stages
        self.deal = {}
        with org.db.transaction() as s:
            def new(key, owner, stage, amount, **kw):
                self.deal[key] = deals.create_deal(s, title=key, owner_id=p[owner], stage_id=st[stage], amount=amount,
                                                   **kw)

            new("ava_fleet", "sp1", "Proposal", "10000.00")
            new("ava_trucks", "sp1", "Contact", "2000.00", probability=50)
            new("ava_won", "sp1", "Negotiation", "3000.00")
            new("ava_lost", "sp1", "Contact", "500.00")
            new("ben_vans", "sp2", "Negotiation", "4000.00")
            new("ben_won", "sp2", "Proposal", "1500.00")
            new("cai_buses", "sp3", "Qualification", "7000.00")
            new("cai_won", "sp3", "Negotiation", "900.00")
            new("nora_small", "bm_n", "Contact", "1000.00")
            for key in ("ava_won", "ben_won", "cai_won"):
                deals.move_deal(s, self.deal[key], st["Deal"])
            deals.mark_lost(s, self.deal["ava_lost"], None, "Went with a competitor")
            s.execute(update(Deal).where(Deal.id == self.deal["cai_won"])
                      .values(won_on=month_start() - dt.timedelta(days=1)))
            for owner, amount in (("bm_n", "20000"), ("sp1", "5000"), ("sp2", "4000")):
                s.add(Target(person_id=p[owner], period_kind="month", period_start=month_start(),
                             metric="won_revenue", value=Decimal(amount)))
            # Last month's and other metrics' targets must not count.
            s.add(Target(person_id=p["bm_s"], period_kind="month", period_start=month_start() - dt.timedelta(days=40),
                         metric="won_revenue", value=Decimal("999")))
            s.add(Target(person_id=p["bm_s"], period_kind="month", period_start=month_start(), metric="won_deals",
                         value=Decimal("7")))


@pytest.fixture
def sales(org):
    return Sales(org)


def hire(org, name="Eve Hart", role="Salesperson", manager="tl_n", **kw) -> int:
    with org.db.transaction() as s:
        return people.add_person(s, name=name, role_id=org.roles[role], manager_id=org.people[manager], **kw)


def give_history(org, person_id):
    """A newcomer with open work and every kind of row that refers to them, but no closed deal."""
    with org.db.transaction() as s:
        deal = deals.create_deal(s, title="Eve's first lead", owner_id=person_id, stage_id=org.stages["Contact"],
                                 amount="800.00", by_id=person_id)
        deals.create_deal(s, title="Eve's second lead", owner_id=person_id, stage_id=org.stages["Proposal"],
                          amount="1200.00")
        deals.move_deal(s, deal, org.stages["Qualification"], by_id=person_id)
        account = Account(name="Harbour Logistics", owner_id=person_id)
        s.add(account)
        s.flush()
        s.add(Activity(subject="Call back", deal_id=deal, owner_id=person_id, due_on=CLOCK.today()))
        s.add(Expense(branch_id=org.branches["North"], person_id=person_id, spent_on=CLOCK.today(),
                      category="Travel", amount=Decimal("45.50")))
        s.add(Target(person_id=person_id, period_kind="month", period_start=month_start(), metric="won_revenue",
                     value=Decimal("3000")))
        s.add(WeeklyNote(person_id=person_id, week_start=CLOCK.today() - dt.timedelta(days=CLOCK.today().weekday()),
                         text="First week: met the harbour team"))


# --- hierarchy rules, each refused with its message -------------------------------------


def test_a_drop_on_a_junior_is_refused_naming_the_seniority_rule(org):
    refused(org.db, lambda s: people.move_person(s, org.people["bm_n"], org.people["tl_n"]),
            match=r"Tia Lund \(Team Leader\) cannot manage Nora Banks \(Branch Manager\): a manager must hold a more "
                  r"senior role")  # the importer's and the chart's wording too (issue 14)


def test_a_drop_on_an_equal_is_refused(org):
    refused(org.db, lambda s: people.move_person(s, org.people["bm_n"], org.people["bm_s"]),
            match=r"Sam Brook \(Branch Manager\) cannot manage Nora Banks")


def test_a_cycle_is_refused_even_in_data_with_odd_ranks(org):
    """Seniority alone rules out cycles; imported data may break seniority, not the tree."""
    with org.db.transaction() as s:  # an import put a Director under a Team Leader
        s.execute(update(Person.__table__).where(Person.id == org.people["sp2"])
                  .values(role_id=org.roles["Director of Sales"]))
    refused(org.db, lambda s: people.move_person(s, org.people["tl_n"], org.people["sp2"]),
            match="Ben Cole reports to Tia Lund, so cannot become their manager .that would make a cycle.")


def test_a_second_top_is_refused(org):
    refused(org.db, lambda s: people.add_person(s, name="Second Boss", role_id=org.roles["VP Sales"], manager_id=None),
            match="Vera Price is already the top of the organisation; Second Boss needs a manager")
    refused(org.db, lambda s: people.move_person(s, org.people["vp"], org.people["dir"]),
            match="Vera Price is the top of the organisation and cannot report to anyone")


def test_a_comeback_must_keep_the_rules(org):
    with org.db.transaction() as s:
        people.deactivate_person(s, org.people["sp3"])
        people.deactivate_person(s, org.people["bm_s"])
    refused(org.db, lambda s: people.reactivate_person(s, org.people["sp3"]),
            match="Sam Brook is no longer active and cannot manage anyone")
    refused(org.db, lambda s: people.edit_person(s, org.people["sp3"], active=True), match="no longer active")
    with org.db.transaction() as s:
        people.reactivate_person(s, org.people["bm_s"])
        people.reactivate_person(s, org.people["sp3"])


def test_a_closed_branch_takes_nobody(org):
    south = org.branches["South"]
    with org.db.transaction() as s:
        people.move_team_to_branch(s, org.people["bm_s"], org.branches["North"])
        set_branch_active(s, south, False)
    for action in (lambda s: people.edit_person(s, org.people["sp1"], branch_id=south),
                   lambda s: people.move_team_to_branch(s, org.people["bm_n"], south),
                   lambda s: people.add_person(s, name="Eve", role_id=org.roles["Salesperson"],
                                               manager_id=org.people["bm_n"], branch_id=south)):
        assert refused(org.db, action, ValidationError, "South is closed; reopen it").field == "branch"


# --- deactivate with open deals ----------------------------------------------------------


def test_deactivating_someone_with_open_deals_needs_a_new_owner(sales):
    org = sales.org
    refused(org.db, lambda s: people.deactivate_person(s, org.people["sp1"]),
            match="2 open deals of Ava Stone need a new owner: pick who takes them over")
    assert refused(org.db, lambda s: people.deactivate_person(s, org.people["sp1"], deals_to=org.people["sp1"]),
                   ValidationError, "Pick someone other than Ava Stone").field == "deals_to"
    with org.db.transaction() as s:
        people.deactivate_person(s, org.people["sp3"], deals_to=org.people["bm_s"])
    refused(org.db, lambda s: people.deactivate_person(s, org.people["sp1"], deals_to=org.people["sp3"]),
            ValidationError, "must be an active person")


def test_one_open_deal_and_open_activities_are_counted_in_the_message(sales):
    org = sales.org
    with org.db.transaction() as s:
        s.add(Activity(subject="Demo", owner_id=org.people["sp2"], deal_id=sales.deal["ben_vans"]))
        s.add(Activity(subject="Visit", owner_id=org.people["sp2"], deal_id=sales.deal["ben_won"]))
    refused(org.db, lambda s: people.deactivate_person(s, org.people["sp2"]),
            match="1 open deal and 2 open activities of Ben Cole need a new owner")


def test_deactivating_hands_open_deals_over_and_undo_gives_them_back_exactly(sales):
    org, p = sales.org, sales.org.people
    with org.db.transaction() as s:
        s.add(Activity(subject="Demo", owner_id=p["sp1"], deal_id=sales.deal["ava_fleet"]))
        s.add(Activity(subject="Done call", owner_id=p["sp1"], deal_id=sales.deal["ava_fleet"], done_at=OLD))
    backdate(org.db)
    before = dump(org.db)
    with org.db.transaction() as s:
        record = people.deactivate_person(s, p["sp1"], deals_to=p["sp2"])
    assert set(record.reassigned_deals) == {sales.deal["ava_fleet"], sales.deal["ava_trucks"]}
    assert record.deals_to == p["sp2"]
    after = dump(org.db)
    with org.db.session() as s:
        owners = dict(s.execute(select(Deal.title, Deal.owner_id)).all())
        assert owners["ava_fleet"] == owners["ava_trucks"] == p["sp2"]
        assert owners["ava_won"] == owners["ava_lost"] == p["sp1"]  # history stays hers
        assert dict(s.execute(select(Activity.subject, Activity.owner_id)).all()) == {"Demo": p["sp2"],
                                                                                      "Done call": p["sp1"]}
    with org.db.transaction() as s:
        people.reactivate_person(s, p["sp1"], record)
    assert dump(org.db) == before
    with org.db.transaction() as s:  # redo
        people.deactivate_person(s, p["sp1"], deals_to=p["sp2"])
    assert _without_stamps(org.db, dump(org.db)) == _without_stamps(org.db, after)


def _without_stamps(db, tables):
    """Rows with people's and deals' ``updated_at`` left out (a redo stamps its own time)."""
    out = dict(tables)
    with db.session() as s:
        for name in ("people", "deals"):
            columns = [r[1] for r in s.execute(text(f"PRAGMA table_info({name})")) if r[1] != "version"]
            stamp = columns.index("updated_at")
            out[name] = [row[:stamp] + row[stamp + 1:] for row in tables[name]]
    return out


def test_deactivating_a_manager_moves_reports_and_undo_is_exact(org):
    backdate(org.db)
    before = dump(org.db)
    with org.db.transaction() as s:
        record = people.deactivate_person(s, org.people["tl_n"])
    assert record.moved_reports == (org.people["sp1"], org.people["sp2"])
    assert record.reassigned_deals == () and record.deals_to is None
    with org.db.transaction() as s:
        people.reactivate_person(s, org.people["tl_n"], record)
    assert dump(org.db) == before


# --- remove ------------------------------------------------------------------------------


def test_someone_with_closed_deals_cannot_be_removed(sales):
    org = sales.org
    refused(org.db, lambda s: people.remove_person(s, org.people["sp1"], deals_to=org.people["sp2"]),
            match="Ava Stone has 2 closed deals in the history; deactivate them instead to keep it")
    refused(org.db, lambda s: people.remove_person(s, org.people["sp3"], deals_to=org.people["bm_s"]),
            match="Cai Dunn has 1 closed deal in the history")


def test_someone_with_done_activities_cannot_be_removed(org):
    with org.db.transaction() as s:
        s.add(Activity(subject="Cold call", owner_id=org.people["sp3"], done_at=OLD))
    refused(org.db, lambda s: people.remove_person(s, org.people["sp3"]),
            match="Cai Dunn has 1 done activity in the history; deactivate them instead")


def test_the_top_cannot_be_removed_while_people_report_to_them(org):
    refused(org.db, lambda s: people.remove_person(s, org.people["vp"]),
            match="Vera Price is the top of the organisation; make someone else the top before removing them")


def test_removing_someone_with_open_deals_needs_a_new_owner(org):
    eve = hire(org)
    give_history(org, eve)
    refused(org.db, lambda s: people.remove_person(s, eve),
            match="2 open deals and 1 open activity of Eve Hart need a new owner")


def test_remove_then_restore_puts_everything_back_exactly(org):
    eve = hire(org, email="eve@example.com", phone="+44 20 7946 0000", hire_date=dt.date(2026, 1, 5))
    give_history(org, eve)
    backdate(org.db)
    before = dump(org.db)
    with org.db.transaction() as s:
        removal = people.remove_person(s, eve, deals_to=org.people["sp1"])
    assert removal.name == "Eve Hart" and removal.deals_to == org.people["sp1"] and len(removal.reassigned_deals) == 2
    with org.db.session() as s:
        assert s.get(Person, eve) is None
        assert s.scalar(select(func.count()).select_from(Deal).where(Deal.owner_id == org.people["sp1"])) == 2
        assert s.scalar(select(Account.owner_id)) is None
        assert s.scalar(select(Expense.person_id)) is None
        assert s.scalar(select(func.count(StageChange.changed_by_id))) == 0
        assert s.scalar(select(func.count()).select_from(Target)) == 0
        assert s.scalar(select(func.count()).select_from(WeeklyNote)) == 0
        assert s.scalar(select(Activity.owner_id)) == org.people["sp1"]
    after = dump(org.db)
    with org.db.transaction() as s:
        people.restore_person(s, removal)
    assert dump(org.db) == before
    with org.db.transaction() as s:  # redo
        people.remove_person(s, eve, deals_to=org.people["sp1"])
    assert _without_stamps(org.db, dump(org.db)) == _without_stamps(org.db, after)


def test_removing_a_manager_moves_all_their_reports_up_and_restore_is_exact(org):
    with org.db.transaction() as s:
        people.deactivate_person(s, org.people["sp2"])  # inactive, still pointing at Tia
    backdate(org.db)
    before = dump(org.db)
    with org.db.transaction() as s:
        removal = people.remove_person(s, org.people["tl_n"])
    assert removal.new_manager_id == org.people["bm_n"]
    assert removal.moved_reports == (org.people["sp1"], org.people["sp2"])
    with org.db.session() as s:
        assert s.get(Person, org.people["sp1"]).manager_id == org.people["bm_n"]
        assert s.get(Person, org.people["sp2"]).manager_id == org.people["bm_n"]
    with org.db.transaction() as s:
        people.restore_person(s, removal)
    assert dump(org.db) == before


def test_a_hire_is_undone_by_removing_and_redone_by_restoring(org):
    before = dump(org.db)
    eve = hire(org, email="eve@example.com")
    after = dump(org.db)
    with org.db.transaction() as s:
        removal = people.remove_person(s, eve)
    assert dump(org.db) == before
    with org.db.transaction() as s:
        people.restore_person(s, removal)
    assert dump(org.db) == after


def test_removing_works_after_the_session_loaded_the_rows(org):
    """Core deletes must not leave stale objects for the session to flush later."""
    eve = hire(org)
    give_history(org, eve)
    with org.db.transaction() as s:
        s.scalars(select(Target)).all()
        s.scalars(select(Deal)).all()
        s.get(Person, eve)
        people.remove_person(s, eve, deals_to=org.people["sp2"])
        assert s.get(Person, eve) is None
        assert {d.owner_id for d in s.scalars(select(Deal))} == {org.people["sp2"]}


# --- edits and moves undo exactly --------------------------------------------------------


def test_edit_returns_what_undo_needs_to_put_the_row_back_exactly(org):
    backdate(org.db)
    before = dump(org.db)
    with org.db.transaction() as s:
        previous = people.edit_person(s, org.people["sp1"], name="Ava Stone-Reyes", phone="+44 161 496 0000",
                                      branch_id=org.branches["South"], hire_date=dt.date(2024, 3, 1))
    assert previous["name"] == "Ava Stone" and previous["updated_at"] == OLD
    assert dump(org.db) != before
    with org.db.transaction() as s:
        people.edit_person(s, org.people["sp1"], **previous)
    assert dump(org.db) == before


def test_a_comeback_by_the_form_undoes_exactly(org):
    with org.db.transaction() as s:
        people.deactivate_person(s, org.people["sp3"])
    backdate(org.db)
    before = dump(org.db)
    with org.db.transaction() as s:
        previous = people.edit_person(s, org.people["sp3"], active=True)
    with org.db.transaction() as s:
        people.edit_person(s, org.people["sp3"], **previous)
    assert dump(org.db) == before


def test_unticking_active_is_refused_when_someone_is_left_behind(sales):
    org = sales.org
    refused(org.db, lambda s: people.edit_person(s, org.people["tl_n"], active=False),
            match="Use deactivate to let Tia Lund go: their reports need a new manager")
    refused(org.db, lambda s: people.edit_person(s, org.people["sp2"], active=False),
            match="Use deactivate to let Ben Cole go: their open deals need a new owner")


def test_a_drag_and_its_undo_leave_the_database_as_it_was(org):
    backdate(org.db)
    before = dump(org.db)
    with org.db.transaction() as s:
        previous = people.move_person(s, org.people["tl_n"], org.people["bm_s"])  # with Ava and Ben below
    assert previous == org.people["bm_n"]
    with org.db.transaction() as s:
        people.move_person(s, org.people["tl_n"], previous)
    assert dump(org.db) == before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "x" * 161, "at most 160 characters"),
    ("email", "ava@", "not an email address"),
    ("phone", "ask reception", "not a phone number"),
])
def test_form_fields_are_checked_with_the_field_named(org, field, value, message):
    error = refused(org.db, lambda s: people.edit_person(s, org.people["sp2"], **{field: value}),
                    ValidationError, message)
    assert error.field == field


# --- a team to another branch ------------------------------------------------------------


def test_moving_a_team_to_a_branch_and_back(org):
    eve = hire(org, name="Eve Hart")
    with org.db.transaction() as s:
        people.deactivate_person(s, eve)  # inactive: stays where she was
        people.edit_person(s, org.people["sp2"], branch_id=org.branches["South"])  # already there
    backdate(org.db)
    before = dump(org.db)
    with org.db.transaction() as s:
        previous = people.move_team_to_branch(s, org.people["bm_n"], org.branches["South"])
    north = org.branches["North"]
    assert previous == {org.people["bm_n"]: north, org.people["tl_n"]: north, org.people["sp1"]: north}
    with org.db.session() as s:
        branch = dict(s.execute(select(Person.id, Person.branch_id)).all())
    assert branch[org.people["sp1"]] == org.branches["South"] and branch[eve] == north
    with org.db.transaction() as s:
        people.restore_branches(s, previous)
    assert dump(org.db) == before


# --- branches ----------------------------------------------------------------------------


def test_branch_names_are_checked(org):
    north = org.branches["North"]
    assert refused(org.db, lambda s: rename_branch(s, north, "  "), ValidationError,
                   "A branch needs a name").field == "name"
    refused(org.db, lambda s: rename_branch(s, north, "south"), ValidationError,
            "There is already a branch called south")
    refused(org.db, lambda s: add_branch(s, "SOUTH"), ValidationError, "already a branch called SOUTH")


def test_rename_and_edit_a_branch_and_undo(org):
    north = org.branches["North"]
    before = dump(org.db)
    with org.db.transaction() as s:
        old = rename_branch(s, north, "North & Scotland")
        previous = edit_branch(s, north, city="Leeds", region="UK & Ireland")
    assert old == "North" and previous == {"city": None, "region": None}
    with org.db.transaction() as s:
        edit_branch(s, north, **previous)
        rename_branch(s, north, old)
    assert dump(org.db) == before


def test_a_branch_with_people_cannot_close(org):
    refused(org.db, lambda s: set_branch_active(s, org.branches["North"], False),
            match="4 active people still work in North; move them to another branch before closing it")


def test_close_and_reopen_an_empty_branch(org):
    with org.db.transaction() as s:
        west = add_branch(s, "West", city="Bristol")
    before = dump(org.db)
    with org.db.transaction() as s:
        was = set_branch_active(s, west, False)
    assert was is True
    with org.db.transaction() as s:
        set_branch_active(s, west, was)
    assert dump(org.db) == before


def test_a_branch_in_use_cannot_be_deleted(org):
    with org.db.transaction() as s:
        s.add(Budget(branch_id=org.branches["South"], period_kind="month", period_start=month_start(),
                     amount=Decimal("10000")))
    refused(org.db, lambda s: delete_branch(s, org.branches["South"]),
            match="South is still used by 2 people and 1 budget; close it instead to keep them")


def test_adding_a_branch_is_undone_by_deleting_it_and_redone_by_restoring(org):
    before = dump(org.db)
    with org.db.transaction() as s:
        west = add_branch(s, "West", city="Bristol", region="South West")
    after = dump(org.db)
    with org.db.transaction() as s:
        row = delete_branch(s, west)
    assert dump(org.db) == before
    with org.db.transaction() as s:
        restore_branch(s, row)
    assert dump(org.db) == after


# --- the role ladder ---------------------------------------------------------------------


def ladder(db) -> list[tuple[str, int]]:
    with db.session() as s:
        return s.execute(select(Role.name, Role.rank).order_by(Role.rank)).all()


def test_rename_a_role_and_undo(org):
    before = dump(org.db)
    with org.db.transaction() as s:
        old = rename_role(s, org.roles["Team Leader"], "Team Lead")
    assert old == "Team Leader"
    with org.db.transaction() as s:
        rename_role(s, org.roles["Team Leader"], old)
    assert dump(org.db) == before
    refused(org.db, lambda s: rename_role(s, org.roles["Team Leader"], "salesperson"), ValidationError,
            "There is already a role called salesperson")
    refused(org.db, lambda s: add_role(s, "", 1), ValidationError, "A role needs a name")


def test_add_a_role_into_the_ladder_and_undo_and_redo(org):
    before = dump(org.db)
    with org.db.transaction() as s:
        new = add_role(s, "Senior Salesperson", 6)
    assert ladder(org.db) == [("VP Sales", 1), ("Director of Sales", 2), ("Sales Manager", 3), ("Branch Manager", 4),
                              ("Team Leader", 5), ("Senior Salesperson", 6), ("Salesperson", 7)]
    after = dump(org.db)
    with org.db.transaction() as s:
        deleted = delete_role(s, new)
    assert dump(org.db) == before
    with org.db.transaction() as s:
        restore_role(s, deleted)
    assert dump(org.db) == after


def test_add_a_role_at_the_top_and_at_the_bottom(org):
    with org.db.transaction() as s:
        add_role(s, "Chief Revenue Officer", 1)
        add_role(s, "Sales Intern", 8)
    names = [name for name, _ in ladder(org.db)]
    assert names[0] == "Chief Revenue Officer" and names[-1] == "Sales Intern"
    assert [rank for _, rank in ladder(org.db)] == list(range(1, 9))
    refused(org.db, lambda s: add_role(s, "Nowhere", 10), ValidationError, "from 1 .most senior. to 9")


def test_a_role_someone_holds_cannot_be_deleted(org):
    with org.db.transaction() as s:
        people.deactivate_person(s, org.people["sp3"])
    refused(org.db, lambda s: delete_role(s, org.roles["Salesperson"]),
            match=r"3 people \(1 of them inactive\) hold the role Salesperson; give them another role")
    refused(org.db, lambda s: delete_role(s, org.roles["VP Sales"]), match="1 person holds the role VP Sales")


def test_a_reorder_that_breaks_seniority_is_refused_naming_a_pair(org):
    r = org.roles
    order = [r["VP Sales"], r["Director of Sales"], r["Sales Manager"], r["Branch Manager"], r["Salesperson"],
             r["Team Leader"]]
    refused(org.db, lambda s: reorder_roles(s, order),
            match=r"Tia Lund \(Team Leader\) would no longer be senior to Ava Stone \(Salesperson\); "
                  r"a manager must hold a more senior role")
    with pytest.raises(ValueError):
        with org.db.transaction() as s:
            reorder_roles(s, order[:-1])


def test_a_reorder_that_keeps_seniority_and_its_undo(org):
    r = org.roles
    before = dump(org.db)
    order = [r["VP Sales"], r["Director of Sales"], r["Branch Manager"], r["Sales Manager"], r["Team Leader"],
             r["Salesperson"]]  # nobody is a Sales Manager
    with org.db.transaction() as s:
        previous = reorder_roles(s, order)
    assert [name for name, _ in ladder(org.db)][2:4] == ["Branch Manager", "Sales Manager"]
    with org.db.transaction() as s:
        reorder_roles(s, previous)
    assert dump(org.db) == before


def test_inactive_people_do_not_hold_a_reorder_back(org):
    r = org.roles
    with org.db.transaction() as s:
        people.deactivate_person(s, org.people["sp3"])  # Cai was Sam's only report
        people.move_person(s, org.people["bm_s"], org.people["vp"])
    # Branch Manager above Director: Nora reports to Dan (refused); Sam's team is empty.
    with org.db.transaction() as s:
        people.move_person(s, org.people["bm_n"], org.people["vp"])
        reorder_roles(s, [r["VP Sales"], r["Branch Manager"], r["Director of Sales"], r["Sales Manager"],
                                 r["Team Leader"], r["Salesperson"]])
    assert ladder(org.db)[1] == ("Branch Manager", 2)


# --- reads for the chart -----------------------------------------------------------------


def test_org_people_are_senior_first_then_by_name(org):
    with org.db.transaction() as s:
        people.deactivate_person(s, org.people["sp3"])
    with org.db.read() as reader:
        active = chart.org_people(reader)
        everyone = chart.org_people(reader, include_inactive=True)
    assert [p.name for p in active] == ["Vera Price", "Dan Irving", "Nora Banks", "Sam Brook", "Tia Lund", "Ava Stone",
                                        "Ben Cole"]
    assert [p.name for p in everyone][-1] == "Cai Dunn" and not everyone[-1].active
    ava = next(p for p in active if p.name == "Ava Stone")
    assert (ava.email, ava.role, ava.rank, ava.branch, ava.manager_id, ava.active) == (
        "ava@example.com", "Salesperson", 6, "North", org.people["tl_n"], True)
    vera = active[0]
    assert (vera.branch_id, vera.branch, vera.manager_id, vera.hire_date) == (None, "", None, None)


def test_org_children_make_the_tree_in_order(org):
    p = org.people
    with org.db.read() as reader:
        roots, children = org_children(chart.org_people(reader))
    assert roots == [p["vp"]]
    assert children[p["vp"]] == [p["dir"]]
    assert children[p["dir"]] == [p["bm_n"], p["bm_s"]]
    assert children[p["tl_n"]] == [p["sp1"], p["sp2"]]
    assert p["sp1"] not in children


def test_someone_whose_manager_is_left_out_is_a_root():
    person = chart.OrgPerson
    people_ = [person(1, "Vera", None, None, None, True, 1, "VP", 1, None, "", None),
               person(3, "Ava", None, None, None, True, 6, "Salesperson", 6, None, "", 2)]  # 2 is inactive
    assert org_children(people_) == ([1, 3], {})


def test_a_cycle_in_damaged_data_still_shows_everyone_once():
    person = chart.OrgPerson
    people_ = [person(1, "A", None, None, None, True, 1, "VP", 1, None, "", 2),
               person(2, "B", None, None, None, True, 1, "VP", 1, None, "", 1),
               person(3, "C", None, None, None, True, 1, "VP", 1, None, "", 2)]
    roots, children = org_children(people_)
    shown = list(roots) + [c for kids in children.values() for c in kids]
    assert sorted(shown) == [1, 2, 3] and roots == [1]


def test_role_ladder_and_branch_list(org):
    with org.db.transaction() as s:
        people.deactivate_person(s, org.people["sp3"])
        add_branch(s, "West", city="Bristol", region="South West")
    with org.db.read() as reader:
        roles = chart.role_ladder(reader)
        branches = chart.branch_list(reader)
    assert roles[0] == (org.roles["VP Sales"], "VP Sales", 1, 1)
    assert roles[-1] == (org.roles["Salesperson"], "Salesperson", 6, 3)  # Cai is inactive but holds it
    assert [b[1] for b in branches] == ["North", "South", "West"]
    assert branches[1] == (org.branches["South"], "South", None, None, True, 1)
    assert branches[2][2:] == ("Bristol", "South West", True, 0)


# --- the side panel ----------------------------------------------------------------------


def expected_panel(db, person_id):
    """The panel's figures the plain way: the team walked in Python, deals summed one by one."""
    today = CLOCK.today()
    with db.session() as s:
        team = subtree(person_id, dict(s.execute(select(Person.id, Person.manager_id)).all()))
        rows = s.execute(select(Deal.amount, Deal.probability, Stage.probability, Deal.status, Deal.won_on)
                         .join(Stage, Stage.id == Deal.stage_id).where(Deal.owner_id.in_(team))).all()
    open_rows = [r for r in rows if r.status == "open"]
    return (
        len(open_rows),
        sum((r[0] for r in open_rows), Decimal(0)),
        # the panel shows the weighted sum to the cent, half up
        sum((r[0] * (r[1] if r[1] is not None else r[2]) / 100 for r in open_rows), Decimal(0))
        .quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        sum((r[0] for r in rows if r.status == "won" and r.won_on.replace(day=1) == today.replace(day=1)), Decimal(0)),
    )


@pytest.mark.parametrize(("who", "size", "figures", "target"), [
    ("vp", 8, (5, "24000.00", "13050.00", "4500.00"), None),
    ("bm_n", 4, (4, "17000.00", "10250.00", "4500.00"), "20000.00"),  # her own target
    ("tl_n", 3, (3, "16000.00", "10200.00", "4500.00"), "9000.00"),  # Ava's and Ben's
    ("bm_s", 2, (1, "7000.00", "2800.00", "0.00"), None),  # Cai won last month; a won_deals target
    ("sp1", 1, (2, "12000.00", "7000.00", "3000.00"), "5000.00"),
])
def test_the_panel_figures(sales, who, size, figures, target):
    org = sales.org
    with org.db.read() as reader:
        panel = chart.person_panel(reader, org.people[who], CLOCK.today())
    got = (panel.team_open_deals, panel.team_open_amount, panel.team_weighted, panel.won_this_month)
    assert got == (figures[0], *(Decimal(x) for x in figures[1:]))
    assert got == expected_panel(org.db, org.people[who])
    assert panel.team_size == size
    assert panel.target_this_month == (None if target is None else Decimal(target))
    assert panel.currency == "EUR"


def test_the_panel_names_the_person_their_manager_and_reports(sales):
    org = sales.org
    with org.db.transaction() as s:
        eve = people.add_person(s, name="Eve Hart", role_id=org.roles["Salesperson"], manager_id=org.people["tl_n"])
        people.deactivate_person(s, eve)
    with org.db.read() as reader:
        panel = chart.person_panel(reader, org.people["tl_n"], CLOCK.today())
        top = chart.person_panel(reader, org.people["vp"], CLOCK.today())
    assert panel.person.name == "Tia Lund" and panel.manager == "Nora Banks"
    assert panel.direct_reports == [(org.people["sp1"], "Ava Stone", "Salesperson"),
                                    (org.people["sp2"], "Ben Cole", "Salesperson")]
    assert panel.team_size == 3  # Eve left
    assert top.manager == "" and top.direct_reports == [(org.people["dir"], "Dan Irving", "Director of Sales")]


def test_the_panel_of_a_large_team_uses_the_company_total_and_agrees(sales):
    """Vera's team holds every open deal: figured as everyone minus nobody; Dan's too."""
    org = sales.org
    with org.db.transaction() as s:  # someone outside Vera's tree (damaged data) owns a deal
        s.execute(text("INSERT INTO people (name, active, role_id, created_at, updated_at, version) "
                       "VALUES ('Orphan', 0, :r, '2020-01-01', '2020-01-01', 1)"), {"r": org.roles["Salesperson"]})
        orphan = s.scalar(text("SELECT id FROM people WHERE name = 'Orphan'"))
        s.execute(update(Deal).where(Deal.id == sales.deal["cai_buses"]).values(owner_id=orphan))
    with org.db.read() as reader:
        for who in ("vp", "dir", "bm_s"):
            panel = chart.person_panel(reader, org.people[who], CLOCK.today())
            assert (panel.team_open_deals, panel.team_open_amount, panel.team_weighted, panel.won_this_month) == \
                expected_panel(org.db, org.people[who])


def test_the_panel_of_someone_gone_is_refused(org):
    with org.db.read() as reader:
        with pytest.raises(NotFoundError, match="no longer exists"):
            chart.person_panel(reader, 9999, CLOCK.today())


def test_departure_says_what_letting_go_would_change(sales):
    org = sales.org
    with org.db.read() as reader:
        ava = chart.departure(reader, org.people["sp1"])
        tia = chart.departure(reader, org.people["tl_n"])
        vera = chart.departure(reader, org.people["vp"])
    assert (ava.open_deals, ava.open_amount, ava.closed_deals, ava.can_remove, ava.needs_new_owner) == (
        2, Decimal("12000.00"), 2, False, True)
    assert (tia.manager, tia.reports, tia.can_remove, tia.needs_new_owner) == ("Nora Banks", 2, True, False)
    assert (vera.manager, vera.can_remove) == ("", False)


def test_services_for_screens_do_not_import_sqlalchemy():
    import subprocess
    import sys

    code = ("import sys; import salesdesk.services.org; "
            "sys.exit(1 if any(m.startswith('sqlalchemy') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# --- the story on the demo company -----------------------------------------------


def test_reorganise_the_demo_company_and_undo_every_step(db):
    """Hire, promote, move a team to another branch, let someone go: each step keeps the
    rules (``salesdesk check``), and undoing them all gives back the very same database."""
    from salesdesk.services.checks import rule_problems
    from salesdesk.services.demo import load_demo

    load_demo(db, seed=2)
    backdate(db)
    original = dump(db)
    with db.read() as reader:
        everyone = {p.id: p for p in chart.org_people(reader)}
    roots, children = org_children(list(everyone.values()))
    by_role = {}
    for p in everyone.values():
        by_role.setdefault(p.role, []).append(p)
    leader = next(p for p in by_role["Team Leader"] if children.get(p.id))
    other_bm = next(p for p in by_role["Branch Manager"] if p.branch_id != leader.branch_id)
    seller = next(p for p in by_role["Salesperson"] if p.manager_id == leader.id)
    rising = next(p for p in by_role["Salesperson"] if everyone[p.manager_id].role == "Branch Manager")
    undo = []

    def step(action, reverse):
        with db.transaction() as s:
            result = action(s)
            assert rule_problems(s) == []
        undo.append(lambda s: reverse(s, result))

    step(lambda s: people.add_person(s, name="Eve Hart", role_id=seller.role_id, manager_id=leader.id),
         lambda s, eve: people.remove_person(s, eve))
    step(lambda s: people.edit_person(s, rising.id, role_id=leader.role_id),  # promoted to Team Leader
         lambda s, before: people.edit_person(s, rising.id, **before))
    step(lambda s: people.move_person(s, leader.id, other_bm.id),
         lambda s, previous: people.move_person(s, leader.id, previous))
    step(lambda s: people.move_team_to_branch(s, leader.id, other_bm.branch_id),
         lambda s, previous: people.restore_branches(s, previous))
    with db.session() as s:
        has_history = s.scalar(select(func.count()).select_from(Deal).where(Deal.owner_id == seller.id,
                                                                           Deal.status != "open"))
    if has_history:
        with pytest.raises(RuleError, match=f"{seller.name} has .* in the history; deactivate them instead"):
            with db.transaction() as s:
                people.remove_person(s, seller.id, deals_to=leader.id)
    step(lambda s: people.deactivate_person(s, seller.id, deals_to=leader.id),
         lambda s, record: people.reactivate_person(s, seller.id, record))
    with db.read() as reader:
        panel = chart.person_panel(reader, roots[0], CLOCK.today())
    assert (panel.team_open_deals, panel.team_open_amount, panel.team_weighted, panel.won_this_month) == \
        expected_panel(db, roots[0])
    for reverse in reversed(undo):
        with db.transaction() as s:
            reverse(s)
            assert rule_problems(s) == []
    assert dump(db) == original


def test_the_chart_reads_the_same_people_in_the_same_order_as_the_forms(org):
    with org.db.read() as reader:
        full = chart.org_people(reader, include_inactive=True)
        light = chart.chart_people(reader, include_inactive=True)
    assert [(p.id, p.name, p.role, p.rank, p.branch_id, p.branch, p.manager_id, p.active) for p in full] == \
        [tuple(p) for p in light]


def test_the_owner_filter_stops_at_a_cycle_in_damaged_data(org):
    """The board's team query was UNION ALL: two people managing each other (a damaged
    or hand-edited file) made it recurse for ever.  It is the one team query now."""
    import sqlite3

    from salesdesk.services import board as board_data
    from salesdesk.services import deals

    with org.db.transaction() as s:
        deals.create_deal(s, title="Loop", owner_id=org.people["sp1"], stage_id=org.stages["Contact"], amount="10")
    with sqlite3.connect(org.db.path) as raw:
        raw.execute("UPDATE people SET manager_id = ? WHERE id = ?", (org.people["sp1"], org.people["tl_n"]))
    raw.close()
    with org.db.read() as reader:
        data = board_data.load_board(reader, 1, board_data.BoardFilter(owner_id=org.people["tl_n"]))
    assert sum(c.count for c in data.columns) == 1
