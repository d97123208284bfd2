"""Deliveries: index created_at alone; drop the indexes on status and sent_at. Batches:
index (duty, period, step).

Settling a batch as sent rewrites status and sent_at on every delivery in it, and each
index on those columns was rewritten too. No read needs them: the assessment's reminder
count reads a created_at range (status is filtered in that range), and nothing searches
by sent_at. The batches' (duty, period, step) index tells a planner in one probe that a
step has no batch yet, so its deliveries need not be read one by one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_delivery_batches_duty_period_step', 'delivery_batches', ['duty', 'period', 'step'], unique=False
    )
    op.create_index('ix_deliveries_created_at', 'deliveries', ['created_at'], unique=False)
    op.drop_index('ix_deliveries_status_deliveries_created_at', table_name='deliveries')
    op.drop_index('ix_deliveries_sent_at', table_name='deliveries')


def downgrade() -> None:
    op.create_index('ix_deliveries_sent_at', 'deliveries', ['sent_at'], unique=False)
    op.create_index(
        'ix_deliveries_status_deliveries_created_at', 'deliveries', ['status', 'created_at'], unique=False
    )
    op.drop_index('ix_deliveries_created_at', table_name='deliveries')
    op.drop_index('ix_delivery_batches_duty_period_step', table_name='delivery_batches')
