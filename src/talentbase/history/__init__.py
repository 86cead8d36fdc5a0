"""The history of candidates: who changed what, when, through which route (issue 5 §3)."""
