"""The reference data every database starts with: roles, pipelines, lost reasons, settings."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from salesdesk.db.models import LostReason, Pipeline, Role, Setting, Stage
from salesdesk.domain import defaults


def has_reference_data(session: Session) -> bool:
    """Whether any of the reference data is there (a role, a pipeline, a lost reason).
    Settings do not count: a migration writes one (the database's reference) before this."""
    return any(session.scalar(select(exists().select_from(table))) for table in (Role, Pipeline, LostReason))


def ensure_reference_data(session: Session) -> bool:
    """Give a database without any reference data the default ladder, pipelines, lost
    reasons and the settings it lacks; True when it did.

    Reference data belongs to a database's creation: a database that has some keeps
    what its users made of it (every lost reason deleted stays deleted), so this fills
    only a new database, or one whose creation stopped before this step.
    """
    if has_reference_data(session):
        return False
    session.add_all(Role(name=name, rank=rank) for rank, name in enumerate(defaults.DEFAULT_ROLES, 1))
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
    session.add_all(LostReason(name=n, position=i) for i, n in enumerate(defaults.DEFAULT_LOST_REASONS))
    for key, value in (("currency", defaults.DEFAULT_CURRENCY), ("company", "My company")):
        if session.get(Setting, key) is None:
            session.add(Setting(key=key, value=value))
    return True


def setting(session: Session, key: str, default: str = "") -> str:
    row = session.get(Setting, key)
    return row.value if row else default


def set_setting(session: Session, key: str, value: str) -> None:
    session.merge(Setting(key=key, value=value))
