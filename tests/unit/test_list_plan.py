"""A page of ``GET /candidates`` after a cursor is one range of the
``(workspace_id, modified_at, id)`` index, with no sort (issue 4 §1, §7): the position is a
row-value comparison the index serves on both databases, so a page deep in a walk costs what
the first page costs (bench/README.md, "Scale")."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Engine, event

from talentbase.db.engine import Database
from tests.conftest import backend, create_candidate


async def _page_statement(
    http: httpx.AsyncClient, database: Database, cursor: str
) -> tuple[str, Any]:
    """The SQL (and its parameters) that selects the candidates of the page after ``cursor``."""
    captured: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if "FROM candidates" in statement and "ORDER BY candidates.modified_at" in statement:
            captured.append((statement, parameters))

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = await http.get("/candidates", params={"limit": 2, "cursor": cursor})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.text
    [found] = captured
    return found


async def test_a_page_after_a_cursor_is_one_index_range_without_a_sort(
    client: httpx.AsyncClient, database: Database, explainer: Engine
) -> None:
    for _ in range(3):
        await create_candidate(client)
    first = (await client.get("/candidates", params={"limit": 1})).json()
    statement, parameters = await _page_statement(client, database, first["pageInfo"]["nextCursor"])
    with explainer.connect() as connection:
        if backend() == "postgres":
            # a tiny table is cheaper to scan; the question is whether the index *can* serve it
            connection.exec_driver_sql("SET enable_seqscan = off")
            # on a few rows two indexes cost alike; the question is whether the keyset one can
            # serve the page with no sort at all
            connection.exec_driver_sql("SET enable_sort = off")
            plan = [
                str(row[0])
                for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
            ]
            text = "\n".join(plan)
            assert "ix_candidates_workspace_modified" in text, text
            [condition] = [line for line in plan if "Index Cond" in line]
            assert "ROW(modified_at, " in condition and ") > ROW(" in condition, text
            assert "Filter" not in text, text
        else:
            plan = [
                str(row[3])
                for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            ]
            text = "\n".join(plan)
            assert (
                "SEARCH candidates USING INDEX ix_candidates_workspace_modified "
                "(workspace_id=? AND (modified_at,id)>(?,?))"
            ) in text, text
        assert "Sort" not in text and "TEMP B-TREE" not in text, text
        connection.rollback()
