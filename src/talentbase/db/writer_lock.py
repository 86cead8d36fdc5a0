"""The write lock of an SQLite database file, taken in turn by the processes serving it.

SQLite has one writer per file. A second process's ``BEGIN IMMEDIATE`` waits in SQLite's busy
handler, which sleeps (1, 2, 5, 10 … 100 ms) and tries again instead of queueing: under a
steady load of writes from ``serve --workers 2`` a writer loses the lock to the other process
again and again, and both processes sit idle in those sleeps (bench/README.md, issue 7). Here a
writer first takes a lock that hands over the moment it is released: a thread lock among the
process's own threads, then an ``flock`` of a file beside the database
(``<database>-writer.lock``), which the kernel gives to the next waiting process. SQLite's own
lock, taken after it, stays what keeps writers apart; this one only makes them queue. The
file-lock libraries on PyPI (filelock, fasteners) poll with sleeps, which is what this avoids.

It is taken on the driver's thread, with a connection in hand, just before ``BEGIN
IMMEDIATE`` (``db.engine``), or around a whole write transaction
(``WriteBatch.send_committing``), and let go after its ``COMMIT`` or ``ROLLBACK``. Where
``fcntl`` is missing, or the file cannot be opened, only the thread lock is taken and SQLite's
busy handler does the waiting between processes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on POSIX: SQLite's busy handler alone between processes
    fcntl = None  # type: ignore[assignment]


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

    def hold(self) -> None:
        """Takes the lock, waiting as long as it takes (on a thread that may block)."""
        self._threads.acquire()
        try:
            fd = self._descriptor()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

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
