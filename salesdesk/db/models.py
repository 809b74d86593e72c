"""The domain as SQLAlchemy 2.x typed models.

Conventions:
- money is stored as integer cents (``Money``) and read back as ``Decimal``: sums in SQL
  are exact and a covering index on (stage, amount) stays small;
- timestamps are naive UTC, calendar days (won on, due on) are local dates;
- relationships default to ``lazy="raise"`` so no screen runs hidden queries: code that
  needs related rows says so with ``selectinload`` or a join.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from salesdesk.clock import CLOCK
from salesdesk.domain.money import from_cents, to_cents


def utcnow() -> dt.datetime:
    return CLOCK.utc_naive()


class Money(TypeDecorator[Decimal]):
    """A ``Decimal`` to the cent, stored as an integer number of cents."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else to_cents(value)

    def process_result_value(self, value, dialect):
        return None if value is None else from_cents(value)


# Named constraints so Alembic batch migrations on SQLite can find them later.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _rel(*args, **kwargs):
    kwargs.setdefault("lazy", "raise")
    return relationship(*args, **kwargs)


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ActivityKind(StrEnum):
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    TASK = "task"


class Metric(StrEnum):
    WON_REVENUE = "won_revenue"
    WON_DEALS = "won_deals"
    NEW_DEALS = "new_deals"
    ACTIVITIES = "activities"


class Setting(Base):
    """Company-wide settings kept with the data (company name, home currency)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Role(Base):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    rank: Mapped[int] = mapped_column(Integer, unique=True, comment="1 is the most senior")


class Branch(Base):
    __tablename__ = "branches"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        CheckConstraint("manager_id IS NULL OR manager_id <> id", name="not_own_manager"),
        Index("ix_people_manager", "manager_id"),
        Index("ix_people_branch", "branch_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    hire_date: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="RESTRICT"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id", ondelete="SET NULL"))
    external_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    role: Mapped[Role] = _rel(Role)
    branch: Mapped[Branch | None] = _rel(Branch)
    manager: Mapped[Person | None] = _rel("Person", remote_side=[id], back_populates="reports")
    reports: Mapped[list[Person]] = _rel("Person", back_populates="manager")

    # Optimistic locking: on a shared PostgreSQL server a stale edit is refused.
    __mapper_args__ = {"version_id_col": version}


class Pipeline(Base):
    __tablename__ = "pipelines"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    stages: Mapped[list[Stage]] = _rel("Stage", back_populates="pipeline", order_by="Stage.position")


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("pipeline_id", "name"),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability_range"),
        CheckConstraint("stale_days IS NULL OR stale_days > 0", name="stale_days_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer)
    probability: Mapped[int] = mapped_column(Integer, comment="default win probability, percent")
    stale_days: Mapped[int | None] = mapped_column(Integer, comment="a deal idle longer is stale")
    is_won: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    pipeline: Mapped[Pipeline] = _rel(Pipeline, back_populates="stages")


class LostReason(Base):
    __tablename__ = "lost_reasons"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    sector: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(120))
    employees: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    external_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    contacts: Mapped[list[Contact]] = _rel("Contact", back_populates="account")


class Contact(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    title: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))

    account: Mapped[Account] = _rel(Account, back_populates="contacts")


class Product(Base):
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    code: Mapped[str | None] = mapped_column(String(60), unique=True)
    series: Mapped[str | None] = mapped_column(String(120))
    price: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class Deal(Base):
    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("probability IS NULL OR probability BETWEEN 0 AND 100", name="probability_range"),
        CheckConstraint("status IN ('open', 'won', 'lost')", name="status_known"),
        # The board: open deals of a stage in column order.
        Index("ix_deals_board", "stage_id", "status", "position"),
        # Column totals without touching the table (covering; summed per currency).
        Index("ix_deals_stage_amount", "status", "stage_id", "currency", "amount", "probability"),
        # Actuals: won revenue per owner and period.  Partial (won deals only): it stays
        # small, and a bulk import of open deals builds it in no time.
        Index("ix_deals_won", "status", "won_on", "owner_id", "currency", "amount", sqlite_where=text("status = 'won'"),
              postgresql_where=text("status = 'won'")),
        # Lost deals per period (weekly report): the same shape for lost_on.
        Index("ix_deals_lost", "status", "lost_on", "owner_id", "currency", "amount", sqlite_where=text("status = 'lost'"),
              postgresql_where=text("status = 'lost'")),
        # A team's pipeline (org chart panel, targets): covering, no table reads.
        Index("ix_deals_owner", "owner_id", "status", "stage_id", "currency", "amount", "probability"),
        Index("ix_deals_account", "account_id"),
        # New deals per owner and period (targets, weekly report).
        Index("ix_deals_created", "created_at", "owner_id"),
        # The forecast: open deals of a team by expected close, weighted, without table reads.
        Index("ix_deals_forecast", "status", "owner_id", "expected_close", "stage_id", "currency", "amount", "probability"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="RESTRICT"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="RESTRICT"))
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    probability: Mapped[int | None] = mapped_column(Integer, comment="override of the stage default")
    expected_close: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default=DealStatus.OPEN)
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey("lost_reasons.id", ondelete="SET NULL"))
    lost_note: Mapped[str | None] = mapped_column(Text)
    won_on: Mapped[dt.date | None] = mapped_column(Date)
    lost_on: Mapped[dt.date | None] = mapped_column(Date)
    position: Mapped[float] = mapped_column(Float, default=0.0, comment="order within its column")
    stage_entered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    notes: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    account: Mapped[Account | None] = _rel(Account)
    contact: Mapped[Contact | None] = _rel(Contact)
    owner: Mapped[Person] = _rel(Person)
    pipeline: Mapped[Pipeline] = _rel(Pipeline)
    stage: Mapped[Stage] = _rel(Stage)
    lost_reason: Mapped[LostReason | None] = _rel(LostReason)
    lines: Mapped[list[DealLine]] = _rel("DealLine", back_populates="deal", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class StageChange(Base):
    """One move of a deal between stages; the first row of a deal has no ``from``."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        Index("ix_stage_changes_deal", "deal_id", "changed_at"),
        Index("ix_stage_changes_when", "changed_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    to_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id", ondelete="SET NULL"))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_deal_open", "deal_id", "done_at", "due_on"),
        Index("ix_activities_owner_done", "owner_id", "done_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=ActivityKind.TASK)
    subject: Mapped[str] = mapped_column(String(200))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DealLine(Base):
    __tablename__ = "deal_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    discount_pct: Mapped[int] = mapped_column(Integer, default=0)

    deal: Mapped[Deal] = _rel(Deal, back_populates="lines")
    product: Mapped[Product] = _rel(Product)


class Target(Base):
    """What a person (and through them their subtree) should reach in a period."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("person_id", "period_kind", "period_start", "metric"),
        CheckConstraint("period_kind IN ('week', 'month', 'quarter', 'year')", name="period_kind_known"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[dt.date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(16), default=Metric.WON_REVENUE)
    value: Mapped[Decimal] = mapped_column(Money)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class ExchangeRate(Base):
    """What one unit of ``currency`` is worth in ``quote`` (the company's currency when
    the rate was kept) from ``valid_from`` on, until a later rate of the same pair."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("currency", "quote", "valid_from"),
        CheckConstraint("currency <> quote", name="rate_of_another_currency"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    rate: Mapped[str] = mapped_column(String(32), comment="exact decimal text: 1 currency = rate quote")


class WeeklyNote(Base):
    """"My week": what a person writes about their week, shown in the weekly report."""

    __tablename__ = "weekly_notes"
    __table_args__ = (UniqueConstraint("person_id", "week_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    week_start: Mapped[dt.date] = mapped_column(Date, comment="the Monday of the ISO week")
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Budget(Base):
    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("branch_id", "period_kind", "period_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)


class Expense(Base):
    __tablename__ = "expenses"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_expenses_branch_day", "branch_id", "spent_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id", ondelete="RESTRICT"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    spent_on: Mapped[dt.date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Money)


class AuditEntry(Base):
    """One row per change to a deal, person or target, written in the same transaction."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.current_timestamp())
    actor: Mapped[str | None] = mapped_column(String(160))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[str | None] = mapped_column(Text, comment="JSON: the values that changed")
