"""Duplicate detection: normalised contact identifiers, the contact identifier route and the
duplicate check of ``POST /candidates`` (issue 4 §5)."""
