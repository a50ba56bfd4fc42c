"""Tests value-following and the decision rules on hand-made mail: quoted replies, name and phone variants,
whole-unit withholds, the policy's auto table and allow-list, labels and exemptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from redact_helpers import survivors, write_eml

from discovery import Case
from discovery.pii.decisions import accept_value_everywhere, add_manual_span
from discovery.redact.decisions import withhold
from discovery.redact.pipeline import RedactOptions, Selection, build_production
from discovery.redact.production import ProducedDocument

FIRST = ("Hi Sam,\n\nThe witness is Dana Whitfield, reach her at (503) 555-0142.\n"
         "Her address is dana.whitfield@home.example.\n\nBrent\n")
REPLY = ("Thanks. I will call Whitfield, Dana today on 503.555.0142.\n\n"
         "On Thu, Brent wrote:\n> The witness is Dana\n> Whitfield, reach her at (503) 555-0142.\n"
         "> Her address is dana.whit\n> field@home.example.\n")


@pytest.fixture()
def case(tmp_path: Path) -> Case:
    folder = tmp_path / "mail"
    write_eml(folder, "m1", sender="Brent Kasprzak <brent@vendor.example>", to=["Sam Lee <sam@county.example>"],
              subject="Witness", body=FIRST,
              attachments=[("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
                           ("notes.txt", b"Witness: DANA WHITFIELD, 503 555 0142\n")])
    write_eml(folder, "m2", sender="Sam Lee <sam@county.example>", to=["Brent Kasprzak <brent@vendor.example>"],
              subject="RE: Witness", body=REPLY, minutes=5, in_reply_to="m1")
    c = Case(tmp_path / "case")
    report = c.ingest([folder])
    assert report.ok, report.problems
    return c


def _id(case: Case, subject: str) -> str:
    return str(case.store.scalar("SELECT id FROM messages WHERE subject=?", (subject,)))


def _mark(case: Case, subject: str, text: str, entity_type: str, field: str = "body") -> None:
    mid = _id(case, subject)
    body = str(case.store.scalar("SELECT body_text FROM messages WHERE id=?", (mid,)))
    start = body.index(text)
    add_manual_span(case.store, mid, field, start, start + len(text), entity_type, actor="tester")


def _produce(case: Case, **options: object) -> list[ProducedDocument]:
    opts = RedactOptions(**{"pending": "keep", **options})  # type: ignore[arg-type]
    return list(build_production(case, Selection(all=True), opts).production.documents)


def _all_text(docs: list[ProducedDocument]) -> list[str]:
    out = []
    for d in docs:
        out.extend(d.pages)
        out.extend(v for _, v in d.headers)
        out.extend(a.filename for a in d.attachments)
    return out


def test_a_value_redacted_once_is_redacted_in_the_quoted_reply(case: Case) -> None:
    _mark(case, "Witness", "Dana Whitfield", "PERSON")
    _mark(case, "Witness", "(503) 555-0142", "PHONE_NUMBER")
    _mark(case, "Witness", "dana.whitfield@home.example", "EMAIL_ADDRESS")
    docs = _produce(case)
    texts = _all_text(docs)
    assert survivors(texts, ["Dana Whitfield", "Whitfield, Dana", "5035550142", "dana.whitfield@home.example"]) \
        == set()
    reply = next(d for d in docs if d.subject == "RE: Witness")
    assert "[(b)(6)] today on [(b)(6)]" in reply.body
    assert "> The witness is [(b)(6)], reach her at [(b)(6)]" in reply.body
    follow = [r for r in reply.redactions if r.rule == "follow"]
    assert len(follow) >= 5
    attachment = next(d for d in docs if d.subject == "Witness").attachment(1)
    assert attachment is not None and attachment.text is not None and "WHITFIELD" not in attachment.text


def test_accepted_value_decision_reaches_every_document(case: Case) -> None:
    accept_value_everywhere(case.store, "PERSON", "Brent Kasprzak", actor="tester")
    docs = _produce(case, label="pseudonym")
    assert survivors(_all_text(docs), ["Brent Kasprzak"]) == set()
    senders = {d.subject: d.addresses_for("from") for d in docs}
    assert senders["Witness"][0][0] == "[PERSON-001]"
    assert senders["RE: Witness"][0][0] == "Sam Lee"  # not redacted
    assert ("[PERSON-001]", "brent@vendor.example") in next(
        d for d in docs if d.subject == "RE: Witness").addresses_for("to")


def test_unreadable_attachment_is_withheld_and_text_attachment_published(case: Case) -> None:
    doc = next(d for d in _produce(case) if d.subject == "Witness")
    png = doc.attachment(0)
    notes = doc.attachment(1)
    assert png is not None and png.withheld == "no-text" and png.content is None and png.text is None
    assert notes is not None and notes.withheld == "" and notes.content is not None
    assert any(w.unit == "attachment:0" and w.reason == "no-text" for w in doc.withheld)


def test_whole_units_are_withheld_with_a_slip_sheet(case: Case) -> None:
    withhold(case.store, _id(case, "Witness"), "message", actor="tester", exemption="(b)(7)(C)")
    withhold(case.store, _id(case, "RE: Witness"), "body", actor="tester")
    docs = _produce(case)
    first = next(d for d in docs if d.withheld_in_full)
    assert first.body == "" and not first.attachments and "(b)(7)(C)" in first.slip_sheet
    assert first.pages == (first.slip_sheet,) or "WITHHELD IN FULL" in first.pages[0]
    reply = next(d for d in docs if d.subject == "RE: Witness")
    assert reply.body == "[WITHHELD (b)(6)]"
    assert any(w.unit == "body" and w.reason == "reviewer" for w in reply.withheld)


def test_policy_auto_table_and_allow_list(case: Case) -> None:
    (case.path / "pii-policy.toml").write_text(
        '[allow]\nnames = ["Sam Lee"]\n\n[redact.auto]\nPHONE_NUMBER = 0.0\n', encoding="utf-8")
    from discovery.pii.policy import Policy
    from discovery.pii.scan import scan_case

    scan_case(case, policy=Policy(mode="offline"))
    docs = _produce(case, pending="keep")
    texts = _all_text(docs)
    assert survivors(texts, ["5035550142"]) == set()  # pending phones redacted by the auto table
    assert survivors(texts, ["Sam Lee"]) == {"Sam Lee"}  # allowed, so kept


def test_code_labels_carry_the_exemption_and_hide_length(case: Case) -> None:
    _mark(case, "Witness", "Dana Whitfield", "PERSON")
    _mark(case, "Witness", "Brent", "PERSON")
    doc = next(d for d in _produce(case) if d.subject == "Witness")
    labels = {r.label for r in doc.redactions}
    assert labels == {"[(b)(6)]"}
    blackout = next(d for d in _produce(case, label="blackout") if d.subject == "Witness")
    assert len({len(r.label) for r in blackout.redactions}) == 1


def test_exposing_headers_are_dropped(case: Case) -> None:
    for doc in _produce(case):
        names = {n for n, _ in doc.headers}
        assert "Received" not in names and "X-Originating-IP" not in names
        assert all("county.example" not in v for n, v in doc.headers if n in ("Message-ID", "In-Reply-To"))


@pytest.mark.parametrize("mode", ["drop", "keep"])
def test_header_policy_modes(case: Case, mode: str) -> None:
    (case.path / "pii-policy.toml").write_text(f'[redact]\nheaders = "{mode}"\n', encoding="utf-8")
    _mark(case, "Witness", "Dana Whitfield", "PERSON")
    for doc in _produce(case):
        names = [n for n, _ in doc.headers]
        if mode == "drop":
            assert "Message-ID" not in names and "Received" not in names
        else:
            assert "Received" in names and "X-Originating-IP" in names
        assert names[:1] == ["From"] and "Subject" in names


def test_an_unknown_redact_policy_key_is_named(case: Case) -> None:
    from discovery.errors import PolicyError

    (case.path / "pii-policy.toml").write_text('[redact]\nheader = "drop"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="header"):
        _produce(case)
