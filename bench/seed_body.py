"""The PATCH body of ``update-candidate.seed.txt`` with valid values, shared by the PATCH
benchmarks (``patch_smoke.py``, ``profile_patch.py``, ``perf.py``). It names no users; a
benchmark adds ``mainContact`` / ``lastInteractionWithId`` with ids of its own."""

from __future__ import annotations

import copy
from typing import Any

_SEED_BODY: dict[str, Any] = {
    "firstName": "John",
    "middleName": "William",
    "lastName": "Doe",
    "secondLastName": "Garcia",
    "compensation": {"currency": "USD", "totalCompensation": 100000, "baseCompensation": 80000},
    "languages": [{"language": "English", "fluency": "Native or bilingual proficiency"}],
    "gender": "male",
    "nationality": ["Afghan"],
    "status": ["actively_looking"],
    "acquisitionSource": "manual",
    "locations": [
        {
            "type": "primary_home",
            "street1": "Keizersgracht 123",
            "postalCode": "1015 CJ",
            "city": "Amsterdam",
            "country": "NL",
            "latitude": 52.37,
            "longitude": 4.89,
        }
    ],
    "socialMedia": [{"url": "https://www.linkedin.com/in/john-doe", "type": "LINKEDIN"}],
    "emails": [{"purpose": "personal", "email": "jsmith@example.com", "isPrimary": True}],
    "phoneNumbers": [{"purpose": "personal", "phoneNumber": "+31612345678"}],
    "visibleIfClientContact": True,
    "dateOfBirth": "1990-05-15",
    "lastInteractionAt": "2024-01-15T14:30:00.000Z",
}


def seed_body(**changes: Any) -> dict[str, Any]:
    """A fresh deep copy of the seed's body with ``changes`` (camelCase keys) applied."""
    return {**copy.deepcopy(_SEED_BODY), **changes}
