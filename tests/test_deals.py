"""Deal actions: each one transaction, one audit row, and exactly undoable moves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from salesdesk.clock import CLOCK
from salesdesk.db.models import AuditEntry, Deal, StageChange
from salesdesk.errors import RuleError, ValidationError
from salesdesk.services import deals
from tests.conftest import dump


def new_deal(org, stage="Contact", **kw):
    values = dict(title="Fleet renewal", owner_id=org.people["sp1"], stage_id=org.stages[stage], amount="12500.00")
    values.update(kw)
    with org.db.transaction() as s:
        return deals.create_deal(s, **values)


def history(db, deal_id):
    with db.session() as s:
        return s.execute(select(StageChange.from_stage_id, StageChange.to_stage_id)
                         .where(StageChange.deal_id == deal_id).order_by(StageChange.id)).all()


def test_create_puts_the_deal_at_the_end_of_its_column_with_history(org):
    first = new_deal(org)
    second = new_deal(org, title="Second")
    with org.db.session() as s:
        a, b = s.get(Deal, first), s.get(Deal, second)
        assert (a.status, a.amount, a.currency) == ("open", Decimal("12500.00"), "EUR")
        assert b.position > a.position
    assert history(org.db, first) == [(None, org.stages["Contact"])]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "needs a title"),
        ({"amount": "-5"}, "amount", "cannot be negative"),
        ({"amount": "lots"}, "amount", "not an amount"),
        ({"owner_id": None}, "owner", "needs an owner"),
        ({"probability": 140}, "probability", "between 0 and 100"),
        ({"currency": "euros"}, "currency", "'euros' is not a currency code"),
        ({"currency": "XYZ"}, "currency", "'XYZ' is not a currency code"),  # three letters, no currency
        ({"currency": "dem"}, "currency", "DEM is no longer a currency: it was replaced by EUR"),
    ],
)
def test_invalid_values_are_refused_with_the_field_named_and_nothing_saved(org, changes, field, message):
    before = dump(org.db)
    with pytest.raises(ValidationError, match=message) as caught:
        new_deal(org, **changes)
    assert caught.value.field == field
    assert dump(org.db) == before


def test_reaching_the_deal_stage_wins_and_leaving_it_reopens(org):
    deal_id = new_deal(org, stage="Negotiation")
    with org.db.transaction() as s:
        deals.move_deal(s, deal_id, org.stages["Deal"])
    with org.db.session() as s:
        deal = s.get(Deal, deal_id)
        assert (deal.status, deal.won_on) == ("won", CLOCK.today())
    with org.db.transaction() as s:
        deals.move_deal(s, deal_id, org.stages["After Sales"])
    with org.db.transaction() as s:
        deals.move_deal(s, deal_id, org.stages["Proposal"])
    with org.db.session() as s:
        deal = s.get(Deal, deal_id)
        assert (deal.status, deal.won_on) == ("open", None)
    assert [to for _, to in history(org.db, deal_id)] == [
        org.stages[n] for n in ("Negotiation", "Deal", "After Sales", "Proposal")
    ]


def test_reorder_within_a_column_writes_no_history(org):
    a, b = new_deal(org), new_deal(org, title="B")
    with org.db.transaction() as s:
        deals.move_deal(s, b, org.stages["Contact"], 0.5)
    with org.db.session() as s:
        order = s.scalars(select(Deal.id).where(Deal.stage_id == org.stages["Contact"]).order_by(Deal.position)).all()
    assert order == [b, a]
    assert len(history(org.db, b)) == 1


@pytest.mark.parametrize("target", ["Proposal", "Deal", "Contact"])
def test_undoing_a_move_restores_the_database_exactly(org, target):
    deal_id = new_deal(org, stage="Qualification")
    new_deal(org, stage=target, title="Neighbour")
    before = dump(org.db)
    with org.db.transaction() as s:
        record = deals.move_deal(s, deal_id, org.stages[target], position=0.25)
    assert dump(org.db) != before
    with org.db.transaction() as s:
        deals.restore_placement(s, record)
    assert dump(org.db) == before


def test_lost_needs_a_reason_leaves_the_board_and_can_be_reopened(org):
    deal_id = new_deal(org, stage="Proposal")
    with pytest.raises(ValidationError, match="Say why"):
        with org.db.transaction() as s:
            deals.mark_lost(s, deal_id, None, "  ")
    with org.db.session() as s:
        reason = s.execute(text("SELECT id FROM lost_reasons WHERE name = 'Price too high'")).scalar()
    with org.db.transaction() as s:
        deals.mark_lost(s, deal_id, reason, "went with the cheaper quote")
    with org.db.session() as s:
        deal = s.get(Deal, deal_id)
        assert (deal.status, deal.lost_reason_id, deal.lost_on) == ("lost", reason, CLOCK.today())
    with pytest.raises(RuleError, match="reopen it"):
        with org.db.transaction() as s:
            deals.move_deal(s, deal_id, org.stages["Negotiation"])
    with org.db.transaction() as s:
        deals.reopen_deal(s, deal_id)
    with org.db.session() as s:
        deal = s.get(Deal, deal_id)
        assert (deal.status, deal.stage_id, deal.lost_reason_id) == ("open", org.stages["Proposal"], None)


def test_a_stage_of_another_pipeline_is_refused(org):
    deal_id = new_deal(org)
    with pytest.raises(RuleError, match="another pipeline"):
        with org.db.transaction() as s:
            deals.move_deal(s, deal_id, org.renewal_stages["Review"])


def test_contact_must_belong_to_the_account(org):
    from salesdesk.db.models import Account, Contact

    with org.db.transaction() as s:
        acme, globex = Account(name="Acme"), Account(name="Globex")
        s.add_all([acme, globex])
        s.flush()
        wile = Contact(account_id=acme.id, name="Wile E.")
        s.add(wile)
        s.flush()
        ids = acme.id, globex.id, wile.id
    with pytest.raises(ValidationError, match="not a contact of that account"):
        new_deal(org, account_id=ids[1], contact_id=ids[2])
    assert new_deal(org, account_id=ids[0], contact_id=ids[2])


def test_every_action_leaves_an_audit_row_naming_who(org):
    deal_id = new_deal(org)
    with org.db.transaction() as s:
        deals.edit_deal(s, deal_id, amount="999.99", title="Renamed")
        deals.move_deal(s, deal_id, org.stages["Proposal"])
    with org.db.session() as s:
        rows = s.execute(select(AuditEntry.action, AuditEntry.actor, AuditEntry.details)
                         .where(AuditEntry.entity == "deal", AuditEntry.entity_id == deal_id).order_by(AuditEntry.id)).all()
    assert [r.action for r in rows] == ["create", "edit", "move"]
    assert all(r.actor for r in rows)
    assert '"amount": "999.99"' in rows[1].details


def test_edit_returns_what_it_replaced(org):
    deal_id = new_deal(org, amount="100")
    with org.db.transaction() as s:
        before = deals.edit_deal(s, deal_id, amount="250.50", expected_close=dt.date(2026, 12, 31))
    assert before == {"amount": Decimal("100.00"), "expected_close": None}


def test_delete_then_restore_brings_the_deal_back_whole(org):
    from salesdesk.db.models import Activity

    deal_id = new_deal(org, stage="Proposal")
    with org.db.transaction() as s:
        deals.move_deal(s, deal_id, org.stages["Negotiation"])
        s.add(Activity(subject="Call back", deal_id=deal_id, owner_id=org.people["sp1"], due_on=CLOCK.today()))
    before = dump(org.db)
    with org.db.transaction() as s:
        snapshot = deals.delete_deal(s, deal_id)
    with org.db.session() as s:
        assert s.get(Deal, deal_id) is None
        assert s.execute(text("SELECT count(*) FROM activities")).scalar() == 0
    with org.db.transaction() as s:
        deals.restore_deal(s, snapshot)
    assert dump(org.db) == before


def test_several_deals_move_together_and_undo_together(org):
    ids = [new_deal(org, title=f"D{i}") for i in range(3)]
    before = dump(org.db)
    with org.db.transaction() as s:
        records = deals.move_deals(s, ids, org.stages["Proposal"])
    with org.db.session() as s:
        assert s.scalars(select(Deal.id).where(Deal.stage_id == org.stages["Proposal"]).order_by(Deal.position)).all() == ids
    with org.db.transaction() as s:
        deals.restore_placements(s, records)
    assert dump(org.db) == before


def test_positions_between_neighbours_and_renumbering(org):
    assert deals.positions_between(1.0, 2.0, 1) == [1.5]
    assert deals.positions_between(None, 2.0, 1) == [1.0]
    assert deals.positions_between(3.0, None, 1) == [4.0]
    assert deals.positions_between(1.0, 1.0, 1) is None
    ids = [new_deal(org, title=f"D{i}") for i in range(3)]
    with org.db.transaction() as s:
        deals.move_deal(s, ids[2], org.stages["Contact"], 1.0)  # tie with the first
        deals.renumber_column(s, org.stages["Contact"])
    with org.db.session() as s:
        rows = s.execute(select(Deal.id, Deal.position).where(Deal.stage_id == org.stages["Contact"]).order_by(Deal.position)).all()
    assert [p for _, p in rows] == [1.0, 2.0, 3.0]
    assert {i for i, _ in rows} == set(ids)


def test_a_drop_where_positions_ran_out_renumbers_the_column_and_lands_between_its_neighbours(org):
    a, b, c = (new_deal(org, title=t) for t in "ABC")
    contact = org.stages["Contact"]
    with org.db.transaction() as s:
        deals.move_deal(s, b, contact, 1.0)  # a and b tie: nothing fits between them
        deals.move_deal(s, a, contact, 1.0)
        drop = deals.drop_deals(s, [c], contact, before_id=a, after_id=b)
    assert drop.renumbered
    with org.db.session() as s:
        order = s.scalars(select(Deal.id).where(Deal.stage_id == contact).order_by(Deal.position)).all()
    assert order == [a, c, b]
    assert len(history(org.db, c)) == 1  # a reorder: no stage change written


def test_an_amount_typed_with_another_currency_is_refused_for_the_deals_own(org):
    deal = new_deal(org, amount="1000", currency="USD")
    with org.db.transaction() as s, pytest.raises(ValidationError, match="written with €, but the amount is in USD"):
        deals.edit_deal(s, deal, amount="€ 7")
    with org.db.transaction() as s:
        deals.edit_deal(s, deal, amount="$7")
    with org.db.session() as s:
        assert s.get(Deal, deal).amount == Decimal("7.00")


def test_renumbering_a_column_counts_as_a_write_of_each_deal(org):
    """Issue 14: renumber_column bypassed the version counter and the audit row."""
    ids = [new_deal(org, title=f"R{i}") for i in range(3)]
    with org.db.session() as s:
        versions = dict(s.execute(select(Deal.id, Deal.version).where(Deal.id.in_(ids))).all())
    with org.db.transaction() as s:
        loaded = s.get(Deal, ids[0])  # loaded by the caller: read again, not flushed with an old version
        deals.renumber_column(s, org.stages["Contact"])
        deals.edit_deal(s, ids[0], title="R0 renamed")
        assert (loaded.title, loaded.position) == ("R0 renamed", 1.0)
    with org.db.session() as s:
        after = dict(s.execute(select(Deal.id, Deal.version).where(Deal.id.in_(ids))).all())
        assert all(after[i] > versions[i] for i in ids)
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.action == "renumber")) == "renumber"
        assert s.get(Deal, ids[0]).title == "R0 renamed"


def test_deleting_a_deal_leaves_what_the_caller_loaded_attached(org):
    """Issue 14: delete_deal called expunge_all(), detaching everything the caller had loaded."""
    keep, gone = new_deal(org, title="Keep"), new_deal(org, title="Gone")
    with org.db.transaction() as s:
        kept = s.get(Deal, keep)
        deals.delete_deal(s, gone)
        kept.title = "Kept and renamed"  # still in the session: saved with it
    with org.db.session() as s:
        assert s.get(Deal, keep).title == "Kept and renamed"
        assert s.get(Deal, gone) is None
