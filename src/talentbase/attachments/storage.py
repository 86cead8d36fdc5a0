"""The files behind attachments, on local disk, kept in step with the request's transaction.

A file is written to a temporary name in the attachments folder and moved into place
(``<folder>/<first two characters of the id>/<id>``) before its row is inserted; if the
transaction then rolls back (or its commit fails), the file is removed again, so a failed
request leaves neither a file nor a row (API.md §1). A file whose row is deleted is removed
only after the commit, so a rolled-back delete keeps it. A crash between the move and the
commit can leave a file without a row (never a row without its file); such leftovers are
named by ids that no row holds and can be swept by hand.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from talentbase.settings import Settings

log = structlog.get_logger("talentbase.attachments")

_CHANGES_KEY = "talentbase.attachments.file_changes"
_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Storage:
    """Where files go (``root``, absolute) and the largest accepted file (``max_bytes``)."""

    root: Path
    max_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Storage:
        """``attachments_dir`` (resolved against the working folder) and
        ``max_attachment_bytes``."""
        return cls(settings.attachments_dir.resolve(), settings.max_attachment_bytes)

    def path_for(self, attachment_id: str) -> Path:
        """Where the file of ``attachment_id`` is stored: named by the generated id only,
        in a sub-folder of its first two characters so no folder grows too large."""
        return self.root / attachment_id[:2] / attachment_id


def write(source: BinaryIO, destination: Path) -> None:
    """Copies ``source`` (from its start) to ``destination``: into a temporary file (mode 0600)
    in the same folder, flushed to disk, then renamed into place, so ``destination`` is either
    absent or complete. Blocking I/O: run it in a worker thread."""
    destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent, prefix=".upload-")
    try:
        with os.fdopen(descriptor, "wb") as target:
            source.seek(0)
            shutil.copyfileobj(source, target, _CHUNK_BYTES)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove(path: Path) -> None:
    """Deletes the file at ``path``; one already gone is fine, other failures are logged (the
    database is already right; a leftover file is only wasted space)."""
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        log.error("attachment_file_not_removed", path=str(path), error=str(error))


@dataclass
class _FileChanges:
    """Files to remove when the session's transaction ends: ``created`` if it does not commit,
    ``deleted`` if it does."""

    created: list[Path] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)

    def committed(self, session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint: the outer transaction may still roll back
        for path in self.deleted:
            remove(path)
        self.created.clear()
        self.deleted.clear()

    def ended(self, _session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is not None:
            return
        # after a commit both lists are already empty; otherwise nothing was committed
        for path in self.created:
            remove(path)
        self.created.clear()
        self.deleted.clear()


def _changes(session: AsyncSession) -> _FileChanges:
    sync_session = session.sync_session
    changes: Any = sync_session.info.get(_CHANGES_KEY)
    if changes is None:
        changes = _FileChanges()
        sync_session.info[_CHANGES_KEY] = changes
        event.listen(sync_session, "after_commit", changes.committed)
        event.listen(sync_session, "after_transaction_end", changes.ended)
    assert isinstance(changes, _FileChanges)
    return changes


def remove_unless_committed(session: AsyncSession, path: Path) -> None:
    """Removes ``path`` when the session's transaction rolls back or fails to commit. Call it
    before the file is written, so no outcome can leave it behind."""
    if not session.sync_session.in_transaction():
        # the end of the transaction is what removes the file: make sure there is one to end
        session.sync_session.begin()
    _changes(session).created.append(path)


def remove_after_commit(session: AsyncSession, paths: Iterable[Path]) -> None:
    """Removes ``paths`` once the session's transaction has committed; a rollback keeps them."""
    _changes(session).deleted.extend(paths)
