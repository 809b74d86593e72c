"""Accounts (the customers deals are for): find one by name, create one, take a new
one back (the undo of creating it with a deal in the deal editor)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from salesdesk.db.models import Account, Contact, Deal
from salesdesk.errors import NotFoundError, RuleError, ValidationError
from salesdesk.services import audit


def find_account(session: Session, name: str) -> int | None:
    """The id of the account called ``name`` (case and outer spaces aside), or None."""
    wanted = " ".join(name.split()).lower()
    return session.scalar(select(Account.id).where(func.lower(func.trim(Account.name)) == wanted)
                          .order_by(Account.id).limit(1))


def create_account(session: Session, name: str, owner_id: int | None = None) -> int:
    """A new account called ``name``; refuses an empty name or one already taken."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("account", "The account needs a name")
    if len(name) > 200:
        raise ValidationError("account", "An account name has at most 200 characters")
    if find_account(session, name) is not None:
        raise ValidationError("account", f"There is already an account called “{name}”")
    account = Account(name=name, owner_id=owner_id)
    session.add(account)
    session.flush()
    audit.record(session, "create", "account", account.id, name=name)
    return account.id


def remove_new_account(session: Session, account_id: int) -> dict:
    """Delete an account nothing refers to yet; returns its row for ``restore_account``."""
    table = cast(Table, Account.__table__)  # typed as any FromClause; a model's is its Table
    row = session.execute(select(table).where(table.c.id == account_id)).first()
    if row is None:
        raise NotFoundError(f"Account #{account_id} no longer exists")
    used = (session.scalar(select(func.count()).select_from(Deal).where(Deal.account_id == account_id)) or 0) \
        + (session.scalar(select(func.count()).select_from(Contact).where(Contact.account_id == account_id)) or 0)
    if used:
        raise RuleError(f"“{row.name}” has deals or contacts now; it is kept")
    session.flush()
    session.execute(delete(table).where(table.c.id == account_id))
    audit.record(session, "delete", "account", account_id, name=row.name)
    return dict(row._mapping)


def restore_account(session: Session, row: dict) -> None:
    """Bring back an account ``remove_new_account`` took, with its id."""
    session.execute(cast(Table, Account.__table__).insert(), [row])
    audit.record(session, "restore", "account", row["id"], name=row["name"])
