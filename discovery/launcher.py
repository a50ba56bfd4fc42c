"""Provides the 'discovery' console entry point: a search goes to the case's search server when one is up (no
click, no whoosh imported here), everything else, and a search the server cannot take, to the full click CLI."""

# No 'from __future__ import annotations' in the search package's modules a search answered by its server loads
# (this one, discovery.search/__init__, discovery.search.client): each line of them is paid by every such search.
import sys


def main() -> None:
    """Run one discovery command as the click CLI would, the same output, help and exit status."""
    argv = sys.argv[1:]
    if argv[:1] == ["search"]:
        from discovery.search import client

        if client.wanted(argv):
            code = client.run_in_server(argv)
            if code is not None:
                client.exit_now(code)
            import atexit

            # once this search has printed its answer in-process (not competing with the server's start-up on
            # the CPU); the next search of the case then finds it listening
            atexit.register(client.start_server, argv)
    from discovery.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
