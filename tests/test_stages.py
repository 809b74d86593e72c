"""The stage editor's Save is one undoable change: undo puts the pipeline back exactly,
removed stages with their ids, deals and history, new stages gone; redo does it again."""

from __future__ import annotations

from sqlalchemy import select

from salesdesk.db.models import Deal, Stage
from salesdesk.services import deals, stages
from tests.conftest import dump


def make_deal(org, stage: str, title: str) -> int:
    with org.db.transaction() as s:
        return deals.create_deal(s, title=title, owner_id=org.people["sp1"], stage_id=org.stages[stage], amount="1000")


def the_edit(org) -> tuple[list[stages.StagePlan], dict[int, int]]:
    """Rename the first stage, drop "Contact" (its deals to a new stage), make the
    stage before "Deal" a won stage, and add "Pilot" at the end."""
    with org.db.session() as s:
        plan = stages.plan_of(s, 1)
    contact = next(p for p in plan if p.name == "Contact")
    kept = [p for p in plan if p.id != contact.id]
    kept[0] = stages.StagePlan(kept[0].id, "First call", kept[0].probability, kept[0].stale_days, kept[0].is_won)
    won_at = next(i for i, p in enumerate(kept) if p.is_won) - 1
    p = kept[won_at]
    kept[won_at] = stages.StagePlan(p.id, p.name, p.probability, p.stale_days, True)
    kept.append(stages.StagePlan(None, "Pilot", 40, None))
    return kept, {contact.id: -len(kept)}  # -1 - index of "Pilot"


def test_undo_of_a_stage_edit_puts_the_pipeline_back_exactly_and_redo_does_it_again(org):
    contact_deal = make_deal(org, "Contact", "Moves with its stage")
    with org.db.session() as s:
        plan = stages.plan_of(s, 1)
    before_won = next(i for i, p in enumerate(plan) if p.is_won) - 1
    becomes_won = make_deal(org, plan[before_won].name, "Won by the edit")
    with org.db.transaction() as s:
        deals.move_deal(s, contact_deal, org.stages["Contact"])  # history names the stage
    before = dump(org.db)
    plan, moves = the_edit(org)
    with org.db.transaction() as s:
        undo = stages.edit_stages(s, 1, plan, moves, name="Sales 2027")
    with org.db.session() as s:
        pilot = s.scalar(select(Stage.id).where(Stage.name == "Pilot"))
        assert s.get(Deal, contact_deal).stage_id == pilot
        assert s.get(Deal, becomes_won).status == "won"
        assert stages.pipeline_name(s, 1) == "Sales 2027"
    with org.db.transaction() as s:
        stages.restore_stages(s, undo)
    assert dump(org.db) == before
    with org.db.transaction() as s:  # redo: the same plan again
        stages.edit_stages(s, 1, plan, moves, name="Sales 2027")
    with org.db.session() as s:
        names = [p.name for p in stages.plan_of(s, 1)]
    assert names[0] == "First call" and "Contact" not in names and names[-1] == "Pilot"


def test_undo_of_a_new_pipeline_removes_it_unless_it_holds_deals_by_then(org):
    import pytest

    from salesdesk.errors import RuleError

    before = dump(org.db)
    with org.db.transaction() as s:
        pipeline_id = stages.add_pipeline(s, "Renewals 2027")
    with org.db.transaction() as s:
        stages.remove_pipeline(s, pipeline_id)
    assert dump(org.db) == before
    with org.db.transaction() as s:
        pipeline_id = stages.add_pipeline(s, "Renewals 2027")
        first = stages.plan_of(s, pipeline_id)[0].id
        deals.create_deal(s, title="In it", owner_id=org.people["sp1"], stage_id=first)
    with pytest.raises(RuleError, match="holds deals"), org.db.transaction() as s:
        stages.remove_pipeline(s, pipeline_id)
