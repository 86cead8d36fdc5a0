"""Rules of a candidate's LinkedIn profile (``linkedInProfile``, ``lastLinkedinDiffAt`` and
``isDiffingLinkedin`` in the CandidateView)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from talentbase.api.errors import NotFound
from talentbase.candidates import repository as candidates
from talentbase.candidates import view
from talentbase.linkedin import repository
from talentbase.linkedin.models import LinkedInProfile
from talentbase.linkedin.schemas import LinkedInProfileIn


def _skills(skills: list[str]) -> list[str]:
    """Repeats dropped, compared case-insensitively; the first spelling and the order kept."""
    seen: set[str] = set()
    result = []
    for skill in skills:
        key = skill.casefold()
        if key not in seen:
            seen.add(key)
            result.append(skill)
    return result


async def put_profile(
    session: AsyncSession, workspace_id: str, candidate_id: str, body: LinkedInProfileIn
) -> dict[str, Any]:
    """Stores the candidate's LinkedIn profile and returns the CandidateView.

    When the profile differs from the stored one (no profile counts as all empty), the
    candidate is touched and ``lastLinkedinDiffAt`` becomes the candidate's new ``modifiedAt``;
    an unchanged profile changes neither. ``isDiffingLinkedin`` stays false: no diffing runs
    here. Raises ``NotFound`` (404) for a candidate not of the workspace.
    """
    candidate = await candidates.get(session, workspace_id, candidate_id, for_update=True)
    if candidate is None:
        raise NotFound("Candidate", candidate_id)
    values: dict[str, Any] = {
        "headline": body.headline or None,
        "about": body.about or None,
        "skills": _skills(body.skills),
    }
    profile = await repository.get(session, workspace_id, candidate_id)
    stored: dict[str, Any] = (
        {"headline": None, "about": None, "skills": []}
        if profile is None
        else {"headline": profile.headline, "about": profile.about, "skills": profile.skills}
    )
    if values != stored:
        await candidates.touch(
            session,
            workspace_id,
            [candidate_id],
            {"linkedInProfile": {"action": "created" if profile is None else "updated"}},
        )
        if profile is None:
            profile = LinkedInProfile(
                candidate_id=candidate_id, workspace_id=workspace_id, is_diffing=False
            )
            repository.add(session, profile)
        for name, value in values.items():
            setattr(profile, name, value)
        profile.last_diff_at = candidate.modified_at
        await session.flush()
    return await view.build_view(session, workspace_id, candidate)
