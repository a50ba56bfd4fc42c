"""Provides the TUI's widgets, one module per region of the screen."""
