"""Provides redacted publication: the production pipeline, its records, writers and the leak check."""
