"""Tests PII precision on the kind of mail real releases hold: transport headers, mailing-list and machine
addresses, antispam reports, job titles and demonyms, base64 junk bodies, allow-list hints and 'pii allow' (small
fixtures written here, always run), and suggestions per message on the shared releases (skipped where absent)."""

from __future__ import annotations

import base64
import json
import os
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from pii_helpers import OFFLINE, build_case

from discovery import Case
from discovery.cli import main as discovery_cli
from discovery.pii.allowlist import add_allow, dominant_domains, guess_kind
from discovery.pii.engine import PiiEngine
from discovery.pii.fields import header_fields
from discovery.pii.headers import is_list_address, is_machine_address, is_transport, list_addresses
from discovery.pii.policy import TEMPLATE, Policy, load_policy, write_template
from discovery.pii.scan import scan_case

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"

LIST_HEADERS = [
    ("Received", "from mail-io1-f57.google.com (mail-io1-f57.google.com [209.85.166.57]) by mx.example.net"),
    ("X-Received", "by 2002:a05:6602:2a42 with SMTP id 10.36.81.12; Tue, 1 Mar 2018 09:00:00 -0800"),
    ("ARC-Authentication-Results", "i=1; mx.google.com; spf=pass smtp.mailfrom=lee@suse.example"),
    ("X-Exchange-Antispam-Report-Test", "UriScan:;BCL:0;PCL:0;RULEID:(6983473011980)(122605397693432);"),
    ("Thread-Index", "AdOxYzZ1c2Vyc2VjcmV0MTIzNDU2Nzg5MA=="),
    ("List-Id", "<open-talk.googlegroups.example>"),
    ("List-Post", "<https://groups.google.example/group/open-talk/post>, <mailto:open-talk@googlegroups.example>"),
    ("List-Unsubscribe", "<mailto:open-talk+unsubscribe@googlegroups.example>"),
    ("Sender", "open-talk@googlegroups.example"),
    ("X-Original-From", "Lee Duncan <lee@suse.example>"),
]
JUNK = "\n".join(base64.b64encode(os.urandom(57) + b"Ab1").decode() for _ in range(3000))
MAILS = [
    dict(name="l1", sender="'Lee Duncan' via open-talk <open-talk@googlegroups.example>",
         to=["open-talk@googlegroups.example"], cc=["Chris Leech <cleech@redhat.example>"],
         subject="Re: iscsid hangs on logout", headers=LIST_HEADERS,
         body="Hi Chris,\n\nThe patch looks right to me.\n\nThanks,\nLee\n\nLee Duncan\nWestern Digital Research\n"
              "\n-- \nYou received this message because you are subscribed to the Google Groups \"open-talk\" "
              "group.\nTo unsubscribe, send email to open-talk+unsubscribe@googlegroups.example.\n"),
    dict(name="l2", sender="Jack Grimaldi <jack.grimaldi@ethics.example>", to=["Traci Hughes <traci@ethics.example>"],
         subject="Letter from the Mayor",
         body="Dear Washingtonians,\n\nOn Monday I issued a Mayor's Order on ethics. Ask Attorney Advisor Sonia "
              "Weil.\n\nThanks.\n\nJack Grimaldi\nSenior Attorney Advisor\nBoard of Ethics\n"),
    dict(name="l3", sender="Mail Delivery System <mailer-daemon@mx.ethics.example>",
         to=["Traci Hughes <traci@ethics.example>"], subject="Undeliverable: Agenda",
         body="Delivery has failed. Reply to no-reply@notices.ethics.example for help.\n"),
    dict(name="l4", sender="Traci Hughes <traci@ethics.example>", to=["Jack Grimaldi <jack.grimaldi@ethics.example>"],
         subject="scan", body="Here it is:\n\n" + JUNK + "\n\nCall Dana Whitfield at 503-555-0142 about it.\n"),
]


@pytest.fixture()
def list_case(tmp_path: Path, engine: PiiEngine) -> Case:
    case = build_case(tmp_path, MAILS)
    saved = engine.names
    scan_case(case, policy=OFFLINE, engine=engine)
    engine.names = saved
    yield case
    case.close()


def _suggestions(case: Case, message: str) -> list[tuple[str, str, str]]:
    return [(r[0], r[1], r[2]) for r in case.store.rows(
        """SELECT s.field, s.entity_type, s.text FROM pii_suggestions s JOIN provenance p ON p.message_id=s.message_id
           WHERE p.message_id_header=?""", (f"<{message}@test.example>",))]


def test_header_classes() -> None:
    assert all(is_transport(h) for h in ("Received", "X-Received", "ARC-Seal", "DKIM-Signature", "Thread-Index",
                                         "X-Forefront-Antispam-Report", "List-Id", "Authentication-Results"))
    assert not any(is_transport(h) for h in ("X-From", "X-To", "X-cc", "X-Original-From", "Sender", "Delivered-To"))
    keys = [f.key for f in header_fields([("Received", "a"), ("X-From", "Dana"), ("Received", "b")], False)]
    assert keys == ["header:X-From"]
    keys = [f.key for f in header_fields([("Received", "a"), ("X-From", "Dana"), ("Received", "b")], True)]
    assert keys == ["header:Received", "header:X-From", "header:Received:1"]  # same keys with transport on
    lists = list_addresses(LIST_HEADERS)
    assert lists == {"open-talk@googlegroups.example"}
    assert is_list_address("open-talk+unsubscribe@googlegroups.example", lists)
    assert is_list_address("linux-scsi@vger.kernel.org")
    assert not is_list_address("lee@suse.example", lists)
    assert is_machine_address("MAILER-DAEMON@x.example") and is_machine_address("linux-scsi-owner@x.example")
    assert is_machine_address("lists+open-iscsi@lfdr.example")
    assert not is_machine_address("noreen@x.example") and not is_machine_address("no-reply@vendor.example")
    assert not is_list_address("analysts@lists.ocaa.example")  # a list host the case's headers do not name


def test_list_mail_is_quiet_and_people_stay(list_case: Case) -> None:
    found = _suggestions(list_case, "l1")
    texts = {t for _, _, t in found}
    assert not [f for f, _, _ in found if f.startswith("header:")]
    assert not any("open-talk" in t for t in texts)  # the list's own addresses, unsubscribe form included
    assert all(e != "CREDIT_CARD" for _, e, _ in found)
    assert "Western Digital Research" not in texts
    assert {"Lee Duncan", "cleech@redhat.example", "Chris Leech", "lee@suse.example"} <= texts


def test_titles_demonyms_and_machines_are_not_people(list_case: Case) -> None:
    texts = {t for _, e, t in _suggestions(list_case, "l2") if e == "PERSON"}
    assert not texts & {"Washingtonians", "Advisor", "Order", "Senior Attorney Advisor", "Attorney Advisor"}
    assert {"Sonia Weil", "Jack Grimaldi"} <= texts
    machine = {t for _, _, t in _suggestions(list_case, "l3")}
    assert not any("mailer-daemon" in t for t in machine)
    assert "no-reply@notices.ethics.example" in machine  # names the organisation: left to the allow-list


def test_junk_body_skipped_but_text_after_it_found(list_case: Case) -> None:
    found = _suggestions(list_case, "l4")
    assert ("body", "PHONE_NUMBER", "503-555-0142") in found and ("body", "PERSON", "Dana Whitfield") in found
    assert len(found) < 15  # nothing from 3,000 lines of base64
    kinds = [p["kind"] for (raw,) in list_case.store.rows("SELECT problems FROM pii_scans") for p in json.loads(raw)]
    assert "encoded" in kinds


def test_headers_scanned_only_when_productions_print_them(list_case: Case, engine: PiiEngine) -> None:
    found = _suggestions(list_case, "l1")
    assert not [f for f, _, _ in found if f.startswith("header:")]  # 'neutralise' prints none of them
    assert ("address:from:0", "EMAIL_ADDRESS", "lee@suse.example") in found  # the list sender's real identity
    (list_case.path / "pii-policy.toml").write_text('[redact]\nheaders = "keep"\n')
    policy = load_policy(list_case.path)
    assert policy.published_headers and policy.scan_headers and policy.version() != Policy().version()
    saved = engine.names
    scan_case(list_case, policy=Policy(mode="offline", published_headers=True), engine=engine)
    engine.names = saved
    found = _suggestions(list_case, "l1")
    assert ("header:X-Original-From", "EMAIL_ADDRESS", "lee@suse.example") in found
    assert not [f for f, _, _ in found if f.startswith(("header:Received", "header:ARC", "header:X-Received"))]


def test_transport_headers_scanned_when_the_policy_asks(list_case: Case, engine: PiiEngine) -> None:
    policy = Policy(mode="offline", transport_headers=True)
    saved = engine.names
    scan_case(list_case, policy=policy, engine=engine)
    engine.names = saved
    found = _suggestions(list_case, "l1")
    assert ("header:Received", "IP_ADDRESS", "209.85.166.57") in found
    assert not any(e == "CREDIT_CARD" for _, e, _ in found)  # never in an antispam report
    path = write_template(list_case.path)
    assert "transport_headers = false" in path.read_text() and load_policy(list_case.path).transport_headers is False


def test_allow_adds_entries_keeping_comments(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    case_dir.mkdir()
    first = add_allow(case_dir, "dc.gov")
    assert first.created and first.added and first.key == "allow.domains"
    text = (case_dir / "pii-policy.toml").read_text()
    comments = [line for line in TEMPLATE.splitlines() if line.lstrip().startswith("#")]
    assert all(c in text.splitlines() for c in comments)
    assert 'domains = ["dc.gov"]   # e-mail addresses at these domains' in text
    assert not add_allow(case_dir, "DC.gov").added  # already there
    add_allow(case_dir, "*@cirrusweb.example")
    add_allow(case_dir, "Tom Reyes")
    add_allow(case_dir, "Harlow County", "value")
    policy = load_policy(case_dir)
    assert (policy.allow_domains, policy.allow_emails, policy.allow_names, policy.allow_values) == (
        ["dc.gov"], ["*@cirrusweb.example"], ["Tom Reyes"], ["Harlow County"])
    assert tomllib.loads((case_dir / "pii-policy.toml").read_text())["allow"]["mailing_lists"] is True
    assert [guess_kind(v) for v in ("mail.dc.gov", "a@b.org", "Dana Whitfield", "Whitfield")] == [
        "domain", "email", "name", "name"]


def test_allow_command_audits_and_hints_name_dominant_domains(small_case: Case, engine: PiiEngine) -> None:
    saved = engine.names
    scan_case(small_case, policy=OFFLINE, engine=engine)
    engine.names = saved
    hints = dominant_domains(small_case.store, Policy(), top=5)
    assert hints and hints[0].domain == "county.example" and "allow_domains" in hints[0].text
    # the hint counts the reviewer's questions: a person written as name and address, in any number of messages,
    # is one, with every pending place of theirs
    keys = {r[0] for r in small_case.store.rows(
        """SELECT question_key FROM pii_suggestions WHERE status='pending' AND entity_type='EMAIL_ADDRESS'
           AND lower(text) LIKE '%@county.example'""")}
    assert hints[0].suggestions >= len(keys) >= 2  # Dana and Sam at least
    places = small_case.store.scalar(
        f"SELECT count(*) FROM pii_suggestions WHERE status='pending' AND question_key IN "
        f"({','.join('?' * len(keys))})", sorted(keys))
    assert hints[0].suggestions < places <= hints[0].places
    assert hints[0].messages == 3 and f"({hints[0].places:,} places)" in hints[0].text
    case_dir = str(small_case.path)
    small_case.close()
    runner = CliRunner()
    result = runner.invoke(discovery_cli, ["pii", "status", "--case", case_dir])
    assert result.exit_code == 0 and "county.example:" in result.output and "pii allow county.example" in \
        result.output
    result = runner.invoke(discovery_cli, ["pii", "allow", "county.example", "--case", case_dir, "--json",
                                           "--reviewer", "ana"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["added"] is True
    audit = json.loads(runner.invoke(discovery_cli, ["audit", "--json", "--case", case_dir]).output)
    assert audit[0]["action"] == "pii.allow" and audit[0]["actor"] == "ana" and audit[0]["target"] == "county.example"
    result = runner.invoke(discovery_cli, ["pii", "status", "--json", "--case", case_dir])
    assert not [h for h in json.loads(result.output)["allow_hints"] if h["domain"] == "county.example"]


# -- the shared releases ---------------------------------------------------------------------------------------
def _release_case(tmp_path: Path, source: Path, engine: PiiEngine, limit: int | None = None) -> Case:
    if not source.exists():
        pytest.skip(f"{source} is absent (the shared corpora are not on this machine)")
    case = Case(tmp_path / "case")
    case.ingest([source])
    saved = engine.names
    scan_case(case, policy=OFFLINE, engine=engine, limit=limit)
    engine.names = saved
    return case


def test_open_iscsi_list_is_quiet(tmp_path: Path, engine: PiiEngine) -> None:
    case = _release_case(tmp_path, CORPORA / "mbox-open-iscsi", engine, limit=300)
    try:
        store = case.store
        scanned = int(store.scalar("SELECT count(*) FROM pii_scans"))
        total = int(store.scalar("SELECT count(*) FROM pii_suggestions"))
        assert scanned == 300 and total / scanned < 25  # 52 per message before
        assert not store.rows("SELECT 1 FROM pii_suggestions WHERE field LIKE 'header:Received%' OR "
                              "field LIKE 'header:ARC%' OR text LIKE '%open-iscsi%googlegroups.com' "
                              "OR entity_type='CREDIT_CARD' LIMIT 1")
    finally:
        case.close()


def test_dc_bega_release_is_quieter(tmp_path: Path, engine: PiiEngine) -> None:
    case = _release_case(tmp_path, CORPORA / "dc-bega-foia", engine)
    try:
        store = case.store
        assert not store.rows("SELECT 1 FROM pii_suggestions WHERE entity_type='CREDIT_CARD' OR field LIKE "
                              "'header:x-%' OR (entity_type='PERSON' AND text IN ('Advisor', 'Washingtonians', "
                              "'Senior Attorney Advisor', 'Interim Director', 'Office Manager')) LIMIT 1")
        assert store.rows("SELECT 1 FROM pii_suggestions WHERE entity_type='PERSON' AND text='Tameka Collier' "
                          "LIMIT 1")  # real people are still found
    finally:
        case.close()


def test_personal_mail_providers_are_never_offered_as_allow_list_hints(tmp_path: Path, engine: PiiEngine) -> None:
    # open-iscsi offered 'gmail.com: 69 suggestions ... add it to allow_domains?': its people are private persons
    mails = [dict(name=f"g{i}", sender=f"Person{i} Tester <person{i}@gmail.com>", to=["Ann Roe <ann@yahoo.co.uk>"],
                  subject="Hello", body=f"Hi Ann,\n\nCall me.\n\nPerson{i}\n", minutes=i) for i in range(6)]
    mails.append(dict(name="c1", sender="Dana Whitfield <dana@county.example>", to=["Sam Ng <sam@county.example>"],
                      subject="Case", body="Sam, see you.\n\nDana Whitfield\n", minutes=9))
    case = build_case(tmp_path, mails)
    try:
        saved = engine.names
        scan_case(case, policy=OFFLINE, engine=engine)
        engine.names = saved
        gmail = case.store.scalar(
            "SELECT count(*) FROM pii_suggestions WHERE status='pending' AND lower(text) LIKE '%@gmail.com'")
        assert gmail >= 6  # gmail.com carries most of the case's pending places ...
        domains = [h.domain for h in dominant_domains(case.store, Policy(), top=5)]
        assert "gmail.com" not in domains and "yahoo.co.uk" not in domains  # ... and is never offered
        assert "county.example" in domains  # an organisation's domain still is
    finally:
        case.close()
