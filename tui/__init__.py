"""Provides the terminal review UI of discovery: search, read, tag and decide redactions (Textual)."""
