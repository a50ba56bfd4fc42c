"""Provides the attachment files of the sample corpus: pricing sheet PDF, spreadsheets, memos and images."""

from __future__ import annotations

from datetime import datetime

from . import attachments as a
from .spec import AttachmentSpec, at
from .text import ADDR, BADGE, EM, PH, P, plain

_PDF = "application/pdf"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _pdf(
    filename: str, title: str, marked_lines: list[tuple[str, int, bool]], when: datetime
) -> AttachmentSpec:
    plain_lines = [(plain(text), size, bold) for text, size, bold in marked_lines]
    data = a.make_pdf(plain_lines, title, when)
    return AttachmentSpec(filename, _PDF, data, text=a.pdf_text(marked_lines))


def pricing_pdf() -> AttachmentSpec:
    """The vendor's one-page price sheet for public-safety customers (with the account team's contacts)."""
    lines = [
        ("Cirrus Recognize for Public Safety", 18, True),
        ("Pricing overview - US regions - effective April 1, 2017", 10, False),
        ("", 10, False),
        ("Image analysis (face detection, search, compare)", 12, True),
        ("  First 1 million images per month ............ $1.00 per 1,000 images", 10, False),
        ("  Next 9 million images per month .............. $0.80 per 1,000 images", 10, False),
        ("  Over 10 million images per month ............. $0.60 per 1,000 images", 10, False),
        ("", 10, False),
        ("Face metadata storage", 12, True),
        ("  $0.01 per 1,000 face vectors stored per month", 10, False),
        ("", 10, False),
        ("Example: sheriff's office, 300,000 booking photos, ~2,000 searches/month", 12, True),
        ("  One-time indexing of 300,000 images ........... $300.00", 10, False),
        ("  Monthly storage of 300,000 face vectors ...... $3.00", 10, False),
        ("  2,000 to 9,000 searches per month ............ $2.00 - $9.00", 10, False),
        ("  Typical monthly total after indexing ......... $6 - $12", 10, False),
        ("", 10, False),
        ("Free tier: 5,000 images per month for the first 12 months.", 10, False),
        (
            "Prices exclude taxes. Volume and multi-year discounts available for government agencies.",
            9,
            False,
        ),
        ("", 10, False),
        ("Your account team", 12, True),
        (
            f"{P('Brent Kasprzak')}, Account Manager - {PH('+1 206 555 0108')} - "
            f"{EM('bkasprzak@cirrusweb.example')}",
            10,
            False,
        ),
        (
            f"{P('Priya Venkataraman')}, Sr. Solutions Architect - {PH('206-555-0126')} - "
            f"{EM('priyav@cirrusweb.example')}",
            10,
            False,
        ),
        (f"Cirrus Web Services, Inc., {ADDR('2200 Westlake Terrace N, Seattle, WA 98109')}", 9, False),
    ]
    return _pdf(
        "Cirrus_Recognize_Public_Safety_Pricing_2017.pdf",
        "Cirrus Recognize for Public Safety - Pricing",
        lines,
        at("pacific", datetime(2017, 3, 28, 16, 5)),
    )


def poc_pdf() -> AttachmentSpec:
    """The proof-of-concept scope the vendor proposed to the Florida police department."""
    lines = [
        ("Proof of Concept Scope", 18, True),
        ("Cirrus Recognize Video - Port Mirren Police Department", 12, False),
        ("Prepared December 14, 2017 - CONFIDENTIAL, for discussion", 9, False),
        ("", 10, False),
        ("Objectives", 12, True),
        ("1. Evaluate real-time face matching on live video from up to eight city-owned cameras.", 10, False),
        ("2. Watchlist limited to photos of officers who volunteer for the test.", 10, False),
        ("3. Measure alert latency, match quality and operational workload for the RTCC.", 10, False),
        ("", 10, False),
        ("Architecture", 12, True),
        (
            "Camera RTSP streams -> city video gateway -> Cirrus Video Streams -> Recognize stream processor",
            10,
            False,
        ),
        (
            "Match results -> notification topic -> RTCC dashboard (e-mail / SMS to on-duty analyst)",
            10,
            False,
        ),
        ("", 10, False),
        ("Timeline", 12, True),
        ("Weeks 1-2: network and account setup   Weeks 3-8: live test   Week 9: readout", 10, False),
        ("", 10, False),
        ("Commercials", 12, True),
        (
            "No charge for Cirrus services consumed during the proof of concept (up to $5,000 in credits).",
            10,
            False,
        ),
        ("Solutions architecture support at no cost.", 10, False),
        ("", 10, False),
        ("Contacts", 12, True),
        (
            f"{P('Travis Lindqvist')}, Account Executive - {PH('404-555-0133')} - "
            f"{EM('tlindqvist@cirrusweb.example')}",
            10,
            False,
        ),
        (
            f"{P('Gideon Achebe')}, Solutions Architect - {PH('470.555.0148')} - "
            f"{EM('gachebe@cirrusweb.example')}",
            10,
            False,
        ),
        (f"Customer lead: Lt. {P('Curtis Vandermeer')} - {PH('(407) 555-0199')} ext. 12", 10, False),
    ]
    return _pdf(
        "Port Mirren PD - Recognize Video POC Scope.pdf",
        "Proof of Concept Scope - Port Mirren PD",
        lines,
        at("eastern", datetime(2017, 12, 14, 11, 20)),
    )


def accuracy_xlsx() -> AttachmentSpec:
    """The sheriff's analyst's test-search results: aggregate numbers only, no personal data."""
    rows: list[list[object]] = [
        ["Threshold", "Searches", "Top-1 correct", "Top-5 correct", "No result", "False top-1"]
    ]
    for threshold, top1, top5, none, false1 in (
        (70, 412, 466, 3, 29),
        (80, 398, 455, 21, 14),
        (85, 377, 431, 52, 7),
        (90, 341, 389, 97, 3),
        (95, 266, 301, 188, 1),
        (99, 104, 117, 381, 0),
    ):
        rows.append([threshold, 500, top1, top5, none, false1])
    notes: list[list[object]] = [
        ["Note"],
        ["Probe images: 500 stills from closed cases, 2014-2016."],
        ["Gallery: booking photos 2001-2017 (305,114 images)."],
        ["Correct = the arrested person appears at that rank."],
    ]
    data = a.make_xlsx(
        [("Results", rows), ("Notes", notes)],
        "HCSO Crime Analysis",
        at("pacific", datetime(2017, 9, 18, 15, 2)),
    )
    return AttachmentSpec("HCSO_search_test_results_2017Q3.xlsx", _XLSX, data)


def camera_xlsx() -> AttachmentSpec:
    """The eight city cameras proposed for the pilot (RFC 2231-encoded file name, no personal data)."""
    rows: list[list[object]] = [["Cam", "Location", "Model", "Stream host", "Notes"]]
    cams = [
        (
            "TC-04",
            "Bayfront Ave & Harbor St",
            "Axis Q6155-E",
            "cam-tc04.traffic.portmirren-fl.example",
            "PTZ",
        ),
        (
            "TC-07",
            "Lake Cypress Blvd & 4th St",
            "Axis Q6155-E",
            "cam-tc07.traffic.portmirren-fl.example",
            "PTZ",
        ),
        (
            "TC-11",
            "Mirren Pkwy & Orchard Rd",
            "Axis P1435-LE",
            "cam-tc11.traffic.portmirren-fl.example",
            "fixed",
        ),
        (
            "TC-12",
            "Mirren Pkwy & Gulf Breeze Dr",
            "Axis P1435-LE",
            "cam-tc12.traffic.portmirren-fl.example",
            "fixed",
        ),
        (
            "PK-02",
            "Founders Park, east entrance",
            "Bosch NBE-6502",
            "cam-pk02.parks.portmirren-fl.example",
            "fixed",
        ),
        (
            "PK-03",
            "Founders Park, fountain",
            "Bosch NBE-6502",
            "cam-pk03.parks.portmirren-fl.example",
            "fixed",
        ),
        ("HQ-01", "Police HQ lobby", "Axis P3245-V", "cam-hq01.pd.portmirren-fl.example", "indoor"),
        ("HQ-02", "Police HQ sally port", "Axis P3245-V", "cam-hq02.pd.portmirren-fl.example", "indoor"),
    ]
    rows += [list(c) for c in cams]
    data = a.make_xlsx(
        [("Pilot cameras", rows)],
        "City of Port Mirren Transportation",
        at("eastern", datetime(2018, 1, 16, 10, 40)),
    )
    return AttachmentSpec("Camera inventory – Port Mirren.xlsx", _XLSX, data, rfc2231=True)


def _docx(filename: str, title: str, author: str, marked: list[str], when: datetime) -> AttachmentSpec:
    data = a.make_docx([plain(p) for p in marked], title, author, when)
    return AttachmentSpec(filename, _DOCX, data, text=a.docx_text(marked))


def guidelines_docx() -> AttachmentSpec:
    """The sheriff's office interim guidelines memo for the deputies' mobile app."""
    paras = [
        "HARLOW COUNTY SHERIFF'S OFFICE - INTERIM GUIDELINES",
        "Subject: Facial search app (booking photo comparison) for patrol and investigations",
        f"From: {P('Dana Whitfield')}, Crime Analyst, on behalf of Lt. {P('Owen Castellanos')}",
        "Date: July 24, 2017",
        "1. The app compares a photo against Harlow County booking photos only. It does not search driver "
        "licence photos, social media or any live video.",
        "2. A result is an investigative lead, never probable cause by itself. Corroborate every lead "
        "before taking enforcement action.",
        "3. Use it only for a lawful investigative purpose and record the case or incident number in the "
        "app.",
        "4. Do not use it on people who are merely present at protests, rallies or other lawful gatherings.",
        "5. Searches are logged. Crime Analysis audits the log monthly.",
        f"Questions: {P('Dana Whitfield')}, {PH('503-555-0142')}, "
        f"{EM('dwhitfield@harlowcounty-or.example')}.",
    ]
    return _docx(
        "Facial search app - interim guidelines.docx",
        "Facial search app - interim guidelines",
        "Dana Whitfield",
        paras,
        at("pacific", datetime(2017, 7, 24, 13, 30)),
    )


def customer_story_docx() -> AttachmentSpec:
    """The vendor's draft customer story about the sheriff's office."""
    paras = [
        "DRAFT v2 - Customer story - not for distribution",
        "Harlow County Sheriff's Office cuts identification time from days to minutes with Cirrus Recognize",
        "Harlow County, Oregon, serves about 240,000 residents. Its Sheriff's Office keeps more than "
        "300,000 booking photos collected since 2001.",
        '"Before, identifying someone from a store camera still could take days of asking around," said '
        f'{P("Dana Whitfield")}, a crime analyst with the office. "Now a detective has a short list of '
        "leads in "
        'a couple of minutes."',
        f"{P('Whitfield')} built a search tool and a mobile app for deputies in a few weeks using Cirrus "
        "Recognize and other Cirrus services. The office pays a few dollars a month for the service.",
        f"Media contact: Sgt. {P('Lorraine Petrakis')}, {PH('503-555-0120')}.",
        f"Cirrus contact: {P('Meredith Osei')}, {EM('mosei@cirrusweb.example')}.",
    ]
    return _docx(
        "Harlow County customer story DRAFT v2.docx",
        "Customer story - Harlow County",
        "Meredith Osei",
        paras,
        at("pacific", datetime(2017, 10, 30, 9, 12)),
    )


def pilot_summary_txt() -> AttachmentSpec:
    """The Florida lieutenant's plain-text summary of the pilot for the chief."""
    text = (
        "PORT MIRREN POLICE DEPARTMENT - TECHNOLOGY SERVICES SECTION\n"
        "Summary: Cirrus Recognize Video pilot, phase 1 (Jan 29 - Jun 15, 2018)\n"
        f"Prepared by Lt. {P('Curtis Vandermeer')}, {PH('(407) 555-0199')} ext. 12\n\n"
        "What was tested\n"
        "- Eight city-owned cameras (4 traffic, 2 park, 2 HQ) streamed to Cirrus.\n"
        f"- Watchlist: 7 volunteer officers, incl. Ofc. {P('Darnell Hughes')} (#{BADGE('3318')}) and Ofc. "
        f"{P('Tamsin Reyes')} (#{BADGE('2890')}).\n"
        "- No images of members of the public were enrolled.\n\n"
        "Results\n"
        "- 61 alerts; 44 correct (volunteers), 17 false alerts on members of the public.\n"
        "- Median alert delay 9 seconds; stream drops on TC-11 and TC-12 most days.\n"
        "- RTCC staff time: about 6 hours per week reviewing alerts.\n\n"
        "Recommendation\n"
        "- Let phase 1 expire on June 15. Brief City Council before any phase 2.\n"
    )
    return AttachmentSpec(
        "Pilot summary for Chief.txt", "text/plain", (plain(text)).encode("utf-8"), text=text.rstrip()
    )


def screenshot_attachment(name: str = "search_result.png") -> AttachmentSpec:
    return AttachmentSpec(name, "image/png", a.screenshot_png())


def logo_inline() -> AttachmentSpec:
    return AttachmentSpec(
        "image001.png", "image/png", a.logo_png(), inline=True, content_id="image001.png@01D3C2A4.5E0B7F30"
    )
