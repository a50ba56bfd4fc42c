"""Provides search over a case: a Whoosh index built from the store, the investigator's query language,
ranked and date-sorted results with snippets and facets, batch and saved searches."""

TYPE_CHECKING = False  # as in discovery/__init__.py: typing is not imported on the server's client path
if TYPE_CHECKING:
    from typing import Any

    from discovery.search.batch import BatchCount, BatchQuery, read_batch, run_batch
    from discovery.search.indexer import IndexReport, rebuild_index, update_index
    from discovery.search.query import parse
    from discovery.search.results import FacetValue, Hit, SearchResults, Snippet
    from discovery.search.saved import SavedSearch, get_saved, list_saved, remove_saved, save_search
    from discovery.search.searcher import SORTS, Searcher

# Imported on first use (PEP 562): importing one submodule (e.g. discovery.search.cli for a command) runs this
# file first, and must not load the indexer, batch or saved searches with it. name -> module that defines it.
_LAZY = {
    **dict.fromkeys(("BatchCount", "BatchQuery", "read_batch", "run_batch"), "discovery.search.batch"),
    **dict.fromkeys(("IndexReport", "rebuild_index", "update_index"), "discovery.search.indexer"),
    "parse": "discovery.search.query",
    **dict.fromkeys(("FacetValue", "Hit", "SearchResults", "Snippet"), "discovery.search.results"),
    **dict.fromkeys(("SavedSearch", "get_saved", "list_saved", "remove_saved", "save_search"),
                    "discovery.search.saved"),
    **dict.fromkeys(("SORTS", "Searcher"), "discovery.search.searcher"),
}

__all__ = [
    "SORTS",
    "BatchCount",
    "BatchQuery",
    "FacetValue",
    "Hit",
    "IndexReport",
    "SavedSearch",
    "SearchResults",
    "Searcher",
    "Snippet",
    "get_saved",
    "list_saved",
    "parse",
    "read_batch",
    "rebuild_index",
    "remove_saved",
    "run_batch",
    "save_search",
    "update_index",
]


def __getattr__(name: str) -> "Any":
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'discovery.search' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
