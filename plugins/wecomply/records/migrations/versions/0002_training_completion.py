"""Add training_completion: per-department completion snapshots of a training period.

Revision ID: 0002
Revises: 0001
Create Date: 2026-04-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('training_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=64), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('assigned', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('completed_on_time', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_completion')),
    sa.UniqueConstraint('kind', 'period', 'department_id', 'as_of', name=op.f('uq_training_completion_kind_period_department_id_as_of'))
    )
    with op.batch_alter_table('training_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_completion_period'), ['period'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('training_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_completion_period'))

    op.drop_table('training_completion')
