"""``db.writer_lock``: SQLite's writers, of every thread and process, queue for a lock that is
handed over on release; a write transaction cancelled while it waits for it leaves it free."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from talentbase.db.engine import Database
from talentbase.db.writer_lock import Claim, WriterLock


def _hold_in_thread(lock: WriterLock) -> tuple[threading.Thread, threading.Event]:
    """A thread that takes ``lock`` and lets it go at once; the event is set once it had it."""
    had_it = threading.Event()

    def take() -> None:
        lock.hold()
        had_it.set()
        lock.let_go()

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    return thread, had_it


def _waits_until_let_go(holder: WriterLock, waiter: WriterLock) -> None:
    """``waiter`` (on a thread) does not get the lock while ``holder`` has it, and gets it
    once ``holder`` lets go."""
    holder.hold()
    thread, had_it = _hold_in_thread(waiter)
    assert not had_it.wait(0.3)
    holder.let_go()
    assert had_it.wait(10)
    thread.join(10)


def test_a_writer_of_another_process_waits_for_the_lock_and_gets_it_when_let_go(
    tmp_path: Path,
) -> None:
    database = tmp_path / "talentbase.db"
    # one lock per process: two on one file exclude each other as two processes would
    first, second = WriterLock(database), WriterLock(database)
    _waits_until_let_go(first, second)
    assert (tmp_path / "talentbase.db-writer.lock").exists()
    first.close()
    second.close()


def test_threads_of_one_process_take_the_lock_in_turn(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / "talentbase.db")
    _waits_until_let_go(lock, lock)
    lock.close()


def test_a_waiter_gives_up_when_abandoned_and_fails_after_the_busy_timeout(
    tmp_path: Path,
) -> None:
    database = tmp_path / "talentbase.db"
    first, second = WriterLock(database), WriterLock(database)
    first.hold()
    try:
        claim = Claim()
        claim.abandon()
        assert second.hold(claim.abandoned) is False
        assert not claim.finalize()
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            second.hold(timeout=0.2)
        # the same process's threads: the thread lock is waited for the same way
        assert first.hold(claim.abandoned) is False
    finally:
        first.let_go()
    # nothing of the failed waits is held
    assert second.hold(timeout=5) is True
    second.let_go()
    first.close()
    second.close()


def test_an_in_memory_database_has_a_lock_for_its_threads_only() -> None:
    lock = WriterLock(None)
    assert lock.path is None
    lock.hold()
    lock.let_go()


async def test_a_write_cancelled_while_it_waits_for_the_lock_leaves_it_free(
    tmp_path: Path,
) -> None:
    with sqlite3.connect(tmp_path / "talentbase.db") as setup:
        setup.execute("CREATE TABLE counter (n INTEGER)")
    database = Database(f"sqlite:///{tmp_path / 'talentbase.db'}")
    other_process = WriterLock(tmp_path / "talentbase.db")
    try:
        other_process.hold()

        async def write() -> None:
            async with database.transaction(write=True) as session:
                await session.execute(text("INSERT INTO counter VALUES (1)"))

        waiting = asyncio.create_task(write())
        await asyncio.sleep(0.3)
        assert not waiting.done()  # it waits for the other process's writer
        waiting.cancel()
        # its connection closes once the driver's thread is back from waiting
        other_process.let_go()
        await asyncio.wait_for(asyncio.gather(waiting, return_exceptions=True), timeout=10)
        assert waiting.cancelled()

        # the cancelled write took the lock when it came free and let it go: the next gets it
        await asyncio.wait_for(write(), timeout=10)
        async with database.transaction(write=False) as session:
            assert await session.scalar(text("SELECT count(*) FROM counter")) == 1
        thread, had_it = _hold_in_thread(other_process)
        assert had_it.wait(10)
        thread.join(10)
    finally:
        other_process.close()
        await database.dispose()
