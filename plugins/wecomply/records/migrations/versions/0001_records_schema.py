"""Create the records schema.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_findings'))
    )
    with op.batch_alter_table('account_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_findings_resolved_at'), ['resolved_at'], unique=False)
        batch_op.create_index('uq_account_findings_open', ['kind', 'subject'], unique=True, sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))

    op.create_table('account_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=True),
    sa.Column('requester_userid', sa.String(length=64), nullable=False),
    sa.Column('subject_name', sa.String(length=128), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewer_userid', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_requests')),
    sa.UniqueConstraint('external_id', name=op.f('uq_account_requests_external_id'))
    )
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('userid', 'period', name=op.f('uq_assessments_userid_period'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_period'), ['period'], unique=False)

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject_userid', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=64), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('ref_type', sa.String(length=16), nullable=True),
    sa.Column('ref_id', sa.String(length=64), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
    sa.UniqueConstraint('kind', 'subject_userid', 'period', name=op.f('uq_assignments_kind_subject_userid_period'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_kind_assignments_period_assignments_status'), ['kind', 'period', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_subject_userid'), ['subject_userid'], unique=False)

    op.create_table('callback_inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedup_key', sa.String(length=255), nullable=False),
    sa.Column('msg_type', sa.String(length=32), nullable=True),
    sa.Column('event', sa.String(length=64), nullable=True),
    sa.Column('from_userid', sa.String(length=64), nullable=True),
    sa.Column('create_time', sa.BigInteger(), nullable=True),
    sa.Column('event_key', sa.String(length=1024), nullable=True),
    sa.Column('task_id', sa.String(length=128), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_inbox')),
    sa.UniqueConstraint('dedup_key', name=op.f('uq_callback_inbox_dedup_key'))
    )
    with op.batch_alter_table('callback_inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_inbox_processed_at'), ['processed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_callback_inbox_task_id'), ['task_id'], unique=False)

    op.create_table('delivery_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duty', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=64), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('task_id', sa.String(length=128), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('duplicate_check_interval', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('lease_owner', sa.String(length=128), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('maybe_sent', sa.Boolean(), nullable=False),
    sa.Column('first_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('msgid', sa.String(length=128), nullable=True),
    sa.Column('response_code', sa.String(length=255), nullable=True),
    sa.Column('invalid_users', sa.JSON(), nullable=True),
    sa.Column('invalid_parties', sa.JSON(), nullable=True),
    sa.Column('invalid_tags', sa.JSON(), nullable=True),
    sa.Column('unlicensed_users', sa.JSON(), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_batches')),
    sa.UniqueConstraint('task_id', name=op.f('uq_delivery_batches_task_id'))
    )
    with op.batch_alter_table('delivery_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_batches_body_sha256'), ['body_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_batches_status_delivery_batches_lease_expires_at'), ['status', 'lease_expires_at'], unique=False)

    op.create_table('departments',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('head_userid', sa.String(length=64), nullable=True),
    sa.Column('account_owner_userid', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments'))
    )
    op.create_table('directory_sync_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('run_id', sa.String(length=250), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_sync_runs'))
    )
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('location', sa.String(length=255), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('impact', sa.Text(), nullable=False),
    sa.Column('measures_taken', sa.Text(), nullable=False),
    sa.Column('people_involved', sa.JSON(), nullable=False),
    sa.Column('reporter_userid', sa.String(length=64), nullable=True),
    sa.Column('clock_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('key', name=op.f('uq_incidents_key'))
    )
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('organiser_userid', sa.String(length=64), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes_ref', sa.String(length=1024), nullable=True),
    sa.Column('minutes_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_meetings_source_external_id'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_end_at'), ['end_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_organiser_userid'), ['organiser_userid'], unique=False)

    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('key', name=op.f('uq_notices_key'))
    )
    op.create_table('violations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.SmallInteger(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violations'))
    )
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_violations_userid'), ['userid'], unique=False)

    op.create_table('wecom_pacing',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('scope', sa.String(length=128), nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('sent_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wecom_pacing'))
    )
    with op.batch_alter_table('wecom_pacing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wecom_pacing_scope_wecom_pacing_userid_wecom_pacing_sent_at'), ['scope', 'userid', 'sent_at'], unique=False)

    op.create_table('wecom_pacing_days',
    sa.Column('scope', sa.String(length=128), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('recipients', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'day', name=op.f('pk_wecom_pacing_days'))
    )
    op.create_table('wecom_store_locks',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_wecom_store_locks'))
    )
    op.create_table('wecom_token_cache',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('sealed', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_wecom_token_cache'))
    )
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duty', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=64), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('msgid', sa.String(length=128), nullable=True),
    sa.Column('invalid_users', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_deliveries_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['batch_id'], ['delivery_batches.id'], name=op.f('fk_deliveries_batch_id_delivery_batches'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('duty', 'subject', 'period', 'step', name=op.f('uq_deliveries_duty_subject_period_step'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_status_deliveries_created_at'), ['status', 'created_at'], unique=False)

    op.create_table('directory_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('from_department_id', sa.Integer(), nullable=True),
    sa.Column('to_department_id', sa.Integer(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sync_run_id'], ['directory_sync_runs.id'], name=op.f('fk_directory_changes_sync_run_id_directory_sync_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_changes'))
    )
    with op.batch_alter_table('directory_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_changes_sync_run_id'), ['sync_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_changes_userid'), ['userid'], unique=False)

    op.create_table('employees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('direct_leader_userid', sa.String(length=64), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('position', sa.String(length=128), nullable=True),
    sa.Column('hire_date', sa.Date(), nullable=True),
    sa.Column('leave_date', sa.Date(), nullable=True),
    sa.Column('transfer_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('in_roster', sa.Boolean(), nullable=False),
    sa.Column('wecom_status', sa.SmallInteger(), nullable=True),
    sa.Column('wecom_enabled', sa.Boolean(), nullable=True),
    sa.Column('wecom_department_ids', sa.JSON(), nullable=True),
    sa.Column('wecom_main_department_id', sa.Integer(), nullable=True),
    sa.Column('wecom_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_employees_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employees')),
    sa.UniqueConstraint('userid', name=op.f('uq_employees_userid'))
    )
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employees_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_employees_direct_leader_userid'), ['direct_leader_userid'], unique=False)
        batch_op.create_index(batch_op.f('ix_employees_status'), ['status'], unique=False)

    op.create_table('incident_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.SmallInteger(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by', sa.String(length=64), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_steps_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_steps')),
    sa.UniqueConstraint('incident_id', 'step', name=op.f('uq_incident_steps_incident_id_step'))
    )
    op.create_table('meeting_attendees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_attendees_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_attendees')),
    sa.UniqueConstraint('meeting_id', 'userid', name=op.f('uq_meeting_attendees_meeting_id_userid'))
    )
    with op.batch_alter_table('meeting_attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_attendees_userid'), ['userid'], unique=False)

    op.create_table('wecom_account_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sync_run_id', sa.Integer(), nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=True),
    sa.Column('status', sa.SmallInteger(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('department_ids', sa.JSON(), nullable=False),
    sa.Column('main_department_id', sa.Integer(), nullable=True),
    sa.Column('direct_leader_userids', sa.JSON(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sync_run_id'], ['directory_sync_runs.id'], name=op.f('fk_wecom_account_snapshots_sync_run_id_directory_sync_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wecom_account_snapshots')),
    sa.UniqueConstraint('sync_run_id', 'userid', name=op.f('uq_wecom_account_snapshots_sync_run_id_userid'))
    )
    with op.batch_alter_table('wecom_account_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wecom_account_snapshots_userid'), ['userid'], unique=False)

    op.create_table('acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('userid', sa.String(length=64), nullable=False),
    sa.Column('task_id', sa.String(length=128), nullable=False),
    sa.Column('event_key', sa.String(length=1024), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('inbox_event_id', sa.Integer(), nullable=False),
    sa.Column('clicked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_acknowledgements_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_acknowledgements_delivery_id_deliveries')),
    sa.ForeignKeyConstraint(['inbox_event_id'], ['callback_inbox.id'], name=op.f('fk_acknowledgements_inbox_event_id_callback_inbox')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acknowledgements')),
    sa.UniqueConstraint('inbox_event_id', name=op.f('uq_acknowledgements_inbox_event_id')),
    sa.UniqueConstraint('userid', 'task_id', 'event_key', name=op.f('uq_acknowledgements_userid_task_id_event_key'))
    )
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acknowledgements_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acknowledgements_userid'), ['userid'], unique=False)

    op.create_table('escalations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duty', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('about', sa.String(length=64), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('escalated_to', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=255), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_escalations_assignment_id_assignments')),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_escalations_delivery_id_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_escalations')),
    sa.UniqueConstraint('duty', 'subject', 'about', 'level', name=op.f('uq_escalations_duty_subject_about_level'))
    )
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalations_escalated_at'), ['escalated_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalations_escalated_at'))

    op.drop_table('escalations')
    with op.batch_alter_table('acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acknowledgements_userid'))
        batch_op.drop_index(batch_op.f('ix_acknowledgements_assignment_id'))

    op.drop_table('acknowledgements')
    with op.batch_alter_table('wecom_account_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wecom_account_snapshots_userid'))

    op.drop_table('wecom_account_snapshots')
    with op.batch_alter_table('meeting_attendees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_attendees_userid'))

    op.drop_table('meeting_attendees')
    op.drop_table('incident_steps')
    with op.batch_alter_table('employees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employees_status'))
        batch_op.drop_index(batch_op.f('ix_employees_direct_leader_userid'))
        batch_op.drop_index(batch_op.f('ix_employees_department_id'))

    op.drop_table('employees')
    with op.batch_alter_table('directory_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_changes_userid'))
        batch_op.drop_index(batch_op.f('ix_directory_changes_sync_run_id'))

    op.drop_table('directory_changes')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_status_deliveries_created_at'))
        batch_op.drop_index(batch_op.f('ix_deliveries_sent_at'))
        batch_op.drop_index(batch_op.f('ix_deliveries_batch_id'))
        batch_op.drop_index(batch_op.f('ix_deliveries_assignment_id'))

    op.drop_table('deliveries')
    op.drop_table('wecom_token_cache')
    op.drop_table('wecom_store_locks')
    op.drop_table('wecom_pacing_days')
    with op.batch_alter_table('wecom_pacing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wecom_pacing_scope_wecom_pacing_userid_wecom_pacing_sent_at'))

    op.drop_table('wecom_pacing')
    with op.batch_alter_table('violations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_violations_userid'))

    op.drop_table('violations')
    op.drop_table('notices')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_organiser_userid'))
        batch_op.drop_index(batch_op.f('ix_meetings_end_at'))

    op.drop_table('meetings')
    op.drop_table('incidents')
    op.drop_table('directory_sync_runs')
    op.drop_table('departments')
    with op.batch_alter_table('delivery_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_batches_status_delivery_batches_lease_expires_at'))
        batch_op.drop_index(batch_op.f('ix_delivery_batches_body_sha256'))

    op.drop_table('delivery_batches')
    with op.batch_alter_table('callback_inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callback_inbox_task_id'))
        batch_op.drop_index(batch_op.f('ix_callback_inbox_processed_at'))

    op.drop_table('callback_inbox')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_subject_userid'))
        batch_op.drop_index(batch_op.f('ix_assignments_kind_assignments_period_assignments_status'))

    op.drop_table('assignments')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_period'))

    op.drop_table('assessments')
    op.drop_table('account_requests')
    with op.batch_alter_table('account_findings', schema=None) as batch_op:
        batch_op.drop_index('uq_account_findings_open', sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_account_findings_resolved_at'))

    op.drop_table('account_findings')
