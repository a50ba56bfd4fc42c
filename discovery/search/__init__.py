"""Provides search over a case: a Whoosh index built from the store, the investigator's query language,
ranked and date-sorted results with snippets and facets, batch and saved searches."""

from discovery.search.batch import BatchCount, BatchQuery, read_batch, run_batch
from discovery.search.indexer import IndexReport, rebuild_index, update_index
from discovery.search.query import parse
from discovery.search.results import FacetValue, Hit, SearchResults, Snippet
from discovery.search.saved import SavedSearch, get_saved, list_saved, remove_saved, save_search
from discovery.search.searcher import SORTS, Searcher

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
