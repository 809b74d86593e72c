"""Pipelines and their stages: the stage editor's changes, applied in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from salesdesk.clock import CLOCK
from salesdesk.db.models import Deal, Pipeline, Stage, StageChange
from salesdesk.domain.defaults import DEFAULT_STAGES
from salesdesk.errors import RuleError, ValidationError
from salesdesk.services import audit
from salesdesk.services.snapshots import Rows, forget, put_back, snapshot, table_named


@dataclass
class StagePlan:
    """One row of the stage editor; ``id`` is None for a new stage."""

    id: int | None
    name: str
    probability: int
    stale_days: int | None
    is_won: bool = False


def pipeline_name(session: Session, pipeline_id: int) -> str:
    pipeline = session.get(Pipeline, pipeline_id)
    if pipeline is None:
        from salesdesk.errors import NotFoundError

        raise NotFoundError(f"Pipeline #{pipeline_id} no longer exists")
    return pipeline.name


def plan_of(session: Session, pipeline_id: int) -> list[StagePlan]:
    return [StagePlan(s.id, s.name, s.probability, s.stale_days, s.is_won)
            for s in session.scalars(select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position))]


def deals_in_stage(session: Session, stage_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Deal).where(Deal.stage_id == stage_id)) or 0


def apply_stage_plan(session: Session, pipeline_id: int, plan: list[StagePlan],
                     moves: dict[int, int] | None = None) -> None:
    """Make the pipeline's stages what the editor shows.

    ``moves`` maps each removed stage that still holds deals to the stage (an existing
    id, or the index of a new row as a negative number -1-index) taking its deals.
    """
    moves = moves or {}
    names = [p.name.strip() for p in plan]
    if not plan:
        raise ValidationError("stages", "A pipeline needs at least one stage")
    for row, p in enumerate(plan, 1):
        if not p.name.strip():
            raise ValidationError("name", f"Stage {row} needs a name")
        if not 0 <= p.probability <= 100:
            raise ValidationError("probability", f"{p.name}: a probability is between 0 and 100 percent")
        if p.stale_days is not None and p.stale_days <= 0:
            raise ValidationError("stale_days", f"{p.name}: a stale limit is a number of days above 0")
    lowered = [n.lower() for n in names]
    duplicate = next((n for n in names if lowered.count(n.lower()) > 1), None)
    if duplicate:
        raise ValidationError("name", f"Two stages are called {duplicate}")
    if not any(not p.is_won for p in plan):
        raise ValidationError("stages", "A pipeline needs at least one open stage")

    existing = {s.id: s for s in session.scalars(select(Stage).where(Stage.pipeline_id == pipeline_id))}
    kept = {p.id for p in plan if p.id is not None}
    removed = [s for sid, s in existing.items() if sid not in kept]
    # Park every stage's position and name out of the way, so renames and reorders
    # cannot collide with the unique (pipeline, name) constraint half-way.
    for stage in existing.values():
        stage.name = f"\x00{stage.id}"
        stage.position = -stage.id
    session.flush()
    ids: list[int] = []
    for position, p in enumerate(plan):
        if p.id is None:
            stage = Stage(pipeline_id=pipeline_id, name=p.name.strip(), position=position,
                          probability=p.probability, stale_days=p.stale_days, is_won=p.is_won)
            session.add(stage)
            session.flush()
            audit.record(session, "create", "stage", stage.id, name=stage.name)
        else:
            stage = existing[p.id]
            stage.name, stage.position = p.name.strip(), position
            stage.probability, stage.stale_days, stage.is_won = p.probability, p.stale_days, p.is_won
            audit.record(session, "edit", "stage", stage.id, name=stage.name, position=position,
                         probability=p.probability, stale_days=p.stale_days)
        ids.append(stage.id)
    session.flush()
    for stage in removed:
        if deals_in_stage(session, stage.id):
            target = moves.get(stage.id)
            if target is None:
                raise RuleError(f"Choose the stage that takes the deals of “{existing[stage.id].name}” first")
            target_id = ids[-1 - target] if target < 0 else target
            if target_id not in ids:
                raise RuleError("The deals of a removed stage must go to a stage of the same pipeline")
            session.execute(update(Deal).where(Deal.stage_id == stage.id).values(stage_id=target_id))
        session.execute(update(StageChange).where(StageChange.from_stage_id == stage.id).values(from_stage_id=None))
        session.execute(update(StageChange).where(StageChange.to_stage_id == stage.id).values(to_stage_id=None))
        audit.record(session, "delete", "stage", stage.id, moved_to=moves.get(stage.id))
        session.delete(stage)
    session.flush()
    _sync_status_with_stages(session, pipeline_id)


def _sync_status_with_stages(session: Session, pipeline_id: int) -> None:
    """A stage that became (or stopped being) a won stage changes its deals' status."""

    won = select(Stage.id).where(Stage.pipeline_id == pipeline_id, Stage.is_won.is_(True))
    session.execute(update(Deal).where(Deal.pipeline_id == pipeline_id, Deal.status == "open", Deal.stage_id.in_(won))
                    .values(status="won", won_on=CLOCK.today()))
    session.execute(update(Deal).where(Deal.pipeline_id == pipeline_id, Deal.status == "won", Deal.stage_id.not_in(won))
                    .values(status="open", won_on=None))


def add_pipeline(session: Session, name: str) -> int:
    name = (name or "").strip()
    if not name:
        raise ValidationError("name", "A pipeline needs a name")
    if session.scalar(select(Pipeline.id).where(func.lower(Pipeline.name) == name.lower())) is not None:
        raise ValidationError("name", f"There is already a pipeline called {name}")
    position = (session.scalar(select(func.max(Pipeline.position))) or 0) + 1
    pipeline = Pipeline(name=name, position=position)
    session.add(pipeline)
    session.flush()
    session.add_all(Stage(pipeline_id=pipeline.id, name=s.name, position=i, probability=s.probability,
                          stale_days=s.stale_days, is_won=s.is_won) for i, s in enumerate(DEFAULT_STAGES))
    audit.record(session, "create", "pipeline", pipeline.id, name=name)
    return pipeline.id


def rename_pipeline(session: Session, pipeline_id: int, name: str) -> None:
    name = (name or "").strip()
    if not name:
        raise ValidationError("name", "A pipeline needs a name")
    clash = session.scalar(select(Pipeline.id).where(func.lower(Pipeline.name) == name.lower(), Pipeline.id != pipeline_id))
    if clash is not None:
        raise ValidationError("name", f"There is already a pipeline called {name}")
    pipeline = session.get(Pipeline, pipeline_id)
    assert pipeline is not None  # renamed from the board that shows it
    pipeline.name = name
    audit.record(session, "edit", "pipeline", pipeline_id, name=name)


# -- the stage editor's Save as one undoable change ---------------------------------------

_STAGE_COLUMNS = ("pipeline_id", "name", "position", "probability", "stale_days", "is_won")


@dataclass(frozen=True)
class StagesBefore:
    """A pipeline as it was before the stage editor's change: its name, every stage,
    and the deals and history rows the change can touch (those of removed stages and of
    stages that became, or stopped being, won stages)."""

    pipeline_id: int
    name: str
    stages: Rows
    deals: Rows
    history: Rows


def edit_stages(session: Session, pipeline_id: int, plan: list[StagePlan], moves: dict[int, int] | None = None,
                name: str | None = None) -> StagesBefore:
    """``apply_stage_plan`` and a new name for the pipeline, returning what undo needs."""
    stages = table_named("stages")
    existing = {s.id: s for s in plan_of(session, pipeline_id)}
    kept = {p.id: p for p in plan if p.id is not None}
    touched = [sid for sid, s in existing.items() if sid not in kept or kept[sid].is_won != s.is_won]
    history = table_named("stage_changes")
    before = StagesBefore(
        pipeline_id, pipeline_name(session, pipeline_id),
        snapshot(session, stages, _STAGE_COLUMNS, stages.c.pipeline_id == pipeline_id),
        snapshot(session, table_named("deals"), ("stage_id", "status", "won_on"),
                 table_named("deals").c.stage_id.in_(touched)),
        snapshot(session, history, ("from_stage_id", "to_stage_id"),
                 history.c.from_stage_id.in_(touched) | history.c.to_stage_id.in_(touched)))
    apply_stage_plan(session, pipeline_id, plan, moves)
    if name is not None and name.strip() != before.name:
        rename_pipeline(session, pipeline_id, name)
    return before


def restore_stages(session: Session, before: StagesBefore) -> None:
    """Undo ``edit_stages``: removed stages come back with their ids, their deals and
    history rows with them; new stages go; names, order and probabilities are as before."""
    stages = table_named("stages")
    now = set(session.scalars(select(Stage.id).where(Stage.pipeline_id == before.pipeline_id)))
    old = {row["id"]: row for row in before.stages}
    # Names and positions out of the way first: the (pipeline, name) pair is unique.
    put_back(session, stages, tuple({"id": i, "name": f"\x00{i}", "position": -i} for i in sorted(now)))
    gone = [row for i, row in old.items() if i not in now]
    if gone:
        session.execute(insert(stages), list(gone))
    put_back(session, table_named("deals"), before.deals)
    put_back(session, table_named("stage_changes"), before.history)
    added = sorted(now - old.keys())
    if added:
        session.execute(delete(stages).where(stages.c.id.in_(added)))
    put_back(session, stages, tuple(row for i, row in old.items() if i in now))
    session.execute(update(Pipeline).where(Pipeline.id == before.pipeline_id).values(name=before.name))
    forget(session, Stage, [*now, *old])
    forget(session, Deal, [row["id"] for row in before.deals])
    forget(session, Pipeline, [before.pipeline_id])
    audit.record(session, "undo", "pipeline", before.pipeline_id, stages=len(old))


def remove_pipeline(session: Session, pipeline_id: int) -> None:
    """Undo ``add_pipeline``: a pipeline that holds no deals goes, with its stages."""
    if session.scalar(select(func.count()).select_from(Deal).where(Deal.pipeline_id == pipeline_id)):
        raise RuleError("The pipeline holds deals now; it stays")
    session.execute(delete(Stage).where(Stage.pipeline_id == pipeline_id))
    session.execute(delete(Pipeline).where(Pipeline.id == pipeline_id))
    forget(session, Pipeline, [pipeline_id], deleted=True)
    audit.record(session, "delete", "pipeline", pipeline_id)
