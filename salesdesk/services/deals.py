"""Deals: create, edit, move between stages, reorder, lose, reopen.

Moves return what they replaced (a ``Placement`` and the stage-history row they
wrote) so that undo can put the deal back exactly, history included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from typing import cast

from sqlalchemy import CursorResult, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from salesdesk.clock import CLOCK
from salesdesk.db.models import (
    Account,
    Contact,
    Deal,
    DealStatus,
    LostReason,
    Person,
    Stage,
    StageChange,
    utcnow,
)
from salesdesk.domain.currencies import currency_code
from salesdesk.domain.defaults import DEFAULT_CURRENCY
from salesdesk.domain.money import parse_amount, to_money
from salesdesk.errors import NotFoundError, RuleError, ValidationError
from salesdesk.services import audit

EDITABLE = ("title", "account_id", "contact_id", "owner_id", "amount", "currency", "probability", "expected_close", "notes")


@dataclass(frozen=True)
class Placement:
    """Where a deal stands: everything a move changes."""

    deal_id: int
    stage_id: int
    position: float
    status: str
    won_on: dt.date | None
    lost_on: dt.date | None
    lost_reason_id: int | None
    lost_note: str | None
    stage_entered_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, deal: Deal) -> Placement:
        return cls(deal.id, deal.stage_id, deal.position, deal.status, deal.won_on, deal.lost_on,
                   deal.lost_reason_id, deal.lost_note, deal.stage_entered_at, deal.updated_at)


@dataclass(frozen=True)
class MoveRecord:
    before: Placement
    after: Placement
    history_id: int | None  # the stage_changes row written, if the stage changed


def _get(session: Session, deal_id: int) -> Deal:
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFoundError(f"Deal #{deal_id} no longer exists")
    return deal


def _stage(session: Session, stage_id: int) -> Stage:
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFoundError(f"Stage #{stage_id} no longer exists")
    return stage


def end_of_column(session: Session, stage_id: int) -> float:
    last = session.scalar(
        select(func.max(Deal.position)).where(Deal.stage_id == stage_id, Deal.status != DealStatus.LOST)
    )
    return (last or 0.0) + 1.0


def _validate(session: Session, values: dict, currency: str = "") -> dict:
    """Check and normalise user-typed values; ``ValidationError`` names the field.
    ``currency`` is the deal's when the values do not change it."""
    out = dict(values)
    if "currency" in out:
        try:  # an active ISO 4217 code, as imports and exchange rates take it
            out["currency"] = currency_code(out["currency"] or "")
        except ValueError as exc:
            raise ValidationError("currency", str(exc)) from None
    if "title" in out:
        out["title"] = (out["title"] or "").strip()
        if not out["title"]:
            raise ValidationError("title", "A deal needs a title")
    if "amount" in out:
        try:  # typed text is read in the user's style (1.234,50 in German); numbers as they are
            typed = out["amount"]
            out["amount"] = (parse_amount(typed, currency=out.get("currency") or currency) if isinstance(typed, str)
                             else to_money(typed if typed is not None else 0))
        except ValueError as exc:
            raise ValidationError("amount", str(exc)) from None
        if out["amount"] < 0:
            raise ValidationError("amount", "The amount cannot be negative")
        if out["amount"] >= Decimal("1e13"):
            raise ValidationError("amount", "The amount is too large")
    if "probability" in out and out["probability"] is not None:
        if not 0 <= int(out["probability"]) <= 100:
            raise ValidationError("probability", "A probability is between 0 and 100 percent")
        out["probability"] = int(out["probability"])
    if "owner_id" in out:
        if out["owner_id"] is None:
            raise ValidationError("owner", "A deal needs an owner")
        owner = session.get(Person, out["owner_id"])
        if owner is None or not owner.active:
            raise ValidationError("owner", "The owner must be an active person")
    if out.get("account_id") is not None and session.get(Account, out["account_id"]) is None:
        raise ValidationError("account", f"Account #{out['account_id']} does not exist")
    if out.get("contact_id") is not None:
        contact = session.get(Contact, out["contact_id"])
        if contact is None:
            raise ValidationError("contact", f"Contact #{out['contact_id']} does not exist")
        if out.get("account_id") is not None and contact.account_id != out["account_id"]:
            raise ValidationError("contact", f"{contact.name} is not a contact of that account")
    return out


def create_deal(
    session: Session,
    *,
    title: str,
    owner_id: int | None,
    stage_id: int,
    amount: Decimal | int | str = 0,
    currency: str | None = None,
    account_id: int | None = None,
    contact_id: int | None = None,
    probability: int | None = None,
    expected_close: dt.date | None = None,
    notes: str | None = None,
    by_id: int | None = None,
) -> int:
    """Create an open deal at the end of ``stage_id``'s column; returns its id."""
    from salesdesk.db.reference import setting

    values = _validate(session, dict(
        title=title, owner_id=owner_id, amount=amount, currency=currency or setting(session, "currency", DEFAULT_CURRENCY),
        account_id=account_id, contact_id=contact_id, probability=probability,
    ))
    stage = _stage(session, stage_id)
    now = utcnow()
    deal = Deal(
        **values, stage_id=stage.id, pipeline_id=stage.pipeline_id, expected_close=expected_close, notes=notes,
        position=end_of_column(session, stage.id), stage_entered_at=now, created_at=now, updated_at=now,
        status=DealStatus.WON if stage.is_won else DealStatus.OPEN, won_on=CLOCK.today() if stage.is_won else None,
    )
    session.add(deal)
    session.flush()
    session.add(StageChange(deal_id=deal.id, from_stage_id=None, to_stage_id=stage.id, changed_at=now, changed_by_id=by_id))
    audit.record(session, "create", "deal", deal.id, title=deal.title, stage_id=stage.id, amount=deal.amount)
    return deal.id


def edit_deal(session: Session, deal_id: int, **changes) -> dict:
    """Change fields of a deal; returns the previous values (for undo)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    deal = _get(session, deal_id)
    if "contact_id" in changes and "account_id" not in changes:
        changes["account_id"] = deal.account_id
    changes = _validate(session, changes, deal.currency)
    return audit.edit(session, deal, "deal", changes)


_PLACEMENT_COLUMNS = (Deal.id, Deal.stage_id, Deal.position, Deal.status, Deal.won_on, Deal.lost_on,
                      Deal.lost_reason_id, Deal.lost_note, Deal.stage_entered_at, Deal.updated_at)


def move_deal(session: Session, deal_id: int, stage_id: int, position: float | None = None, by_id: int | None = None) -> MoveRecord:
    """Move a deal to a stage (and a place in its column).

    Reaching a won stage wins the deal (won today); leaving the won stages for an open
    one reopens it.  A stage change is written to the history; a reorder is not.

    The board's hottest write, so it is three Core statements rather than an ORM
    load and flush (about 0.5 ms instead of 2); it keeps the optimistic lock.
    """
    row = session.execute(
        select(*_PLACEMENT_COLUMNS, Deal.title, Deal.pipeline_id, Deal.version).where(Deal.id == deal_id)).first()
    if row is None:
        raise NotFoundError(f"Deal #{deal_id} no longer exists")
    if row.status == DealStatus.LOST:
        raise RuleError(f"“{row.title}” is lost; reopen it before moving it")
    stage = session.execute(select(Stage.pipeline_id, Stage.name, Stage.is_won).where(Stage.id == stage_id)).first()
    if stage is None:
        raise NotFoundError(f"Stage #{stage_id} no longer exists")
    if stage.pipeline_id != row.pipeline_id:
        raise RuleError(f"Stage “{stage.name}” belongs to another pipeline than “{row.title}”")
    before = Placement(*row[:10])
    if position is None:
        position = row.position if stage_id == row.stage_id else end_of_column(session, stage_id)
    now = utcnow()
    values = {"position": float(position), "updated_at": now, "version": row.version + 1}
    history_id = None
    if stage_id != row.stage_id:
        values.update(stage_id=stage_id, stage_entered_at=now)
        if stage.is_won and row.status != DealStatus.WON:
            values.update(status=DealStatus.WON.value, won_on=CLOCK.today())
        elif not stage.is_won and row.status == DealStatus.WON:
            values.update(status=DealStatus.OPEN.value, won_on=None)
        # Core statements: session.execute() gives a CursorResult, typed as the Result of any statement
        inserted = cast(CursorResult, session.execute(insert(StageChange).values(
            deal_id=deal_id, from_stage_id=row.stage_id, to_stage_id=stage_id, changed_at=now, changed_by_id=by_id,
        ))).inserted_primary_key
        assert inserted is not None  # a single-row insert has one
        history_id = inserted[0]
    changed = cast(CursorResult, session.execute(
        update(Deal).where(Deal.id == deal_id, Deal.version == row.version).values(**values)))
    if changed.rowcount != 1:
        raise RuleError(f"“{row.title}” was changed by someone else meanwhile; the board shows it as it is now")
    _forget_loaded(session, deal_id)
    after = replace(before, stage_id=values.get("stage_id", row.stage_id), position=values["position"],
                    status=values.get("status", row.status), won_on=values.get("won_on", row.won_on),
                    stage_entered_at=values.get("stage_entered_at", row.stage_entered_at), updated_at=now)
    audit.record(session, "move" if history_id else "reorder", "deal", deal_id,
                 stage_id=stage_id, previous_stage_id=before.stage_id, position=after.position, status=after.status)
    return MoveRecord(before, after, history_id)


def _forget_loaded(session: Session, deal_id: int) -> None:
    """A Core update left any loaded copy of the deal stale: reload it when next used."""
    deal = session.identity_map.get(session.identity_key(Deal, deal_id))
    if deal is not None:
        session.expire(deal)


def restore_placement(session: Session, record: MoveRecord) -> None:
    """Undo a move: put back stage, position, status and dates, and drop its history row."""
    deal = _get(session, record.before.deal_id)
    p = record.before
    deal.stage_id, deal.position, deal.status = p.stage_id, p.position, p.status
    deal.won_on, deal.lost_on, deal.lost_reason_id, deal.lost_note = p.won_on, p.lost_on, p.lost_reason_id, p.lost_note
    deal.stage_entered_at, deal.updated_at = p.stage_entered_at, p.updated_at
    # When the old value equals the current one the ORM sees no change and its
    # onupdate would stamp "now"; mark it so the restored time is written.
    flag_modified(deal, "updated_at")
    if record.history_id is not None:
        session.execute(delete(StageChange).where(StageChange.id == record.history_id))
    session.flush()
    audit.record(session, "undo", "deal", deal.id, stage_id=p.stage_id, status=p.status)


def mark_lost(session: Session, deal_id: int, reason_id: int | None, note: str | None = None) -> MoveRecord:
    """The deal leaves the board as lost, with a preset reason and/or a free-text note."""
    deal = _get(session, deal_id)
    if deal.status == DealStatus.LOST:
        raise RuleError(f"“{deal.title}” is already lost")
    note = (note or "").strip() or None
    if reason_id is None and note is None:
        raise ValidationError("reason", "Say why the deal was lost: pick a reason or write one")
    if reason_id is not None and session.get(LostReason, reason_id) is None:
        raise ValidationError("reason", f"Lost reason #{reason_id} does not exist")
    before = Placement.of(deal)
    deal.status, deal.lost_on, deal.lost_reason_id, deal.lost_note = DealStatus.LOST, CLOCK.today(), reason_id, note
    deal.won_on = None
    session.flush()
    audit.record(session, "lose", "deal", deal_id, reason_id=reason_id, note=note)
    return MoveRecord(before, Placement.of(deal), None)


def reopen_deal(session: Session, deal_id: int, stage_id: int | None = None, by_id: int | None = None) -> MoveRecord:
    """A lost or won deal becomes open again, in ``stage_id`` or the stage it was in."""
    deal = _get(session, deal_id)
    if deal.status == DealStatus.OPEN:
        raise RuleError(f"“{deal.title}” is already open")
    before = Placement.of(deal)
    target = _stage(session, stage_id if stage_id is not None else deal.stage_id)
    if target.is_won:
        raise RuleError(f"Reopen “{deal.title}” into an open stage, not “{target.name}”")
    if target.pipeline_id != deal.pipeline_id:
        raise RuleError(f"Stage “{target.name}” belongs to another pipeline than “{deal.title}”")
    history_id = None
    if target.id != deal.stage_id:
        change = StageChange(deal_id=deal.id, from_stage_id=deal.stage_id, to_stage_id=target.id, changed_at=utcnow(),
                             changed_by_id=by_id)
        session.add(change)
        session.flush()
        history_id = change.id
        deal.stage_id, deal.stage_entered_at = target.id, change.changed_at
    deal.status, deal.won_on, deal.lost_on, deal.lost_reason_id, deal.lost_note = DealStatus.OPEN, None, None, None, None
    deal.position = end_of_column(session, target.id)
    session.flush()
    audit.record(session, "reopen", "deal", deal_id, stage_id=target.id)
    return MoveRecord(before, Placement.of(deal), history_id)


def move_deals(session: Session, deal_ids: list[int], stage_id: int, positions: list[float] | None = None,
               by_id: int | None = None) -> list[MoveRecord]:
    """Move several deals at once (one user drag): one transaction, one undo step."""
    if positions is None:
        start = end_of_column(session, stage_id)
        positions = [start + i for i in range(len(deal_ids))]
    return [move_deal(session, deal_id, stage_id, position, by_id) for deal_id, position in zip(deal_ids, positions)]


@dataclass(frozen=True)
class Drop:
    """What a drop did: one record per deal, and whether the column was renumbered
    first (its other cards then have new positions: the board reads them again)."""

    records: list[MoveRecord]
    renumbered: bool = False


def drop_deals(session: Session, deal_ids: list[int], stage_id: int, before_id: int | None = None,
               after_id: int | None = None, by_id: int | None = None) -> Drop:
    """Deals dropped in a column between two of its deals (None: an end of the column;
    both None: after its last deal).  One user drag, one transaction: when the
    neighbours' positions leave no room between them the column is renumbered first."""

    table = Deal.__table__
    neighbours = [i for i in (before_id, after_id) if i is not None]

    def between() -> list[float] | None:  # both neighbours in one read
        found = dict(session.execute(select(table.c.id, table.c.position).where(table.c.id.in_(neighbours))).all())
        return positions_between(found.get(before_id), found.get(after_id), len(deal_ids))

    if before_id is None and after_id is None:
        return Drop(move_deals(session, deal_ids, stage_id, None, by_id))
    positions = between()
    renumbered = positions is None
    if renumbered:
        renumber_column(session, stage_id)
        positions = between()
    return Drop(move_deals(session, deal_ids, stage_id, positions, by_id), renumbered)


def restore_placements(session: Session, records: list[MoveRecord]) -> None:
    for record in reversed(records):
        restore_placement(session, record)


def positions_between(before: float | None, after: float | None, count: int) -> list[float] | None:
    """``count`` increasing positions strictly between two neighbours (None: the ends
    of the column), or None when floats run out and the column must be renumbered."""
    if before is None and after is None:
        return [float(i) for i in range(1, count + 1)]
    if before is None:
        assert after is not None  # both None returned above
        return [after - count + i for i in range(count)]
    if after is None:
        return [before + 1 + i for i in range(count)]
    step = (after - before) / (count + 1)
    positions = [before + step * (i + 1) for i in range(count)]
    ordered = all(a < b for a, b in zip([before, *positions], [*positions, after]))
    return positions if ordered else None


def renumber_column(session: Session, stage_id: int) -> None:
    """Spread a column's positions out again (1, 2, 3...) keeping its order."""
    ids = session.scalars(select(Deal.id).where(Deal.stage_id == stage_id).order_by(Deal.position, Deal.id)).all()
    table = cast(Table, Deal.__table__)  # typed as any FromClause; a model's is its Table
    session.execute(  # in bulk, but counted like any write: the version moves, an audit row says so
        table.update().where(table.c.id == bindparam("b_id")).values(position=bindparam("b_pos"),
                                                                      version=table.c.version + 1),
        [{"b_id": deal_id, "b_pos": float(i)} for i, deal_id in enumerate(ids, 1)],
    )
    for deal_id in ids:
        _forget_loaded(session, deal_id)
    audit.record(session, "renumber", "stage", stage_id, deals=len(ids))


def _detach_loaded(session: Session, which) -> None:
    """Detach the loaded objects ``which`` picks (rows about to be deleted in Core)."""
    for obj in [o for o in session.identity_map.values() if which(o)]:
        session.expunge(obj)


@dataclass(frozen=True)
class DeletedDeal:
    """Everything a deleted deal took with it, so that undo brings it back whole."""

    deal: dict
    history: list[dict]
    activities: list[dict]
    lines: list[dict]


def _rows(session: Session, table, where) -> list[dict]:
    return [dict(row._mapping) for row in session.execute(select(table).where(where))]


def delete_deal(session: Session, deal_id: int) -> DeletedDeal:
    from salesdesk.db.models import Activity, DealLine

    _get(session, deal_id)
    table = cast(Table, Deal.__table__)  # typed as any FromClause; a model's is its Table
    snapshot = DeletedDeal(
        deal=_rows(session, table, table.c.id == deal_id)[0],
        history=_rows(session, StageChange.__table__, StageChange.__table__.c.deal_id == deal_id),
        activities=_rows(session, Activity.__table__, Activity.__table__.c.deal_id == deal_id),
        lines=_rows(session, DealLine.__table__, DealLine.__table__.c.deal_id == deal_id),
    )
    session.flush()
    # The ORM must not flush rows deleted here in Core; what else the caller loaded stays.
    _detach_loaded(session, lambda obj: (isinstance(obj, Deal) and obj.id == deal_id)
                   or getattr(obj, "deal_id", None) == deal_id)
    session.execute(delete(table).where(table.c.id == deal_id))
    audit.record(session, "delete", "deal", deal_id, title=snapshot.deal["title"])
    return snapshot


def restore_deal(session: Session, snapshot: DeletedDeal) -> None:
    from salesdesk.db.models import Activity, DealLine

    # __table__ is typed as any FromClause; a model's is its Table
    session.execute(cast(Table, Deal.__table__).insert(), [snapshot.deal])
    for table, rows in ((StageChange.__table__, snapshot.history), (Activity.__table__, snapshot.activities),
                        (DealLine.__table__, snapshot.lines)):
        if rows:
            session.execute(cast(Table, table).insert(), rows)
    audit.record(session, "restore", "deal", snapshot.deal["id"], title=snapshot.deal["title"])


# --- what the deal editor shows ------------------------------------------------------------


@dataclass(frozen=True)
class EditorForm:
    """The deal editor's choices and the deal as it is (plain values, no ORM objects)."""

    accounts: list[tuple[int, str]]
    contacts: list[tuple[int, int | None, str]]  # id, account id, name
    home_currency: str
    stage: tuple[int, str, int]  # id, name, default probability
    status: str
    original: dict | None  # the editable fields of an existing deal
    inactive_owner: tuple[int, str] | None  # a former owner, still choosable for an old deal
    history: list[tuple]  # (changed at, from, to, by)


def lost_reasons(session: Session) -> list[tuple[int, str]]:
    """The reasons a deal can be lost for, in the order the user keeps them."""
    return [(rid, name) for rid, name in session.execute(select(LostReason.id, LostReason.name).where(
        LostReason.active.is_(True)).order_by(LostReason.position, LostReason.name))]


def editor_form(session: Session, deal_id: int | None, stage_id: int | None) -> EditorForm:
    """What the editor needs for ``deal_id`` (None: a new deal in ``stage_id``)."""
    from salesdesk.db.reference import setting

    accounts = [(aid, name) for aid, name in session.execute(select(Account.id, Account.name).order_by(Account.name))]
    contacts: list[tuple[int, int | None, str]] = [(cid, aid, name) for cid, aid, name in session.execute(
        select(Contact.id, Contact.account_id, Contact.name).order_by(Contact.name))]
    original, status, inactive, history = None, "open", None, []
    if deal_id is not None:
        deal = session.get(Deal, deal_id)
        if deal is None:
            raise NotFoundError(f"Deal #{deal_id} no longer exists")
        original = {k: getattr(deal, k) for k in EDITABLE}
        stage_id, status = deal.stage_id, str(getattr(deal.status, "value", deal.status))
        owner = session.get(Person, deal.owner_id)
        if owner is not None and not owner.active:
            inactive = (owner.id, owner.name)
        # a stage or person deleted since is None: .get() then gives the stand-in
        names: dict[int | None, str] = dict(session.execute(select(Stage.id, Stage.name)).all())
        people: dict[int | None, str] = dict(session.execute(select(Person.id, Person.name)).all())
        history = [
            (c.changed_at, names.get(c.from_stage_id, "—") if c.from_stage_id else "(created)",
             names.get(c.to_stage_id, "—"), people.get(c.changed_by_id, ""))
            for c in session.scalars(select(StageChange).where(StageChange.deal_id == deal_id)
                                     .order_by(StageChange.changed_at, StageChange.id))]
    stage = session.get(Stage, stage_id) if stage_id is not None else None
    if stage is None:
        raise ValidationError("stage", "Choose a stage for the new deal")
    return EditorForm(accounts, contacts, setting(session, "currency", DEFAULT_CURRENCY),
                      (stage.id, stage.name, stage.probability), status, original, inactive, history)
