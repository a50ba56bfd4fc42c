"""Provides the search field registry: index field names, query prefixes and their aliases (pure data)."""

from __future__ import annotations

ROLES = ("from", "to", "cc", "bcc")
# Stemmed text with positions (phrases, proximity).
TEXT_FIELDS = ("subject", "body", "attachment")
# Display names plus the words of each address, with positions, not stemmed: from:whitfield, from:"dana w*".
NAME_FIELDS = ROLES
ADDRESS_FIELDS = {role: f"{role}_addr" for role in ROLES}  # exact lowercase addresses
DOMAIN_FIELDS = {role: f"{role}_domain" for role in ROLES}  # exact lowercase domains
# Exact lowercase keywords (several values per message where it makes sense).
KEYWORD_FIELDS = ("custodian", "folder", "kind", "has", "filetype", "tag", "month", "day", "thread", "pii",
                  "pii_status", "exemption")
ID_FIELD = "id"
DATE_FIELD = "date"
VOCAB_FIELD = "vocab"  # unstemmed words of the stemmed fields, for wildcard, fuzzy and spelling

# What a bare word searches, with the boost of each field (subject above body; BM25F per field).
DEFAULT_FIELDS: dict[str, float] = {"subject": 2.5, "body": 1.0, "attachment": 0.7,
                                    "from": 1.0, "to": 0.8, "cc": 0.6, "bcc": 0.6}
FIELD_BOOSTS: dict[str, float] = {"subject": 2.5}

# Query prefixes: canonical name -> aliases (all case-insensitive).
PREFIXES: dict[str, tuple[str, ...]] = {
    "from": ("sender", "author"),
    "to": (),
    "cc": (),
    "bcc": (),
    "participant": ("participants", "anyone", "who"),
    "domain": ("domains",),
    "subject": ("title",),
    "body": ("text", "content"),
    "attachment": ("attachments", "att", "file", "filename"),
    "filetype": ("type", "ext", "mime"),
    "tag": ("tags", "label"),
    "custodian": ("custodians", "owner"),
    "folder": ("mailbox",),
    "kind": ("source",),
    "thread": (),
    "pii": (),
    "has": (),
    "exemption": ("exemptions", "exempt"),
    "id": (),
    "date": (),
    "after": ("since",),
    "before": ("until",),
}
ALIASES: dict[str, str] = {alias: name for name, aliases in PREFIXES.items() for alias in (name, *aliases)}
HAS_VALUES = {"attachment": "attachment", "attachments": "attachment", "attach": "attachment",
              "tag": "tag", "tags": "tag", "pii": "pii", "redaction": "redaction", "redactions": "redaction",
              "redacted": "redaction", "bad-redaction": "bad_redaction", "bad_redaction": "bad_redaction"}


def exemption_code(text: str) -> str:
    """The index's form of an exemption written in a query: (b)(6), b6 and B6 are 'b6'; (b)(7)(C) is 'b7c'."""
    value = "".join(ch for ch in text.lower() if ch.isalnum() or ch in "*?")
    return value if value.startswith(("b", "*", "?")) or value == "redacted" else "b" + value

# pii: the index holds, per message, the entity types (lowercase: phone_number, person, us_ssn ...) of its current
# PII suggestions that are not rejected (field 'pii'), and their review states 'pending' and 'accepted' (field
# 'pii_status'); has:pii is any such suggestion. pii:phone_number, pii:PHONE_NUMBER and pii:"phone number" are
# the same; pii:us_* expands against the types in the index. These short names stand for entity types:
PII_STATUSES = ("pending", "accepted")
PII_ALIASES: dict[str, tuple[str, ...]] = {
    "phone": ("phone_number",),
    "email": ("email_address",),
    "name": ("person",),
    "address": ("street_address",),
    "street": ("street_address",),
    "dob": ("date_of_birth",),
    "birthday": ("date_of_birth",),
    "ssn": ("us_ssn",),
    "licence": ("us_driver_license",),
    "license": ("us_driver_license",),
    "plate": ("license_plate",),
    "booking": ("booking_number",),
    "case": ("case_number",),
    "badge": ("badge_number",),
    "ip": ("ip_address",),
    "account": ("account_id", "us_bank_number", "iban_code"),
    "bank": ("us_bank_number", "iban_code"),
    "iban": ("iban_code",),
    "card": ("credit_card",),
    "passport": ("us_passport",),
    "itin": ("us_itin",),
}

# Facets: name -> the index fields whose values are counted (each message counted once per value).
FACETS: dict[str, tuple[str, ...]] = {
    "sender_domains": ("from_domain",),
    "senders": ("from_addr",),
    "recipient_domains": ("to_domain", "cc_domain", "bcc_domain"),
    "tags": ("tag",),
    "months": ("month",),
    "years": ("month",),
    "custodians": ("custodian",),
    "pii": ("pii",),  # messages per PII entity type (pending or accepted suggestions)
}


def canonical_prefix(name: str) -> str | None:
    """The canonical field for a query prefix or alias, or None if unknown."""
    return ALIASES.get(name.lower())
