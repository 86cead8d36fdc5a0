"""The write lock of an SQLite database file, taken in turn by the processes serving it.

SQLite has one writer per file. A second process's ``BEGIN IMMEDIATE`` waits in SQLite's busy
handler, which sleeps (1, 2, 5, 10 … 100 ms) and tries again: under a steady load of writes
from ``serve --workers 2`` a writer loses the lock to the other process again and again, and
both processes sit idle in those sleeps (bench/README.md, issue 7). Here a writer first takes
a thread lock among the process's own threads, handed over the moment it is released, then an
``flock`` of a file beside the database (``<database>-writer.lock``), tried every millisecond.
SQLite's own lock, taken after it, stays what keeps writers apart; this one makes them take
turns. The ``flock`` is tried rather than waited for because a waiter must be able to stop: its
request may be cancelled (``abandoned``), and it gives up after SQLite's busy timeout, as
``BEGIN IMMEDIATE`` would. The file-lock libraries on PyPI (filelock, fasteners) poll too, but
at 50 ms or more.

It is taken on the driver's thread, with a connection in hand, just before ``BEGIN
IMMEDIATE`` (``db.engine``), or around a whole write transaction
(``WriteBatch.send_committing``, with a ``Claim``), and let go after its ``COMMIT`` or
``ROLLBACK``. Where
``fcntl`` is missing, or the file cannot be opened, only the thread lock is taken and SQLite's
busy handler does the waiting between processes.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on POSIX: SQLite's busy handler alone between processes
    fcntl = None  # type: ignore[assignment]


# as SQLite's busy timeout (``db.engine.SQLITE_PRAGMAS``)
BUSY_TIMEOUT_SECONDS = 10.0
_FILE_POLL_SECONDS = 0.001
# how often a waiter for the thread lock looks whether it was abandoned
_THREAD_POLL_SECONDS = 0.05


def _never() -> bool:
    return False


class Claim:
    """A write that the driver's thread carries out for a caller that may give up (be
    cancelled) meanwhile: the thread stops waiting for the lock when it is ``abandoned``, and
    asks ``finalize`` just before its one step that cannot be undone (``COMMIT``)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._abandoned = False

    def abandon(self) -> None:
        """The caller gives up: the write stops at its next check and is not committed."""
        with self._guard:
            self._abandoned = True

    def abandoned(self) -> bool:
        return self._abandoned

    def finalize(self) -> bool:
        """On the thread: whether to go on with the step that cannot be undone (False when
        abandoned; after True, abandoning changes nothing)."""
        with self._guard:
            return not self._abandoned


class WriterLock:
    """The writer lock of one SQLite database (``path``, None in memory) in one process."""

    def __init__(self, path: Path | None) -> None:
        self.path = (
            path.with_name(path.name + "-writer.lock")
            if path is not None and fcntl is not None
            else None
        )
        self._threads = threading.Lock()
        self._fd: int | None = None

    def _descriptor(self) -> int | None:
        if self._fd is None and self.path is not None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                self.path = None
        return self._fd

    def hold(
        self,
        abandoned: Callable[[], bool] = _never,
        timeout: float = BUSY_TIMEOUT_SECONDS,
    ) -> bool:
        """Takes the lock (on a thread that may block): True once held; False, holding
        nothing, when ``abandoned()`` turned true while waiting. Raises
        ``sqlite3.OperationalError`` ("database is locked") after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not self._threads.acquire(timeout=_THREAD_POLL_SECONDS):
            if abandoned():
                return False
            if time.monotonic() > deadline:
                raise sqlite3.OperationalError("database is locked")
        fd = self._descriptor()
        if fd is None:
            return True
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                pass
            except BaseException:
                self._threads.release()
                raise
            if abandoned():
                self._threads.release()
                return False
            if time.monotonic() > deadline:
                self._threads.release()
                raise sqlite3.OperationalError("database is locked")
            time.sleep(_FILE_POLL_SECONDS)

    def let_go(self) -> None:
        """Lets the lock go (taken by ``hold``; on any thread)."""
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        """Closes the lock's file (the lock must not be held)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
