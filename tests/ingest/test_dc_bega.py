"""The real city-ethics-board release (Outlook-exported .eml): every named attachment is stored byte for byte,
no message keeps MIME source as its body, no address row is a fragment of a display name, and the ingest report
and 'discovery problems' list every repair. Skipped where ../shared/corpora is absent."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from discovery.case import Case

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT.parent / "shared" / "corpora" / "dc-bega-foia"

pytestmark = pytest.mark.skipif(not RELEASE.is_dir(), reason=f"the shared corpus {RELEASE} is not here")


def named_base64_parts(raw: bytes) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every base64 part with a name, decoded line by line: an independent reading of
    the export's MIME that knows nothing of our parser (each line padded and decoded on its own)."""
    lines = raw.replace(b"\r\n", b"\n").split(b"\n")
    found: list[tuple[str, bytes]] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith(b"--") and len(lines[i]) > 2:
            j = i + 1
            head: list[bytes] = []
            while j < len(lines) and lines[j].strip():
                head.append(lines[j])
                j += 1
            block = b"\n".join(head)
            name = re.search(rb'(?:file)?name\*?="?([^";\n]+)', block, re.IGNORECASE)
            if name and re.search(rb"content-transfer-encoding:\s*base64", block, re.IGNORECASE):
                k, data = j + 1, bytearray()
                while k < len(lines) and not lines[k].startswith(b"--"):
                    line = lines[k].strip()
                    if line:
                        data += base64.b64decode(line + b"=" * (-len(line) % 4))
                    k += 1
                found.append((name.group(1).decode("ascii", "replace"), bytes(data)))
                i = k
                continue
        i += 1
    return found


@pytest.fixture(scope="module")
def bega(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    from click.testing import CliRunner

    from discovery.cli import main

    case_dir = tmp_path_factory.mktemp("bega") / "case"
    result = CliRunner().invoke(main, ["ingest", str(RELEASE), "--case", str(case_dir), "--json", "-q", "-j", "2"],
                                catch_exceptions=False)
    return case_dir, json.loads(result.stdout)["report"]


def test_every_named_attachment_is_stored_byte_for_byte(bega: tuple[Path, dict[str, object]]) -> None:
    case_dir, _ = bega
    with Case(case_dir, readonly=True) as case:
        stored = {r[0] for r in case.store.rows("SELECT sha256 FROM attachments")}
    expected = [(f.name, name, data) for f in sorted(RELEASE.rglob("*.eml"))
                for name, data in named_base64_parts(f.read_bytes()) if len(data) > 200]
    assert len(expected) > 150
    missing = [(f, n, len(d)) for f, n, d in expected if hashlib.sha256(d).hexdigest() not in stored]
    assert missing == []


def test_no_message_keeps_mime_source_as_body(bega: tuple[Path, dict[str, object]]) -> None:
    case_dir, _ = bega
    with Case(case_dir, readonly=True) as case:
        leaked = case.store.rows(
            """SELECT id FROM messages WHERE body_text LIKE '%Content-Transfer-Encoding:%'
               OR body_text LIKE '%Content-Type: application/%' OR length(body_text) > 200000""")
    assert leaked == []


def test_no_address_row_is_a_fragment_of_a_display_name(bega: tuple[Path, dict[str, object]]) -> None:
    case_dir, _ = bega
    with Case(case_dir, readonly=True) as case:
        rows = case.store.rows("SELECT role, name, email FROM addresses")
    fragments = [tuple(r) for r in rows
                 if (r["email"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", r["email"]))
                 or (not r["email"] and "," not in r["name"] and "/" not in r["name"])
                 or r["name"].startswith(("(", "'")) or r["name"].endswith(")'")]
    assert fragments == []
    names = {r["name"] for r in rows}
    assert "Collier, Tameka (BEGA)" in names and "Collier" not in names and "BEGA" not in names


def test_report_and_problems_list_every_repair(bega: tuple[Path, dict[str, object]]) -> None:
    case_dir, report = bega
    with Case(case_dir, readonly=True) as case:
        noted = {r[0] for r in case.store.rows("SELECT id FROM messages WHERE errors != '[]'")}
        problems = case.problems()
        listed = {p.message for p in problems if p.kind in ("repaired", "partly-read")}
        no_text = {p.message for p in problems if p.kind == "no-text"}
    assert len(noted) > 50
    assert listed <= noted and noted <= listed | no_text  # notes on attachment text are listed as no-text
    assert report["messages_repaired"] + report["messages_partly_read"] == len(listed)  # type: ignore[operator]
    assert report["messages_repaired"] > 50 and report["ok"] is True  # repaired whole: counted, nothing lost
    assert {p.kind for p in problems} >= {"repaired", "not-mail"}
