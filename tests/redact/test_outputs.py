"""Tests for the streaming writer (discovery.redact.outputs): documents written as they come, in any order, give
the same files as a whole production written at once, shared files in Bates order, nothing left over."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import replace
from pathlib import Path

from test_mail import child, document

from discovery import Case
from discovery.redact.mail import render_eml, write_mbox
from discovery.redact.outputs import ProductionWriter
from discovery.redact.pipeline import RedactOptions, Selection, build_production
from discovery.redact.produce import write_outputs
from discovery.redact.production import AppliedRedaction, Production
from discovery.redact.txt import render_txt


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def three() -> Production:
    """m1 (pages 1-2) embeds m2 (page 3); m3 (page 4) stands alone."""
    m1 = document(pages=("page one", "page two"))
    m2 = child(pages=("the forwarded one",))
    m3 = child(id="m3", parent_id="", bates_first="HCSO-000004", bates_last="HCSO-000004", bates_start=4,
               pages=("the third",), redactions=(AppliedRedaction("body", 0, 5, "PERSON", "[PERSON-002]",
                                                                  "(b)(6)", "follow", decision="d1"),))
    return Production("case", "--all", "redact", "pseudonym", "HCSO-", 1, "", ("txt", "eml", "mbox"), (m1, m2, m3))


def test_documents_in_any_order_give_the_files_of_bates_order(tmp_path: Path) -> None:
    prod = three()
    m1, m2, m3 = prod.documents
    writer = ProductionWriter(replace(prod, documents=()), tmp_path / "out", embeddable=frozenset({"m2"}))
    for doc in (m3, m1, m2):  # m1 comes before the message it embeds: it waits for it
        writer.add(doc)
        if doc is m1:
            assert not (tmp_path / "out" / "eml" / "HCSO-000001.eml").exists()
    manifest_sha = writer.finish()
    out = files_of(tmp_path / "out")
    assert not [name for name in out if ".spool" in name]
    for doc in prod.documents:
        assert out[f"eml/{doc.bates_first}.eml"] == render_eml(doc, prod)
        assert out[f"txt/{doc.bates_first}.txt"] == render_txt(doc).encode("utf-8")
    assert b"the forwarded one" in out["eml/HCSO-000001.eml"]  # the embedded message, not a slip
    write_mbox(prod, tmp_path / "whole")
    assert out["mbox/production.mbox"] == (tmp_path / "whole" / "mbox" / "production.mbox").read_bytes()
    rows = list(csv.DictReader(io.StringIO(out["redaction-log.csv"].decode("utf-8"))))
    assert [r["document"] for r in rows] == ["m1", "m3"]
    log = json.loads(out["redaction-log.json"])
    assert [r["document"] for r in log["redactions"]] == ["m1", "m3"]
    assert [d["decision"] for d in log["decisions"]] == ["", "d1"]
    manifest = json.loads(out["manifest.json"])
    assert [d["id"] for d in manifest["documents"]] == ["m1", "m2", "m3"]
    assert manifest["documents"][0]["files"] == ["eml/HCSO-000001.eml", "txt/HCSO-000001.txt"]
    assert manifest["files"] == {name: hashlib.sha256(data).hexdigest() for name, data in out.items()
                                 if name != "manifest.json"}
    assert manifest_sha == hashlib.sha256(out["manifest.json"]).hexdigest()


def test_a_streamed_production_under_workers_is_the_whole_production_written_at_once(samples_copy: Case,
                                                                                     tmp_path: Path) -> None:
    whole = build_production(samples_copy, Selection(all=True),
                             RedactOptions(pending="redact", formats=("txt", "eml", "mbox"), bates_prefix="S-"))
    assert len(whole.production.documents) > 100  # enough for the worker processes
    (tmp_path / "whole").mkdir()
    write_outputs(whole.production, tmp_path / "whole")
    report = samples_copy.redact(all=True, out=tmp_path / "streamed", formats=("txt", "eml", "mbox"),
                                 pending="redact", bates_prefix="S-", jobs=2)
    assert report.verified and report.documents == len(whole.production.documents)
    assert files_of(tmp_path / "streamed") == files_of(tmp_path / "whole")
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]
