"""Provides the TUI's screens and modal dialogs."""
