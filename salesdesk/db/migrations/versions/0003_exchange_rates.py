"""exchange rates: what a deal's currency is worth in the company's, from a day on

The company's currency is the one SalesDesk reports in; a deal in another currency is
converted at the rate in force on the day a figure is for, and left out of totals (with
a note) when there is none.  The rate is exact decimal text, never a float.

Sums of deals are now read per currency: the covering indexes of the board's column
totals, the won and lost deals of a period, a team's pipeline and the forecast hold the
currency, so they still never read the table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 22:45:00
"""
from typing import Any, Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# (index, columns before, columns now, partial on a status)
_INDEXES = (
    ("ix_deals_stage_amount", ["status", "stage_id", "amount", "probability"],
     ["status", "stage_id", "currency", "amount", "probability"], None),
    ("ix_deals_won", ["status", "won_on", "owner_id", "amount"],
     ["status", "won_on", "owner_id", "currency", "amount"], "won"),
    ("ix_deals_lost", ["status", "lost_on", "owner_id", "amount"],
     ["status", "lost_on", "owner_id", "currency", "amount"], "lost"),
    ("ix_deals_owner", ["owner_id", "status", "stage_id", "amount", "probability"],
     ["owner_id", "status", "stage_id", "currency", "amount", "probability"], None),
    ("ix_deals_forecast", ["status", "owner_id", "expected_close", "stage_id", "amount", "probability"],
     ["status", "owner_id", "expected_close", "stage_id", "currency", "amount", "probability"], None),
)


def _rebuild_indexes(which: int) -> None:
    for name, *columns, status in _INDEXES:
        where: dict[str, Any] = {} if status is None else {"sqlite_where": sa.text(f"status = '{status}'"),
                                           "postgresql_where": sa.text(f"status = '{status}'")}
        op.drop_index(name, table_name="deals")
        op.create_index(name, "deals", columns[which], unique=False, **where)


def upgrade() -> None:
    _rebuild_indexes(1)
    op.create_table(
        'exchange_rates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('quote', sa.String(length=3), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('rate', sa.String(length=32), nullable=False, comment='exact decimal text: 1 currency = rate quote'),
        sa.CheckConstraint('currency <> quote', name=op.f('ck_exchange_rates_rate_of_another_currency')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
        sa.UniqueConstraint('currency', 'quote', 'valid_from', name=op.f('uq_exchange_rates_currency_quote_valid_from')),
    )


def downgrade() -> None:
    op.drop_table('exchange_rates')
    _rebuild_indexes(0)
