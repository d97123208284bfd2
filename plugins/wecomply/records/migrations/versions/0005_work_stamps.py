"""Add work_stamps: what a month's assessment was computed from, so a re-run whose inputs
are unchanged does not score 100k people again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'work_stamps',
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_work_stamps')),
    )


def downgrade() -> None:
    op.drop_table('work_stamps')
