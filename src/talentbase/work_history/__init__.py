"""Work experience and education of candidates."""
