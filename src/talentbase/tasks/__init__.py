"""Tasks: to-dos with a due date and an assignee, linked to candidates and other records."""
