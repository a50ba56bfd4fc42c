"""Header searches on a small Enron subset (three mailboxes) match what the stdlib email parser finds in the
raw files. Skipped where ../shared/corpora is absent."""

from __future__ import annotations

import email
import email.policy
from collections import Counter, defaultdict
from email.utils import getaddresses
from pathlib import Path

import pytest
from search_expect import hit_ids

from discovery.case import Case
from discovery.search.searcher import Searcher

ENRON = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "enron-maildir" / "maildir"
USERS = ("arnold-j", "baughman-d", "campbell-l")

pytestmark = pytest.mark.corpora


@pytest.fixture(scope="module")
def enron(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, set[str]]]]:
    if not all((ENRON / u).is_dir() for u in USERS):
        pytest.skip(f"shared corpus not present: {ENRON} (tests on real corpora run where ../shared exists)")
    headers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # role -> address -> ids
    for user in USERS:
        for path in sorted((ENRON / user).rglob("*")):
            if not path.is_file():
                continue
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
            key = (msg.get("Message-ID") or "").strip()
            for role in ("from", "to", "cc"):
                for _, address in getaddresses([str(v) for v in msg.get_all(role, [])]):
                    if "@" in address:
                        headers[role][address.lower()].add(key)
                        headers["domain"][address.rsplit("@", 1)[1].lower()].add(key)
    case_dir = tmp_path_factory.mktemp("enron") / "case"
    with Case(case_dir) as case:
        case.ingest([ENRON / u for u in USERS], jobs=2)
    return case_dir, headers


def _message_ids(searcher: Searcher, query: str) -> set[str]:
    """The Message-ID headers of every copy of every hit (the store folds identical copies, which may carry
    different Message-IDs, into one message)."""
    ids = hit_ids(searcher, query)
    copies: dict[str, set[str]] = defaultdict(set)
    for key, header in searcher.store.rows("SELECT message_id, message_id_header FROM provenance"):
        copies[key].add(header)
    return {header for key in ids for header in copies[key]}


@pytest.mark.parametrize("role", ["from", "to", "cc", "domain"])
def test_header_searches_match_the_raw_files(enron: tuple[Path, dict[str, dict[str, set[str]]]], role: str) -> None:
    case_dir, headers = enron
    top = [address for address, _ in Counter({a: len(k) for a, k in headers[role].items()}).most_common(4)]
    assert top
    with Case(case_dir) as case, case.searcher() as searcher:
        for address in top:
            expected = headers[role][address]
            if role == "domain":  # domain:x also finds its subdomains (lists.x)
                expected = {k for d, keys in headers[role].items() if d == address or d.endswith("." + address)
                            for k in keys}
            assert _message_ids(searcher, f"{role}:{address}") == expected, address
