"""The sales hierarchy: hire, edit, move and deactivate people under the rules."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from salesdesk.db.models import Branch, Person, Role
from salesdesk.domain import hierarchy
from salesdesk.errors import NotFoundError, RuleError, ValidationError
from salesdesk.services import audit

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EDITABLE = ("name", "email", "phone", "hire_date", "role_id", "branch_id", "active", "external_id")


def _get(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError(f"Person #{person_id} no longer exists")
    return person


def _role(session: Session, role_id: int) -> Role:
    role = session.get(Role, role_id)
    if role is None:
        raise ValidationError("role", f"Role #{role_id} does not exist")
    return role


def _managers(session: Session) -> dict[int, int | None]:
    return {pid: mid for pid, mid in session.execute(select(Person.id, Person.manager_id))}


def _names(session: Session, *ids: int | None) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    return {pid: name for pid, name in session.execute(select(Person.id, Person.name).where(Person.id.in_(wanted)))}


def _validate_fields(session: Session, person_id: int | None, name, email, phone) -> None:
    if name is not None and not name.strip():
        raise ValidationError("name", "A person needs a name")
    if email:
        if not EMAIL_RE.match(email):
            raise ValidationError("email", f"{email!r} is not an email address")
        clash = session.scalar(select(Person.id).where(func.lower(Person.email) == email.lower(), Person.id != (person_id or 0)))
        if clash is not None:
            raise ValidationError("email", f"{email} is already used by {_names(session, clash)[clash]}")
    if phone and not re.fullmatch(r"[0-9+()./\- ]{3,40}", phone):
        raise ValidationError("phone", f"{phone!r} is not a phone number")


def _check_manager(session: Session, person_name: str, role: Role, manager_id: int | None, person_id: int | None) -> Person | None:
    """The manager this person may have, or a ``RuleError`` naming the broken rule."""
    if manager_id is None:
        top = session.scalar(
            select(Person).where(Person.manager_id.is_(None), Person.active.is_(True), Person.id != (person_id or 0))
        )
        if top is not None:
            raise RuleError(
                f"{top.name} is already the top of the organisation; {person_name} needs a manager"
            )
        return None
    if manager_id == person_id:
        raise RuleError(f"{person_name} cannot be their own manager")
    manager = session.get(Person, manager_id)
    if manager is None:
        raise NotFoundError(f"Person #{manager_id} no longer exists")
    if not manager.active:
        raise RuleError(f"{manager.name} is no longer active and cannot manage anyone")
    manager_role = session.get(Role, manager.role_id)
    hierarchy.check_seniority(person_name, role.rank, manager.name, manager_role.rank, manager_role.name)
    if person_id is not None:
        managers = _managers(session)
        hierarchy.check_no_cycle(person_id, manager_id, managers, _names(session, person_id, manager_id))
    return manager


def _check_reports_junior(session: Session, person: Person, role: Role) -> None:
    senior = session.execute(
        select(Person.name, Role.name)
        .join(Role, Person.role_id == Role.id)
        .where(Person.manager_id == person.id, Person.active.is_(True), Role.rank <= role.rank)
        .limit(1)
    ).first()
    if senior:
        raise RuleError(
            f"{person.name} cannot become {role.name}: {senior[0]} ({senior[1]}) reports to them "
            f"and a manager must hold a more senior role"
        )


def add_person(
    session: Session,
    *,
    name: str,
    role_id: int,
    manager_id: int | None,
    branch_id: int | None = None,
    email: str | None = None,
    phone: str | None = None,
    hire_date: dt.date | None = None,
    external_id: str | None = None,
) -> int:
    """Hire a person under ``manager_id``; their branch defaults to the manager's."""
    name = (name or "").strip()
    email = (email or "").strip() or None
    _validate_fields(session, None, name, email, phone)
    role = _role(session, role_id)
    manager = _check_manager(session, name, role, manager_id, None)
    if branch_id is None and manager is not None:
        branch_id = manager.branch_id
    elif branch_id is not None and session.get(Branch, branch_id) is None:
        raise ValidationError("branch", f"Branch #{branch_id} does not exist")
    person = Person(
        name=name, role_id=role_id, manager_id=manager_id, branch_id=branch_id,
        email=email, phone=phone or None, hire_date=hire_date, external_id=external_id,
    )
    session.add(person)
    session.flush()
    audit.record(session, "hire", "person", person.id, name=name, role_id=role_id, manager_id=manager_id, branch_id=branch_id)
    return person.id


def edit_person(session: Session, person_id: int, **changes) -> dict:
    """Change fields of a person; returns the previous values (for undo)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    person = _get(session, person_id)
    if "email" in changes:
        changes["email"] = (changes["email"] or "").strip() or None
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
    _validate_fields(session, person_id, changes.get("name"), changes.get("email"), changes.get("phone"))
    if "role_id" in changes and changes["role_id"] != person.role_id:
        role = _role(session, changes["role_id"])
        _check_manager(session, changes.get("name", person.name), role, person.manager_id, person_id)
        _check_reports_junior(session, person, role)
    if changes.get("active") is False and person.active:
        raise RuleError("Use deactivate to let someone go: their reports need a new manager")
    if "branch_id" in changes and changes["branch_id"] is not None and session.get(Branch, changes["branch_id"]) is None:
        raise ValidationError("branch", f"Branch #{changes['branch_id']} does not exist")
    before = {key: getattr(person, key) for key in changes}
    for key, value in changes.items():
        setattr(person, key, value)
    session.flush()
    audit.record(session, "edit", "person", person_id, **{k: v for k, v in changes.items() if before[k] != v})
    return before


def move_person(session: Session, person_id: int, new_manager_id: int) -> int | None:
    """Put a person (and so their whole subtree) under another manager.

    Returns the previous manager id, for undo.
    """
    person = _get(session, person_id)
    if person.manager_id is None:
        raise RuleError(f"{person.name} is the top of the organisation and cannot report to anyone")
    role = session.get(Role, person.role_id)
    _check_manager(session, person.name, role, new_manager_id, person_id)
    before = person.manager_id
    person.manager_id = new_manager_id
    session.flush()
    audit.record(session, "move", "person", person_id, manager_id=new_manager_id, previous_manager_id=before)
    return before


@dataclass(frozen=True)
class Deactivation:
    """What deactivating changed, so that undo can put it back exactly."""

    person_id: int
    moved_reports: tuple[int, ...]
    new_manager_id: int | None


def deactivate_person(session: Session, person_id: int) -> Deactivation:
    """Let someone go while keeping their history; their reports move to their manager."""
    person = _get(session, person_id)
    if not person.active:
        raise RuleError(f"{person.name} is already inactive")
    reports = tuple(session.scalars(select(Person.id).where(Person.manager_id == person_id, Person.active.is_(True))))
    if person.manager_id is None and reports:
        raise RuleError(
            f"{person.name} is the top of the organisation; make someone else the top before deactivating them"
        )
    if reports:
        session.execute(update(Person).where(Person.id.in_(reports)).values(manager_id=person.manager_id, version=Person.version + 1))
    person.active = False
    session.flush()
    audit.record(session, "deactivate", "person", person_id, reports_moved_to=person.manager_id, reports=list(reports))
    return Deactivation(person_id, reports, person.manager_id)


def reactivate_person(session: Session, person_id: int, undo: Deactivation | None = None) -> None:
    """Bring a person back; given the ``Deactivation``, their reports come back too."""
    person = _get(session, person_id)
    if person.active:
        raise RuleError(f"{person.name} is already active")
    person.active = True
    if undo and undo.moved_reports:
        session.execute(
            update(Person).where(Person.id.in_(undo.moved_reports)).values(manager_id=person_id, version=Person.version + 1)
        )
    session.flush()
    audit.record(session, "reactivate", "person", person_id, reports=list(undo.moved_reports) if undo else [])


def add_branch(session: Session, name: str, city: str | None = None, region: str | None = None) -> int:
    name = (name or "").strip()
    if not name:
        raise ValidationError("name", "A branch needs a name")
    if session.scalar(select(Branch.id).where(func.lower(Branch.name) == name.lower())) is not None:
        raise ValidationError("name", f"There is already a branch called {name}")
    branch = Branch(name=name, city=city, region=region)
    session.add(branch)
    session.flush()
    audit.record(session, "create", "branch", branch.id, name=name)
    return branch.id
