"""The list of won and lost deals and reopening them (services, real SQLite)."""

from __future__ import annotations

from sqlalchemy import select

from salesdesk.db.models import Deal, LostReason, Role, Stage, StageChange
from salesdesk.services import deals
from salesdesk.services.board import BoardFilter
from salesdesk.services.closed_deals import closed_deals, open_stages, reopen_deals
from salesdesk.services import people
from tests.conftest import dump


def _company(db):
    with db.transaction() as s:
        roles = {r.name: r.id for r in s.scalars(select(Role))}
        ann = people.add_person(s, name="Ann Seller", role_id=roles["VP Sales"], manager_id=None)
        bob = people.add_person(s, name="Bob Seller", role_id=roles["Salesperson"], manager_id=ann)
        stages = list(s.scalars(select(Stage).where(Stage.pipeline_id == 1).order_by(Stage.position)))
        open_ids = [st.id for st in stages if not st.is_won]
        won = next(st.id for st in stages if st.is_won)
        reason = s.scalar(select(LostReason.id))
        lost = deals.create_deal(s, title="Lost to rival", owner_id=ann, stage_id=open_ids[3], amount="1200")
        deals.mark_lost(s, lost, reason, "Chose the incumbent")
        win = deals.create_deal(s, title="Big win", owner_id=bob, stage_id=open_ids[2], amount="5000")
        deals.move_deal(s, win, won)
        deals.create_deal(s, title="Still open", owner_id=ann, stage_id=open_ids[0])
    return dict(ann=ann, bob=bob, lost=lost, win=win, open_ids=open_ids, won=won, reason=reason)


def test_lists_won_and_lost_with_reason_and_the_stage_to_go_back_to(db):
    c = _company(db)
    with db.read() as reader:
        rows = {r.title: r for r in closed_deals(reader, 1)}
        assert set(rows) == {"Lost to rival", "Big win"}
        lost, win = rows["Lost to rival"], rows["Big win"]
        assert lost.status == "lost" and "Chose the incumbent" in lost.reason and lost.amount_cents == 120000
        assert lost.reopen_stage_id == c["open_ids"][3] and lost.closed_on is not None
        assert win.status == "won" and win.reopen_stage_id == c["open_ids"][2] and win.stage_id == c["won"]
        assert [r.title for r in closed_deals(reader, 1, statuses=("lost",))] == ["Lost to rival"]
        assert [r.title for r in closed_deals(reader, 1, BoardFilter(owner_id=c["bob"]))] == ["Big win"]
        # the board's search is about open deals: the list keeps its own
        assert len(closed_deals(reader, 1, BoardFilter(text="nothing like it"))) == 2
        assert all(not s.is_won for s in open_stages(reader, 1))


def test_reopening_several_is_one_transaction_and_undo_restores_them_exactly(db):
    c = _company(db)
    before = dump(db)
    target = c["open_ids"][1]
    with db.transaction() as s:
        records = reopen_deals(s, [c["lost"], c["win"]], target, by_id=c["ann"])
    with db.session() as s:
        for deal_id in (c["lost"], c["win"]):
            deal = s.get(Deal, deal_id)
            assert deal.status == "open" and deal.stage_id == target
            assert deal.lost_reason_id is None and deal.won_on is None
        changes = s.scalars(select(StageChange).where(StageChange.to_stage_id == target)).all()
        assert {ch.deal_id for ch in changes} == {c["lost"], c["win"]}
        assert {ch.changed_by_id for ch in changes} == {c["ann"]}
    with db.transaction() as s:
        deals.restore_placements(s, records)
    assert dump(db) == before
