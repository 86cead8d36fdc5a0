"""Body of ``PUT /candidates/{id}/linkedin-profile``.

Limits sit above LinkedIn's own (headline 220 characters, about 2,600, a skill 80, at most 100
skills), so a profile copied from LinkedIn always fits, and a runaway value does not.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from talentbase.api.schemas import StrictInput

HEADLINE_MAX = 500
ABOUT_MAX = 10_000
SKILL_MAX = 100
MAX_SKILLS = 100

# one line of text: no control characters; about may hold tabs and line breaks
Headline = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=HEADLINE_MAX, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
About = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=ABOUT_MAX, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
    ),
]
Skill = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=SKILL_MAX, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
    AfterValidator(lambda value: unicodedata.normalize("NFC", value)),
]


class LinkedInProfileIn(StrictInput):
    """The candidate's whole LinkedIn profile: it replaces the stored one, so a key left out is
    cleared (``headline`` / ``about`` null, ``skills`` empty). Text is trimmed and blank text is
    null; skills are trimmed, must not be blank, and repeats (compared case-insensitively) are
    dropped, the first spelling kept."""

    headline: Headline | None = None
    about: About | None = None
    skills: list[Skill] = Field(default_factory=list, max_length=MAX_SKILLS)
