"""The webhook worker's scan for events waiting for their fan-out reads the partial index of
waiting events in order, with no sort (migration 0018): the full index it replaced also held
the old version of every event fanned out since the last vacuum, and PostgreSQL read them all
on every round (bench/README.md, fifth round)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

from talentbase.db.engine import Database
from talentbase.webhooks import repository
from tests.conftest import backend


async def test_the_fan_out_scan_reads_the_index_of_waiting_events_in_order(
    database: Database, explainer: Engine
) -> None:
    captured: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "FROM outbox_events" in statement:
            captured.append((statement, parameters))

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        async with database.transaction(write=False) as session:
            await repository.events_to_fan_out(session, 200)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    [(statement, parameters)] = captured
    with explainer.connect() as connection:
        if backend() == "postgres":
            # on an empty table a scan is cheaper; the question is what the index can serve
            connection.exec_driver_sql("SET enable_seqscan = off")
            connection.exec_driver_sql("SET enable_bitmapscan = off")
            rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
            text = "\n".join(str(row[0]) for row in rows)
            assert "Index Scan using ix_outbox_events_pending" in text, text
        else:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            text = "\n".join(str(row[3]) for row in rows)
            assert "USING INDEX ix_outbox_events_pending" in text, text
        assert "Sort" not in text and "TEMP B-TREE" not in text, text
        connection.rollback()
