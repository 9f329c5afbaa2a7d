"""The consultancy's brand on its reports: a logo and a confidentiality line

Revision ID: 0005_workspace_brand
Revises: 0004_hardening
Create Date: 2026-12-07 09:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_workspace_brand'
down_revision = '0004_hardening'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('logo_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('confidentiality', sa.String(length=200),
                                      server_default='', nullable=False))
    # Colours stored before they were checked are checked again when printed
    # (brand.print_colour): the rule is not repeated here.


def downgrade():
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.drop_column('confidentiality')
        batch_op.drop_column('logo_type')
        batch_op.drop_column('logo')
