"""Answer of ``GET /candidates/deleted``."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from talentbase.api.pagination import PageInfoOut
from talentbase.api.schemas import Output


class DeletedCandidateOut(Output):
    """A deleted candidate: its id, when it was deleted, and the candidate it was merged into
    (null when it was deleted)."""

    id: str
    deleted_at: datetime
    merged_into: str | None = Field(
        description="The surviving candidate when this one was merged into it, else null"
    )


class DeletedFeed(Output):
    """A cursor page of the deleted feed: ``{items, pageInfo}``."""

    items: list[DeletedCandidateOut]
    page_info: PageInfoOut
