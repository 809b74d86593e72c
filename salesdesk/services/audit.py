"""Audit rows: who changed what, written in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from salesdesk.db.models import AuditEntry


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def record(session: Session, action: str, entity: str, entity_id: int | None, **details) -> None:
    # A Core insert on the session's connection, at once: an ORM object would cost every
    # change a unit-of-work flush at commit (a third of a millisecond of a board drop).
    session.connection().execute(insert(AuditEntry).values(
        actor=session.info.get("actor"),
        action=action,
        entity=entity,
        entity_id=entity_id,
        details=json.dumps({k: _plain(v) for k, v in details.items()}, sort_keys=True) if details else None,
    ))


def edit(session: Session, row, entity: str, changes: dict) -> dict:
    """Set ``changes`` on a loaded ``row``, flush, and record the values that really
    changed; returns the values before (setting them back undoes the edit)."""
    before = {key: getattr(row, key) for key in changes}
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    record(session, "edit", entity, row.id, **{k: v for k, v in changes.items() if before[k] != v})
    return before
