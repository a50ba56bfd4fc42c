"""Provides ExitCode: every exit status the discovery command uses, in one place."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    SOME_FAILED = 1  # ingest: some sources or messages could not be read (all else was ingested)
    NO_HITS = 1  # search: nothing matched (grep-like)
    NOT_RUNNING = 1  # server status: no search server runs for the case
    USAGE = 2  # bad arguments, options or query
    ERROR = 3  # the case cannot be opened or written, or another error stopped the command
    NOT_FOUND = 4  # no message, attachment, tag, suggestion or saved search with that id or name
    LEAK_FOUND = 1  # redact: the leak check found a redacted value in the output (it was quarantined, not published)
    PENDING = 5  # redact --pending refuse: suggestions nobody decided yet (counted and listed); nothing was produced
    INTERRUPTED = 130  # Ctrl-C; run the same command again to resume


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit status for an error: usage errors USAGE, unknown ids NOT_FOUND, everything else ERROR."""
    from discovery.errors import NotFound, QuerySyntaxError, UsageError

    if isinstance(exc, (UsageError, QuerySyntaxError)):
        return ExitCode.USAGE
    if isinstance(exc, NotFound):
        return ExitCode.NOT_FOUND
    return ExitCode.ERROR
