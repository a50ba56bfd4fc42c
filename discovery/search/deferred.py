"""Provides defer_unused_imports(): stand-ins for the modules whoosh imports when it loads but a search never
uses (urllib.request for a download helper, the English morphology and double-metaphone tables, asyncio for
one cached property), each loading the real module the first time anything in it is actually used.

Importing whoosh-reloaded 2.7.5 costs a search ~40 % of its start-up in these alone (the morphology table
compiles ~100 regular expressions; urllib.request pulls in http.client, ssl and email). engine.py, the one
module that imports whoosh, calls ``defer_unused_imports()`` first. A stand-in is a module whose few
names whoosh binds at import time (``from whoosh.lang.morph_en import variations``) are forwarding functions;
any other attribute, or a call of a forwarder, imports the real module, puts it in ``sys.modules`` in the
stand-in's place and answers from it, so code that does use the module later gets the real one.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

# module -> names that whoosh imports from it with 'from ... import' while it loads
DEFERRED: dict[str, tuple[str, ...]] = {
    "urllib.request": ("urlretrieve",),
    "whoosh.lang.morph_en": ("variations",),
    "whoosh.lang.dmetaphone": ("double_metaphone",),
    "asyncio": ("iscoroutinefunction", "ensure_future"),
}


def _iscoroutinefunction(func: object) -> bool:
    """asyncio.iscoroutinefunction while asyncio is not loaded: then no function can carry asyncio's legacy
    coroutine marker, and the answer is inspect's (cached_property asks it of every property it computes)."""
    real = sys.modules.get("asyncio")
    if real is not None and not is_stand_in(real):
        return bool(real.iscoroutinefunction(func))
    import inspect

    return inspect.iscoroutinefunction(func)


# names a stand-in answers itself, without loading its module
ANSWERED: dict[str, dict[str, Callable[..., Any]]] = {"asyncio": {"iscoroutinefunction": _iscoroutinefunction}}


class StandIn(ModuleType):
    """A placeholder for a module not imported yet; loads the real one on first use."""

    def __init__(self, name: str, names: tuple[str, ...]) -> None:
        super().__init__(name, f"stand-in for {name}, imported on first use")
        answered = ANSWERED.get(name, {})
        for attr in names:
            setattr(self, attr, answered.get(attr) or self._forwarder(attr))

    def _forwarder(self, attr: str) -> Callable[..., Any]:
        def forward(*args: Any, **kwargs: Any) -> Any:
            return getattr(self._real(), attr)(*args, **kwargs)

        forward.__name__ = forward.__qualname__ = attr
        return forward

    def _real(self) -> ModuleType:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        return importlib.import_module(name)

    def __getattr__(self, attr: str) -> Any:  # only called for names the stand-in does not hold
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return getattr(self._real(), attr)


def is_stand_in(module: object) -> bool:
    return isinstance(module, StandIn)


def defer_unused_imports() -> list[str]:
    """Put a stand-in in ``sys.modules`` for each of DEFERRED's modules not loaded yet; returns their names."""
    installed: list[str] = []
    for name, names in DEFERRED.items():
        if name in sys.modules:
            continue
        parent, _, child = name.rpartition(".")
        package: ModuleType | None = None
        if parent:
            try:
                package = importlib.import_module(parent)
            except ImportError:
                continue
        stand_in = StandIn(name, names)
        sys.modules[name] = stand_in
        if package is not None and not hasattr(package, child):
            setattr(package, child, stand_in)
        installed.append(name)
    return installed
