"""Placements: a candidate placed at a company."""
