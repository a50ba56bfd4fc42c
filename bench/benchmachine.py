"""Provides machine(): one line naming the machine a benchmark ran on (shared by the bench/ scripts)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown cpu"


def memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3


def machine() -> str:
    """'2 cores, AMD EPYC, 24 GiB RAM, Python 3.11.7'."""
    return f"{os.cpu_count()} cores, {cpu_model()}, {memory_gib():.0f} GiB RAM, Python {platform.python_version()}"
