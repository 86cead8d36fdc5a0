"""Work history records as the API shows them (``EducationOut``, ``WorkExperienceOut``)."""

from __future__ import annotations

from typing import Any

from talentbase.candidates.view import location_json
from talentbase.companies.models import Company
from talentbase.views import iso
from talentbase.work_history.models import Education, WorkExperience


def education_json(record: Education, company: Company | None) -> dict[str, Any]:
    """An education record in Spott's shape (``candidates-education-GET``): the institution's
    name and logo are those of its company record, read fresh, so a renamed company shows its
    new name."""
    return {
        "id": record.id,
        "institutionName": company.name if company else None,
        "companyId": record.company_id,
        "institutionLogoUrl": company.logo_url if company else None,
        "degree": list(record.degrees),
        "fieldOfStudy": record.field_of_study,
        "grade": record.grade,
        "description": record.description,
        "startDate": iso(record.start_date),
        "endDate": iso(record.end_date),
    }


def experience_json(record: WorkExperience, company: Company | None) -> dict[str, Any]:
    """A work experience; its location is shaped like a location of the CandidateView (with the
    derived ``rawCityCountry`` and ``formattedAddress``), or null."""
    return {
        "id": record.id,
        "companyId": record.company_id,
        "companyName": company.name if company else None,
        "companyLogoUrl": company.logo_url if company else None,
        "jobTitle": record.job_title,
        "location": location_json(record.location) if record.location is not None else None,
        "description": record.description,
        "startDate": iso(record.start_date),
        "endDate": iso(record.end_date),
    }
