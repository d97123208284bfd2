"""Deliveries fill PostgreSQL's pages to 35 %, so settling a row is a HOT update.

Every delivery row is written once and settled once (status, msgid, sent_at, attempts),
which makes it larger: 112 → 192 bytes with a 64-byte msgid. When the settled version
does not fit the row's page, it goes to another and each of the table's five indexes
gets an entry for it. Measured at 10k rows (in-process, three runs, two rounds): settling
took 81-100 ms of a 0.31-0.36 s fan-out in full pages, 18-19 ms of 0.24-0.27 s at 35 %.
At 50 % only 58-83 % of the rows fit (a 64- or 8-byte msgid), and settling took 57-86 ms.
35 % fits every row up to a 64-byte msgid (WeCom does not document its length; the column
allows 128). SQLite has no such setting. Pages written before the upgrade keep their fill.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

FILLFACTOR = 35  # wecomply.records.models.DELIVERIES_FILLFACTOR when this was written


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER TABLE deliveries SET (fillfactor = {FILLFACTOR})')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE deliveries RESET (fillfactor)')
