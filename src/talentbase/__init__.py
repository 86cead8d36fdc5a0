"""talentbase: a self-hosted recruitment CRM server that speaks the Spott candidate API."""

__version__ = "0.1.0"
