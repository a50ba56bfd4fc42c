"""Tests PDF and text releases end to end: the samples' print-outs against their gold, OCR, redactions as data,
search fields, problems, and the real releases in ../shared/corpora (skipped where absent)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from discovery import Case
from discovery.ingest.ocr import tesseract_path
from discovery.search.searcher import Searcher

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT.parent / "shared" / "corpora"
TEXT_PDF, SCANNED_PDF, TEXT_RELEASE = "hcso-release-text.pdf", "hcso-release-scanned.pdf", "hcso-release.txt"


@pytest.fixture(scope="module")
def release_gold(samples_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (samples_dir / "release" / "release-gold.jsonl").read_text().splitlines()]


def _printed(case: Case, name: str) -> list:
    return case.store.rows(
        """SELECT m.*, p.locator FROM provenance p JOIN sources s ON s.id = p.source_id JOIN messages m
           ON m.id = p.message_id WHERE s.path LIKE ? ORDER BY m.page_first""", (f"%/release/{name}",))


def _recovered(rows: list, expected: list[dict]) -> float:
    right = 0
    by_page = {r["page_first"]: r for r in rows}
    for g in expected:
        r = by_page.get(g["page_first"])
        if r is not None and r["from_email"] == g["from_email"] and (r["date_utc"] or "")[:16] == g["date"] \
                and r["subject"] == g["subject"] and r["bates_first"] == g["bates_first"]:
            right += 1
    return right / len(expected)


@pytest.mark.parametrize("name", [TEXT_PDF, SCANNED_PDF, TEXT_RELEASE])
def test_print_outs_recover_from_date_subject_pages_and_bates(samples_case: Path, release_gold: list[dict],
                                                              name: str) -> None:
    if name == SCANNED_PDF and tesseract_path() is None:
        pytest.skip("Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)")
    expected = [g for g in release_gold if f"release/{name}" in g["files"]]
    with Case(samples_case, readonly=True) as case:
        rows = _printed(case, name)
    assert len(rows) == len(expected)
    assert _recovered(rows, expected) >= 0.97
    assert all(r["item_kind"] == "email" and r["split_confidence"] >= 0.9 for r in rows)
    assert [(r["page_first"], r["page_last"]) for r in rows] == [(g["page_first"], g["page_last"]) for g in expected]


@pytest.mark.parametrize("name", [TEXT_PDF, SCANNED_PDF])
def test_redaction_boxes_found_where_the_gold_has_them(samples_case: Path, release_gold: list[dict],
                                                       name: str) -> None:
    if name == SCANNED_PDF and tesseract_path() is None:
        pytest.skip("Tesseract is not installed")
    expected = [(g["page"], g["box"]) for e in release_gold if f"release/{name}" in e["files"] for g in e["redactions"]]
    with Case(samples_case, readonly=True) as case:
        found = case.store.rows(
            """SELECT e.* FROM existing_redactions e WHERE e.kind = 'box' AND e.message_id IN (SELECT p.message_id
               FROM provenance p JOIN sources s ON s.id = p.source_id WHERE s.path LIKE ?)""", (f"%/release/{name}",))
    assert len(found) == len(expected)
    for page, (x0, y0, x1, y1) in expected:
        near = [f for f in found if f["page"] == page and abs(f["x0"] - x0) < 6 and abs(f["y0"] - y0) < 6
                and abs(f["x1"] - x1) < 6 and abs(f["y1"] - y1) < 6]
        assert near, (page, x0, y0)
    labelled = [f for f in found if f["code"] == "b6"]
    # The (b)(6) printed beside a box is its label; OCR garbles a few of them beyond recognition.
    assert len(labelled) >= (1.0 if name == TEXT_PDF else 0.75) * len(found)
    bad = [f for f in found if f["over_text"]]
    assert len(bad) == (1 if name == TEXT_PDF else 0)  # a scan has no text layer to leak
    if bad:
        assert bad[0]["hidden_text"] == "503-555-0160"


def test_text_release_keeps_exemption_labels_as_data(samples_dir: Path, release_gold: list[dict],
                                                     tmp_path: Path) -> None:
    with Case(tmp_path / "case") as case:
        case.ingest([samples_dir / "release" / TEXT_RELEASE])
        rows = case.store.rows("SELECT kind, code, page FROM existing_redactions ORDER BY page")
    expected = [(r["page"]) for g in release_gold if f"release/{TEXT_RELEASE}" in g["files"] for r in g["redactions"]]
    assert [(r[0], r[1]) for r in rows] == [("label", "b6")] * len(expected)
    assert [r[2] for r in rows] == sorted(expected)


def test_search_fields_and_stats_for_existing_redactions(samples_case: Path, tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    shutil.copytree(samples_case, case_dir)
    with Case(case_dir) as case, Searcher(case.store) as engine:
        redacted = engine.search("has:redaction", limit=100)
        b6 = engine.search("exemption:b6", limit=100)
        bad = engine.search("has:bad-redaction", limit=100)
        printed = engine.search("kind:pdf kasprzak", limit=100)
        stats = case.stats()
    assert redacted.total >= 10 and b6.total >= 0.9 * redacted.total  # every sample redaction is a (b)(6)
    assert bad.total == 1 and printed.total >= 1
    assert stats.bad_redactions == 1 and stats.existing_redactions["b6"] >= 20 and stats.redacted_messages >= 10


def test_gold_pii_of_the_print_outs_found_by_pii_scan(samples_dir: Path, release_gold: list[dict],
                                                      tmp_path: Path) -> None:
    from discovery.pii.engine import PiiEngine, resolve_engine
    from discovery.pii.scan import scan_case

    sys.path.insert(0, str(ROOT / "tests" / "pii"))
    from pii_helpers import OFFLINE  # type: ignore[import-not-found]

    with Case(tmp_path / "case") as case:
        case.ingest([samples_dir / "release" / TEXT_PDF])
        scan_case(case, policy=OFFLINE, engine=PiiEngine(resolve_engine("offline")))
        found = {(r[0], r[1]) for r in case.store.rows(
            "SELECT entity_type, text FROM pii_suggestions WHERE current = 1")}
    wanted = {(p["type"], p["text"]) for g in release_gold for p in g["pii"]
              if p["type"] in ("EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON")}
    hit = {w for w in wanted if w in found or any(w[1] in t for k, t in found if k == w[0])}
    assert len(hit) >= 0.9 * len(wanted), sorted(wanted - hit)[:10]


def test_missing_tesseract_records_pages_not_ocrd_and_never_crashes(samples_dir: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import pymupdf

    source = pymupdf.open(samples_dir / "release" / SCANNED_PDF)
    one = pymupdf.open()
    one.insert_pdf(source, from_page=0, to_page=0)
    (tmp_path / "scan.pdf").write_bytes(one.tobytes())
    monkeypatch.setenv("DISCOVERY_TESSERACT", "")
    with Case(tmp_path / "case") as case:
        report = case.ingest([tmp_path / "scan.pdf"])
        failures = [r["reason"] for r in case.store.rows("SELECT reason FROM failures")]
        boxes = case.store.scalar("SELECT count(*) FROM existing_redactions WHERE kind = 'box'")
    assert not report.ok and report.sources_failed + report.sources_partial == 1
    assert any("not OCR'd: Tesseract is not installed" in f for f in failures), failures
    assert boxes == 1  # the black box is found in the image even without OCR


def test_encrypted_pdf_is_reported_and_a_portfolio_is_opened(samples_dir: Path, tmp_path: Path) -> None:
    import pymupdf

    inner = (samples_dir / "release" / TEXT_PDF).read_bytes()
    cover = pymupdf.open()
    cover.new_page().insert_text((72, 72), "For the best experience, open this PDF portfolio in Acrobat.")
    cover.embfile_add("Printed emails.pdf", inner)
    (tmp_path / "portfolio.pdf").write_bytes(cover.tobytes())
    locked = pymupdf.open(stream=inner, filetype="pdf")
    locked.save(tmp_path / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    with Case(tmp_path / "case") as case:
        case.ingest([tmp_path])
        sources = {Path(s.path).name: s for s in case.store.sources()}
        inner_paths = {r[0] for r in case.store.rows("SELECT inner_path FROM provenance")}
        messages = case.store.scalar("SELECT count(*) FROM messages")
    assert sources["locked.pdf"].status == "failed" and "encrypted" in sources["locked.pdf"].reason
    assert inner_paths == {"Printed emails.pdf"} and messages == 10


# --- the real releases ---------------------------------------------------------------------------------------


def _corpus(name: str) -> Path:
    path = CORPORA / name
    if not path.exists():
        pytest.skip(f"corpus {name} not present at {path}")
    return path


def test_dc_bega_pdfs_all_ingest_with_printed_senders_and_subjects(tmp_path: Path) -> None:
    root = _corpus("dc-bega-foia")
    pdfs = sorted(root.rglob("*.pdf"))
    with Case(tmp_path / "case") as case:
        report = case.ingest(pdfs, jobs=2)
        assert report.sources_failed == 0, report.problems
        rows = case.store.rows(
            """SELECT s.path, m.item_kind, m.from_name, m.subject, m.date_utc FROM messages m
               JOIN provenance p ON p.message_id = m.id JOIN sources s ON s.id = p.source_id""")
        redactions = case.store.scalar("SELECT count(*) FROM existing_redactions")
    per_file = {Path(p).name for p, *_ in rows}
    assert per_file == {p.name for p in pdfs}  # every PDF holds at least one item
    by_name = {Path(r[0]).name: r for r in rows if r[1] == "email"}
    spot = {
        "Re_ BEGA_Redacted.pdf": ("Walker, Steven (EOM)", "Re: BEGA"),
        "Re_ Call this morning_Redacted.pdf": ("Collier, Tameka (BEGA)", "Re: Call this morning"),
        "Chairs Phone no. Email_Redacted.pdf": ("Grimaldi, John J. (BEGA)", "Re: Chair\u2019s Phone No."),
        "Re_ Check in_Redacted.pdf": ("Schwartz, Carol (BEGA)", "Re: Check in"),  # inside a PDF portfolio
    }
    for name, (sender, subject) in spot.items():
        assert by_name[name][2] == sender and by_name[name][3] == subject, by_name[name]
    emails = [r for r in rows if r[1] == "email"]
    assert len(emails) >= 7 and all(r[2] and r[4] for r in emails)  # the seven printed emails: sender and date
    assert redactions and int(redactions) >= 10  # the black boxes over phone numbers and addresses


def test_clinton_text_release_every_file_ingests_with_senders_dates_and_codes(tmp_path: Path) -> None:
    root = _corpus("clinton-foia-text") / "HRC_Email_296"  # one release of four (the others take minutes)
    if not root.exists():
        pytest.skip(f"{root} not present")
    # One file holds a lone form feed (an empty page): it has no text to read and is skipped.
    files = [p for p in root.rglob("*.txt") if p.name != "MANIFEST.txt" and p.read_bytes().strip()]
    with Case(tmp_path / "case") as case:
        report = case.ingest([root], jobs=2)
        assert report.sources_failed == 0 and report.sources_partial == 0, report.problems[:5]
        kinds = {s.kind for s in case.store.sources() if Path(s.path) in set(files)}
        emails = case.store.rows("SELECT from_name, from_email, date_utc FROM messages WHERE item_kind='email'")
        per_source = len({Path(r[0]) for r in case.store.rows(
            "SELECT s.path FROM provenance p JOIN sources s ON s.id = p.source_id")} & set(files))
        codes = dict(case.store.rows("SELECT code, count(*) FROM existing_redactions GROUP BY code"))
    assert kinds == {"text-release"}
    assert per_source == len(files)  # every file gives at least one item
    with_sender = sum(1 for r in emails if r[0] or r[1]) / len(emails)
    with_date = sum(1 for r in emails if r[2]) / len(emails)
    assert len(emails) >= 0.9 * len(files) and with_sender >= 0.95 and with_date >= 0.9
    assert codes.get("b6", 0) > len(files) / 4 and codes.get("b5", 0) > 0
