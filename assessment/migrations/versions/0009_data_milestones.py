"""Milestones proposed by a customer-data profile (origin 'data')

Revision ID: 0009_data_milestones
Revises: 0008_customer_data
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_data_milestones'
down_revision = '0008_customer_data'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_milestones_origin'), type_='check')
        batch_op.create_check_constraint(
            'origin', "origin IN ('checklist', 'gap', 'team', 'data')")


def downgrade():
    op.execute("UPDATE milestones SET origin = 'team' WHERE origin = 'data'")
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_milestones_origin'), type_='check')
        batch_op.create_check_constraint('origin', "origin IN ('checklist', 'gap', 'team')")
