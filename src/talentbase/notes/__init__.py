"""Notes: interactions (calls, meetings) recorded about candidates and other records."""
