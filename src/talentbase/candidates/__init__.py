"""Candidates: the people a recruitment agency places. The core of talentbase."""
