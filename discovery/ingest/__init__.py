"""Provides the readers that turn mail files of every common format into normalized messages."""
