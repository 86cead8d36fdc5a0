"""Custom attributes: workspace-defined fields and their values on records."""
