"""The branches (territories) people are placed in: add, edit, close or reopen, delete.

Every change takes the caller's ``Session``, writes its audit row, and returns what its
undo needs: ``add_branch`` <-> ``delete_branch`` / ``restore_branch``; ``edit_branch``
(``rename_branch``) returns the previous values; ``set_branch_active`` whether the
branch was open.  Moving a team to a branch is a move of people (``services.people``).
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from salesdesk.db.models import Branch, Budget, Expense, Person
from salesdesk.domain.wording import counted, listed
from salesdesk.errors import NotFoundError, RuleError, ValidationError
from salesdesk.services import audit
from salesdesk.services.snapshots import forget, table_named


def check_open(session: Session, branch_id: int | None) -> None:
    """A person can be placed in an open branch (or in none)."""
    if branch_id is None:
        return
    branch = session.get(Branch, branch_id)
    if branch is None:
        raise ValidationError("branch", f"Branch #{branch_id} does not exist")
    if not branch.active:
        raise ValidationError("branch", f"{branch.name} is closed; reopen it before placing people in it")


def _branch(session: Session, branch_id: int) -> Branch:
    branch = session.get(Branch, branch_id)
    if branch is None:
        raise NotFoundError(f"Branch #{branch_id} no longer exists")
    return branch


def _branch_name(session: Session, name: str | None, branch_id: int | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("name", "A branch needs a name")
    if len(name) > 120:
        raise ValidationError("name", "A branch name can be at most 120 characters long")
    clash = session.scalar(
        select(Branch.id).where(func.lower(Branch.name) == name.lower(), Branch.id != (branch_id or 0)))
    if clash is not None:
        raise ValidationError("name", f"There is already a branch called {name}")
    return name


def add_branch(session: Session, name: str, city: str | None = None, region: str | None = None) -> int:
    """A new branch; undo: ``delete_branch``, redo: ``restore_branch``."""
    name = _branch_name(session, name, None)
    branch = Branch(name=name, city=(city or "").strip() or None, region=(region or "").strip() or None)
    session.add(branch)
    session.flush()
    audit.record(session, "create", "branch", branch.id, name=name)
    return branch.id


def edit_branch(session: Session, branch_id: int, **changes) -> dict:
    """Change a branch's name, city or region; returns the previous values (edit them back)."""
    unknown = set(changes) - {"name", "city", "region"}
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    branch = _branch(session, branch_id)
    if "name" in changes:
        changes["name"] = _branch_name(session, changes["name"], branch_id)
    for key in ("city", "region"):
        if key in changes:
            changes[key] = (changes[key] or "").strip() or None
            if changes[key] and len(changes[key]) > 120:
                raise ValidationError(key, f"A {key} can be at most 120 characters long")
    return audit.edit(session, branch, "branch", changes)


def rename_branch(session: Session, branch_id: int, name: str) -> str:
    """Rename a branch; returns the old name (rename back to undo)."""
    return edit_branch(session, branch_id, name=name)["name"]


def set_branch_active(session: Session, branch_id: int, active: bool) -> bool:
    """Close or reopen a branch; returns whether it was open (set it back to undo).

    A branch where active people still work cannot be closed.
    """
    branch = _branch(session, branch_id)
    was = branch.active
    if was == active:
        return was
    if not active:
        staff = session.scalar(select(func.count()).select_from(Person)
                               .where(Person.branch_id == branch_id, Person.active.is_(True)))
        if staff:
            raise RuleError(f"{counted(staff, 'active person', 'active people')} still "
                            f"{'works' if staff == 1 else 'work'} in {branch.name}; "
                            f"move them to another branch before closing it")
    branch.active = active
    session.flush()
    audit.record(session, "open" if active else "close", "branch", branch_id, name=branch.name)
    return was


def delete_branch(session: Session, branch_id: int) -> dict:
    """Delete a branch nobody and nothing refers to; returns its row for ``restore_branch``."""
    branch = _branch(session, branch_id)
    uses = []
    for what, model, column in (("person", Person, Person.branch_id), ("budget", Budget, Budget.branch_id),
                                ("expense", Expense, Expense.branch_id)):
        count = session.scalar(select(func.count()).select_from(model).where(column == branch_id))
        if count:
            uses.append(counted(count, what, "people" if what == "person" else None))
    if uses:
        raise RuleError(f"{branch.name} is still used by {listed(uses)}; close it instead to keep them")
    session.flush()
    table = table_named("branches")
    row = dict(session.execute(select(table).where(table.c.id == branch_id)).one()._mapping)
    forget(session, Branch, [branch_id], deleted=True)
    session.execute(delete(table).where(table.c.id == branch_id))
    audit.record(session, "delete", "branch", branch_id, name=row["name"])
    return row


def restore_branch(session: Session, row: dict) -> None:
    """Undo ``delete_branch`` (or redo ``add_branch``): the row comes back with its id."""
    session.execute(insert(table_named("branches")), [row])
    audit.record(session, "restore", "branch", row["id"], name=row["name"])

