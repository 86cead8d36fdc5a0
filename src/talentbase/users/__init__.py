"""Users: the recruiters of a workspace."""
