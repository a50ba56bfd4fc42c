"""Provides the TUI's plain-Python data layer over the case (no Textual imports here)."""
