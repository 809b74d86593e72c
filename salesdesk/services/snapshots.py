"""Rows as they were before a change, and putting them back: what the undo of a change
made with Core statements (many rows at once) needs, for people, branches and roles.

A Core statement bypasses the session's loaded objects, so every change made this way
is followed by ``forget`` of the rows it touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, select
from sqlalchemy.orm import Session

from salesdesk.db.models import Base

Rows = tuple[dict, ...]
"""Some columns (always with ``id``) of some rows, as they were before a change."""


def table_named(name: str) -> Table:
    return Base.metadata.tables[name]


def snapshot(session: Session, table: Table, columns: tuple[str, ...], where: ColumnElement[bool]) -> Rows:
    """``id`` and ``columns`` of the rows of ``table`` matching ``where``."""
    selected = [table.c.id, *(table.c[name] for name in columns)]
    return tuple(dict(row._mapping) for row in session.execute(select(*selected).where(where).order_by(table.c.id)))


def put_back(session: Session, table: Table, rows: Rows) -> None:
    """Write the columns of ``rows`` back, by id (one statement for all rows)."""
    if not rows:
        return
    names = [name for name in rows[0] if name != "id"]
    values: dict[str, ColumnElement[Any]] = {name: bindparam(f"v_{name}") for name in names}
    if "version" in table.c:
        values["version"] = table.c.version + 1
    session.execute(
        table.update().where(table.c.id == bindparam("v_id")).values(**values),
        [{f"v_{key}": value for key, value in row.items()} for row in rows],
    )


def forget(session: Session, model: type[Base], ids: Iterable[int], *, deleted: bool = False) -> None:
    """Rows changed (or deleted) by Core statements: drop any loaded copy from the session."""
    for row_id in ids:
        loaded = session.identity_map.get(session.identity_key(model, row_id))
        if loaded is not None:
            if deleted:
                session.expunge(loaded)
            else:
                session.expire(loaded)
