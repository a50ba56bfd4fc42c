"""Provides the unrelated mail around the story: HR, IT, newsletters, citizens' mail and personal mail."""

from __future__ import annotations

import html
from datetime import datetime as dt

from . import files
from .people import CAST
from .spec import month_name
from .text import ADDR, BK, CASE, DL, DOB, EM, IP, PH, PLATE, SSN, P
from .threads import Corpus

NOISE = ["noise"]

_HEADLINES = [
    ("County IT leaders weigh the move to cloud email", "cloud-email"),
    ("Five lessons from a statewide 911 consolidation", "911-consolidation"),
    ("What next-generation 911 means for small PSAPs", "ng911-small-psap"),
    ("Drones in public safety: a procurement checklist", "drone-procurement"),
    ("Ransomware recovery: how one city got back online in 72 hours", "ransomware-recovery"),
    ("Body-worn camera storage costs keep climbing", "bwc-storage"),
    ("Open data portals: what residents actually use", "open-data"),
    ("Cybersecurity grants open for local governments", "cyber-grants"),
    ("Smart streetlights and the privacy debate", "streetlights-privacy"),
    ("Records requests are up - so are the backlogs", "records-backlogs"),
    ("How sheriffs are budgeting for jail technology", "jail-tech"),
    ("Broadband maps get a second look", "broadband-maps"),
    ("A guide to CJIS-compliant cloud services", "cjis-cloud"),
    ("License plate readers: audit findings from three states", "alpr-audits"),
    ("The quiet retirement of the fax machine", "fax-retirement"),
    ("Election security after 2016: what counties changed", "election-security"),
    ("Text-to-911 adoption map updated", "text-to-911"),
    ("Mobile data terminals vs. smartphones for patrol", "mdt-smartphones"),
]


def _newsletter_html(title: str, items: list[tuple[str, str]], domain: str, issue: str) -> str:
    rows = "\n".join(
        '<tr><td style="padding:8px 0"><a '
        f'href="https://{domain}/articles/{slug}?utm_source=newsletter&amp;utm_campaign={issue}" '
        f'style="color:#1a4f8b;font-size:16px">{html.escape(head)}</a></td></tr>'
        for head, slug in items
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>'
        + html.escape(title)
        + "</title></head>\n"
        '<body style="font-family:Arial,sans-serif;background:#f4f4f4">\n'
        '<table width="600" align="center" style="background:#ffffff;padding:20px">\n'
        f'<tr><td><h1 style="font-size:22px">{html.escape(title)}</h1></td></tr>\n'
        f"{rows}\n"
        '<tr><td style="font-size:11px;color:#777">You are receiving this because you subscribed at '
        f"{domain}. "
        f'<a href="https://{domain}/unsubscribe">Unsubscribe</a> | <a '
        f'href="https://{domain}/preferences">Preferences</a></td></tr>\n'
        "</table>\n"
        f'<img src="https://{domain}/open.gif?i={issue}" width="1" height="1" alt="">\n'
        "</body></html>"
    )


def newsletters(c: Corpus) -> None:
    """HTML-only and text+HTML newsletters to both custodians (no PII in the bodies)."""
    k = CAST
    rng = c.rng
    govtech, digest, ocaa, fpca, cws = k["govtech"], k["pstdigest"], k["ocaa"], k["fpca"], k["cws_news"]
    dates = [
        dt(2017, 2, 7),
        dt(2017, 5, 16),
        dt(2017, 9, 12),
        dt(2017, 12, 5),
        dt(2018, 3, 13),
        dt(2018, 6, 19),
        dt(2018, 10, 9),
        dt(2019, 2, 12),
        dt(2019, 5, 21),
    ]
    for i, day in enumerate(dates):
        for who in ("dana", "curtis"):
            if (i + (who == "curtis")) % 3 == 2:
                continue
            items = rng.sample(_HEADLINES, 4)
            issue = f"gtw-{day:%Y%m%d}"
            title = f"GovTech Weekly | {month_name(day.month)[:3]} {day.day}, {day.year} | {items[0][0]}"
            c.single(
                f"noise-govtech-{who}-{day:%Y%m%d}",
                govtech,
                [k[who]],
                day.replace(hour=6, minute=5),
                title,
                "",
                html_only=True,
                html=_newsletter_html("GovTech Weekly", items, "govtechweekly.example", issue),
                cte="quoted-printable" if i % 2 else "base64",
                received=True,
            )
    for day in [dt(2017, 3, 1), dt(2017, 8, 2), dt(2018, 1, 3), dt(2018, 7, 4), dt(2019, 1, 2)]:
        items = rng.sample(_HEADLINES, 3)
        lines = [f"PUBLIC SAFETY TECH DIGEST - {month_name(day.month)} {day.year}", ""]
        for head, slug in items:
            lines += [head, f"Read more: https://pstdigest.example/{slug}", ""]
        lines += [
            "Upcoming: Regional public safety IT forum, registration opens next month.",
            "",
            "Unsubscribe: https://pstdigest.example/u",
        ]
        for who in ("dana", "curtis"):
            c.single(
                f"noise-digest-{who}-{day:%Y%m}",
                digest,
                [k[who]],
                day.replace(hour=5, minute=30),
                f"Public Safety Tech Digest | {month_name(day.month)} {day.year}",
                "\n".join(lines),
                style="newsletter",
            )
    # the analysts' mailing list: members post with names and phone numbers
    posts = [
        (
            dt(2017, 3, 21, 8, 0),
            "Crime mapping software recommendations",
            f"{P('Judith Ambrose')} (Lane County) asked for recommendations for crime mapping software under "
            f"$10K. Replies to her at {EM('jambrose@lanecounty.example')} or {PH('541-555-0131')}.",
        ),
        (
            dt(2017, 6, 13, 8, 0),
            "Summer training: link analysis basics",
            "Registration is open for the two-day link analysis course in Salem, July 18-19. Contact "
            f"{P('Ray Odegaard')} at {PH('(503) 555-0166')}.",
        ),
        (
            dt(2017, 11, 7, 8, 0),
            "Job posting: analyst II, Clackamas area",
            f"A member agency is hiring a Crime Analyst II. Questions to {P('Wendy Salazar')}, "
            f"{EM('wsalazar@metro-analysts.example')}.",
        ),
        (
            dt(2018, 4, 10, 8, 0),
            "Spring conference agenda posted",
            "The spring conference agenda is posted on the members site. Sessions include social network "
            "analysis, hot spot policing evaluations and a panel on face recognition policy.",
        ),
        (
            dt(2018, 9, 25, 8, 0),
            "Survey: analyst salaries 2018",
            "Please complete the salary survey by October 5. Results will be shared with members only. - "
            f"{P('Ray Odegaard')}, OCAA treasurer",
        ),
    ]
    for when, subject, text in posts:
        body = (
            "OCAA-L Digest\n\n"
            f"Topic: {subject}\n\n"
            f"{text}\n\n"
            "--\n"
            "You are subscribed to OCAA-L as dwhitfield@harlowcounty-or.example.\n"
            "To unsubscribe send a blank message to analysts-leave@lists.ocaa.example."
        )
        body = body.replace("dwhitfield@harlowcounty-or.example", EM("dwhitfield@harlowcounty-or.example"))
        body = body.replace("analysts-leave@lists.ocaa.example", EM("analysts-leave@lists.ocaa.example"))
        c.single(
            f"noise-ocaa-{when:%Y%m%d}",
            ocaa,
            [k["dana"]],
            when,
            f"[OCAA-L] {subject}",
            body,
            style="plain" if when.year == 2017 else "newsletter",
            plain_only=True,
        )
    for when, subject, text in [
        (
            dt(2017, 4, 4, 9, 0),
            "FPCF Technology Summit - call for presenters",
            "The Florida Police Chiefs Forum Technology Summit returns this October. Submit a 30-minute "
            "session proposal by June 1.",
        ),
        (
            dt(2017, 9, 5, 9, 0),
            "Technology Summit agenda and hotel block",
            "The agenda for the Technology Summit is now available. The hotel block closes September 22.",
        ),
        (
            dt(2018, 2, 20, 9, 0),
            "Legislative update for chiefs",
            "Our weekly summary of bills affecting law enforcement agencies is attached to the members page.",
        ),
        (
            dt(2018, 8, 28, 9, 0),
            "Hurricane season mutual aid roster",
            "Please confirm your agency's mutual aid contacts for the 2018 hurricane season by September 7.",
        ),
    ]:
        c.single(
            f"noise-fpcf-{when:%Y%m%d}",
            fpca,
            [k["curtis"]],
            when,
            subject,
            f"{text}\n\nFlorida Police Chiefs Forum\nhttps://fpcf.example",
            style="newsletter",
        )
    promos = [
        (
            dt(2017, 6, 6, 7, 0),
            "dana",
            "What's new in Cirrus storage this month",
            "Lower prices for infrequently accessed storage, a new archive tier, and faster cross-region "
            "copies. See the console for details.",
            False,
        ),
        (
            dt(2017, 11, 14, 7, 0),
            "dana",
            "Cirrus Recognize: new features for public safety",
            "Cirrus Recognize now searches collections of tens of millions of faces in under a second and "
            "detects up to 100 faces per image, including in crowded scenes. Public safety agencies can "
            "start with the free tier today. Talk to your account team about a proof of concept.",
            True,
        ),
        (
            dt(2018, 2, 6, 7, 0),
            "curtis",
            "Cirrus Summit recap: top 10 launches",
            "From serverless databases to new machine learning services, here are the ten launches our "
            "customers are talking about.",
            False,
        ),
        (
            dt(2018, 5, 8, 7, 0),
            "curtis",
            "Recognize Video is now generally available",
            "Recognize Video analyzes live video streams and matches faces against your collections in real "
            "time. Public safety customers can request a no-cost pilot through their account team.",
            True,
        ),
    ]
    for when, who, subject, text, sales in promos:
        body = (
            f"{text}\n\n"
            f"Cirrus Web Services, Inc. | {ADDR('2200 Westlake Terrace N, Seattle, WA 98109')}\n"
            "You are receiving this email because you have a Cirrus Web Services account. Manage "
            "preferences: https://cirrusweb.example/email-preferences"
        )
        c.single(
            f"noise-cws-{who}-{when:%Y%m%d}",
            cws,
            [k[who]],
            when,
            subject,
            body,
            labels=["sales_outreach"] if sales else NOISE,
            style="newsletter",
        )


_HR_HCSO = [
    (
        dt(2017, 1, 17, 10, 0),
        "W-2 forms available in the employee portal",
        "Your 2016 W-2 is available in the employee self-service portal. Paper copies were mailed to the "
        "address on file. If your address has changed, please update it before March 1.",
    ),
    (
        dt(2017, 10, 2, 9, 30),
        "Open enrollment begins October 16",
        "Open enrollment for 2018 medical, dental and vision plans runs October 16 - November 3. Premiums "
        "for the PPO plan increase 4%. The benefits fair is October 19, 11am-2pm, at the Fairgrounds "
        f"Exhibit Hall, {ADDR('4800 SE Fairview Rd, Kellam, OR 97180')}.",
    ),
    (
        dt(2017, 11, 20, 14, 0),
        "2018 holiday schedule",
        "County offices will be closed on the following days in 2018: January 1, January 15, February 19, "
        "May 28, July 4, September 3, November 12, November 22-23 and December 25. Sworn and jail staff: "
        "see your division's schedule.",
    ),
    (
        dt(2018, 1, 22, 10, 0),
        "Wellness challenge: 8 weeks of steps",
        "Form a team of four and join the county wellness challenge starting February 5. Prizes for the top "
        "three teams. Sign up on the intranet.",
    ),
    (
        dt(2018, 4, 9, 11, 0),
        "Deferred compensation seminar",
        "Representatives from the deferred compensation plan will hold a seminar on April 26 at noon in "
        "Room 110. Bring your questions about catch-up contributions.",
    ),
    (
        dt(2018, 10, 1, 9, 0),
        "Open enrollment 2019 - changes to vision coverage",
        "Open enrollment for 2019 runs October 15 - November 2. The vision plan moves to a new carrier; you "
        "will receive new cards in December. No action is needed to keep your current elections.",
    ),
    (
        dt(2018, 11, 19, 15, 0),
        "2019 holiday schedule",
        "The 2019 county holiday schedule is attached to the HR intranet page. Note that the day after "
        "Thanksgiving is a county holiday again this year.",
    ),
    (
        dt(2019, 1, 28, 10, 0),
        "Reminder: update your emergency contacts",
        "Please review your emergency contact information in the employee portal by February 15.",
    ),
]
_HR_PMPD = [
    (
        dt(2017, 5, 22, 9, 0),
        "Hurricane season preparedness - essential personnel",
        "All essential personnel must update their hurricane season availability form by June 1. Remember "
        "to have a family plan.",
    ),
    (
        dt(2017, 9, 25, 9, 0),
        "Benefits open enrollment 2018",
        "Open enrollment is October 9 - October 27. Health fair on October 12 at City Hall, "
        f"{ADDR('100 N Mirren Ave, Port Mirren, FL 32796')}, 10am-3pm.",
    ),
    (
        dt(2017, 12, 4, 9, 0),
        "City holiday schedule 2018",
        "City offices will observe 11 paid holidays in 2018. The full list is on the HR page.",
    ),
    (
        dt(2018, 3, 5, 9, 0),
        "Tuition reimbursement applications due",
        "Applications for summer term tuition reimbursement are due March 30.",
    ),
    (
        dt(2018, 9, 24, 9, 0),
        "Open enrollment 2019 starts soon",
        "Open enrollment for 2019 benefits runs October 8 - October 26. There are no changes to premiums "
        "for employee-only coverage.",
    ),
    (
        dt(2019, 1, 14, 9, 0),
        "Pension statement now available",
        "Your annual pension statement is available online. Questions: HR Benefits, extension 4410.",
    ),
]


def hr(c: Corpus) -> None:
    """Human resources notices to all staff, and one exchange where an SSN is sent by email."""
    k = CAST
    for i, (when, subject, text) in enumerate(_HR_HCSO):
        sender = k["hcso_hr"] if i % 3 else k["tran"]
        sign = f"\n\n{k['tran'].signature}" if sender.key == "tran" else "\n\nHarlow County Human Resources"
        c.single(
            f"noise-hr-hcso-{when:%Y%m%d}",
            sender,
            [k["hcso_all"]],
            when,
            subject,
            f"All employees,\n\n{text}{sign}",
        )
    for when, subject, text in _HR_PMPD:
        c.single(
            f"noise-hr-pmpd-{when:%Y%m%d}",
            k["pm_hr"],
            [k["curtis"]],
            when,
            subject,
            f"Dear City Employee,\n\n{text}\n\nCity of Port Mirren Human Resources",
        )
    kyle, tran = k["ostrander"], k["tran"]
    t = c.thread("noise-hr-w4", "Updated W-4 and direct deposit", NOISE)
    t.post(
        kyle,
        [tran],
        (
            f"Hi {tran.f},\n\n"
            "I got married last month so I need to update my W-4 and add my wife to my insurance. My SSN is "
            f"{SSN('541-22-7093')} and her name is {P('Melissa Ostrander')}, DOB {DOB('09/30/1990')}. New "
            f"address is {ADDR('3306 NE Larkspur Ave, Kellam, OR 97181')}. What forms do you need?"
        ),
        when=dt(2018, 6, 11, 10, 40),
    )
    t.post(
        tran,
        [kyle],
        (
            f"Hi {kyle.f}, congratulations! Please don't send Social Security numbers by email - I've "
            "deleted it on my end. The forms are in the employee portal under Life Events; you have 30 days "
            "from the date of marriage to add a spouse."
        ),
        after=(1, 4),
    )


_IT_HCSO = [
    (
        dt(2017, 2, 13, 16, 0),
        "Scheduled maintenance Saturday 2/18",
        "Email and file shares will be unavailable Saturday 2/18 from 6:00am to 10:00am while we patch the "
        f"servers {IP('10.40.12.20')}, {IP('10.40.12.21')} and {IP('10.40.14.8')}.",
    ),
    (
        dt(2017, 5, 15, 8, 30),
        "Phishing alert: fake payroll login page",
        "Several employees received an email asking them to confirm payroll details at a fake login page "
        f"hosted at {IP('198.51.100.213')}. Do not click the link. If you entered your password, change it "
        "now and call the Service Desk.",
    ),
    (
        dt(2017, 8, 21, 9, 0),
        "New VPN client rollout",
        "We are replacing the VPN client on county laptops over the next two weeks. The new gateway is "
        f"vpn.harlowcounty-or.example ({IP('203.0.113.10')}). You will be prompted to restart.",
    ),
    (
        dt(2017, 12, 11, 14, 0),
        "Your password expires in 7 days",
        "Your network password expires in 7 days. Press Ctrl+Alt+Del and choose Change a password. "
        "Passwords must be at least 12 characters.",
    ),
    (
        dt(2018, 3, 19, 11, 0),
        "Windows 10 migration - Sheriff's Office schedule",
        "Sheriff's Office desktops will be migrated to Windows 10 between April 2 and April 20. Save your "
        "files to your H: drive before your scheduled date.",
    ),
    (
        dt(2018, 7, 9, 7, 15),
        "RESOLVED: printer outage, Justice Center 2nd floor",
        f"The print server ({IP('10.40.16.3')}) is back online. Jobs sent between 6:40 and 7:10 may need to "
        "be resent.",
    ),
    (
        dt(2018, 11, 5, 10, 0),
        "Multi-factor authentication is coming",
        "Starting December 3, remote access to email will require a second factor. Install the "
        "authenticator app before then; instructions are on the intranet.",
    ),
    (
        dt(2019, 3, 4, 9, 0),
        "Suspicious sign-ins blocked",
        "Over the weekend we blocked repeated sign-in attempts against county accounts from "
        f"{IP('192.0.2.188')} and {IP('2001:db8:4a::17')}. No accounts were compromised. Reminder: never "
        "reuse your county password.",
    ),
]
_IT_PMPD = [
    (
        dt(2017, 4, 10, 8, 0),
        "Network maintenance tonight",
        f"The core switch at City Hall ({IP('10.112.0.2')}) will be upgraded tonight from 10pm to midnight. "
        "Police HQ is not affected.",
    ),
    (
        dt(2017, 10, 16, 9, 0),
        "Phishing test results",
        "Thank you to everyone who reported last week's test email. 14% of recipients clicked the link, "
        "down from 22% in the spring.",
    ),
    (
        dt(2018, 2, 26, 8, 0),
        "Password reset required",
        "Due to a security update, all city employees must reset their network password by March 9.",
    ),
    (
        dt(2018, 8, 13, 15, 0),
        "Outage: CAD workstations at HQ",
        f"CAD workstations at HQ lost connectivity to the CAD server ({IP('10.112.20.40')}) from 2:15 to "
        "2:52pm. Root cause was a failed switch module, now replaced.",
    ),
    (
        dt(2019, 4, 1, 9, 0),
        "New help desk portal",
        "Starting today, please submit IT requests through the new help desk portal instead of by email.",
    ),
]


def it_notices(c: Corpus) -> None:
    k = CAST
    for when, subject, text in _IT_HCSO:
        c.single(
            f"noise-it-hcso-{when:%Y%m%d}",
            k["hcso_it"],
            [k["hcso_all"]],
            when,
            subject,
            f"{text}\n\n"
            f"ITS Service Desk | {PH('503-555-0199')} | {EM('servicedesk@harlowcounty-or.example')}",
        )
    for when, subject, text in _IT_PMPD:
        c.single(
            f"noise-it-pmpd-{when:%Y%m%d}",
            k["pm_it"],
            [k["curtis"]],
            when,
            subject,
            f"{text}\n\nCity of Port Mirren IT Help Desk, {PH('407-555-0150')}",
        )


def citizens(c: Corpus) -> None:
    """Complaints, report requests and questions from the public (heavy on PII)."""
    k = CAST
    bev, kyle, owen, records = k["lindahl"], k["ostrander"], k["castellanos"], k["hcso_records"]
    ros = k["achterberg"]
    t = c.thread(
        "noise-complaint-achterberg", "Complaint about a traffic stop on 9/14", ["noise", "complaint"]
    )
    t.post(
        ros,
        [records],
        (
            "To whom it may concern,\n\n"
            "On September 14 around 6:30pm I was stopped on Highway 26 near the Kellam exit by Deputy "
            f"{P('Ostrander')}. He took my picture with his phone without asking and would not tell me why. "
            "I want to know what was done with that photo.\n\n"
            f"My name is {P('Rosalind Achterberg')}, DOB {DOB('02/17/1961')}. I live at "
            f"{ADDR('2291 NW Tamarack Ln, Kellam, OR 97180')}. I was driving my blue Subaru Outback, plate "
            f"{PLATE('739 FLW')}. You can call me at {PH('(503) 555-0163')}.\n\n"
            f"{P('Rosalind Achterberg')}"
        ),
        when=dt(2017, 9, 15, 21, 12),
        business=False,
        sig="none",
    )
    t.post(
        bev,
        [owen],
        (
            "Lt., complaint below about a deputy photographing a driver. Forwarding to you for Professional "
            "Standards per policy."
        ),
        forward=True,
        after=(10, 14),
        labels=["noise", "complaint", "internal_agency"],
    )
    t.post(
        owen,
        [bev],
        (
            f"Received. I'll open an inquiry, {CASE('PSU-17-031')}. Please send the standard acknowledgment "
            f"to Ms. {P('Achterberg')}."
        ),
        after=(1, 6),
        labels=["noise", "complaint", "internal_agency"],
    )
    t.post(
        bev,
        [ros],
        (
            f"Dear Ms. {P('Achterberg')},\n\n"
            "Your complaint has been received and assigned to Professional Standards, reference "
            f"{CASE('PSU-17-031')}. A supervisor will contact you within 10 business days."
        ),
        reply_to=0,
        after=(1, 6),
        labels=["noise", "complaint"],
    )
    del kyle

    requests = [
        (
            dt(2017, 3, 2, 12, 14),
            k["okafor"],
            "Request for police report copy",
            "Hello, my car was broken into outside my house on February 25 and a deputy took a report. The "
            f"case number is {CASE('17-003391')}. I need a copy for my insurance company. My date of birth "
            f"is {DOB('07/08/1979')} and my address is {ADDR('915 SW Cedar Hollow Rd, Kellam, OR 97180')}. "
            f"Thanks, {P('Beatrice Okafor')} {PH('503.555.0158')}",
        ),
        (
            dt(2017, 7, 19, 8, 50),
            k["lambert"],
            "Concealed handgun license renewal question",
            "My CHL expires next month. Can I renew by mail? License #CHL-21873, my OR driver license is "
            f"{DL('5528107')}, born {DOB('11/21/1972')}. Best number is {PH('+1 503 555 0119')}. - "
            f"{P('Gus Lambert')}",
        ),
        (
            dt(2018, 2, 8, 17, 31),
            k["okafor"],
            "Found property - bicycle",
            "I found a red mountain bike left in the ditch by my driveway at "
            f"{ADDR('915 SW Cedar Hollow Rd, Kellam')} on Tuesday. Has anyone reported one stolen? - "
            f"{P('Bea Okafor')}",
        ),
        (
            dt(2018, 8, 30, 19, 2),
            k["lambert"],
            "Booking photo of my son",
            f"My son {P('Tyler Lambert')} was booked on {dt(2018, 8, 27):%m/%d/%Y}, booking number "
            f"{BK('2018-007716')}. The charges were dropped. How do we get his booking photo removed from "
            f"your website? {P('Gus Lambert')}, {PH('503 555 0119')}",
        ),
    ]
    for when, sender, subject, text in requests:
        c.single(
            f"noise-citizen-{sender.key}-{when:%Y%m%d}",
            sender,
            [records],
            when,
            subject,
            text,
            labels=["noise", "records_request"] if "report" in subject.lower() else NOISE,
        )
    # Florida: a camera complaint from a phone, a crash report request with an SSN
    yol, curtis, pm_records = k["fairweather"], k["curtis"], k["pm_records"]
    t = c.thread("noise-camera-complaint", "Camera on Lake Cypress Blvd", ["noise", "complaint"])
    t.post(
        yol,
        [k["pm_records"]],
        (
            "Why is there a new police camera pointed at the bus stop at Lake Cypress Blvd & 4th St? I take "
            f"the bus there every day. Who can I talk to? {P('Yolanda Fairweather')} {PH('407-555-0168')}"
        ),
        when=dt(2018, 2, 12, 7, 21),
        business=False,
        sig="none",
    )
    t.post(
        pm_records,
        [curtis],
        "Lt., can you answer this one?",
        forward=True,
        after=(2, 6),
        labels=["noise", "complaint", "internal_agency"],
        sig="none",
    )
    t.post(
        curtis,
        [yol],
        (
            f"Ms. {P('Fairweather')},\n\n"
            "Thank you for writing. The camera at Lake Cypress Blvd & 4th St is a city traffic camera "
            "operated by the Transportation Department. It has been there since 2015 and monitors traffic "
            f"flow at the intersection. If you'd like to talk, you can reach me at {PH('(407) 555-0199')} "
            "ext. 12."
        ),
        reply_to=0,
        after=(3, 20),
        labels=["noise", "complaint"],
    )
    c.single(
        "noise-crash-report-sorensen",
        k["sorensen"],
        [pm_records],
        dt(2018, 4, 16, 12, 3),
        "Crash report request",
        (
            "I need a copy of the crash report from April 13 on Mirren Pkwy. Report number "
            f"{CASE('PM18-0019342')}. Driver was me, {P('Harold Sorensen')}, DOB {DOB('1958-05-02')}, FL DL "
            f"{DL('S652-114-58-162-0')}. My insurance also asked for my SSN on the form, it's "
            f"{SSN('293-61-4478')}. Please mail it to "
            f"{ADDR('48 Egret Landing Ct, Port Mirren, FL 32797')}.\n\n"
            f"{P('Hal Sorensen')}\n\n"
            "Sent from my iPhone"
        ),
        labels=["noise", "records_request"],
    )
    c.single(
        "noise-tip-anon",
        k["munoz"],
        [pm_records],
        dt(2018, 9, 6, 22, 40),
        "Tip - cars speeding",
        (
            f"Cars race every night after 11pm on Gulf Breeze Dr near {ADDR('1200 Gulf Breeze Dr')}. One is "
            f"a black Charger, tag {PLATE('QKM 7731')}. Please send someone. {P('Renée')}"
        ),
        labels=NOISE,
        charset="iso-8859-1",
        declared_charset="",
        cte="8bit",
        plain_only=True,
    )


def personal(c: Corpus) -> None:
    """Family and friends: short, informal, sometimes after hours."""
    k = CAST
    dana, ryan, bea, curtis, dale, hal = (
        k["dana"],
        k["ryan"],
        k["okafor"],
        k["curtis"],
        k["dale"],
        k["sorensen"],
    )
    marcus = k["feeney"]
    t = c.thread("noise-personal-pickup", "Pickup today", NOISE)
    t.post(
        ryan,
        [dana],
        f"Can you get {P('Ellie')} from soccer at 5:30? I'm stuck at work.",
        when=dt(2017, 5, 9, 14, 2),
        closing="",
        sig="none",
    )
    t.post(
        dana,
        [ryan],
        "Yes. Field 3 at Mirror Lake park right?",
        after=(0.2, 1),
        closing="",
        sig="none",
        style="iphone",
    )
    t.post(ryan, [dana], "Yep. Thank you!! Dinner's on me", after=(0.1, 0.5), closing="", sig="none")
    t = c.thread("noise-personal-bookclub", "Book club at my place on the 14th", NOISE)
    t.post(
        bea,
        [dana],
        (
            f"Hi {dana.f}! Book club is at my house this month, "
            f"{ADDR('915 SW Cedar Hollow Rd, Kellam, OR 97180')}, 7pm on the 14th. We're reading the "
            f"lighthouse one. Text me at {PH('503.555.0158')} if you're coming."
        ),
        when=dt(2017, 11, 2, 19, 30),
        business=False,
        sig="none",
    )
    t.post(
        dana,
        [bea],
        "I'll be there - bringing the lemon bars. Haven't finished the book though :)",
        after=(14, 20),
        closing="",
        sig="short",
    )
    t = c.thread("noise-personal-weekend", "weekend", NOISE)
    t.post(
        ryan,
        [dana],
        (
            "My mom asked if we can come for lunch Sunday. Her new address is "
            f"{ADDR('77 Pine Hollow Rd, Sisters, OR')}. Her landline is {PH('541-555-0102')} if you want to "
            "call her."
        ),
        when=dt(2018, 3, 23, 12, 10),
        closing="",
        sig="none",
    )
    t.post(dana, [ryan], "Sure, tell her we'll bring dessert.", after=(0.5, 3), closing="", sig="none")
    t = c.thread("noise-fantasy", "Fantasy league draft - Aug 27", NOISE)
    t.post(
        marcus,
        [],
        (
            "Draft is Sunday Aug 27 at 6pm at my place. Same rules as last year, $20 buy-in. Bring snacks. "
            f"Address for the new folks: {ADDR('1702 SE Oak Ridge Dr, Kellam, OR 97180')}."
        ),
        when=dt(2017, 8, 18, 12, 5),
        to_group="undisclosed-recipients",
        closing="",
        sig="short",
    )
    t = c.thread("noise-personal-mom70", "Mom’s 70th – dinner at Café Lisboa", NOISE)
    t.post(
        dale,
        [curtis],
        (
            f"Hey {curtis.f}, booked Café Lisboa for Mom's 70th, Saturday the 21st at 7. Can you pick her "
            f"up? She's still at {ADDR('3190 Sandpiper Cir, Port Mirren, FL 32797')}. Her birthday is "
            f"{DOB('07/21/1948')} in case you need it for the reservation, they asked lol."
        ),
        when=dt(2018, 7, 9, 20, 15),
        business=False,
        subject_encoding="raw8",
        charset="utf-8",
        cte="8bit",
        sig="none",
    )
    t.post(
        curtis,
        [dale],
        "Yes, I'll get her at 6:30. I'll bring the card, you get the cake.",
        after=(1, 12),
        closing="",
        sig="short",
        style="iphone",
    )
    t = c.thread("noise-personal-fishing", "Fishing Saturday?", NOISE)
    t.post(
        hal,
        [curtis],
        "Tarpon are running. Boat leaves the ramp at 6. You in?",
        when=dt(2018, 5, 17, 18, 40),
        business=False,
        sig="none",
    )
    t.post(
        curtis,
        [hal],
        "Can't this week, working the weekend. Next time.",
        after=(1, 4),
        closing="",
        sig="none",
        style="iphone",
    )


def office(c: Corpus) -> None:
    """Everyday internal mail: shift swaps, training, potlucks."""
    k = CAST
    rng = c.rng
    items = [
        (
            "hcso",
            k["petrakis"],
            [k["hcso_all"]],
            dt(2017, 3, 28, 10, 0),
            f"Retirement lunch for Sgt. {P('Mulkey')}",
            "Please join us on April 14 at noon at the Justice Center to celebrate Sgt. "
            f"{P('Dwayne Mulkey')}'s 28 years of service. Cards are at the front desk.",
        ),
        (
            "hcso",
            k["castellanos"],
            [k["hcso_all"]],
            dt(2017, 10, 16, 13, 0),
            "Training: crisis intervention",
            "The 40-hour crisis intervention course is open for registration. Patrol has priority for the "
            "November session.",
        ),
        (
            "hcso",
            k["wynn"],
            [k["castellanos"]],
            dt(2018, 2, 14, 6, 12),
            "Shift swap 2/17",
            f"Lt., Deputy {P('Ostrander')} and I would like to swap shifts on 2/17. Coverage is unchanged.",
        ),
        (
            "hcso",
            k["rudnicki"],
            [k["hcso_all"]],
            dt(2018, 6, 27, 9, 0),
            "Fourth of July staffing",
            "All patrol days off on July 4 are cancelled per the staffing plan. Thank you for your "
            "flexibility.",
        ),
        (
            "hcso",
            k["petrakis"],
            [k["hcso_all"]],
            dt(2018, 12, 3, 11, 0),
            "Holiday potluck Dec 14",
            "The holiday potluck is Friday, December 14 in the EOC. Sign-up sheet is in the break room.",
        ),
        (
            "hcso",
            k["feeney"],
            [k["dana"]],
            dt(2018, 9, 10, 10, 22),
            "Your new monitor",
            "Your second monitor arrived. I'll drop it off this afternoon.",
        ),
        (
            "pmpd",
            k["broussard"],
            [k["curtis"]],
            dt(2017, 11, 28, 8, 30),
            "Budget requests due",
            "Section budget requests for FY19 are due to me by December 15.",
        ),
        (
            "pmpd",
            k["ellison"],
            [k["curtis"]],
            dt(2018, 1, 5, 16, 0),
            "Command staff retreat",
            "Command staff retreat is January 24-25 at the city conference center. Agenda to follow.",
        ),
        (
            "pmpd",
            k["galindo"],
            [k["curtis"]],
            dt(2018, 10, 22, 11, 5),
            "MDT replacement schedule",
            "The 40 new MDTs arrive in November. I'd like to start with B shift. Any objection?",
        ),
        (
            "pmpd",
            k["dunmore"],
            [k["curtis"]],
            dt(2019, 2, 11, 9, 40),
            "Coffee with a Cop - March 6",
            "Can Technology Services bring the drone display to Coffee with a Cop on March 6 at Founders "
            "Park?",
        ),
    ]
    for org, sender, to, when, subject, text in items:
        closing = rng.choice(["Thanks,", "Thank you,", ""])
        sig = sender.short_sig or sender.f
        body = f"{text}\n\n{closing}\n{sig}" if closing else f"{text}\n\n{sig}"
        c.single(f"noise-office-{org}-{when:%Y%m%d}", sender, to, when, subject, body, labels=NOISE)


def build(c: Corpus) -> None:
    """Add all unrelated mail to ``c``."""
    newsletters(c)
    hr(c)
    it_notices(c)
    citizens(c)
    personal(c)
    office(c)
    more(c)


def more(c: Corpus) -> None:
    """A second helping of everyday mail so that the unrelated share is about 40%."""
    k = CAST
    dana, ryan, curtis, dale = k["dana"], k["ryan"], k["curtis"], k["dale"]
    bulletins = [
        (
            dt(2017, 6, 30, 15, 0),
            "PMPD Weekly Bulletin - June 30",
            "Promotions: congratulations to the new sergeants. Reminder: qualification at the range is due "
            "by July 31. The Explorers post car wash raised $1,240.",
        ),
        (
            dt(2017, 12, 22, 15, 0),
            "PMPD Weekly Bulletin - Holiday edition",
            "Thank you for another year of service. Toy drive totals: 612 toys delivered to 3 schools.",
        ),
        (
            dt(2018, 8, 17, 15, 0),
            "PMPD Weekly Bulletin - August 17",
            "Back-to-school traffic details start Monday. Volunteers needed for the September blood drive.",
        ),
    ]
    for n, (when, subject, text) in enumerate(bulletins):
        c.single(
            f"noise-bulletin-{when:%Y%m%d}",
            k["dunmore"],
            [curtis],
            when,
            subject,
            f"{text}\n\nPort Mirren Police Department - Public Information Office",
            labels=NOISE,
            attachments=[files.logo_inline()] if n == 0 else [],
        )
    t = c.thread("noise-personal-recipe", "Fwd: Grandma's chili recipe", NOISE)
    t.post(
        ryan,
        [dana],
        (
            "Forwarding from my mom. She says don't skip the cinnamon.\n\n"
            "---------- Forwarded message ----------\n"
            f"From: {P('Carol Whitfield')} <{EM('carol.whitfield@mailbox.example')}>\n"
            "Subject: chili\n\n"
            "2 lb ground beef, 2 cans kidney beans, 1 can tomatoes, 2 tbsp chili powder, 1 tsp cumin, pinch "
            "of cinnamon. Simmer 2 hours. Love, Mom"
        ),
        when=dt(2018, 1, 13, 11, 40),
        business=False,
        closing="",
        sig="none",
    )
    t = c.thread("noise-personal-thanksgiving", "Thanksgiving", NOISE)
    t.post(
        dale,
        [curtis],
        (
            "Are you hosting this year or am I? Kids want to do the beach in the morning. Call me - "
            f"{PH('407-555-0176')}."
        ),
        when=dt(2017, 11, 6, 19, 5),
        business=False,
        sig="none",
    )
    t.post(
        curtis,
        [dale],
        "You host, I'll bring the turkey. Beach at 9.",
        after=(1, 14),
        closing="",
        sig="none",
        style="iphone",
    )
    extra = [
        (
            "hcso",
            k["tran"],
            [k["hcso_all"]],
            dt(2017, 8, 7, 10, 0),
            "Flu shot clinic",
            "Free flu shots for employees and dependents on September 20, 8am-4pm, Justice Center Room 110.",
        ),
        (
            "hcso",
            k["petrakis"],
            [k["dana"]],
            dt(2018, 4, 17, 13, 30),
            "Photos for the annual report",
            "Can you send me two or three charts from your crime trends deck for the annual report? Nothing "
            "with names or addresses.",
        ),
        (
            "hcso",
            k["castellanos"],
            [k["dana"], k["nakagawa"]],
            dt(2018, 10, 29, 8, 5),
            "Property crimes stats",
            "Please have the Q3 property crimes numbers ready for Thursday's command meeting.",
        ),
        (
            "pmpd",
            k["crabtree"],
            [curtis],
            dt(2018, 11, 13, 10, 15),
            "P-card reconciliation due",
            "November P-card statements are due to Procurement by the 20th. Please attach receipts.",
        ),
        (
            "pmpd",
            k["galindo"],
            [curtis],
            dt(2019, 5, 6, 9, 20),
            "Server room AC",
            "The AC in the HQ server room failed overnight, temp hit 88F. Facilities is on site. No outage.",
        ),
        (
            "pmpd",
            k["broussard"],
            [curtis],
            dt(2019, 6, 3, 7, 50),
            "Staffing for the hurricane drill",
            "Need two people from your section for the June 12 hurricane drill. Please send names by Friday.",
        ),
    ]
    for org, sender, to, when, subject, text in extra:
        body = f"{text}\n\n{sender.short_sig or sender.f}"
        c.single(f"noise-office2-{org}-{when:%Y%m%d}", sender, to, when, subject, body, labels=NOISE)
