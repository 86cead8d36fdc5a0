"""The deleted feed: ``GET /candidates/deleted``, the candidates deleted or merged away, for sync
clients (issue 4 §2)."""
