"""Idempotent POSTs (issue 5 §2): the ``Idempotency-Key`` header makes a retried POST answer
what the first one answered instead of doing the work twice.

``middleware`` runs it around every POST route, ``service`` holds the rules (the key's form,
the request fingerprint, what a stored claim means for a new request), ``repository`` the SQL
and ``openapi`` documents the header and its answers.
"""
