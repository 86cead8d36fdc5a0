"""Client contacts: a candidate who is a contact person at a client company."""
