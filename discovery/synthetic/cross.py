"""Provides the conversations that cross both agencies (so the releases overlap) and planted MIME traps."""

from __future__ import annotations

from datetime import datetime as dt

from .people import CAST
from .text import PH
from .threads import Corpus


def build(c: Corpus) -> None:
    """Add the cross-agency threads to ``c`` (call after hcso.build: it forwards an earlier message)."""
    k = CAST
    dana, curtis, brent, travis = k["dana"], k["curtis"], k["brent"], k["travis"]
    jose, owen, gail = k["ibanez"], k["castellanos"], k["rudnicki"]

    t = c.thread("cross-intro-2018", "Connecting Harlow County and Port Mirren", ["vendor_agency"])
    t.post(
        brent,
        [dana, curtis],
        (
            f"{dana.f}, {curtis.f} - I wanted to connect the two of you.\n\n"
            f"{dana.f} is the crime analyst at Harlow County Sheriff's Office in Oregon who built their "
            f"booking photo search and deputies' app on Cirrus Recognize. Lt. {curtis.l} leads technology "
            "for Port Mirren PD in Florida, which is about to start a real-time video pilot. You two are "
            "among the most innovative public safety customers we work with, and I think you'd have a lot "
            "to share.\n\n"
            f"{travis.f} (copied) is Port Mirren's account executive. I'll let you take it from here!"
        ),
        cc=[travis],
        when=dt(2018, 1, 31, 12, 25),
        sales=True,
    )
    t.post(
        curtis,
        [dana],
        (
            f"{dana.f}, thanks for being willing to talk. I'd especially like to hear how you wrote your "
            "policy and what your deputies actually use the app for. Would Thursday at 1pm Eastern / 10am "
            "Pacific work?"
        ),
        cc=[brent, travis],
        after=(1, 6),
    )
    t.post(
        dana,
        [curtis],
        (
            f"Hi {curtis.f}, Thursday works. Call my cell, {PH('503-555-0187')} - I'll be between meetings. "
            "Happy to send our interim guidelines afterwards."
        ),
        after=(1, 5),
    )
    t.post(curtis, [dana], "Great, talk then.", after=(0.3, 2), sig="short")
    t.post(
        travis,
        [jose],
        (
            f"{jose.f} - {brent.f} connected {curtis.f} with the Harlow County analyst who built their "
            "search tool. You might want to join their call, since you'll be the one reviewing alerts."
        ),
        cc=[curtis],
        reply_to=0,
        forward=True,
        after=(1, 4),
        sales=False,
        sig="short",
    )

    guidelines = next(s for s in c.specs if s.key == "hcso-app-guidelines/1")
    t = c.thread("cross-guidelines", "", ["internal_agency"], conversation="hcso-app-guidelines")
    t.msgs.append(guidelines)
    t.post(
        dana,
        [curtis],
        (
            f"{curtis.f} - as promised on the phone, our interim guidelines (attached). The section on "
            "crowds is the one our Lt. cares most about."
        ),
        forward=True,
        keep_attachments=True,
        when=dt(2018, 2, 2, 13, 10),
        sig="short",
    )

    # A Florida analyst writes to the Oregon analyst. Declared us-ascii, sent as raw UTF-8 (8bit).
    t = c.thread("cross-analysts", "Thresholds question from Port Mirren RTCC", ["vendor_agency"])
    t.post(
        jose,
        [dana],
        (
            f"Hello {dana.f},\n\n"
            f"Lt. {curtis.l} gave me your name. I'm the analyst at our Real Time Crime Center and I review "
            "the alerts from the Cirrus pilot. You mentioned you test at several thresholds - for live "
            "video we see false alerts at 80-83 on people walking through Founders Park. Did you ever see "
            "scores like that for different people in your booking set?"
        ),
        cc=[curtis],
        when=dt(2018, 3, 12, 11, 20),
        closing="Muchas gracias,",
        charset="utf-8",
        declared_charset="us-ascii",
        cte="8bit",
        plain_only=True,
        labels=["internal_agency"],
    )
    t.post(
        dana,
        [jose],
        (
            f"Hi {jose.f},\n\n"
            "Yes - in our tests the wrong person scored above 80 in about 3% of searches, almost always "
            "with low-quality probe images. We never act on a result without a detective confirming it. For "
            "live video I'd be very careful with anything under 95."
        ),
        cc=[curtis],
        after=(2, 8),
        labels=["internal_agency"],
    )

    # The sheriff's office forwards the very first pitch as an attached message (message/rfc822).
    first = next(s for s in c.specs if s.key == "hcso-intro-2017/1")
    t = c.thread(
        "hcso-briefing-attachment",
        "FW: Cirrus Recognize - Harlow County",
        ["internal_agency"],
        conversation="hcso-intro-2017",
    )
    t.post(
        owen,
        [gail],
        (
            "Undersheriff - for the briefing: attached is the first email we received from Cirrus, in April "
            "2017, after our analyst started testing the service on her own. Everything since then followed "
            "from it."
        ),
        when=dt(2018, 6, 4, 9, 40),
        embedded=first,
    )
