"""database reference: the name this database's exports give its deals

A deal without an external id is exported as ``<reference>#<id>``, so that the export
imports back into this database as the same deals (skip or update) and into another as
new ones.  The reference is random and made once: by this migration, for a new file as it
is created and for an older file at its upgrade.  A reference an earlier SalesDesk wrote
(its window's export made one on first use) is kept: its exports name deals with it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 09:00:00
"""
import secrets
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.get_bind().execute(
        sa.text("INSERT INTO settings (key, value) VALUES ('database_reference', :value) ON CONFLICT (key) DO NOTHING"),
        {"value": "sd-" + secrets.token_hex(6)})


def downgrade() -> None:
    pass  # the reference names deals in exports already made: kept
