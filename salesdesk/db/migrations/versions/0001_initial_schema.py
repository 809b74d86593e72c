"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 07:25:52.919706
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('actor', sa.String(length=160), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.Text(), nullable=True, comment='JSON: the values that changed'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('branches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('region', sa.String(length=120), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_branches')),
    sa.UniqueConstraint('name', name=op.f('uq_branches_name'))
    )
    op.create_table('lost_reasons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lost_reasons')),
    sa.UniqueConstraint('name', name=op.f('uq_lost_reasons_name'))
    )
    op.create_table('pipelines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipelines')),
    sa.UniqueConstraint('name', name=op.f('uq_pipelines_name'))
    )
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=True),
    sa.Column('series', sa.String(length=120), nullable=True),
    sa.Column('price', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('code', name=op.f('uq_products_code')),
    sa.UniqueConstraint('name', name=op.f('uq_products_name'))
    )
    op.create_table('roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False, comment='1 is the most senior'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
    sa.UniqueConstraint('name', name=op.f('uq_roles_name')),
    sa.UniqueConstraint('rank', name=op.f('uq_roles_rank'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('period_kind', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_budgets_branch_id_branches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budgets')),
    sa.UniqueConstraint('branch_id', 'period_kind', 'period_start', name=op.f('uq_budgets_branch_id_period_kind_period_start'))
    )
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('hire_date', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('manager_id IS NULL OR manager_id <> id', name=op.f('ck_people_not_own_manager')),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_people_branch_id_branches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['manager_id'], ['people.id'], name=op.f('fk_people_manager_id_people'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_people_role_id_roles'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('email', name=op.f('uq_people_email')),
    sa.UniqueConstraint('external_id', name=op.f('uq_people_external_id'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_branch', ['branch_id'], unique=False)
        batch_op.create_index('ix_people_manager', ['manager_id'], unique=False)

    op.create_table('stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False, comment='default win probability, percent'),
    sa.Column('stale_days', sa.Integer(), nullable=True, comment='a deal idle longer is stale'),
    sa.Column('is_won', sa.Boolean(), server_default='0', nullable=False),
    sa.CheckConstraint('probability BETWEEN 0 AND 100', name=op.f('ck_stages_probability_range')),
    sa.CheckConstraint('stale_days IS NULL OR stale_days > 0', name=op.f('ck_stages_stale_days_positive')),
    sa.ForeignKeyConstraint(['pipeline_id'], ['pipelines.id'], name=op.f('fk_stages_pipeline_id_pipelines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stages')),
    sa.UniqueConstraint('pipeline_id', 'name', name=op.f('uq_stages_pipeline_id_name'))
    )
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=120), nullable=True),
    sa.Column('website', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('country', sa.String(length=120), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_accounts_owner_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('external_id', name=op.f('uq_accounts_external_id'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_name'), ['name'], unique=False)

    op.create_table('expenses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('spent_on', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_expenses_amount_not_negative')),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_expenses_branch_id_branches'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_expenses_person_id_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expenses'))
    )
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.create_index('ix_expenses_branch_day', ['branch_id', 'spent_on'], unique=False)

    op.create_table('targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('period_kind', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("period_kind IN ('week', 'month', 'quarter', 'year')", name=op.f('ck_targets_period_kind_known')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_targets_value_not_negative')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_targets_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targets')),
    sa.UniqueConstraint('person_id', 'period_kind', 'period_start', 'metric', name=op.f('uq_targets_person_id_period_kind_period_start_metric'))
    )
    op.create_table('weekly_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False, comment='the Monday of the ISO week'),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_weekly_notes_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_notes')),
    sa.UniqueConstraint('person_id', 'week_start', name=op.f('uq_weekly_notes_person_id_week_start'))
    )
    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_contacts_account_id_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_email'), ['email'], unique=False)

    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=True, comment='override of the stage default'),
    sa.Column('expected_close', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('lost_reason_id', sa.Integer(), nullable=True),
    sa.Column('lost_note', sa.Text(), nullable=True),
    sa.Column('won_on', sa.Date(), nullable=True),
    sa.Column('lost_on', sa.Date(), nullable=True),
    sa.Column('position', sa.Float(), nullable=False, comment='order within its column'),
    sa.Column('stage_entered_at', sa.DateTime(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('external_id', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("status IN ('open', 'won', 'lost')", name=op.f('ck_deals_status_known')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_deals_amount_not_negative')),
    sa.CheckConstraint('probability IS NULL OR probability BETWEEN 0 AND 100', name=op.f('ck_deals_probability_range')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_deals_account_id_accounts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_deals_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lost_reason_id'], ['lost_reasons.id'], name=op.f('fk_deals_lost_reason_id_lost_reasons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_deals_owner_id_people'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['pipeline_id'], ['pipelines.id'], name=op.f('fk_deals_pipeline_id_pipelines'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['stage_id'], ['stages.id'], name=op.f('fk_deals_stage_id_stages'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals')),
    sa.UniqueConstraint('external_id', name=op.f('uq_deals_external_id'))
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index('ix_deals_account', ['account_id'], unique=False)
        batch_op.create_index('ix_deals_board', ['stage_id', 'status', 'position'], unique=False)
        batch_op.create_index('ix_deals_created', ['created_at', 'owner_id'], unique=False)
        batch_op.create_index('ix_deals_forecast', ['status', 'owner_id', 'expected_close', 'stage_id', 'amount', 'probability'], unique=False)
        batch_op.create_index('ix_deals_owner', ['owner_id', 'status', 'stage_id', 'amount', 'probability'], unique=False)
        batch_op.create_index('ix_deals_stage_amount', ['status', 'stage_id', 'amount', 'probability'], unique=False)
        batch_op.create_index('ix_deals_won', ['status', 'won_on', 'owner_id', 'amount'], unique=False, sqlite_where=sa.text("status = 'won'"), postgresql_where=sa.text("status = 'won'"))
        batch_op.create_index('ix_deals_lost', ['status', 'lost_on', 'owner_id', 'amount'], unique=False, sqlite_where=sa.text("status = 'lost'"), postgresql_where=sa.text("status = 'lost'"))

    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_activities_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_activities_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_activities_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_activities_owner_id_people'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_deal_open', ['deal_id', 'done_at', 'due_on'], unique=False)
        batch_op.create_index('ix_activities_owner_done', ['owner_id', 'done_at'], unique=False)

    op.create_table('deal_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('discount_pct', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_deal_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_lines_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_deal_lines_product_id_products'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_lines'))
    )
    with op.batch_alter_table('deal_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_lines_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_lines_product_id'), ['product_id'], unique=False)

    op.create_table('stage_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('from_stage_id', sa.Integer(), nullable=True),
    sa.Column('to_stage_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['people.id'], name=op.f('fk_stage_changes_changed_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_stage_changes_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_stage_id'], ['stages.id'], name=op.f('fk_stage_changes_from_stage_id_stages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_stage_id'], ['stages.id'], name=op.f('fk_stage_changes_to_stage_id_stages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_changes'))
    )
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.create_index('ix_stage_changes_deal', ['deal_id', 'changed_at'], unique=False)
        batch_op.create_index('ix_stage_changes_when', ['changed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_stage_changes_when')
        batch_op.drop_index('ix_stage_changes_deal')

    op.drop_table('stage_changes')
    with op.batch_alter_table('deal_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_lines_product_id'))
        batch_op.drop_index(batch_op.f('ix_deal_lines_deal_id'))

    op.drop_table('deal_lines')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_owner_done')
        batch_op.drop_index('ix_activities_deal_open')

    op.drop_table('activities')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index('ix_deals_won')
        batch_op.drop_index('ix_deals_lost')
        batch_op.drop_index('ix_deals_stage_amount')
        batch_op.drop_index('ix_deals_owner')
        batch_op.drop_index('ix_deals_forecast')
        batch_op.drop_index('ix_deals_created')
        batch_op.drop_index('ix_deals_board')
        batch_op.drop_index('ix_deals_account')

    op.drop_table('deals')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_email'))
        batch_op.drop_index(batch_op.f('ix_contacts_account_id'))

    op.drop_table('contacts')
    op.drop_table('weekly_notes')
    op.drop_table('targets')
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.drop_index('ix_expenses_branch_day')

    op.drop_table('expenses')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_name'))

    op.drop_table('accounts')
    op.drop_table('stages')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_manager')
        batch_op.drop_index('ix_people_branch')

    op.drop_table('people')
    op.drop_table('budgets')
    op.drop_table('settings')
    op.drop_table('roles')
    op.drop_table('products')
    op.drop_table('pipelines')
    op.drop_table('lost_reasons')
    op.drop_table('branches')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entity')

    op.drop_table('audit_log')
