"""Provides discovery's own PII detectors (pure Python; engine.py wraps each in a Presidio recognizer)."""

from __future__ import annotations

from discovery.pii.recognizers.address import StreetAddressDetector
from discovery.pii.recognizers.base import Detector, Hit, MessageContext
from discovery.pii.recognizers.email import EmailDetector, LotusNameDetector
from discovery.pii.recognizers.ids import ContextNumberDetector, DateOfBirthDetector
from discovery.pii.recognizers.network import IpAddressDetector, UrlAccountDetector
from discovery.pii.recognizers.people import PersonNameDetector
from discovery.pii.recognizers.phone import PhoneDetector
from discovery.pii.recognizers.structure import AddressFieldDetector, QuotedHeaderDetector, SignatureDetector


def default_detectors() -> list[Detector]:
    """Every detector, in the order their findings are listed."""
    return [
        AddressFieldDetector(),
        QuotedHeaderDetector(),
        SignatureDetector(),
        PersonNameDetector(),
        LotusNameDetector(),
        EmailDetector(),
        PhoneDetector(),
        StreetAddressDetector(),
        DateOfBirthDetector(),
        ContextNumberDetector(),
        IpAddressDetector(),
        UrlAccountDetector(),
    ]


__all__ = [
    "AddressFieldDetector",
    "ContextNumberDetector",
    "DateOfBirthDetector",
    "Detector",
    "EmailDetector",
    "Hit",
    "IpAddressDetector",
    "LotusNameDetector",
    "MessageContext",
    "PersonNameDetector",
    "PhoneDetector",
    "QuotedHeaderDetector",
    "SignatureDetector",
    "StreetAddressDetector",
    "UrlAccountDetector",
    "default_detectors",
]
