"""Headline figures for the status bar and the screens: SQL aggregates, no Qt.

Every function takes a ``Session`` and returns a frozen dataclass of plain values, so
a screen can keep the result without holding anything live.  Money is summed in
integer cents in SQL and turned into ``Decimal`` once, here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, and_, case, func, select, type_coerce
from sqlalchemy.orm import Session

from salesdesk.db.models import (
    Account,
    Activity,
    Branch,
    Contact,
    Deal,
    DealStatus,
    Metric,
    Person,
    Pipeline,
    Role,
    Setting,
    Stage,
    Target,
)
from salesdesk.domain.money import from_cents
from salesdesk.domain.periods import Period, PeriodKind

DEFAULT_CURRENCY = "EUR"

# Amounts as raw cents, so that SUM and products stay exact integers in SQL.
_CENTS = type_coerce(Deal.amount, BigInteger)


def _currency(session: Session) -> str:
    return session.scalar(select(Setting.value).where(Setting.key == "currency")) or DEFAULT_CURRENCY


def _weighted_cents(cents_times_percent: int | None) -> Decimal:
    """``SUM(cents * percent)`` -> money, rounding half up to the cent."""
    return from_cents((int(cents_times_percent or 0) + 50) // 100)


# --- the whole database: status bar and the "empty database" check -----------------


from salesdesk.services.overview import Overview, overview  # noqa: E402,F401  (the status bar's figures)


# --- pipeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class StageFigures:
    stage_id: int
    name: str
    probability: int
    is_won: bool
    deals: int  # open deals in an open stage, won deals in a won stage
    amount: Decimal
    weighted: Decimal  # amount x effective probability


@dataclass(frozen=True)
class PipelineSummary:
    pipeline_id: int | None
    name: str
    currency: str
    stages: tuple[StageFigures, ...]
    other_pipelines: int

    @property
    def open_stages(self) -> tuple[StageFigures, ...]:
        return tuple(s for s in self.stages if not s.is_won)

    @property
    def open_deals(self) -> int:
        return sum(s.deals for s in self.open_stages)

    @property
    def open_amount(self) -> Decimal:
        return sum((s.amount for s in self.open_stages), Decimal(0))

    @property
    def weighted_amount(self) -> Decimal:
        return sum((s.weighted for s in self.open_stages), Decimal(0))


def pipeline_summary(session: Session, pipeline_id: int | None = None) -> PipelineSummary:
    """Deals and amounts per stage of one pipeline (default: the first one)."""
    pipelines = session.execute(select(Pipeline.id, Pipeline.name).order_by(Pipeline.position, Pipeline.id)).all()
    currency = _currency(session)
    if not pipelines:
        return PipelineSummary(None, "", currency, (), 0)
    chosen = next((p for p in pipelines if p.id == pipeline_id), pipelines[0])
    # A stage's own deals: open ones in open stages, won ones in won stages.
    counted = and_(
        Deal.stage_id == Stage.id,
        Deal.status == case((Stage.is_won, DealStatus.WON), else_=DealStatus.OPEN),
    )
    rows = session.execute(
        select(
            Stage.id,
            Stage.name,
            Stage.probability,
            Stage.is_won,
            func.count(Deal.id),
            func.coalesce(func.sum(_CENTS), 0),
            func.coalesce(func.sum(_CENTS * func.coalesce(Deal.probability, Stage.probability)), 0),
        )
        .select_from(Stage)
        .outerjoin(Deal, counted)
        .where(Stage.pipeline_id == chosen.id)
        .group_by(Stage.id)
        .order_by(Stage.position, Stage.id)
    ).all()
    stages = tuple(
        StageFigures(sid, name, probability, bool(is_won), count, from_cents(cents), _weighted_cents(weighted))
        for sid, name, probability, is_won, count, cents, weighted in rows
    )
    return PipelineSummary(chosen.id, chosen.name, currency, stages, len(pipelines) - 1)


# --- org chart -----------------------------------------------------------------------


@dataclass(frozen=True)
class BranchFigures:
    branch_id: int | None  # None: people without a branch
    name: str
    city: str | None
    people: int


@dataclass(frozen=True)
class RoleFigures:
    name: str
    people: int


@dataclass(frozen=True)
class OrgSummary:
    people: int
    managers: int  # active people with at least one active report
    top: str | None  # the person at the top of the organisation
    branches: tuple[BranchFigures, ...]
    roles: tuple[RoleFigures, ...]  # senior first


def org_summary(session: Session) -> OrgSummary:
    active = Person.active.is_(True)
    people = session.scalar(select(func.count()).select_from(Person).where(active))
    report = Person.__table__.alias("report")
    managers = session.scalar(
        select(func.count(func.distinct(report.c.manager_id))).where(report.c.active.is_(True), report.c.manager_id.is_not(None))
    )
    top = session.scalar(select(Person.name).where(active, Person.manager_id.is_(None)).order_by(Person.id).limit(1))
    branch_rows = session.execute(
        select(Branch.id, Branch.name, Branch.city, func.count(Person.id))
        .select_from(Branch)
        .outerjoin(Person, and_(Person.branch_id == Branch.id, active))
        .where(Branch.active.is_(True))
        .group_by(Branch.id)
        .order_by(func.count(Person.id).desc(), Branch.name)
    ).all()
    branches = [BranchFigures(bid, name, city, count) for bid, name, city, count in branch_rows]
    unassigned = session.scalar(select(func.count()).select_from(Person).where(active, Person.branch_id.is_(None)))
    if unassigned:
        branches.append(BranchFigures(None, "No branch", None, unassigned))
    role_rows = session.execute(
        select(Role.name, func.count(Person.id))
        .select_from(Role)
        .outerjoin(Person, and_(Person.role_id == Role.id, active))
        .group_by(Role.id)
        .order_by(Role.rank)
    ).all()
    return OrgSummary(people, managers, top, tuple(branches), tuple(RoleFigures(n, c) for n, c in role_rows))


# --- targets -------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetsSummary:
    currency: str
    quarter: str  # "2026-Q4"
    month: str  # "2026-11"
    won_this_month: Decimal
    won_this_quarter: Decimal
    won_deals_this_quarter: int
    company_quarter_target: Decimal | None  # won revenue target of the top of the organisation
    people_with_targets: int  # in the current quarter, any metric or period inside it
    targets_this_year: int

    @property
    def attainment(self) -> float | None:
        """Won this quarter as a fraction of the company's quarter target."""
        if not self.company_quarter_target:
            return None
        return float(self.won_this_quarter / self.company_quarter_target)


def _won_between(session: Session, start: dt.date, end: dt.date) -> tuple[int, Decimal]:
    count, cents = session.execute(
        select(func.count(), func.coalesce(func.sum(_CENTS), 0)).where(
            Deal.status == DealStatus.WON, Deal.won_on >= start, Deal.won_on < end
        )
    ).one()
    return count, from_cents(cents)


def targets_summary(session: Session, today: dt.date | None = None) -> TargetsSummary:
    today = today or dt.date.today()
    month = Period.containing(PeriodKind.MONTH, today)
    quarter = Period.containing(PeriodKind.QUARTER, today)
    year = Period.containing(PeriodKind.YEAR, today)
    _, won_month = _won_between(session, month.start, month.end)
    won_deals_quarter, won_quarter = _won_between(session, quarter.start, quarter.end)
    company_target = session.scalar(
        select(type_coerce(Target.value, BigInteger))
        .join(Person, Person.id == Target.person_id)
        .where(
            Person.manager_id.is_(None),
            Person.active.is_(True),
            Target.metric == Metric.WON_REVENUE,
            Target.period_kind == PeriodKind.QUARTER,
            Target.period_start == quarter.start,
        )
        .limit(1)
    )
    people_with_targets = session.scalar(
        select(func.count(func.distinct(Target.person_id))).where(
            Target.period_start >= quarter.start, Target.period_start < quarter.end
        )
    )
    targets_this_year = session.scalar(
        select(func.count()).select_from(Target).where(Target.period_start >= year.start, Target.period_start < year.end)
    )
    return TargetsSummary(
        _currency(session), quarter.label, month.label, won_month, won_quarter, won_deals_quarter,
        None if company_target is None else from_cents(company_target), people_with_targets, targets_this_year,
    )


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
    accounts = session.scalar(select(func.count()).select_from(Account))
    contacts = session.scalar(select(func.count()).select_from(Contact))
    with_open = session.scalar(
        select(func.count(func.distinct(Deal.account_id))).where(
            Deal.status == DealStatus.OPEN, Deal.account_id.is_not(None)
        )
    )
    sectors = session.execute(
        select(Account.sector, func.count())
        .where(Account.sector.is_not(None))
        .group_by(Account.sector)
        .order_by(func.count().desc(), Account.sector)
        .limit(5)
    ).all()
    return CustomersSummary(accounts, contacts, with_open, tuple(SectorFigures(n, c) for n, c in sectors))


# --- activities ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActivitiesSummary:
    due_today: int
    overdue: int
    due_this_week: int  # after today, up to the end of the ISO week
    done_this_week: int
    open_by_kind: tuple[tuple[str, int], ...]  # ("call", 12), ... in a fixed order


def activities_summary(session: Session, today: dt.date | None = None) -> ActivitiesSummary:
    today = today or dt.date.today()
    week = Period.containing(PeriodKind.WEEK, today)
    is_open = Activity.done_at.is_(None)
    due_today, overdue, due_week = session.execute(
        select(
            func.count().filter(Activity.due_on == today),
            func.count().filter(Activity.due_on < today),
            func.count().filter(Activity.due_on > today, Activity.due_on < week.end),
        ).where(is_open)
    ).one()
    week_start = dt.datetime.combine(week.start, dt.time())
    week_end = dt.datetime.combine(week.end, dt.time())
    done_week = session.scalar(
        select(func.count()).select_from(Activity).where(Activity.done_at >= week_start, Activity.done_at < week_end)
    )
    by_kind = dict(session.execute(select(Activity.kind, func.count()).where(is_open).group_by(Activity.kind)).all())
    order = ("call", "meeting", "email", "task")
    kinds = tuple((k, int(by_kind.get(k, 0))) for k in order) + tuple(
        (k, int(v)) for k, v in sorted(by_kind.items()) if k not in order
    )
    return ActivitiesSummary(due_today, overdue, due_week, done_week, kinds)

