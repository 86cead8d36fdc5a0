"""LinkedIn profiles of candidates."""
