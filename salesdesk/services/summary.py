"""Headline figures for the screens not built yet (customers, activities): SQL
aggregates, no Qt.  The board, org chart, targets and reports read their own.

Every function takes a ``Session`` and returns a frozen dataclass of plain values, so
a screen can keep the result without holding anything live.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salesdesk.clock import CLOCK
from salesdesk.db.models import Account, Activity, Contact, Deal, DealStatus
from salesdesk.domain.periods import Period, PeriodKind
from salesdesk.services.overview import Overview, overview  # noqa: F401  (the status bar's figures)


# --- customers -----------------------------------------------------------------------


@dataclass(frozen=True)
class SectorFigures:
    name: str
    accounts: int


@dataclass(frozen=True)
class CustomersSummary:
    accounts: int
    contacts: int
    accounts_with_open_deals: int
    sectors: tuple[SectorFigures, ...]  # the largest first, at most five


def customers_summary(session: Session) -> CustomersSummary:
    # a count always gives one row: scalar_one(), not the optional scalar()
    accounts = session.execute(select(func.count()).select_from(Account)).scalar_one()
    contacts = session.execute(select(func.count()).select_from(Contact)).scalar_one()
    with_open = session.execute(
        select(func.count(func.distinct(Deal.account_id))).where(
            Deal.status == DealStatus.OPEN, Deal.account_id.is_not(None)
        )
    ).scalar_one()
    sectors = session.execute(
        select(Account.sector, func.count())
        .where(Account.sector.is_not(None))
        .group_by(Account.sector)
        .order_by(func.count().desc(), Account.sector)
        .limit(5)
    ).all()
    return CustomersSummary(accounts, contacts, with_open,
                            tuple(SectorFigures(cast(str, n), c) for n, c in sectors))  # sector IS NOT NULL


# --- activities ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActivitiesSummary:
    due_today: int
    overdue: int
    due_this_week: int  # after today, up to the end of the ISO week
    done_this_week: int
    open_by_kind: tuple[tuple[str, int], ...]  # ("call", 12), ... in a fixed order


def activities_summary(session: Session, today: dt.date | None = None) -> ActivitiesSummary:
    today = today or CLOCK.today()
    week = Period.containing(PeriodKind.WEEK, today)
    is_open = Activity.done_at.is_(None)
    due_today, overdue, due_week = session.execute(
        select(
            func.count().filter(Activity.due_on == today),
            func.count().filter(Activity.due_on < today),
            func.count().filter(Activity.due_on > today, Activity.due_on < week.end),
        ).where(is_open)
    ).one()
    week_start, week_end = CLOCK.utc_bounds(week.start, week.end)  # done_at is a UTC stamp
    done_week = session.execute(
        select(func.count()).select_from(Activity).where(Activity.done_at >= week_start, Activity.done_at < week_end)
    ).scalar_one()
    by_kind = dict(session.execute(select(Activity.kind, func.count()).where(is_open).group_by(Activity.kind)).all())
    order = ("call", "meeting", "email", "task")
    kinds = tuple((k, int(by_kind.get(k, 0))) for k in order) + tuple(
        (k, int(v)) for k, v in sorted(by_kind.items()) if k not in order
    )
    return ActivitiesSummary(due_today, overdue, due_week, done_week, kinds)

