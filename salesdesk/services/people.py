"""The sales hierarchy's people: hire, edit, move, deactivate and remove people under
the rules, and move a whole team to another branch.  The branches and the role ladder
they are placed on have modules of their own (``services.branches``, ``services.roles``).

Every change takes the caller's ``Session`` (one transaction per user action), writes
its audit rows, and returns what its undo needs; the undo function puts the database
back exactly as it was (``version`` counters aside: they count every write, undo too).

- ``add_person`` <-> ``remove_person`` / ``restore_person`` (a new hire has no history);
- ``edit_person`` returns the previous values (with ``updated_at``): edit them back;
- ``move_person`` returns the previous manager: move back; a move leaves ``updated_at``
  alone (the audit log says who moved whom when), so the move back is exact;
- ``deactivate_person`` -> ``Deactivation`` -> ``reactivate_person``;
- ``remove_person`` -> ``Removal`` -> ``restore_person``;
- ``move_team_to_branch`` -> previous branches -> ``restore_branches``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from salesdesk.db.models import (
    Account,
    Activity,
    Base,
    Deal,
    DealStatus,
    Expense,
    Person,
    Role,
    StageChange,
    Target,
    WeeklyNote,
    utcnow,
)
from salesdesk.domain import hierarchy
from salesdesk.domain.wording import counted, listed
from salesdesk.errors import NotFoundError, RuleError, ValidationError
from salesdesk.services import audit
from salesdesk.services.branches import check_open
from salesdesk.services.snapshots import Rows, forget, put_back, snapshot, table_named

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


def _role_held(session: Session, person: Person) -> Role:
    """The role a person holds (the foreign key keeps it from going)."""
    role = session.get(Role, person.role_id)
    if role is None:
        raise NotFoundError(f"Role #{person.role_id} no longer exists")
    return role


def _managers(session: Session, start: int) -> dict[int, int | None]:
    """The chain of managers above ``start`` (id -> manager id), read with one recursive
    query: a move in a 10,000-person company must not load everyone."""
    from sqlalchemy import text

    rows = session.execute(text(
        "WITH RECURSIVE up(id, manager_id, n) AS ("
        " SELECT id, manager_id, 0 FROM people WHERE id = :start"
        " UNION ALL SELECT p.id, p.manager_id, up.n + 1 FROM people p JOIN up ON p.id = up.manager_id"
        " WHERE up.n < 100000)"
        " SELECT id, manager_id FROM up"), {"start": start})
    return {pid: mid for pid, mid in rows}


def _names(session: Session, *ids: int | None) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    return {pid: name for pid, name in session.execute(select(Person.id, Person.name).where(Person.id.in_(wanted)))}


def _validate_fields(session: Session, person_id: int | None, name, email, phone) -> None:
    if name is not None and not name.strip():
        raise ValidationError("name", "A person needs a name")
    if name is not None and len(name) > 160:
        raise ValidationError("name", "A name can be at most 160 characters long")
    if email:
        if not EMAIL_RE.match(email) or len(email) > 254:
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
    manager = session.get(Person, manager_id) if manager_id != person_id else None
    if manager is None and manager_id != person_id:
        raise NotFoundError(f"Person #{manager_id} no longer exists")
    manager_role = _role_held(session, manager) if manager is not None else role
    reason = hierarchy.why_not_manager(
        person_id, person_name, role.name, role.rank, manager_id, manager.name if manager else person_name, manager_role.name,
        manager_role.rank, manager.active if manager else True,
        _managers(session, manager_id) if person_id is not None else None)
    if reason:
        raise RuleError(reason)
    return manager


def _check_reports_junior(session: Session, person: Person, role: Role) -> None:
    senior = session.execute(
        select(Person.name, Role.name, Role.rank)
        .join(Role, Person.role_id == Role.id)
        .where(Person.manager_id == person.id, Person.active.is_(True), Role.rank <= role.rank)
        .limit(1)
    ).all()
    reason = hierarchy.why_not_role(person.name, role.name, role.rank, senior)
    if reason:
        raise RuleError(reason)


# --- people ------------------------------------------------------------------------------


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
    """Hire a person under ``manager_id``; their branch defaults to the manager's.

    Undo: ``remove_person`` (a new hire has no history); redo: ``restore_person``.
    """
    name = (name or "").strip()
    email = (email or "").strip() or None
    _validate_fields(session, None, name, email, phone)
    role = _role(session, role_id)
    manager = _check_manager(session, name, role, manager_id, None)
    if branch_id is None and manager is not None:
        branch_id = manager.branch_id
    else:
        check_open(session, branch_id)
    person = Person(
        name=name, role_id=role_id, manager_id=manager_id, branch_id=branch_id,
        email=email, phone=phone or None, hire_date=hire_date, external_id=external_id,
    )
    session.add(person)
    session.flush()
    audit.record(session, "hire", "person", person.id, name=name, role_id=role_id, manager_id=manager_id, branch_id=branch_id)
    return person.id


def edit_person(session: Session, person_id: int, **changes) -> dict:
    """Change fields of a person; returns the previous values, ``updated_at`` included,
    so that ``edit_person(session, person_id, **previous)`` puts the row back exactly.

    ``updated_at`` is accepted only for that: an undo restoring the stamp it replaced.
    """
    unknown = set(changes) - set(EDITABLE) - {"updated_at"}
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    person = _get(session, person_id)
    if "email" in changes:
        changes["email"] = (changes["email"] or "").strip() or None
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
    if "phone" in changes:
        changes["phone"] = (changes["phone"] or "").strip() or None
    _validate_fields(session, person_id, changes.get("name"), changes.get("email"), changes.get("phone"))
    if "role_id" in changes and changes["role_id"] != person.role_id:
        role = _role(session, changes["role_id"])
        _check_manager(session, changes.get("name", person.name), role, person.manager_id, person_id)
        _check_reports_junior(session, person, role)
    if changes.get("active") is False and person.active:
        _check_nothing_to_hand_over(session, person)
    if changes.get("active") is True and not person.active:
        _check_comeback(session, person)
    if "branch_id" in changes and changes["branch_id"] != person.branch_id:
        check_open(session, changes["branch_id"])
    before = {key: getattr(person, key) for key in changes}
    before["updated_at"] = person.updated_at
    for key, value in changes.items():
        setattr(person, key, value)
    if "updated_at" in changes:
        flag_modified(person, "updated_at")  # written as given, not stamped now
    session.flush()
    audit.record(session, "edit", "person", person_id,
                 **{k: v for k, v in changes.items() if k != "updated_at" and before[k] != v})
    return before


def move_person(session: Session, person_id: int, new_manager_id: int) -> int | None:
    """Put a person (and so their whole subtree) under another manager.

    Returns the previous manager id, for undo (``move_person`` back).  The row's
    ``updated_at`` is left as it was, so the move back restores it exactly.
    """
    person = _get(session, person_id)
    if person.manager_id is None:
        raise RuleError(f"{person.name} is the top of the organisation and cannot report to anyone")
    role = _role_held(session, person)
    _check_manager(session, person.name, role, new_manager_id, person_id)
    before = person.manager_id
    if before == new_manager_id:
        return before
    person.manager_id = new_manager_id
    flag_modified(person, "updated_at")  # keep the stamp: not stamped now
    session.flush()
    audit.record(session, "move", "person", person_id, manager_id=new_manager_id, previous_manager_id=before)
    return before


def _check_nothing_to_hand_over(session: Session, person: Person) -> None:
    """Unticking "active" is deactivating someone who leaves nothing behind (or undoing a comeback)."""
    reports = session.scalar(select(func.count()).select_from(Person)
                             .where(Person.manager_id == person.id, Person.active.is_(True)))
    open_deals, open_activities = _open_work(session, person.id)
    if reports:
        raise RuleError(f"Use deactivate to let {person.name} go: their reports need a new manager")
    if open_deals or open_activities:
        raise RuleError(f"Use deactivate to let {person.name} go: their open deals need a new owner")


def _check_comeback(session: Session, person: Person) -> None:
    """An inactive person may come back where they were only if the rules still hold."""
    role = _role_held(session, person)
    _check_manager(session, person.name, role, person.manager_id, person.id)


def _check_new_owner(session: Session, person: Person, open_deals: int, open_activities: int,
                     deals_to: int | None) -> None:
    """Open work (deals, and activities not done yet) needs an active new owner."""
    if not open_deals and not open_activities:
        return
    if deals_to is None:
        work = [counted(n, one, many) for n, one, many in
                ((open_deals, "open deal", None), (open_activities, "open activity", "open activities")) if n]
        verb = "needs" if open_deals + open_activities == 1 else "need"
        raise RuleError(f"{listed(work)} of {person.name} {verb} a new owner: pick who takes them over")
    if deals_to == person.id:
        raise ValidationError("deals_to", f"Pick someone other than {person.name} to take over their deals")
    owner = session.get(Person, deals_to)
    if owner is None or not owner.active:
        raise ValidationError("deals_to", "The new owner of the deals must be an active person")


def _open_work(session: Session, person_id: int) -> tuple[int, int]:
    deals = session.execute(select(func.count()).select_from(Deal)
                            .where(Deal.owner_id == person_id, Deal.status == DealStatus.OPEN)).scalar_one()
    activities = session.execute(select(func.count()).select_from(Activity)
                                 .where(Activity.owner_id == person_id, Activity.done_at.is_(None))).scalar_one()
    return deals, activities


def _hand_over(session: Session, person_id: int, deals_to: int, now: dt.datetime) -> tuple[Rows, Rows]:
    """Open deals and open activities of ``person_id`` go to ``deals_to``; returns them as they were."""
    deals, activities = table_named("deals"), table_named("activities")
    open_deal = (deals.c.owner_id == person_id) & (deals.c.status == DealStatus.OPEN.value)
    open_activity = (activities.c.owner_id == person_id) & activities.c.done_at.is_(None)
    deal_rows = snapshot(session, deals, ("owner_id", "updated_at"), open_deal)
    activity_rows = snapshot(session, activities, ("owner_id",), open_activity)
    if deal_rows:
        session.execute(deals.update().where(open_deal)
                        .values(owner_id=deals_to, updated_at=now, version=deals.c.version + 1))
        forget(session, Deal, [r["id"] for r in deal_rows])
    if activity_rows:
        session.execute(activities.update().where(open_activity).values(owner_id=deals_to))
        forget(session, Activity, [r["id"] for r in activity_rows])
    return deal_rows, activity_rows


@dataclass(frozen=True)
class Deactivation:
    """What deactivating changed, so that undo can put it back exactly.

    ``before`` holds, per table, the changed columns of each changed row as they were:
    ``people`` (the person and their moved reports), ``deals`` and ``activities`` (the
    open work handed over to ``deals_to``).
    """

    person_id: int
    moved_reports: tuple[int, ...]
    new_manager_id: int | None
    reassigned_deals: tuple[int, ...] = ()
    deals_to: int | None = None
    before: dict[str, Rows] = field(default_factory=dict)


def deactivate_person(session: Session, person_id: int, deals_to: int | None = None) -> Deactivation:
    """Let someone go while keeping their history.

    Their active reports move to their manager; their open deals (and the activities
    they have not done yet) go to ``deals_to``, required when they have any.
    """
    person = _get(session, person_id)
    if not person.active:
        raise RuleError(f"{person.name} is already inactive")
    reports = tuple(session.scalars(
        select(Person.id).where(Person.manager_id == person_id, Person.active.is_(True)).order_by(Person.id)))
    if person.manager_id is None and reports:
        raise RuleError(
            f"{person.name} is the top of the organisation; make someone else the top before deactivating them"
        )
    _check_new_owner(session, person, *_open_work(session, person_id), deals_to)
    session.flush()
    people = table_named("people")
    before_people = snapshot(session, people, ("active", "manager_id", "updated_at"),
                              people.c.id.in_((person_id, *reports)))
    now = utcnow()
    if reports:
        session.execute(people.update().where(people.c.id.in_(reports))
                        .values(manager_id=person.manager_id, updated_at=now, version=people.c.version + 1))
        forget(session, Person, reports)
    deal_rows, activity_rows = _hand_over(session, person_id, deals_to, now) if deals_to is not None else ((), ())
    person.active = False
    session.flush()
    audit.record(session, "deactivate", "person", person_id, reports_moved_to=person.manager_id, reports=list(reports),
                 deals_to=deals_to if deal_rows or activity_rows else None, deals=[r["id"] for r in deal_rows])
    return Deactivation(
        person_id, reports, person.manager_id,
        reassigned_deals=tuple(r["id"] for r in deal_rows),
        deals_to=deals_to if deal_rows or activity_rows else None,
        before={"people": before_people, "deals": deal_rows, "activities": activity_rows},
    )


def reactivate_person(session: Session, person_id: int, undo: Deactivation | None = None) -> None:
    """Bring a person back.

    Given the ``Deactivation`` (undo), everything it changed is put back exactly: their
    reports and their deals come back to them.  Without it, they come back under their
    old manager if the hierarchy rules still allow it.
    """
    person = _get(session, person_id)
    if person.active:
        raise RuleError(f"{person.name} is already active")
    if undo is not None and undo.person_id != person_id:
        raise ValueError("that deactivation is of someone else")
    if undo is not None and undo.before:
        session.flush()
        for name, model in (("people", Person), ("deals", Deal), ("activities", Activity)):
            rows = undo.before.get(name, ())
            put_back(session, table_named(name), rows)
            forget(session, model, [r["id"] for r in rows])
    else:
        if undo is None:
            _check_comeback(session, person)
        person.active = True
        if undo and undo.moved_reports:
            session.execute(
                update(Person).where(Person.id.in_(undo.moved_reports)).values(manager_id=person_id, version=Person.version + 1)
            )
    session.flush()
    audit.record(session, "reactivate", "person", person_id, reports=list(undo.moved_reports) if undo else [],
                 deals=list(undo.reassigned_deals) if undo else [])


@dataclass(frozen=True)
class Removal:
    """Everything removing a person changed, so that ``restore_person`` brings it all back.

    ``deleted``: whole rows that went (``people``: the person; ``targets`` and
    ``weekly_notes``: theirs).  ``before``: per table, the columns the removal changed
    in rows that stay, as they were (``people``: their reports' manager; ``deals`` and
    ``activities``: owner of the open work handed over; ``accounts``, ``stage_changes``,
    ``expenses``: the references to them that were cleared).
    """

    person_id: int
    name: str
    new_manager_id: int | None
    moved_reports: tuple[int, ...]
    reassigned_deals: tuple[int, ...]
    deals_to: int | None
    deleted: dict[str, Rows]
    before: dict[str, Rows]


# Rows that merely mention the person and lose that mention (the foreign keys' SET NULL).
_CLEARED: tuple[tuple[str, str, type[Base]], ...] = (
    ("accounts", "owner_id", Account), ("stage_changes", "changed_by_id", StageChange), ("expenses", "person_id", Expense))
# Rows that belong to the person and go with them (the foreign keys' CASCADE).
_OWNED: tuple[tuple[str, type[Base]], ...] = (("targets", Target), ("weekly_notes", WeeklyNote))


def remove_person(session: Session, person_id: int, deals_to: int | None = None) -> Removal:
    """Delete a person who has no history to keep (a wrong entry, a hire who never started).

    Their reports move to their manager and their open work goes to ``deals_to``
    (required when they have any).  Someone with closed deals or done activities is
    refused: deactivate them instead.
    """
    person = _get(session, person_id)
    closed = session.scalar(select(func.count()).select_from(Deal)
                            .where(Deal.owner_id == person_id, Deal.status != DealStatus.OPEN))
    done = session.scalar(select(func.count()).select_from(Activity)
                          .where(Activity.owner_id == person_id, Activity.done_at.is_not(None)))
    active_reports = session.scalar(select(func.count()).select_from(Person)
                                    .where(Person.manager_id == person_id, Person.active.is_(True)))
    refused = hierarchy.why_not_removable(person.name, closed or 0, done or 0,
                                          person.manager_id is None and bool(active_reports))
    if refused:
        raise RuleError(refused)
    _check_new_owner(session, person, *_open_work(session, person_id), deals_to)
    session.flush()
    people = table_named("people")
    deleted = {"people": snapshot(session, people, tuple(c.name for c in people.c if c.name != "id"),
                                   people.c.id == person_id)}
    for name, _model in _OWNED:
        table = table_named(name)
        deleted[name] = snapshot(session, table, tuple(c.name for c in table.c if c.name != "id"),
                                  table.c.person_id == person_id)
    before = {"people": snapshot(session, people, ("manager_id", "updated_at"), people.c.manager_id == person_id)}
    for name, column, _model in _CLEARED:
        table = table_named(name)
        before[name] = snapshot(session, table, (column,), table.c[column] == person_id)
    now = utcnow()
    reports = tuple(r["id"] for r in before["people"])
    if reports:
        session.execute(people.update().where(people.c.manager_id == person_id)
                        .values(manager_id=person.manager_id, updated_at=now, version=people.c.version + 1))
        forget(session, Person, reports)
    before["deals"], before["activities"] = (
        _hand_over(session, person_id, deals_to, now) if deals_to is not None else ((), ()))
    for name, column, model in _CLEARED:
        table = table_named(name)
        if before[name]:
            session.execute(table.update().where(table.c[column] == person_id).values(**{column: None}))
            forget(session, model, [r["id"] for r in before[name]])
    for name, model in _OWNED:
        table = table_named(name)
        if deleted[name]:
            session.execute(delete(table).where(table.c.person_id == person_id))
            forget(session, model, [r["id"] for r in deleted[name]], deleted=True)
    new_manager_id = person.manager_id
    forget(session, Person, [person_id], deleted=True)
    session.execute(delete(people).where(people.c.id == person_id))
    handed = bool(before["deals"] or before["activities"])
    audit.record(session, "remove", "person", person_id, name=deleted["people"][0]["name"],
                 reports_moved_to=new_manager_id, reports=list(reports),
                 deals_to=deals_to if handed else None, deals=[r["id"] for r in before["deals"]])
    return Removal(
        person_id, deleted["people"][0]["name"], new_manager_id, reports,
        tuple(r["id"] for r in before["deals"]), deals_to if handed else None, deleted, before,
    )


def restore_person(session: Session, removal: Removal) -> None:
    """Undo ``remove_person``: the row comes back with its id, and everything with it."""
    session.flush()
    session.execute(insert(table_named("people")), list(removal.deleted["people"]))
    for name, _model in _OWNED:
        rows = removal.deleted.get(name, ())
        if rows:
            session.execute(insert(table_named(name)), list(rows))
    models: dict[str, type[Base]] = {"people": Person, "deals": Deal, "activities": Activity,
                                     **{name: model for name, _column, model in _CLEARED}}
    for name, rows in removal.before.items():
        put_back(session, table_named(name), rows)
        forget(session, models[name], [r["id"] for r in rows])
    audit.record(session, "restore", "person", removal.person_id, name=removal.name,
                 reports=list(removal.moved_reports), deals=list(removal.reassigned_deals))


def move_team_to_branch(session: Session, manager_id: int, branch_id: int | None) -> dict[int, int | None]:
    """Put a manager and their whole active team in a branch (``None``: no branch).

    Returns ``{person_id: previous branch_id}`` of the people whose branch changed, for
    ``restore_branches``.  Like a move, it leaves ``updated_at`` alone.
    """
    manager = _get(session, manager_id)
    check_open(session, branch_id)
    rows = session.execute(select(Person.id, Person.manager_id, Person.branch_id).where(Person.active.is_(True))).all()
    team = hierarchy.subtree(manager_id, {pid: mid for pid, mid, _ in rows}) if manager.active else {manager_id}
    previous = {pid: bid for pid, _mid, bid in rows if pid in team and bid != branch_id}
    if not manager.active and manager.branch_id != branch_id:
        previous[manager_id] = manager.branch_id
    if previous:
        session.flush()
        _set_branches(session, {pid: branch_id for pid in previous})
        for pid, was in previous.items():
            audit.record(session, "move_branch", "person", pid, branch_id=branch_id, previous_branch_id=was,
                         team_of=manager_id)
    return previous


def restore_branches(session: Session, previous: dict[int, int | None]) -> None:
    """Undo ``move_team_to_branch``: everyone back in the branch they were in."""
    session.flush()
    _set_branches(session, previous)
    for pid, branch_id in previous.items():
        audit.record(session, "move_branch", "person", pid, branch_id=branch_id, undo=True)


def _set_branches(session: Session, branches: dict[int, int | None]) -> None:
    people = table_named("people")
    session.execute(
        people.update().where(people.c.id == bindparam("v_id"))
        .values(branch_id=bindparam("v_branch"), updated_at=people.c.updated_at, version=people.c.version + 1),
        [{"v_id": pid, "v_branch": bid} for pid, bid in branches.items()],
    )
    forget(session, Person, branches)
