"""Tests the ingest on real public corpora in ../shared/corpora (each test skips, with the reason, where absent)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from tests_paths import corpus

from discovery import Case

pytestmark = pytest.mark.corpora


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".DS_Store")


def test_enron_users_every_file_is_one_message_copy(tmp_path: Path) -> None:
    root = corpus("enron-maildir", "maildir")
    users = [root / u for u in ("badeer-r", "beck-s", "campbell-l", "allen-p")]
    files = [f for u in users for f in _files(u)]
    with Case(tmp_path / "case") as case:
        report = case.ingest(users, jobs=2)
        assert report.ok, report.problems[:5]
        assert report.messages == len(files)  # every file read, none lost
        # distinct messages equal the distinct (sender, recipients, date, subject, body) found by the stdlib
        keys = set()
        for f in files:
            m = message_from_bytes(f.read_bytes(), policy=policy.compat32)
            body = " ".join(m.get_payload(decode=True).decode("latin-1").split())
            date = parsedate_to_datetime(m["Date"]).timestamp() if m["Date"] else None
            keys.add((str(m["From"]).strip().lower(), date, " ".join(str(m["Subject"] or "").split()), body))
        assert case.stats().messages == len(keys)
        folders = {r[0] for r in case.store.rows("SELECT DISTINCT folder FROM provenance")}
        assert {"inbox", "_sent_mail", "all_documents"} <= folders
        # Enron exports give every copy its own Message-ID: duplicates must still fold
        assert case.stats().duplicates > 0


def test_enron_header_stripped_files_still_have_dates(tmp_path: Path) -> None:
    root = corpus("enron-maildir", "maildir", "allen-p", "inbox")
    with Case(tmp_path / "case") as case:
        case.ingest([root])
        assert case.stats().undated == 0


def test_cpython_email_test_messages_ingest_without_crash(tmp_path: Path) -> None:
    root = corpus("rfc5322-edgecases", "cpython-test_email")
    with Case(tmp_path / "case") as case:
        report = case.ingest([root])
        sources = case.store.sources()
        assert report.sources_failed == 0 and report.sources_partial == 0, report.problems
        read = [s for s in sources if s.status == "done"]
        skipped = [s for s in sources if s.status == "skipped"]
        assert len(read) + len(skipped) == len(sources) == len(_files(root))
        assert all("not mail" in s.reason for s in skipped)
        assert len(read) >= 44  # msg_19 (a digest body without headers) and MANIFEST are not mail


def test_mime4j_torture_messages_ingest_without_crash(tmp_path: Path) -> None:
    root = corpus("rfc5322-edgecases", "james-mime4j")
    with Case(tmp_path / "case") as case:
        report = case.ingest([root], jobs=2)
        assert report.sources_failed == 0 and report.sources_partial == 0, report.problems
        assert report.new_messages > 70


@pytest.mark.parametrize("name, count", [
    ("mimekit/content-length.mbox.txt", 29), ("mimekit/issue1189.mbox.txt", 4), ("mimekit/simple.mbox.txt", 3),
    ("mimekit/unmunged.mbox.txt", 3), ("james-mime4j/mbox.rlug", 5), ("perl5-Mail-Box/mbox.src", 45),
    ("perl5-Mail-Box/mbox.win", 45),
])  # fmt: skip
def test_mbox_fixtures_message_counts(tmp_path: Path, name: str, count: int) -> None:
    path = corpus("mbox-fixtures", *name.split("/"))
    with Case(tmp_path / "case") as case:
        report = case.ingest([path])
        assert report.ok
        top_level = case.store.scalar("SELECT count(*) FROM provenance WHERE locator NOT LIKE '%/part:%'")
        assert top_level == count


def test_mailing_list_mbox_counts_and_threads(tmp_path: Path) -> None:
    path = corpus("mbox-open-iscsi", "open-iscsi.googlegroups.com.0.mbox")
    with Case(tmp_path / "case") as case:
        report = case.ingest([path], jobs=2)
        assert report.ok and report.messages == 1233
        stats = case.stats()
        assert stats.threads < stats.messages / 2  # a list archive is mostly replies


def test_dc_foia_release_eml_and_attachments(tmp_path: Path) -> None:
    root = corpus("dc-bega-foia")
    emls = [f for f in _files(root) if f.suffix == ".eml"]
    with Case(tmp_path / "case") as case:
        report = case.ingest([root], jobs=2)
        assert report.sources_failed == 0, report.problems
        assert case.store.scalar("SELECT count(*) FROM provenance WHERE kind='eml' AND inner_path=''") == len(emls)
        stats = case.stats()
        assert stats.duplicates > 0 and stats.attachments > 100
        pdf_text = case.store.scalar(
            "SELECT count(*) FROM attachments WHERE mime='application/pdf' AND length(text) > 100")
        assert pdf_text and int(pdf_text) > 0  # PDF attachments have their text extracted
        pdfs = [s for s in case.store.sources() if s.kind == "pdf"]
        assert pdfs and all(s.status in ("done", "partial") for s in pdfs)  # loose PDF print-outs are read (issue 11)


def test_outlook_msg_and_pst_samples(tmp_path: Path) -> None:
    roots = [corpus("outlook-msg"), corpus("outlook-pst")]
    with Case(tmp_path / "case") as case:
        report = case.ingest(roots)
        assert report.sources_failed == 0, report.problems
        kinds = {r[0]: r[1] for r in case.store.rows(
            "SELECT kind, count(*) FROM provenance GROUP BY kind")}
        assert kinds.get("msg", 0) >= 6 and kinds.get("pst", 0) >= 6
