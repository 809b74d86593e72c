"""The role ladder people are placed on, senior first: add, rename, reorder, delete.

Every change takes the caller's ``Session``, writes its audit row, and returns what its
undo needs: ``add_role`` <-> ``delete_role`` / ``restore_role``; ``rename_role`` returns
the old name; ``reorder_roles`` the previous order (reorder back).  A reorder that would
put a manager below one of their reports is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, case, delete, func, insert, select
from sqlalchemy.orm import Session

from salesdesk.db.models import Person, Role
from salesdesk.domain.wording import counted
from salesdesk.errors import NotFoundError, RuleError, ValidationError
from salesdesk.services import audit
from salesdesk.services.snapshots import forget, table_named


def _role_name(session: Session, name: str | None, role_id: int | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("name", "A role needs a name")
    if len(name) > 80:
        raise ValidationError("name", "A role name can be at most 80 characters long")
    clash = session.scalar(select(Role.id).where(func.lower(Role.name) == name.lower(), Role.id != (role_id or 0)))
    if clash is not None:
        raise ValidationError("name", f"There is already a role called {name}")
    return name


def _ladder(session: Session) -> list[tuple[int, int]]:
    """(role id, rank), senior first."""
    return [(rid, rank) for rid, rank in session.execute(select(Role.id, Role.rank).order_by(Role.rank, Role.id))]


def _set_ranks(session: Session, ranks: dict[int, int]) -> None:
    """Give roles new ranks; ``roles.rank`` is unique, so park them below zero first."""
    if not ranks:
        return
    session.flush()
    roles = table_named("roles")
    statement = roles.update().where(roles.c.id == bindparam("v_id")).values(rank=bindparam("v_rank"))
    session.execute(statement, [{"v_id": rid, "v_rank": -n} for n, rid in enumerate(ranks, 1)])
    session.execute(statement, [{"v_id": rid, "v_rank": rank} for rid, rank in ranks.items()])
    forget(session, Role, ranks)


def rename_role(session: Session, role_id: int, name: str) -> str:
    """Rename a role; returns the old name (rename back to undo)."""
    role = session.get(Role, role_id)
    if role is None:
        raise NotFoundError(f"Role #{role_id} no longer exists")
    name = _role_name(session, name, role_id)
    old = role.name
    if name != old:
        role.name = name
        session.flush()
        audit.record(session, "rename", "role", role_id, name=name, previous_name=old)
    return old


def add_role(session: Session, name: str, rank_position: int) -> int:
    """A new role at ``rank_position`` in the ladder (1: the most senior; one more than
    the number of roles: the most junior); the roles from there down move one step down.

    Returns its id.  Undo: ``delete_role``; redo: ``restore_role``.
    """
    name = _role_name(session, name, None)
    ladder = _ladder(session)
    if not 1 <= rank_position <= len(ladder) + 1:
        raise ValidationError("rank", f"A new role goes at a place from 1 (most senior) to {len(ladder) + 1}")
    rank = ladder[rank_position - 1][1] if rank_position <= len(ladder) else (ladder[-1][1] + 1 if ladder else 1)
    _set_ranks(session, {rid: r + 1 for rid, r in ladder if r >= rank})
    role = Role(name=name, rank=rank)
    session.add(role)
    session.flush()
    audit.record(session, "create", "role", role.id, name=name, rank=rank)
    return role.id


@dataclass(frozen=True)
class DeletedRole:
    """A deleted role: its row, for ``restore_role``."""

    id: int
    name: str
    rank: int


def delete_role(session: Session, role_id: int) -> DeletedRole:
    """Delete a role nobody holds; the roles below it move one step up."""
    role = session.get(Role, role_id)
    if role is None:
        raise NotFoundError(f"Role #{role_id} no longer exists")
    active_one = case((Person.active.is_(True), 1), else_=0)
    holders, active = session.execute(
        select(func.count(), func.coalesce(func.sum(active_one), 0)).where(Person.role_id == role_id)).one()
    if holders:
        who = counted(holders, "person", "people")
        if holders != active:
            who += f" ({int(holders - active)} of them inactive)"
        raise RuleError(f"{who} {'holds' if holders == 1 else 'hold'} the role {role.name}; "
                        f"give them another role before deleting it")
    if session.scalar(select(func.count()).select_from(Role)) == 1:
        raise RuleError("The ladder needs at least one role")
    deleted = DeletedRole(role.id, role.name, role.rank)
    session.flush()
    forget(session, Role, [role_id], deleted=True)
    session.execute(delete(table_named("roles")).where(table_named("roles").c.id == role_id))
    _set_ranks(session, {rid: r - 1 for rid, r in _ladder(session) if r > deleted.rank})
    audit.record(session, "delete", "role", role_id, name=deleted.name, rank=deleted.rank)
    return deleted


def restore_role(session: Session, deleted: DeletedRole) -> None:
    """Undo ``delete_role`` (or redo ``add_role``): the role back at its rank, with its id."""
    _set_ranks(session, {rid: r + 1 for rid, r in _ladder(session) if r >= deleted.rank})
    session.execute(insert(table_named("roles")), [{"id": deleted.id, "name": deleted.name, "rank": deleted.rank}])
    audit.record(session, "restore", "role", deleted.id, name=deleted.name, rank=deleted.rank)


def reorder_roles(session: Session, role_ids_senior_first: list[int]) -> list[int]:
    """Put the ladder in a new order; returns the previous order (reorder back to undo).

    Refused when an active manager would no longer hold a more senior role than one
    of their active reports.
    """
    ladder = _ladder(session)
    previous = [rid for rid, _ in ladder]
    order = list(role_ids_senior_first)
    if sorted(order) != sorted(previous):
        raise ValueError("the new order must list every role exactly once")
    if order == previous:
        return previous
    new_rank = {rid: rank for rid, rank in zip(order, sorted(rank for _, rank in ladder))}
    report, manager = Person.__table__.alias("report"), Person.__table__.alias("manager")
    pairs = session.execute(
        select(manager.c.role_id, report.c.role_id).distinct()
        .select_from(report).join(manager, manager.c.id == report.c.manager_id)
        .where(report.c.active.is_(True), manager.c.active.is_(True))
    ).all()
    broken = sorted((new_rank[m], new_rank[r], m, r) for m, r in pairs if new_rank[m] >= new_rank[r])
    if broken:
        _, _, manager_role, report_role = broken[0]
        mrole, rrole = Role.__table__.alias("mrole"), Role.__table__.alias("rrole")
        example = session.execute(
            select(manager.c.name, mrole.c.name, report.c.name, rrole.c.name)
            .select_from(report).join(manager, manager.c.id == report.c.manager_id)
            .join(mrole, mrole.c.id == manager.c.role_id)
            .join(rrole, rrole.c.id == report.c.role_id)
            .where(report.c.active.is_(True), manager.c.active.is_(True),
                   manager.c.role_id == manager_role, report.c.role_id == report_role)
            .order_by(manager.c.name, report.c.name).limit(1)
        ).one()
        raise RuleError(f"{example[0]} ({example[1]}) would no longer be senior to {example[2]} ({example[3]}); "
                        f"a manager must hold a more senior role")
    _set_ranks(session, new_rank)
    audit.record(session, "reorder", "role", None, order=order, previous_order=previous)
    return previous
