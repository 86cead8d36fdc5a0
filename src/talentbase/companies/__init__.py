"""Companies: the clients of the agency, and the employers in work history."""
