"""The reference data every database starts with: roles, pipelines, lost reasons."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdesk.db.models import LostReason, Pipeline, Role, Setting, Stage
from salesdesk.domain import defaults


def ensure_reference_data(session: Session) -> None:
    """Fill a new database with the default ladder, pipelines and reasons (idempotent)."""
    if session.scalar(select(func.count()).select_from(Role)) == 0:
        session.add_all(Role(name=name, rank=rank) for rank, name in enumerate(defaults.DEFAULT_ROLES, 1))
    if session.scalar(select(func.count()).select_from(Pipeline)) == 0:
        for position, (name, stages) in enumerate(
            [(defaults.DEFAULT_PIPELINE, defaults.DEFAULT_STAGES), (defaults.RENEWALS_PIPELINE, defaults.RENEWAL_STAGES)]
        ):
            pipeline = Pipeline(name=name, position=position)
            session.add(pipeline)
            session.flush()
            session.add_all(
                Stage(
                    pipeline_id=pipeline.id,
                    name=s.name,
                    position=i,
                    probability=s.probability,
                    stale_days=s.stale_days,
                    is_won=s.is_won,
                )
                for i, s in enumerate(stages)
            )
    if session.scalar(select(func.count()).select_from(LostReason)) == 0:
        session.add_all(LostReason(name=n, position=i) for i, n in enumerate(defaults.DEFAULT_LOST_REASONS))
    if session.get(Setting, "currency") is None:
        session.add(Setting(key="currency", value=defaults.DEFAULT_CURRENCY))
    if session.get(Setting, "company") is None:
        session.add(Setting(key="company", value="My company"))


def setting(session: Session, key: str, default: str = "") -> str:
    row = session.get(Setting, key)
    return row.value if row else default


def set_setting(session: Session, key: str, value: str) -> None:
    session.merge(Setting(key=key, value=value))
