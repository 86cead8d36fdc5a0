"""Candidate search: ``POST /candidates/_search`` (filters, pages) and ``GET /search/people``
(quick lookup by name, email or phone), over the folded ``candidate_search`` table."""
