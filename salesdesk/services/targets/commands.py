"""Setting targets, and undoing it: set or clear one person's target, split a
manager's target among their direct reports, and put the rows back as they were.

Writes take the caller's ``Session`` (one transaction per user action), write an
audit row, and return what their undo needs: ``set_target`` -> ``restore_target``,
``cascade_target`` -> ``restore_targets``; undo puts the rows back exactly (ids
included; ``version`` counters aside).

SQLAlchemy and the models are imported inside the functions: the Targets screen
imports this package to paint its table, before SQLAlchemy is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from salesdesk.db.engine import Reader
from salesdesk.domain.cascade import CENT, WHOLE, split_by_weights, split_evenly
from salesdesk.domain.money import current_style, parse_text
from salesdesk.domain.periods import Period
from salesdesk.errors import NotFoundError, RuleError, ValidationError
from salesdesk.services.targets.metrics import METRIC_NAMES, check_metric, is_money, unit_of
from salesdesk.services.targets.queries import actuals

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SPLITS = ("even", "previous_actuals")
MAX_VALUE = Decimal("1e13")


def _check_period(period: Period) -> Period:
    if Period.containing(period.kind, period.start) != period:
        raise ValidationError("period", f"{period.start.isoformat()} is not the first day of a {period.kind.value}")
    return period


def _parse_value(metric: str, value, field: str) -> Decimal:
    """A typed target value, checked: not negative, money to the cent, counts whole."""
    if isinstance(value, float):
        value = repr(value)
    try:  # typed text in the user's style: "1.234,50" in German, "1,234.50" in English
        number = parse_text(value.strip(), current_style().decimal) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError) as exc:
        # Another style's amount says so; text that is no number at all is "not a number".
        said = str(exc) if getattr(exc, "kind", "not an amount") not in ("not an amount", "empty") else None
        raise ValidationError(field, said or f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValidationError(field, f"{value!r} is not a number")
    if number < 0:
        raise ValidationError(field, "A target cannot be negative")
    if number >= MAX_VALUE:
        raise ValidationError(field, "The target is too large")
    if is_money(metric):
        if number != number.quantize(CENT):
            raise ValidationError(field, "A revenue target is in whole cents: at most two decimals")
        return number.quantize(CENT)
    if number != number.to_integral_value():
        raise ValidationError(field, f"A target of {METRIC_NAMES[metric]} is a whole number")
    return number.quantize(WHOLE)


def _target_table():
    from salesdesk.db.models import Target

    return Target.__table__


_SNAPSHOT = ("id", "person_id", "period_kind", "period_start", "metric", "value", "version")


def _current(session: Session, person_id: int, period: Period, metric: str) -> dict | None:
    from sqlalchemy import select

    table = _target_table()
    row = session.execute(select(*(table.c[name] for name in _SNAPSHOT)).where(
        table.c.person_id == person_id, table.c.period_kind == period.kind.value,
        table.c.period_start == period.start, table.c.metric == metric)).first()
    return None if row is None else dict(row._mapping)


def _forget(session: Session, target_id: int) -> None:
    """A Core statement changed or removed the row: drop any loaded copy of it."""
    from salesdesk.db.models import Target

    loaded = session.identity_map.get(session.identity_key(Target, target_id))
    if loaded is not None:
        session.expunge(loaded)


def _write(session: Session, person_id: int, period: Period, metric: str,
           value: Decimal | None) -> tuple[dict | None, int | None]:
    """Set (or, with ``None``, remove) one target: (the row as it was or None, its id)."""
    from sqlalchemy import delete, insert, update
    from sqlalchemy.engine import CursorResult

    table = _target_table()
    before = _current(session, person_id, period, metric)
    if before is None:
        if value is None:
            return None, None
        inserted = session.execute(insert(table).values(
            person_id=person_id, period_kind=period.kind.value, period_start=period.start, metric=metric,
            value=value, version=1))
        assert isinstance(inserted, CursorResult)  # what a write answers with
        key = inserted.inserted_primary_key
        assert key is not None  # one row inserted: its id
        return None, key[0]
    _forget(session, before["id"])
    if value is None:
        session.execute(delete(table).where(table.c.id == before["id"]))
    elif value != before["value"]:
        changed = session.execute(update(table).where(table.c.id == before["id"], table.c.version == before["version"])
                                  .values(value=value, version=table.c.version + 1))
        assert isinstance(changed, CursorResult)
        if changed.rowcount != 1:
            raise RuleError("That target was changed by someone else meanwhile; the table shows it as it is now")
    return before, before["id"]


def _put_back(session: Session, person_id: int, period: Period, metric: str, previous: dict | None) -> int | None:
    """The target of (person, period, metric) exactly as ``previous`` (a row, or absent);
    returns the id of the row put back or taken away."""
    from sqlalchemy import delete, insert

    table = _target_table()
    now = _current(session, person_id, period, metric)
    if now is not None:
        _forget(session, now["id"])
        session.execute(delete(table).where(table.c.id == now["id"]))
    if previous is not None:
        session.execute(insert(table).values(**previous))
        return previous["id"]
    return None if now is None else now["id"]


def _person_name(session: Session, person_id: int) -> tuple[str, bool]:
    from sqlalchemy import select

    from salesdesk.db.models import Person

    row = session.execute(select(Person.name, Person.active).where(Person.id == person_id)).first()
    if row is None:
        raise NotFoundError(f"Person #{person_id} no longer exists")
    return row.name, bool(row.active)


def set_target(session: Session, person_id: int, period: Period, metric: str,
               value: Decimal | int | str | None) -> dict | None:
    """Set a person's target for a period and metric; ``None`` removes it.

    Returns the previous row (a dict) or ``None`` when there was none: pass it to
    ``restore_target`` to undo.
    """
    from salesdesk.services import audit

    check_metric(metric)
    _check_period(period)
    value = None if value is None else _parse_value(metric, value, "value")
    _person_name(session, person_id)
    session.flush()
    previous, target_id = _write(session, person_id, period, metric, value)
    was = None if previous is None else previous["value"]
    if was != value:
        audit.record(session, "set_target" if value is not None else "remove_target", "target", target_id,
                     person_id=person_id, period=period.label, period_kind=period.kind.value, metric=metric,
                     value=value, previous=was)
    return previous


def restore_target(session: Session, person_id: int, period: Period, metric: str, previous: dict | None) -> None:
    """Undo ``set_target``: the target row exactly as it was (or gone again)."""
    from salesdesk.services import audit

    session.flush()
    target_id = _put_back(session, person_id, period, metric, previous)
    audit.record(session, "undo_target", "target", target_id, person_id=person_id, period=period.label,
                 period_kind=period.kind.value, metric=metric, value=None if previous is None else previous["value"])


@dataclass(frozen=True)
class PreviousTargets:
    """What a cascade replaced: per person, their target row as it was (or None)."""

    period: Period
    metric: str
    rows: tuple[tuple[int, dict | None], ...]
    parts: tuple[tuple[int, Decimal], ...]  # what was written: the manager's total, then each report's part


def cascade_target(session: Session, manager_id: int, period: Period, metric: str, total: Decimal | int | str,
                   how: str = "even") -> PreviousTargets:
    """Set a manager's target to ``total`` and split it among their active direct reports,
    overwriting the reports' targets for the period: ``"even"``, or
    ``"previous_actuals"``: in proportion to each report's (subtree) actual in the
    previous period of the same kind, evenly when those are all zero.  The parts add
    up to ``total`` exactly (to the cent; in whole units for counts), larger parts to
    reports earlier in the table when the split is not exact.

    Returns what ``restore_targets`` needs to undo it.
    """
    from sqlalchemy import select

    from salesdesk.db.models import Person, Role
    from salesdesk.services import audit

    check_metric(metric)
    _check_period(period)
    if how not in SPLITS:
        raise ValidationError("how", "Split evenly or in proportion to the previous period's actuals")
    total = _parse_value(metric, total, "total")
    name, _active = _person_name(session, manager_id)
    ranked = session.execute(
        select(Person.id, Role.rank, Person.name).join(Role, Role.id == Person.role_id)
        .where(Person.manager_id == manager_id, Person.active.is_(True), Person.id != manager_id)).all()
    if not ranked:
        raise RuleError(f"{name} has no active direct reports to split the target among")
    # The table's order, so that a cent left over goes to whoever is listed first.
    reports = [pid for pid, _rank, _name in sorted(ranked, key=lambda r: (r[1], r[2].lower(), r[0]))]
    unit = unit_of(metric)
    if how == "previous_actuals":
        session.flush()
        before = actuals(Reader(session.connection(), raw=False), reports, period.previous(), metric)
        parts = split_by_weights(total, [before[pid] for pid in reports], unit)
    else:
        parts = split_evenly(total, len(reports), unit)
    session.flush()
    written = [(manager_id, total), *zip(reports, parts)]
    rows, ids = [], []
    for pid, value in written:
        previous, target_id = _write(session, pid, period, metric, value)
        rows.append((pid, previous))
        ids.append(target_id)
    audit.record(session, "cascade_target", "target", ids[0], person_id=manager_id, period=period.label,
                 period_kind=period.kind.value, metric=metric, value=total, how=how,
                 parts={str(pid): str(part) for pid, part in written[1:]})
    return PreviousTargets(period, metric, tuple(rows), tuple(written))


def restore_targets(session: Session, previous: PreviousTargets) -> None:
    """Undo ``cascade_target``: every target it wrote back as it was."""
    from salesdesk.services import audit

    session.flush()
    ids = [_put_back(session, person_id, previous.period, previous.metric, row)
           for person_id, row in reversed(previous.rows)]
    audit.record(session, "undo_cascade", "target", ids[-1], person_id=previous.parts[0][0],
                 period=previous.period.label, period_kind=previous.period.kind.value, metric=previous.metric)
