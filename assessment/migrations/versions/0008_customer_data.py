"""Customer data profiles: aggregates measured from a client's own customer files

Revision ID: 0008_customer_data
Revises: 0007_access
Create Date: 2026-12-07 12:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_customer_data'
down_revision = '0007_access'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('window_months', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.CheckConstraint('score BETWEEN 0 AND 5', name=op.f('ck_data_profiles_score')),
    sa.CheckConstraint('window_months BETWEEN 6 AND 12', name=op.f('ck_data_profiles_window_months')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_data_profiles_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_data_profiles_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_profiles'))
    )
    with op.batch_alter_table('data_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_profiles_client_id'), ['client_id'], unique=False)


def downgrade():
    with op.batch_alter_table('data_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_profiles_client_id'))
    op.drop_table('data_profiles')
