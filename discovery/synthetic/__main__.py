"""Provides the command line: ``python -m discovery.synthetic samples|bulk``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from discovery.errors import DiscoveryError, UsageError
from discovery.exitcodes import ExitCode

from .bulk import generate_bulk
from .samples import generate_samples


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m discovery.synthetic",
        description="Generate the fictional demo corpus or a large benchmark mbox.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    samples = sub.add_parser("samples", help="write the sample corpus, gold.jsonl and README.md")
    samples.add_argument("--out", type=Path, default=Path("samples"), help="target folder (default: samples)")
    bulk = sub.add_parser("bulk", help="write a large mboxrd file for benchmarks")
    bulk.add_argument("--messages", type=int, default=100_000, help="number of messages (default: 100000)")
    bulk.add_argument("--out", type=Path, required=True, help="the .mbox file to write")
    bulk.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; summary on stdout, progress and errors on stderr. Returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "samples":
            summary = generate_samples(args.out)
            print(
                f"wrote {len(summary.files)} files to {args.out}: {summary.copies} message copies, "
                f"{summary.distinct} distinct, {summary.duplicate_groups} duplicated, "
                f"{summary.variant_groups} with different copies, {summary.total_bytes:,} bytes"
            )
            return ExitCode.OK
        if args.messages < 1:
            raise UsageError(
                f"--messages must be at least 1, not {args.messages}.",
                hint="Pass the number of messages to write, e.g. --messages 100000.",
            )

        def progress(done: int, total: int) -> None:
            if done % 10_000 == 0 or done == total:
                print(f"  {done:,}/{total:,} messages", file=sys.stderr)

        result = generate_bulk(args.out, args.messages, args.seed, progress=progress)
        print(
            f"wrote {result.messages:,} messages ({result.distinct:,} distinct, {result.duplicates:,} "
            f"duplicates, {result.threads:,} threads) to {result.path}: {result.bytes:,} bytes"
        )
        return ExitCode.OK
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except (DiscoveryError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.ERROR


if __name__ == "__main__":
    sys.exit(main())
