"""The shipped migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from wecomply.records import migrate
from wecomply.records.db import make_engine
from wecomply.records.models import Base


def test_upgrade_reaches_head_and_matches_models(records_url: str) -> None:
    assert migrate.current(records_url) is None

    assert migrate.upgrade(records_url) == migrate.head()

    engine = make_engine(records_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True, "version_table": migrate.VERSION_TABLE}), Base.metadata)
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert set(Base.metadata.tables) | {migrate.VERSION_TABLE} == tables
    if engine.dialect.name == "postgresql":
        # Alembic does not compare storage parameters (deliveries' fillfactor, 0007).
        assert _storage_parameters(records_url) == {
            name: {k: str(v) for k, v in table.dialect_options["postgresql"]["with"].items()}
            for name, table in Base.metadata.tables.items()
            if table.dialect_options["postgresql"]["with"]
        }


def _storage_parameters(url: str) -> dict[str, dict[str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT relname, reloptions FROM pg_class WHERE relkind = 'r' AND reloptions IS NOT NULL "
                "AND relnamespace = 'public'::regnamespace"
            ))
            return {name: dict(option.split("=", 1) for option in options) for name, options in rows}
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(records_url: str) -> None:
    first = migrate.upgrade(records_url)
    assert migrate.upgrade(records_url) == first == migrate.current(records_url)


def test_pacing_entries_in_any_window_survive_the_move_to_one_row_per_reservation(records_url: str) -> None:
    """0006: live per-member entries become reservations, grouped by (scope, time), and back."""
    import time

    from alembic import command

    assert migrate.upgrade(records_url, "0005") == "0005"
    now = time.time()
    old = sa.table("wecom_pacing", sa.column("scope"), sa.column("userid"), sa.column("sent_at"))
    entries = [("app:a", "alice", now - 10), ("app:a", "bob", now - 10), ("app:a", "alice", now - 5),
               ("app:b", "alice", now - 10), ("app:a", "carol", now - 3 * 3600)]  # the last: in no window
    engine = make_engine(records_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(old), [{"scope": s, "userid": u, "sent_at": t} for s, u, t in entries])
        migrate.upgrade(records_url)
        new = sa.table("wecom_pacing_reservations", sa.column("scope"), sa.column("sent_at"), sa.column("members", sa.JSON))
        with engine.connect() as conn:
            got = {(s, t, tuple(m)) for s, t, m in conn.execute(sa.select(new.c.scope, new.c.sent_at, new.c.members))}
        assert got == {("app:a", now - 10, ("alice", "bob")), ("app:a", now - 5, ("alice",)), ("app:b", now - 10, ("alice",))}

        with engine.connect() as conn:
            config = migrate.alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "0005")
            conn.commit()
        with engine.connect() as conn:
            back = set(conn.execute(sa.select(old.c.scope, old.c.userid, old.c.sent_at)).all())
        assert back == {(s, u, t) for s, u, t in entries[:4]}
    finally:
        engine.dispose()
