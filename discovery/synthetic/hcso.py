"""Provides the sheriff's office conversations: the vendor's pitch to Harlow County and the office's mail."""

from __future__ import annotations

from datetime import datetime as dt

from . import files
from .attachments import ics_invite
from .people import CAST, HCSO_ADDRESS
from .text import ADDR, BK, CASE, DL, DOB, EM, IP, PH, PLATE, P
from .threads import Corpus

VENDOR_AGENCY = ["vendor_agency"]
INTERNAL = ["internal_agency"]


def build(c: Corpus) -> None:
    """Add every Harlow County business thread to ``c``."""
    k = CAST
    dana, brent, priya, owen = k["dana"], k["brent"], k["priya"], k["castellanos"]
    marcus, lorraine, bev, ingrid = k["feeney"], k["petrakis"], k["lindahl"], k["solberg"]
    sam, wynn, kyle, meredith = k["nakagawa"], k["wynn"], k["ostrander"], k["meredith"]
    jenna, dev, gail, sheriff = k["jenna"], k["dev"], k["rudnicki"], k["brenneman"]

    # H1 - cold outreach, call, invite, recap with the price sheet ------------------------------------
    t = c.thread("hcso-intro-2017", "Cirrus Recognize - Harlow County", VENDOR_AGENCY)
    t.post(
        brent,
        [dana],
        (
            f"Hi {dana.f},\n\n"
            "I look after state and local government customers in Oregon for Cirrus Web Services. I noticed "
            "your team recently started using our new Cirrus Recognize service on the Harlow County account "
            "- welcome aboard!\n\n"
            "We're seeing a lot of interest from public safety agencies in searching booking photo "
            "collections, and I'd love to hear what you're building. Would you have 30 minutes in the next "
            "week or two for a quick call? I can bring in one of our solutions architects who focuses on "
            "public safety.\n\n"
            "Feel free to call my cell any time."
        ),
        when=dt(2017, 4, 11, 10, 12),
        sales=True,
        closing="Best,",
    )
    t.post(
        dana,
        [brent],
        (
            f"Hi {brent.f},\n\n"
            "Thanks for reaching out. Yes, we've been trying Recognize for about a month. I'm a crime "
            "analyst here and I put together a small proof of concept that indexes our jail booking photos "
            "(a little over 300,000 images going back to 2001) so detectives can search a still from a "
            "surveillance video against them.\n\n"
            "So far the results have been better than I expected. Happy to talk - Thursday afternoon or any "
            "time Friday works for me."
        ),
        after=(1.5, 5),
    )
    t.post(
        brent,
        [dana],
        (
            f"That's great to hear, {dana.f} - 300K images is a really solid collection, and honestly you're "
            "ahead of most agencies I talk to.\n\n"
            f"Let's do Friday at 10am Pacific. I'm copying {priya.n}, a senior solutions architect on our "
            "public safety team; she's worked with several agencies on exactly this kind of search. I'll "
            "send a calendar invite with a dial-in."
        ),
        cc=[priya],
        after=(0.5, 3),
        sales=True,
    )
    start = dt(2017, 4, 14, 10, 0)
    invite = ics_invite(
        "7c1f0e2a-hcso-intro-20170414-cirruscal",
        (P("Brent Kasprzak"), EM("bkasprzak@cirrusweb.example")),
        [
            (P("Dana Whitfield"), EM("dwhitfield@harlowcounty-or.example")),
            (P("Priya Venkataraman"), EM("priyav@cirrusweb.example")),
        ],
        start,
        45,
        "America/Los_Angeles",
        "Harlow County / Cirrus Recognize intro call",
        f"Dial-in {PH('+1 206-555-0100')} code 318442907#",
        f"Join by phone: {PH('+1 206-555-0100')}, access code 318 442 907#",
        dt(2017, 4, 12, 16, 30),
    )
    t.post(
        brent,
        [dana, priya],
        (
            "Harlow County / Cirrus Recognize intro call\n"
            "When: Fri Apr 14, 2017 10am - 10:45am Pacific Time\n\n"
            "Joining info\n"
            f"Dial-in: {PH('+1 206-555-0100')} (US)\n"
            "Access code: 318 442 907#\n\n"
            "Who\n"
            f"{brent.n} - organizer\n"
            f"{dana.n}\n"
            f"{priya.n}\n\n"
            "Invitation from Cirrus Calendar. You are receiving this because you are an attendee on the "
            "event."
        ),
        reply_to=None,
        conversation="hcso-intro-invite",
        subject="Invitation: Harlow County / Cirrus Recognize intro call @ Fri Apr 14, 2017 "
        "10am - 10:45am (PDT)",
        calendar=invite,
        sales=True,
        sig="none",
        after=(0.2, 1),
        plain_only=True,
    )
    t.post(
        dana,
        [brent],
        (
            f"Thanks {brent.f}, talk Friday. I may have {marcus.n} from our county IT group join as well, he "
            "set up the servers the search tool runs on."
        ),
        reply_to=2,
        after=(0.3, 2),
        sig="short",
    )
    t.post(
        priya,
        [dana],
        (
            f"Hi {dana.f},\n\n"
            "Thanks for the time today, and for the demo - it's impressive what you built in a few weeks. A "
            "quick recap of what we discussed:\n\n"
            "1. Collection: one face collection for all booking photos is fine at your size. Store the "
            "booking number as the external image ID so results map straight back to your records system.\n"
            "2. Search: start with a similarity threshold of 85 and return the top 5 candidates; the "
            "detective always makes the call.\n"
            "3. Mobile: for the deputies' app, call the search from your own small API rather than from the "
            "phone, so the credentials never leave your servers.\n"
            "4. Cost: after the one-time indexing, at your volume you're likely looking at $6-$12 a month. "
            "Price sheet attached.\n\n"
            f"As we mentioned, {brent.f} and I would be glad to set up a deeper architecture review at no "
            "cost, and we can connect you with other agencies doing similar work."
        ),
        cc=[brent, marcus],
        when=dt(2017, 4, 14, 15, 41),
        sales=True,
        reply_to=None,
        conversation="hcso-intro-recap",
        subject="Recap: Harlow County / Cirrus Recognize call",
        attachments=[files.pricing_pdf()],
    )
    recap = t.msgs[-1]
    t.post(
        dana,
        [priya],
        (
            f"Thanks {priya.f}, this is really helpful. We'll switch the external IDs to booking numbers "
            "this week."
        ),
        cc=[brent, marcus],
        after=(1, 20),
        sig="short",
    )

    # H2 - technical questions ---------------------------------------------------------------------
    t = c.thread("hcso-tech-2017", "Questions on face collections and thresholds", VENDOR_AGENCY)
    t.post(
        dana,
        [priya],
        (
            f"Hi {priya.f},\n\n"
            "A few follow-up questions now that the full set is indexed (305,114 images):\n\n"
            "- About 4% of booking photos returned two faces (usually a deputy's arm or a second person in "
            "the background). Should we keep only the largest face?\n"
            "- Many people have multiple bookings. Is it better to keep every photo, or one per person?\n"
            "- If we re-index after changing the external IDs, do we pay the indexing cost again?\n\n"
            "Also, is there a limit on how many searches we can run per second? Detectives tend to pile on "
            "after a big case."
        ),
        when=dt(2017, 4, 26, 9, 3),
    )
    t.post(
        priya,
        [dana],
        (
            f"Hi {dana.f},\n\n"
            "Good questions:\n\n"
            "- Yes, index only the largest face; the second face is almost always noise in booking photos.\n"
            "- Keep every booking photo. Appearance changes over time, and multiple photos of the same "
            "person improve the chance of a hit.\n"
            "- Re-indexing is billed as new images, but you can update external IDs without re-indexing by "
            "keeping your own mapping table.\n"
            "- The default limit is 5 searches per second per account; we can raise it with a support case."
        ),
        after=(2, 8),
    )
    t.post(
        dana,
        [priya],
        (
            "Perfect. Next question is about the mobile side. Deputies would like to take a photo in the "
            "field (for example when someone has no ID) and get candidates back on the phone. Any gotchas?"
        ),
        after=(3, 30),
        sig="short",
    )
    t.post(
        priya,
        [dana],
        (
            f"{dana.f} - a couple of things to think about:\n\n"
            "- Field photos are lower quality than booking photos (lighting, angle), so expect lower "
            "similarity scores and tune the threshold separately for the app.\n"
            "- Have the app send the image to your API, and keep an audit log of who searched what and "
            "why.\n\n"
            "This is a great use case and we'd love to help. I can do a free architecture review of the app "
            "with you and your IT team, and if you're open to it we could write it up as a reference "
            "architecture for other sheriff's offices."
        ),
        after=(1, 6),
        sales=True,
    )
    t.post(
        dana,
        [priya],
        (
            "Thanks! Attached is a screenshot from the test app - that's a search of my own photo against "
            "the booking set (I'm not in it, thankfully, so the top score is only 61)."
        ),
        after=(20, 60),
        attachments=[files.screenshot_attachment()],
        sig="short",
    )
    t.post(
        priya,
        [dana],
        (
            "Ha, glad you're not in there! This looks great. Would you mind if I share the screenshot with "
            f"our GM, {dev.n}? He's been asking for real examples from public safety customers."
        ),
        after=(0.5, 4),
        sales=True,
        sig="short",
    )
    t.post(dana, [priya], "Sure, but internal to Cirrus only please.", after=(0.3, 3), sig="short")

    # H3 - internal forward of the price sheet, legal review ----------------------------------------
    t = c.thread("hcso-internal-pricing", "Cirrus Recognize pricing", INTERNAL)
    t.msgs.append(recap)
    t.post(
        dana,
        [owen],
        (
            "Lt. - forwarding the pricing and the recap from the call with Cirrus. Bottom line: after we "
            "pay about $300 once to index the booking photos, it runs $6 to $12 a month at our volume. Much "
            "cheaper than the vendor quotes we got last year."
        ),
        after=(18, 40),
        forward=True,
        keep_attachments=True,
    )
    t.post(
        owen,
        [dana],
        (
            f"{dana.f}, nice work. Before we roll this out to patrol I want to know: who has access to the "
            "search, are searches logged, and does any of our data leave the state? The Sheriff will ask."
        ),
        after=(1, 5),
    )
    t.post(
        dana,
        [owen],
        (
            "Only Crime Analysis and the two property crimes detectives have access right now. Every search "
            "is logged with the user and case number. The photos are stored in Cirrus's Oregon region."
        ),
        after=(0.5, 3),
        sig="short",
    )
    t.post(
        owen,
        [ingrid],
        (
            f"{ingrid.f}, can you take a look at this before we expand it? Mainly public records exposure "
            "and whether we need a written policy first."
        ),
        after=(2, 20),
        forward=True,
        cc=[dana],
    )
    t.post(
        ingrid,
        [owen],
        (
            f"{owen.f},\n\n"
            "Short answer: yes, put a written policy in place before patrol gets it.\n\n"
            "From a records standpoint, search logs and vendor correspondence will be public records, so "
            "assume\n"
            "anything in email will be released.\n\n"
            "I'd also like to review Cirrus's terms of service; please send me the link."
        ),
        cc=[dana],
        after=(20, 50),
    )

    # H4 - a case worked with the tool (internal, heavy PII) ----------------------------------------
    case = CASE("17-018832")
    t = c.thread("hcso-case-17-018832", f"Case {case} - Kellam Hardware theft - possible ID", INTERNAL)
    t.post(
        sam,
        [dana],
        (
            f"{dana.f},\n\n"
            f"Attached is the best still from the Kellam Hardware cameras for case {CASE('17-018832')}. "
            "White male, 30s, left with two chainsaws and a generator (about $3,400) on 6/2. Can you run it?"
        ),
        when=dt(2017, 6, 5, 8, 47),
        attachments=[files.screenshot_attachment("KH_cam3_still.png")],
    )
    t.post(
        dana,
        [sam],
        (
            f"{sam.f},\n\n"
            f"Top candidate at 93: {P('Cody Allen Trask')}, {DOB('04/12/1986')}, Booking "
            f"#{BK('2015-002291')} and #{BK('2017-004512')}. OR DL {DL('7731904')}. Last known address "
            f"{ADDR('1418 SE Bramble Ct, Kellam, OR 97180')}.\n"
            f"DMV shows a silver Honda Civic, plate {PLATE('418 KTV')}, registered to {P('Janice Trask')} at "
            "the same address (mother?).\n\n"
            "Usual caveat: this is a lead, not an ID. Candidates 2-5 scored under 80."
        ),
        after=(0.5, 2),
        closing="",
        sig="short",
    )
    t.post(
        sam,
        [dana],
        (
            f"Thanks. Store manager {P('Gary Pellegrino')} recognized him from a photo lineup. We picked him "
            f"up this morning, he's booked under #{BK('2017-005130')}. Recovered one of the saws from a pawn "
            "shop on Division."
        ),
        after=(30, 60),
        cc=[owen],
    )
    t.post(
        owen,
        [sam, dana],
        "Good work both of you. This is exactly the use case we told the Sheriff about.",
        after=(0.5, 3),
        sig="short",
    )

    # H5 - vendor asks for a success story / reference -----------------------------------------------
    t = c.thread("hcso-reference-2017", "Checking in + a favor", VENDOR_AGENCY)
    t.post(
        brent,
        [dana],
        (
            f"Hi {dana.f},\n\n"
            "Hope things are going well! I wanted to check in on how the search tool and the app are doing. "
            "Any wins you can share? Our public sector team is collecting customer stories, and an agency "
            "your size getting results for a few dollars a month is exactly the kind of story other "
            "sheriffs want to hear."
        ),
        when=dt(2017, 6, 20, 11, 30),
        sales=True,
    )
    t.post(
        dana,
        [brent],
        (
            f"Hi {brent.f},\n\n"
            "We closed our first case with it this month - a theft at a local hardware store. I can't share "
            "details of an open case, but the short version is the search gave the detective a lead within "
            "minutes."
        ),
        after=(3, 24),
    )
    t.post(
        brent,
        [dana],
        (
            f"That's fantastic, {dana.f}! Two asks, no pressure on either:\n\n"
            "1. Would you be open to being a reference for a couple of other agencies who are evaluating "
            "Recognize? Usually a 20-minute call.\n"
            f"2. We'd love to have you speak at Cirrus Summit in November - our events team ({k['jenna'].n}) "
            "will reach out with details. Travel can be covered."
        ),
        after=(1, 4),
        sales=True,
    )
    t.post(
        dana,
        [owen],
        (
            "Lt., see below. Are you OK with me doing reference calls with other agencies and possibly "
            "speaking at their conference? I'd run anything public past PIO first."
        ),
        forward=True,
        after=(0.5, 3),
        sig="short",
        labels=INTERNAL,
    )
    t.post(
        owen,
        [dana],
        (
            f"Reference calls are fine. The conference is a bigger question - check with {lorraine.f} and "
            f"{ingrid.f} before you say yes, especially on them paying for travel."
        ),
        cc=[lorraine],
        after=(1, 5),
        labels=INTERNAL,
    )
    t.post(
        lorraine,
        [dana, owen],
        (
            "Agree with the Lt. No vendor-paid travel, and I need to see slides and any quotes before they "
            "go out. Happy to help you with the talk itself."
        ),
        after=(1, 6),
        labels=INTERNAL,
    )

    # H6 - conference invitation from the vendor's events team ----------------------------------------
    t = c.thread(
        "hcso-summit-2017", "You're invited: Cirrus Summit 2017 - Public Safety track", VENDOR_AGENCY
    )
    t.post(
        jenna,
        [dana],
        (
            f"Hi {dana.f},\n\n"
            f"{brent.f} mentioned you might be interested in joining us at Cirrus Summit (November 27 - "
            "December 1, Las Vegas). We're putting together a Public Safety track and would love to feature "
            "a 15-minute session on how Harlow County built its booking photo search.\n\n"
            "Speakers receive a full conference pass (a $1,799 value), and we can arrange hotel and "
            "airfare. Could you let me know by September 15?"
        ),
        when=dt(2017, 8, 29, 13, 5),
        sales=True,
    )
    t.post(
        dana,
        [jenna],
        (
            f"Hi {jenna.f},\n\n"
            "Thanks for the invitation. I'm interested, but county rules don't allow us to accept travel "
            "paid by a vendor. If the county covers travel, is the speaker pass still available? I'd also "
            "need our PIO to review the slides."
        ),
        cc=[brent],
        after=(20, 50),
    )
    t.post(
        jenna,
        [dana],
        (
            f"Absolutely, {dana.f} - the pass is yours either way, and we're happy to work with your PIO on "
            "review. I'll send over the speaker kit. Slide drafts are due October 27."
        ),
        cc=[brent],
        after=(1, 6),
        sales=True,
    )
    t.post(
        dana,
        [jenna],
        (
            "Update: the Sheriff has decided we won't present this year. Sorry for the back and forth, and "
            "thanks for understanding."
        ),
        cc=[brent],
        after=(200, 300),
        sig="short",
    )
    t.post(
        brent,
        [dana],
        (f"No worries at all, {dana.f}. Let's get coffee next time I'm in Kellam - I'll be down in October."),
        after=(1, 4),
        sales=True,
        sig="short",
    )

    # H7 - marketing: customer story with a draft attached ------------------------------------------
    t = c.thread("hcso-customer-story", "Harlow County customer story - draft for review", VENDOR_AGENCY)
    t.post(
        meredith,
        [dana],
        (
            f"Hi {dana.f},\n\n"
            f"I lead product marketing for Cirrus Recognize. {brent.f} tells me Harlow County has had great "
            "results, and we'd love to feature you in a short written customer story on our public sector "
            "blog. I've attached a first draft based on what you shared with the team - could you and your "
            "PIO review it?\n\n"
            "We're hoping to publish in mid-November, ahead of Summit."
        ),
        when=dt(2017, 10, 30, 10, 2),
        sales=True,
        attachments=[files.customer_story_docx()],
    )
    t.post(
        dana,
        [lorraine],
        (
            f"{lorraine.f} - the customer story Cirrus wants to publish. The quote is something I said on a "
            "call, but I'd never put it that way in print. Your call."
        ),
        forward=True,
        keep_attachments=True,
        after=(1, 4),
        sig="short",
        labels=INTERNAL,
    )
    t.post(
        lorraine,
        [meredith],
        (
            f"Ms. {meredith.l},\n\n"
            "Thank you for sending the draft. The Sheriff's Office can approve a story only with the "
            "following changes: remove the quote attributed to our analyst, replace it with the statement "
            "below, and do not describe the mobile app.\n\n"
            "\"The Harlow County Sheriff's Office uses face search only as an investigative lead, under a "
            "written "
            'policy, against its own booking photos."\n\n'
            "Please send the revised version to me for final approval."
        ),
        cc=[dana],
        reply_to=0,
        after=(20, 48),
    )
    t.post(
        meredith,
        [lorraine],
        (
            f"Thanks {lorraine.f}, understood. We'll revise and send it back this week. Would the Sheriff be "
            "willing to do a short video interview instead? Our customers respond really well to hearing "
            "from sheriffs directly."
        ),
        cc=[dana],
        after=(1, 6),
        sales=True,
    )
    t.post(
        lorraine,
        [meredith],
        "Not at this time. Please send the revised text when ready.",
        cc=[dana],
        after=(1, 8),
    )

    # H8 - IT security review of the deputies' app ---------------------------------------------------
    t = c.thread("hcso-app-security", "Security review - facial search app", INTERNAL)
    t.post(
        marcus,
        [dana],
        (
            f"{dana.f},\n\n"
            "Before the app goes to all patrol phones I did a quick review:\n\n"
            f"- The API server ({IP('10.40.22.57')}) only accepts connections from the MDT VPN pool "
            f"({IP('10.40.128.0')}/18). Good.\n"
            "- The Cirrus access keys are in a config file on the server, not in the app. Good, but they "
            "have never been rotated and the key has full Recognize permissions, including delete.\n"
            f"- Outbound calls to Cirrus leave through the county firewall at {IP('203.0.113.24')}.\n\n"
            "Can you ask Cirrus whether we can restrict the key to search-only and to our egress IP?"
        ),
        cc=[owen],
        when=dt(2017, 7, 10, 14, 18),
    )
    t.post(
        dana,
        [priya],
        (
            f"Hi {priya.f},\n\n"
            f"Our IT security analyst, {marcus.n}, has a couple of questions (copied). Can we limit an "
            "access key to search-only operations, and can we restrict it to requests from our firewall "
            f"address {IP('203.0.113.24')}? Also, what's your recommendation for rotating keys?"
        ),
        cc=[marcus],
        after=(1, 4),
        labels=VENDOR_AGENCY,
        prefix="FW: ",
        threaded=False,
    )
    t.post(
        priya,
        [dana],
        (
            f"Hi {dana.f} and {marcus.f},\n\n"
            "Yes to both. Create a separate identity for the API server with a policy that only allows the "
            f"search operations on your collection, and add a source-IP condition for {IP('203.0.113.24')}. "
            "Rotate keys at least every 90 days - the console shows the key age.\n\n"
            "Happy to walk through it on a call."
        ),
        cc=[marcus],
        after=(2, 8),
        labels=VENDOR_AGENCY,
    )
    t.post(
        marcus,
        [priya],
        ("Thanks, that works. One more: do you log the search images on your side, and for how long?"),
        cc=[dana],
        after=(1, 5),
        labels=VENDOR_AGENCY,
    )
    t.post(
        priya,
        [marcus],
        (
            f"{marcus.f}, search images are processed and not stored by Recognize. API calls themselves are "
            "logged in your account's audit trail, which you control. Retention is up to you."
        ),
        cc=[dana],
        after=(1, 6),
        labels=VENDOR_AGENCY,
    )

    # H9 - body cameras and video ---------------------------------------------------------------------
    t = c.thread("hcso-video-2018", "Recognize Video - real-time analysis", VENDOR_AGENCY)
    t.post(
        brent,
        [dana],
        (
            f"Hi {dana.f},\n\n"
            "Happy new year! Wanted to make sure you saw that Recognize Video is now in preview. It can "
            "match faces in live video streams against a collection in near real time. Given what you've "
            "built with the booking photos, I think Harlow County would be a natural fit - for example "
            "in-car video or body-worn cameras down the road.\n\n"
            "Would you be interested in an early look? We're picking a small number of preview customers."
        ),
        when=dt(2018, 1, 9, 9, 44),
        sales=True,
    )
    t.post(
        dana,
        [brent],
        (
            f"Hi {brent.f},\n\n"
            "Thanks, but we're not pursuing real-time video. Our policy limits face search to "
            "investigations, and the Sheriff has been clear that body cameras are off the table."
        ),
        after=(2, 8),
    )
    t.post(
        brent,
        [dana],
        (
            "Totally understand. If anything changes, or if you'd like to see it just to stay informed, I'm "
            "happy to set up a demo."
        ),
        after=(1, 4),
        sales=True,
        sig="short",
    )
    t.post(
        dana,
        [owen],
        "FYI - Cirrus is pushing video. I told them no.",
        forward=True,
        after=(0.3, 2),
        sig="short",
        labels=INTERNAL,
    )
    t.post(
        owen,
        [dana],
        ("Agree. The Sheriff doesn't want to go anywhere near body cams. Keep me posted if they push again."),
        after=(0.5, 3),
        labels=INTERNAL,
        style="iphone",
    )

    # H10 - records request from a civil liberties group -----------------------------------------------
    nora = k["feldkamp"]
    records = k["hcso_records"]
    t = c.thread(
        "hcso-records-request-2018", "Public records request - face recognition", ["records_request"]
    )
    t.post(
        nora,
        [records],
        (
            "To the Records Unit,\n\n"
            "Under the Oregon Public Records Law, ORS 192.311 et seq., the Oregon Civil Liberties Project "
            "requests copies of the following records created since January 1, 2016:\n\n"
            "1. Contracts, invoices and purchase records with Cirrus Web Services relating to face "
            "recognition.\n"
            "2. Policies, guidelines, training materials and audits concerning face recognition.\n"
            "3. Email and other correspondence between Sheriff's Office staff and Cirrus Web Services.\n"
            "4. Records showing the number of face searches run and the number of arrests that followed.\n\n"
            "We ask for a fee waiver because disclosure is in the public interest. Please contact me with "
            "any questions."
        ),
        when=dt(2018, 5, 24, 8, 15),
        closing="Sincerely,",
    )
    t.post(
        bev,
        [dana, owen, ingrid],
        (
            "New records request - face recognition, very broad. Please hold any related email and let me "
            "know by Friday where responsive records are."
        ),
        forward=True,
        after=(2, 6),
    )
    t.post(
        ingrid,
        [bev],
        (
            f"{bev.f}, please send the standard acknowledgment within five business days and give them a "
            "cost estimate before anyone starts pulling email. Route everything through me before release."
        ),
        cc=[dana, owen],
        after=(1, 5),
    )
    t.post(
        bev,
        [nora],
        (
            f"Dear Ms. {nora.l},\n\n"
            "The Harlow County Sheriff's Office received your public records request on May 24, 2018. It "
            f"has been assigned request number {CASE('PRR-2018-0147')}. We will send you a cost estimate "
            "within 10 business days. The fee waiver request will be considered at that time.\n\n"
            f"Records Unit, {ADDR(HCSO_ADDRESS)}, phone {PH('(503) 555-0150')}."
        ),
        reply_to=0,
        after=(20, 48),
    )
    t.post(
        nora,
        [bev],
        (
            f"Thank you, Ms. {bev.l}. Please note that we are happy to receive records on a rolling basis, "
            "starting with the contracts and policies."
        ),
        after=(2, 30),
    )
    t.post(
        bev,
        [nora],
        (
            f"Ms. {nora.l},\n\n"
            f"For request {CASE('PRR-2018-0147')}, the estimated cost is $412.50 (16.5 hours of staff time "
            "at $25 per hour). The fee waiver has been granted in part; the reduced estimate is $150.00. We "
            "will release contracts and policies first, within 15 business days of payment."
        ),
        after=(100, 200),
    )

    # H11 - vendor check-ins without threading headers -------------------------------------------------
    t = c.thread(
        "hcso-checkins", "RE: Cirrus Recognize - Harlow County", VENDOR_AGENCY, conversation="hcso-intro-2017"
    )
    t.post(
        brent,
        [dana],
        (
            f"Hi {dana.f}, just checking in to see how everything is running. We have a new face search "
            "feature that returns results 30% faster, happy to walk your team through it. Let me know a "
            "good time."
        ),
        when=dt(2017, 8, 14, 9, 2),
        sales=True,
        threaded=False,
    )
    t.post(
        dana,
        [brent],
        "All good here, thanks. No need for a call right now.",
        after=(2, 30),
        sig="short",
        threaded=False,
    )
    t.post(
        brent,
        [dana, owen],
        (
            f"Hi {dana.f}, Lt. {owen.l},\n\n"
            "Reaching out as we plan for next year. A number of sheriff's offices are expanding from "
            "booking photo search to mobile and video use cases, and we're offering architecture workshops "
            "at no cost for agencies that commit to a pilot. I'd love to get 30 minutes on your calendars "
            "in June."
        ),
        when=dt(2018, 5, 29, 10, 30),
        sales=True,
        threaded=False,
        reply_to=None,
        conversation="hcso-intro-2017",
        subject="RE: Cirrus Recognize - Harlow County",
    )
    t.post(
        brent,
        [dana],
        (
            f"Hi {dana.f},\n\n"
            "Hope 2019 is off to a good start. Two quick things: Recognize now supports larger collections "
            "at a lower storage price, and Enterprise Support is included at no charge for the first year "
            "for public safety customers who sign a one-year commitment. Happy to brief your team or the "
            "Sheriff."
        ),
        when=dt(2019, 1, 15, 8, 51),
        sales=True,
        threaded=False,
        reply_to=None,
        conversation="hcso-intro-2017",
        subject="RE: Cirrus Recognize - Harlow County",
    )
    t.post(
        dana,
        [brent],
        (
            f"{brent.f}, thanks. The county board is reviewing our use of face search after last year's news "
            "coverage, so we're not considering any expansion until that is finished."
        ),
        after=(3, 30),
    )
    t.post(
        brent,
        [dana],
        (
            "Understood. If it would help, we can provide materials for the board on accuracy and on how "
            "other agencies write their policies, or join a session to answer questions."
        ),
        after=(1, 6),
        sales=True,
        sig="short",
    )

    # H12 - interim guidelines memo to deputies ------------------------------------------------------
    allstaff = k["hcso_all"]
    t = c.thread("hcso-app-guidelines", "Facial search app - interim guidelines (please read)", INTERNAL)
    t.post(
        dana,
        [allstaff],
        (
            "All,\n\n"
            "Starting Monday the facial search app will be available on patrol phones. Please read the "
            "attached interim guidelines before using it. Training sessions are Tuesday and Thursday at "
            f"0700 in the EOC. Questions to me or Lt. {owen.l}."
        ),
        cc=[owen],
        when=dt(2017, 7, 24, 14, 2),
        attachments=[files.guidelines_docx()],
    )
    t.post(
        kyle,
        [dana],
        (
            f"{dana.f}, quick question. If I stop someone for a traffic violation and they have no ID and "
            "give a name that doesn't come back, can I use the app?"
        ),
        after=(20, 40),
        style="iphone",
        closing="",
        sig="short",
    )
    t.post(
        dana,
        [kyle],
        (
            f"{kyle.f}, yes, that's an allowed use as long as you have a lawful reason to identify the "
            "person and you log the incident number. A match is a lead - confirm it through DMV or other "
            "records before acting on it."
        ),
        cc=[owen],
        after=(0.5, 3),
    )
    t.post(
        owen,
        [kyle, dana],
        (
            "Good answer. And Deputy, don't use it at the fairgrounds event next week - crowd situations "
            "are out of bounds under the guidelines."
        ),
        after=(0.5, 4),
    )

    # H13 - jail booking photo export ---------------------------------------------------------------
    t = c.thread("hcso-booking-export", "Nightly booking photo export - missing photos", INTERNAL)
    t.post(
        dana,
        [wynn],
        (
            f"Cpl. {wynn.l},\n\n"
            "The nightly export from the jail system skipped three bookings this week: "
            f"#{BK('2018-000311')}, "
            f'#{BK("2018-000312")} and #{BK("2018-000340")}. The job on {IP("10.40.31.12")} logs "photo not '
            'final". Were those photos retaken?'
        ),
        when=dt(2018, 1, 18, 7, 40),
    )
    t.post(
        wynn,
        [dana],
        (
            f"{dana.f}, yes - 311 and 312 were retaken after the camera at intake went down, and 340 was a "
            "juvenile that was removed. Should be fine tonight."
        ),
        after=(1, 4),
    )
    t.post(dana, [wynn], "Thanks! 311 and 312 came through.", after=(20, 30), sig="short")

    # H14 - accuracy results spreadsheet ---------------------------------------------------------------
    t = c.thread("hcso-accuracy-2017", "Test search results Q3", VENDOR_AGENCY)
    t.post(
        dana,
        [priya],
        (
            f"Hi {priya.f},\n\n"
            "We ran 500 test searches with stills from closed cases where we know who the suspect was. "
            "Results by threshold are in the attached spreadsheet. At 85 we get the right person in the top "
            "5 about 86% of the time. What threshold do other agencies use?"
        ),
        when=dt(2017, 9, 19, 10, 15),
        attachments=[files.accuracy_xlsx()],
    )
    t.post(
        priya,
        [dana],
        (
            f"{dana.f}, this is one of the most careful evaluations I've seen from a customer. Most agencies "
            "use 80-85 for investigative search with a human review, and 99 for anything automated. Our "
            "science team would love to do a deeper review of these results with you at no cost - it could "
            "also help us tune for booking photos."
        ),
        after=(2, 8),
        sales=True,
    )
    t.post(
        dana,
        [priya],
        (
            "Thanks. I'll keep ours at 85 with human review. I can share the aggregate numbers but not the "
            "images."
        ),
        after=(2, 24),
        sig="short",
    )

    # H15 - press inquiry ----------------------------------------------------------------------------
    gus = k["lambert"]
    t = c.thread("hcso-press-2018", "Question about face recognition at the Sheriff's Office", ["press"])
    t.post(
        gus,
        [lorraine],
        (
            f"Sgt. {lorraine.l},\n\n"
            "I'm writing a story for the Kellam Courier about the Sheriff's Office use of Cirrus face "
            "recognition. Could you tell me how many searches have been run, whether deputies use it in the "
            "field, and whether it is used on live video? My deadline is Thursday at 5."
        ),
        when=dt(2018, 5, 23, 9, 5),
        closing="Thanks,",
    )
    t.post(
        lorraine,
        [dana, owen],
        ("Need talking points by tomorrow noon please - numbers if we have them."),
        forward=True,
        after=(0.5, 3),
    )
    t.post(
        dana,
        [lorraine],
        (
            f"{lorraine.f},\n\n"
            "- About 1,000 searches since April 2017, by analysts, detectives and patrol (app).\n"
            "- Only against our own booking photos, not DMV or social media.\n"
            "- Not used on live video or body cameras, and not used to monitor crowds.\n"
            "- Results are leads only; every search is logged and audited monthly."
        ),
        cc=[owen],
        after=(2, 6),
    )
    t.post(
        lorraine,
        [gus],
        (
            f"Mr. {gus.l},\n\n"
            "The Sheriff's Office has used face search since 2017 as an investigative tool. It compares "
            "images related to crimes with the office's own booking photos. It is not used on live video or "
            "body-worn cameras. Results are treated as leads and must be confirmed by other means. Staff "
            "have run about 1,000 searches."
        ),
        reply_to=0,
        after=(3, 8),
    )

    # H16 - billing notices and a forward --------------------------------------------------------------
    billing = k["cws_billing"]
    for i, (month, amount, stamp) in enumerate(
        (
            ("March 2018", "7.48", dt(2018, 4, 2, 3, 12)),
            ("April 2018", "6.91", dt(2018, 5, 2, 3, 9)),
            ("May 2018", "11.36", dt(2018, 6, 2, 3, 15)),
        )
    ):
        bt = c.thread(
            f"hcso-billing-{i + 1}", f"Your Cirrus Web Services invoice for {month} is available", ["noise"]
        )
        bt.post(
            billing,
            [dana],
            (
                "Hello,\n\n"
                f"Your invoice for {month} is now available in the Cirrus Billing console.\n\n"
                "Account: Harlow County Sheriff - Crime Analysis\n"
                f"Amount due: USD {amount}\n"
                "Payment method: county purchasing card ending 4417\n\n"
                "This message was sent from an unmonitored address. Please do not reply."
            ),
            when=stamp,
            sig="none",
            business=False,
        )
        if i == 0:
            bt.post(
                dana,
                [owen],
                ("For your budget report - our Cirrus bill for March was $7.48. Yes, seven dollars."),
                forward=True,
                after=(30, 60),
                sig="short",
                labels=INTERNAL,
            )
    # H17 - undersheriff asks for a briefing ------------------------------------------------------------
    t = c.thread("hcso-briefing-2018", "Face search briefing for the Sheriff", INTERNAL)
    t.post(
        gail,
        [owen, dana],
        (
            "The Sheriff wants a 15-minute briefing on the face search program before the county board "
            "meeting on the 12th: what it costs, who uses it, how we prevent misuse, and what the vendor "
            "has been asking us to do. Can you two put something together?"
        ),
        cc=[sheriff],
        when=dt(2018, 5, 30, 16, 20),
    )
    t.post(
        owen,
        [gail],
        (
            f"Yes ma'am. {dana.f} is pulling the usage numbers and the vendor correspondence; we'll have a "
            "one-pager by Friday."
        ),
        cc=[dana, sheriff],
        after=(0.5, 3),
    )
    t.post(
        dana,
        [gail, owen],
        (
            "Draft numbers: 1,043 searches since April 2017 (analysts 61%, detectives 27%, patrol app 12%); "
            "cost to date about $390 including indexing. Cirrus has asked us to expand to video, to speak "
            "at their conference and to be a reference - we declined video and the conference."
        ),
        cc=[sheriff],
        after=(20, 40),
    )


def build_more(c: Corpus) -> None:
    """Smaller Harlow County threads: app support, search requests, coffee and webinar invitations."""
    k = CAST
    dana, brent, priya, marcus = k["dana"], k["brent"], k["priya"], k["feeney"]
    alicia, sam, owen = k["moreno"], k["nakagawa"], k["castellanos"]

    t = c.thread("hcso-app-error", "App error after phone update", INTERNAL)
    t.post(
        alicia,
        [dana],
        (
            f'{dana.f}, since my phone updated last night the search app just spins and then says "request '
            'failed". Two other deputies on B shift have the same problem.'
        ),
        when=dt(2017, 10, 4, 6, 48),
        style="iphone",
        closing="",
        sig="short",
    )
    t.post(
        dana,
        [marcus],
        (
            f"{marcus.f}, can you check the API server? Sounds like the new OS version is rejecting our "
            "certificate."
        ),
        forward=True,
        after=(0.5, 2),
        sig="short",
    )
    t.post(
        marcus,
        [dana],
        (
            f"Yep - the certificate on {IP('10.40.22.57')} used an old signature algorithm. Replaced it; "
            f"{alicia.f}'s phone works now. Tell the others to force-close the app."
        ),
        cc=[alicia],
        after=(1, 4),
    )

    for n, (when, case, booking, name, dob, extra) in enumerate(
        [
            (
                dt(2017, 11, 8, 13, 20),
                "17-025517",
                "2014-006120",
                "Travis Eugene Merrow",
                "10/02/1990",
                "He has two prior bookings for burglary.",
            ),
            (
                dt(2018, 3, 14, 10, 2),
                "18-004409",
                "2016-008841",
                "Kendra Lynn Vossberg",
                "06/19/1984",
                "Candidate 2 at 81 is her sister; the detective should not rely on this alone.",
            ),
        ],
        start=1,
    ):
        t = c.thread(f"hcso-search-request-{n}", f"Search request - case {CASE(case)}", INTERNAL)
        requester = sam if n == 1 else alicia
        t.post(
            requester,
            [dana],
            (
                f"{dana.f}, can you run the attached still for case {CASE(case)}? Suspect used a stolen card "
                "at the Fred's Market on Main."
            ),
            when=when,
            attachments=[files.screenshot_attachment(f"case_{case.split('|')[-1][:9]}_still.png")],
        )
        t.post(
            dana,
            [requester],
            (
                f"Top candidate at 94: {P(name)}, DOB {DOB(dob)}, Booking #{BK(booking)}. {extra} Lead only "
                "- please corroborate."
            ),
            after=(0.5, 3),
            sig="short",
        )

    t = c.thread("hcso-coffee-2017", "Coffee in Kellam next week?", VENDOR_AGENCY)
    t.post(
        brent,
        [dana],
        (
            f"Hi {dana.f}, I'll be in Kellam on October 17-18 visiting the county. Any chance I could buy "
            "you a coffee and hear how things are going? I'd also love to show you a preview of the video "
            "features."
        ),
        when=dt(2017, 10, 6, 15, 10),
        sales=True,
    )
    t.post(
        dana, [brent], "Sure - Wednesday the 18th at 8:30 at Ristretto on 3rd?", after=(3, 30), sig="short"
    )
    t.post(
        brent,
        [dana],
        "Perfect, see you there. I'll bring the laptop.",
        after=(0.3, 3),
        sales=True,
        sig="short",
    )

    t = c.thread("hcso-webinar-2018", "Would you present on our public safety webinar?", VENDOR_AGENCY)
    t.post(
        priya,
        [dana],
        (
            f"Hi {dana.f},\n\n"
            "We're hosting a webinar for state and local agencies on building face search with Cirrus "
            "Recognize, and you'd be the perfect guest: 10 minutes on your architecture and lessons "
            "learned. Around 300 agencies usually register. Would you be up for it? March 22, 11am Pacific."
        ),
        when=dt(2018, 2, 20, 10, 30),
        sales=True,
    )
    t.post(
        dana,
        [priya],
        (
            f"Thanks {priya.f}, but I'll have to pass - we're keeping a low profile on this until the county "
            f"board review is done. Lt. {owen.l} asked me not to do any vendor events this year."
        ),
        after=(3, 24),
    )
