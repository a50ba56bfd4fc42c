"""Provides the TUI benchmark: time to first screen, to open a message and to page results on a large case.

    python bench/tui.py [--messages 100000] [--case DIR] [--mbox FILE] [--jobs 2] [--out bench/out/tui.json]

Builds (once; reused when --case already holds a case) a case from a generated mbox with its search index,
then drives the real app headless with Textual's Pilot at 120x40, pressing real keys, and times each step
from the key to the first frame painted once the screen holds the result (the table the new page, the
message pane the new message); Pilot's own waiting is not counted, and the app is left idle between steps
(as when a person reads), so that a step is not timed while the previous one's work still runs.
Targets (issue 5, on a 2-core machine): first screen <= 1.5 s, open a message <= 100 ms, next page <= 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmachine import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS_MS = {"first_screen": 1500.0, "open_message": 100.0, "next_page": 100.0}




def build_case(case_dir: Path, messages: int, jobs: int, mbox: Path | None = None) -> dict[str, float]:
    """Generate an mbox (unless given one), ingest it and index it (skipped when the case exists)."""
    from discovery.case import Case
    from discovery.search import Searcher, update_index
    from discovery.synthetic.bulk import generate_bulk

    if (case_dir / "store.sqlite").exists():
        with Case(case_dir, create=False) as case:
            update_index(case.store, jobs=jobs)
        return {}
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if mbox is None:
            mbox = Path(tmp) / "bulk.mbox"
            started = time.perf_counter()
            generate_bulk(mbox, messages, 1)
            timings["generate_s"] = time.perf_counter() - started
        started = time.perf_counter()
        with Case(case_dir) as case:
            case.ingest([mbox], jobs=jobs)
        timings["ingest_s"] = time.perf_counter() - started
    started = time.perf_counter()
    with Case(case_dir, create=False) as case:
        update_index(case.store, jobs=jobs)
        with Searcher(case.store) as searcher:
            searcher.count("*")
    timings["index_s"] = time.perf_counter() - started
    return timings


async def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not show the result in time")
        await asyncio.sleep(0.001)


class PaintClock:
    """Records when the app last wrote a frame (headless apps still render every frame)."""

    def __init__(self, app: Any) -> None:
        self.last = 0.0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is not None:
                self.last = time.perf_counter()

        app._display = display

    async def painted_after(self, moment: float, timeout: float = 5.0) -> float:
        await wait_for(lambda: self.last > moment, timeout)
        return self.last


async def timed_key(pilot: Any, clock: PaintClock, key: str, done: Callable[[], bool]) -> float:
    """Milliseconds from pressing a key to the first frame painted after the screen holds the result. The
    key is pressed in a task, so Pilot's own waiting for idle is not counted."""
    started = time.perf_counter()
    press = asyncio.create_task(pilot.press(key))
    await wait_for(done)
    ready = time.perf_counter()
    painted = await clock.painted_after(ready)
    await press
    return (painted - started) * 1000


async def idle(pilot: Any) -> None:
    """Let the work a step started (the page's first message opening, its thread) finish before the next step
    is timed, as when a person reads between key presses; otherwise each step competes with the last one."""
    for _ in range(20):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            break
    await pilot.pause(0.05)


def import_ms() -> float:
    """How long a fresh Python takes to import the app (part of the first screen the user waits for)."""
    import subprocess

    code = "import time; t = time.perf_counter(); import tui.app; print((time.perf_counter() - t) * 1000)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return round(float(out.stdout.strip()), 1)


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1),
            "max_ms": round(ordered[-1], 1), "runs": len(ordered)}


async def measure(case_dir: Path, opens: int, pages: int, query: str) -> dict[str, object]:
    from discovery.tui.app import make_app
    from discovery.tui.screens.main import MainScreen

    results: dict[str, object] = {}
    started = time.perf_counter()
    app = make_app(case_dir, "bench")
    async with app.run_test(size=(120, 40)) as pilot:
        clock = PaintClock(app)

        def first_screen_ready() -> bool:
            s = app.screen
            return (isinstance(s, MainScreen) and s.table.row_count > 0
                    and s.message_view.display_data is not None)

        await wait_for(first_screen_ready)
        painted = await clock.painted_after(time.perf_counter())
        results["first_screen"] = {"ms": round((painted - started) * 1000, 1)}
        main = app.screen
        assert isinstance(main, MainScreen) and main.page is not None
        results["messages"] = main.page.total

        def opened(target: str) -> Callable[[], bool]:
            view = main.message_view
            return lambda: view.display_data is not None and view.display_data.message.id == target

        samples = []
        for _ in range(opens):  # down: the pane shows the next row's message
            target = main.table.rows_shown[main.table.cursor_row + 1].id
            samples.append(await timed_key(pilot, clock, "down", opened(target)))
            await idle(pilot)
        results["open_message"] = summary(samples)

        samples = []
        for _ in range(pages):  # ]: the table holds the next page
            page = main.page
            assert page is not None
            want = page.offset + page.limit
            samples.append(await timed_key(pilot, clock, "right_square_bracket",
                                           lambda w=want: main.page is not None and main.page.offset == w
                                           and [r.id for r in main.table.rows_shown] == main.page.ids))
            await idle(pilot)
        results["next_page"] = summary(samples)

        samples = []
        hits = 0
        for _ in range(5):  # a query with many hits: its first page, with facets
            main.query_bar.set_query(query)
            main.query_bar.input.focus()
            main.page = None
            samples.append(await timed_key(pilot, clock, "enter",
                                           lambda: main.page is not None and main.page.query == query))
            hits = main.page.total if main.page is not None else 0
            main.table.focus()
            await idle(pilot)
        results["query_first_page"] = summary(samples) | {"query": query, "hits": hits}
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--case", type=Path, default=Path(tempfile.gettempdir()) / "discovery-bench-tui-case")
    parser.add_argument("--mbox", type=Path, help="ingest this mbox instead of generating one")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--opens", type=int, default=30)
    parser.add_argument("--pages", type=int, default=15)
    parser.add_argument("--query", default="meeting", help="a query with many hits, for the first-page figure")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "tui.json")
    args = parser.parse_args()

    print(f"case {args.case} ({args.messages:,} messages when built here)", file=sys.stderr)
    build = build_case(args.case, args.messages, args.jobs, args.mbox)
    imports = import_ms()
    figures = asyncio.run(measure(args.case, args.opens, args.pages, args.query))
    first = figures["first_screen"]
    assert isinstance(first, dict)
    first["imports_ms"] = imports
    first["total_ms"] = round(first["ms"] + imports, 1)
    report = {"machine": machine(), "case": str(args.case), "build": build, **figures,
              "targets_ms": TARGETS_MS}
    print(json.dumps(report, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
