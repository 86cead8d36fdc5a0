"""Database layer: engine and sessions, declarative base, column types, migrations."""
