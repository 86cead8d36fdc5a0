"""Attachments: files such as CVs, stored on disk and linked to candidates."""
