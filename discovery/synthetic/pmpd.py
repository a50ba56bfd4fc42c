"""Provides the Florida police department's conversations: the real-time video pilot on eight city cameras."""

from __future__ import annotations

from datetime import datetime as dt

from . import files
from .attachments import ics_invite
from .people import CAST, PMPD_ADDRESS
from .text import ADDR, BADGE, CASE, DL, DOB, EM, IP, PH, PLATE, P
from .threads import Corpus

VENDOR_AGENCY = ["vendor_agency"]
INTERNAL = ["internal_agency"]

VOLUNTEERS = [
    ("Ofc.", "Darnell Hughes", "3318"),
    ("Ofc.", "Tamsin Reyes", "2890"),
    ("Ofc.", "Luis Carranza", "2417"),
    ("Sgt.", "Bethany Oyelaran", "1502"),
    ("Ofc.", "Grant Whitlock", "3021"),
    ("Ofc.", "Priscilla Nguyen", "3187"),
    ("Det.", "Aaron Sobczak", "1944"),
]


def build(c: Corpus) -> None:
    """Add every Port Mirren business thread to ``c``."""
    k = CAST
    curtis, travis, gideon, katrin = k["curtis"], k["travis"], k["gideon"], k["katrin"]
    angela, chief, hector, keisha = k["broussard"], k["ellison"], k["galindo"], k["dunmore"]
    jose, pat, lynette, walt = k["ibanez"], k["delacroix"], k["crabtree"], k["pruitt"]
    hughes, meredith, dev, jenna = k["hughes"], k["meredith"], k["dev"], k["jenna"]

    # P1 - outreach after a conference, on-site visit -----------------------------------------------
    t = c.thread("pmpd-intro-2017", "Great meeting you at the FPCF technology summit", VENDOR_AGENCY)
    t.post(
        travis,
        [curtis],
        (
            f"Lt. {curtis.l},\n\n"
            "It was great meeting you at the Florida Police Chiefs Forum technology summit last week. "
            "Following up on our conversation about real-time video: Cirrus Recognize Video can match faces "
            "in live camera streams against a watchlist within seconds, and it runs entirely in the cloud, "
            "so there's no hardware to buy.\n\n"
            "We're looking for a small number of forward-leaning agencies to pilot it, and based on what "
            "you told me about the Real Time Crime Center, Port Mirren would be a great fit. Pilots are at "
            "no cost to the city. Could we set up a call with you and your team?"
        ),
        when=dt(2017, 10, 23, 9, 40),
        sales=True,
    )
    t.post(
        curtis,
        [travis],
        (
            f"{travis.f},\n\n"
            f"Thanks for following up. We are interested. Deputy Chief {angela.l} wants to understand what "
            "it would take on our end (network, staff time) before committing to anything. A call next week "
            "works."
        ),
        after=(3, 26),
    )
    t.post(
        travis,
        [curtis],
        (
            f"Sounds good. Even better, {gideon.n} (solutions architect, copied) and I could come to Port "
            "Mirren and do a working session with your team and city IT. We're in Florida the week of "
            "November 13. Would Tuesday the 14th at 10am work?"
        ),
        cc=[gideon],
        after=(1, 5),
        sales=True,
    )
    t.post(
        curtis,
        [travis],
        (
            f"Tuesday the 14th works. We'll use the 3rd floor conference room at HQ, {ADDR(PMPD_ADDRESS)}. "
            f"Visitor parking is on the Harbor St side. I'll invite {hector.n} from city IT."
        ),
        cc=[gideon],
        after=(1, 8),
    )
    inv = ics_invite(
        "pmpd-onsite-20171114-cirruscal",
        (P("Travis Lindqvist"), EM("tlindqvist@cirrusweb.example")),
        [
            (P("Curtis Vandermeer"), EM("cvandermeer@portmirren-fl.example")),
            (P("Gideon Achebe"), EM("gachebe@cirrusweb.example")),
            (P("Hector Galindo"), EM("hgalindo@portmirren-fl.example")),
        ],
        dt(2017, 11, 14, 10, 0),
        120,
        "America/New_York",
        "Port Mirren PD / Cirrus working session",
        "PMPD HQ, 3rd floor conference room",
        f"Bridge for remote staff: {PH('+1 404 555 0100')}",
        dt(2017, 11, 1, 14, 0),
    )
    t.post(
        travis,
        [curtis, gideon, hector],
        (
            "Port Mirren PD / Cirrus working session\n"
            "When: Tue Nov 14, 2017 10am - 12pm Eastern Time\n"
            "Where: PMPD HQ, 3rd floor conference room\n"
            f"Bridge for remote staff: {PH('+1 404 555 0100')}, code 7720 0418#\n\n"
            "Agenda: real-time use cases, camera and network requirements, pilot scope, next steps."
        ),
        reply_to=None,
        conversation="pmpd-intro-invite",
        subject="Invitation: Port Mirren PD / Cirrus working session @ Tue Nov 14, 2017 10am - 12pm (EST)",
        calendar=inv,
        sales=True,
        sig="none",
        after=(0.3, 2),
        plain_only=True,
    )

    # P2 - POC scope, internal discussion -----------------------------------------------------------
    t = c.thread("pmpd-poc-scope", "Port Mirren PD - proof of concept scope", VENDOR_AGENCY)
    t.post(
        gideon,
        [curtis],
        (
            f"Hi {curtis.f},\n\n"
            "Thanks again for hosting us. As promised, attached is a draft scope for the proof of concept: "
            "up to eight city-owned cameras, a watchlist made only of officers who volunteer, and a readout "
            "after eight weeks. Cirrus credits cover the service costs during the POC, and I'll support the "
            "setup directly.\n\n"
            "Let me know what your Deputy Chief thinks - happy to adjust."
        ),
        cc=[travis],
        when=dt(2017, 12, 14, 11, 32),
        sales=True,
        attachments=[files.poc_pdf()],
    )
    t.post(
        curtis,
        [angela],
        (
            "Chief, the draft POC scope from Cirrus. No cost to us; the main ask is network work from city "
            "IT and analyst time at the RTCC. I'd like your OK to proceed with planning."
        ),
        forward=True,
        keep_attachments=True,
        after=(1, 4),
        labels=INTERNAL,
    )
    t.post(
        angela,
        [curtis],
        (
            f"{curtis.f},\n\n"
            "Three questions before I take this to the Chief: (1) which cameras, and are any of them "
            "pointed at private property; (2) who watches the alerts and what do they do with one; (3) what "
            "happens to the video and the volunteers' photos when the pilot ends?"
        ),
        after=(2, 20),
        labels=INTERNAL,
    )
    t.post(
        curtis,
        [gideon],
        (
            f"{gideon.f}, the Deputy Chief has a few questions (below). Can you help with 2 and 3? I'll "
            "handle the cameras with traffic engineering.\n\n"
            "2) Who watches the alerts and what do they do with one?\n"
            "3) What happens to the video and the volunteers' photos when the pilot ends?"
        ),
        cc=[travis],
        reply_to=0,
        after=(1, 6),
    )
    t.post(
        gideon,
        [curtis],
        (
            f"{curtis.f},\n\n"
            "2) Alerts go to whoever you designate - usually the RTCC analyst on duty - by email or SMS, "
            "with a snapshot and similarity score. During the POC the only people who can match are your "
            "volunteers, so the procedure is simply to log the alert.\n"
            "3) Video is analyzed in memory and not stored by Recognize Video. At the end you delete the "
            "collection with one call and we confirm deletion in writing.\n\n"
            "We've done this with other agencies and I can share a sample operating procedure. And if the "
            f"POC goes well, phase 2 pricing for eight cameras is very reasonable - I'll let {travis.f} "
            "cover that."
        ),
        cc=[travis],
        after=(2, 8),
        sales=True,
    )
    t.post(
        curtis,
        [angela],
        (
            f"Chief - answers from Cirrus below. Cameras: {walt.f} in traffic engineering is pulling a list; "
            "none will face private residences."
        ),
        forward=True,
        after=(1, 4),
        labels=INTERNAL,
        sig="short",
    )
    t.post(
        angela,
        [curtis],
        "OK. Proceed with planning. No go-live until the Chief signs off.",
        after=(1, 6),
        labels=INTERNAL,
        style="iphone",
        closing="",
    )

    # P3 - cameras and network (RFC 2231 attachment name, German Outlook replies) -----------------------
    t = c.thread("pmpd-cameras", "Cameras for the face recognition pilot", INTERNAL)
    t.post(
        curtis,
        [walt],
        (
            f"{walt.f},\n\n"
            "We're planning a short pilot that needs live video from up to eight city cameras. Could you "
            "send me a list of candidates that (a) have good views of sidewalks or entrances and (b) don't "
            "look into homes? HQ lobby and sally port can be two of them."
        ),
        cc=[hector],
        when=dt(2018, 1, 15, 9, 12),
    )
    t.post(
        walt,
        [curtis],
        (
            f"{curtis.f},\n\n"
            "Attached are six traffic/park cameras plus your two HQ cameras. TC-11 and TC-12 are on the "
            "older wireless backhaul and may drop frames. None of these face residences."
        ),
        cc=[hector],
        after=(20, 30),
        attachments=[files.camera_xlsx()],
    )
    t.post(
        hector,
        [curtis],
        (
            f"{curtis.f},\n\n"
            f"Network side: the traffic cameras are on VLAN 40 ({IP('10.112.40.0')}/24). To stream to Cirrus "
            f"we'd route through the video gateway at {IP('10.112.40.5')} and out the firewall "
            f"({IP('10.112.1.1')}), NATed to {IP('198.51.100.77')}. I need a change request and the "
            "destination endpoints from the vendor. Bandwidth is about 2 Mbps per camera."
        ),
        cc=[walt],
        after=(1, 6),
    )
    t.post(
        curtis,
        [gideon],
        (f"{gideon.f}, see {hector.f}'s note below - can you send the endpoints and ports we need to allow?"),
        forward=True,
        cc=[hector],
        after=(0.5, 3),
        sig="short",
        labels=VENDOR_AGENCY,
    )
    t.post(
        gideon,
        [curtis],
        (
            f"Looping in {katrin.n}, our principal architect for video analytics - she knows the stream "
            "ingestion side far better than I do."
        ),
        cc=[hector, katrin],
        after=(1, 5),
        labels=VENDOR_AGENCY,
    )
    t.post(
        katrin,
        [curtis],
        (
            f"Hello {curtis.f}, hello {hector.f},\n\n"
            "the streams are sent to the Cirrus Video Streams endpoint for your region on TCP 443 only. No "
            f"inbound ports are needed. From {IP('198.51.100.77')} please allow HTTPS to "
            "*.video.us-east.cirrusweb.example. One producer process per camera on the gateway is the "
            "simplest setup; I can send you a sample config for the Axis models."
        ),
        cc=[hector, gideon],
        after=(2, 10),
        prefix="AW: ",
        labels=VENDOR_AGENCY,
    )
    t.post(
        hector,
        [katrin],
        (
            "Thanks. Does the producer need the camera admin credentials, or is a read-only RTSP user "
            "enough? And can we cap bandwidth per stream?"
        ),
        cc=[curtis, gideon],
        after=(1, 8),
        labels=VENDOR_AGENCY,
    )
    t.post(
        katrin,
        [hector],
        (
            f"Hello {hector.f},\n\n"
            "a read-only RTSP user is enough. Bandwidth: set the camera to 720p at 10 fps, this gives about "
            "1.5 Mbit/s per stream and is plenty for face matching at these distances."
        ),
        cc=[curtis, gideon],
        after=(2, 12),
        prefix="AW: ",
        labels=VENDOR_AGENCY,
    )

    # P4 - call for volunteers (group address; Bcc kept only in the Sent copy) ------------------------
    vol_people = [k["hughes"]]
    t = c.thread("pmpd-volunteers", "Volunteers needed - face recognition pilot", INTERNAL)
    t.post(
        curtis,
        [],
        (
            "All,\n\n"
            "The Technology Services Section is running a short test of face recognition on live video from "
            "city cameras. For the test, the system will only look for officers who volunteer. If you "
            "volunteer, we'll take a standard portrait photo and you'll walk past a few cameras on "
            "scheduled days.\n\n"
            "Participation is voluntary and you can withdraw at any time. Reply to me by February 2."
        ),
        when=dt(2018, 1, 26, 14, 5),
        to_group="undisclosed-recipients",
    )
    t.post(
        hughes,
        [curtis],
        (f"Lt., count me in. Badge #{BADGE('3318')}. I'm on days, so any weekday works."),
        after=(2, 20),
        closing="",
        sig="short",
    )
    roster = "\n".join(f"- {rank} {P(name)} #{BADGE(badge)}" for rank, name, badge in VOLUNTEERS)
    t.post(
        curtis,
        [gideon],
        (
            f"{gideon.f},\n\n"
            "We have seven volunteers for the watchlist:\n\n"
            f"{roster}\n\n"
            "Portraits will be taken Monday. How do you want us to enroll them - through the console or "
            "your script?"
        ),
        reply_to=None,
        conversation="pmpd-watchlist",
        subject="Watchlist volunteers",
        cc=[travis],
        when=dt(2018, 2, 2, 15, 30),
        labels=VENDOR_AGENCY,
    )
    t.post(
        gideon,
        [curtis],
        (
            f"Thanks {curtis.f}! Use the script I sent - it tags each face with an ID you choose. I'd "
            "suggest the badge number, not the name, so the alerts don't carry names."
        ),
        cc=[travis],
        after=(1, 5),
        labels=VENDOR_AGENCY,
    )
    t.post(
        curtis,
        [gideon],
        "Good idea - badge numbers it is.",
        cc=[travis],
        after=(0.5, 3),
        sig="short",
        labels=VENDOR_AGENCY,
    )
    del vol_people

    # P5 - launch partner request and its aftermath -------------------------------------------------
    t = c.thread("pmpd-launch-partner", "Launch partner opportunity - Cirrus Connect", VENDOR_AGENCY)
    t.post(
        meredith,
        [curtis],
        (
            f"Hi {curtis.f},\n\n"
            f"I lead product marketing for Cirrus Recognize and work closely with {travis.f}. We're "
            "announcing Recognize Video at Cirrus Connect in Singapore next month, and we'd love to name "
            "Port Mirren PD as a launch partner. It would involve a short quote from the Chief and, "
            "ideally, a demo using footage from one of the city cameras.\n\n"
            "Launch partners get featured placement in our announcement and a dedicated customer page. "
            "Could we find 20 minutes this week?"
        ),
        cc=[travis],
        when=dt(2018, 3, 26, 12, 44),
        sales=True,
    )
    t.post(
        curtis,
        [angela, keisha],
        (
            "Before I answer - Cirrus wants to call us a launch partner at their conference, with a quote "
            "from the Chief and a demo using one of our cameras. My instinct is no. Thoughts?"
        ),
        forward=True,
        after=(0.5, 3),
        labels=INTERNAL,
    )
    t.post(
        keisha,
        [curtis, angela],
        (
            f"{curtis.f} - No. We're not doing any public statements about this until council has been "
            "briefed. And no footage from city cameras in anyone's marketing."
        ),
        after=(0.5, 3),
        labels=INTERNAL,
    )
    t.post(
        curtis,
        [meredith],
        (
            f"{meredith.f},\n\n"
            "Thank you for the offer. The department is not in a position to be named publicly, provide a "
            "quote, or allow footage from city cameras to be used. Please do not refer to Port Mirren in "
            "any launch materials."
        ),
        cc=[travis],
        reply_to=0,
        after=(2, 6),
    )
    t.post(
        meredith,
        [curtis],
        (
            f"Understood, {curtis.f}. Would it be OK to describe the pilot without naming the city, for "
            "example "
            'as "a police department in Florida"?'
        ),
        cc=[travis],
        after=(1, 5),
        sales=True,
    )
    t.post(
        curtis,
        [meredith],
        ("No, please don't describe our pilot in any form. Thanks for understanding."),
        cc=[travis],
        after=(1, 6),
        sig="short",
    )
    t.post(
        keisha,
        [curtis],
        (
            f'Did you see the recording from the Singapore keynote? Their GM, {dev.n}, called us a "launch '
            "partner\" on stage and showed a clip he said came from one of our traffic cameras. I'm getting "
            "calls. Call me on my cell ASAP."
        ),
        cc=[angela],
        when=dt(2018, 4, 24, 8, 2),
        reply_to=None,
        conversation="pmpd-keynote-alert",
        subject="Cirrus keynote - they named us",
        labels=INTERNAL,
        style="iphone",
        closing="",
    )
    t.post(
        curtis,
        [travis],
        (
            f"{travis.f},\n\n"
            f"We told {meredith.f} in writing that the department was not to be named and that no footage "
            f"was to be used. {dev.f} did both on stage. I need to know today which camera the clip came "
            "from and how it was obtained, and I need the recording taken down."
        ),
        cc=[angela, keisha],
        after=(0.5, 2),
        reply_to=None,
        conversation="pmpd-keynote-vendor",
        subject="Keynote at Cirrus Connect",
    )
    t.post(
        travis,
        [curtis],
        (
            f"{curtis.f}, I'm so sorry - I had no idea this was in the keynote. The clip was from our demo "
            "environment with a recording from the POC setup. I've escalated and the video is being edited. "
            "I'll call you within the hour."
        ),
        cc=[angela, keisha, dev],
        after=(0.5, 2),
    )

    # P6 - pilot agreement and legal review ---------------------------------------------------------
    t = c.thread("pmpd-agreement", "Pilot agreement - Cirrus Recognize Video", VENDOR_AGENCY)
    t.post(
        travis,
        [curtis],
        (
            f"Hi {curtis.f},\n\n"
            "Attached is our standard pilot terms summary for your legal team. It's short: no fees, a "
            "90-day term, and you own your data. Once signed we can turn on the account the same day."
        ),
        when=dt(2018, 1, 8, 10, 20),
        sales=True,
        attachments=[files.poc_pdf()],
    )
    t.post(
        curtis,
        [pat],
        (f"{pat.f}, can you review the attached before we sign anything? It's a no-cost pilot."),
        forward=True,
        keep_attachments=True,
        cc=[lynette],
        after=(1, 5),
        labels=INTERNAL,
    )
    t.post(
        pat,
        [curtis],
        (
            f"{curtis.f},\n\n"
            "A few issues: (1) Chapter 119 - anything we send them and any logs may be public records, so "
            "the agreement must let us retrieve them; (2) their terms allow them to use 'service data' to "
            "improve their products - I want video and photos excluded; (3) indemnification runs one way. "
            "I'll send redlines by Friday."
        ),
        cc=[lynette],
        after=(20, 50),
        labels=INTERNAL,
    )
    t.post(
        lynette,
        [curtis, pat],
        (
            "From procurement's side, a no-cost pilot doesn't need a solicitation, but if there's any "
            "chance of a paid phase 2 over $35,000 we'll need to compete it or document a sole source. "
            "Please keep me in the loop."
        ),
        after=(1, 8),
        labels=INTERNAL,
    )
    t.post(
        curtis,
        [travis],
        (
            f"{travis.f}, our attorney's redlines are coming Friday; main points are public records access, "
            "excluding our video and photos from any product improvement, and mutual indemnification."
        ),
        reply_to=0,
        after=(20, 40),
    )
    t.post(
        travis,
        [curtis],
        (
            "No problem - those are all things we've agreed to with other cities. Send them over and I'll "
            "get legal to turn them quickly so we can hit the January 29 start."
        ),
        after=(1, 4),
        sales=True,
        sig="short",
    )

    # P7 - press inquiry ---------------------------------------------------------------------------
    zoe = k["hartigan"]
    t = c.thread("pmpd-press-2018", "Media inquiry: face recognition pilot", ["press"])
    t.post(
        zoe,
        [keisha],
        (
            f"Hi Sgt. {keisha.l},\n\n"
            "I'm a freelance reporter working on a story about police use of face recognition in Florida. "
            "Records I've seen suggest Port Mirren PD is piloting Cirrus Recognize Video on city cameras. "
            "Can you confirm that, say which cameras are involved, and whether images of the public are "
            "stored?\n\n"
            "I'm on deadline Friday - my cell is below."
        ),
        when=dt(2018, 5, 22, 16, 14),
    )
    t.post(
        keisha,
        [curtis],
        "Need facts for a response by tomorrow. Keep it short.",
        forward=True,
        after=(0.5, 3),
        labels=INTERNAL,
        sig="short",
    )
    t.post(
        curtis,
        [keisha],
        (
            f"{keisha.f},\n\n"
            "- Pilot started January 29; eight city-owned cameras (traffic, park, HQ).\n"
            "- Only volunteer officers are in the watchlist. No images of the public are enrolled or "
            "stored.\n"
            "- Phase 1 ends June 15; no decision on anything after that."
        ),
        after=(1, 4),
        labels=INTERNAL,
    )
    t.post(
        keisha,
        [zoe],
        (
            f"Ms. {zoe.l},\n\n"
            "The Port Mirren Police Department is testing the technology with eight city-owned cameras. The "
            "system only searches for officers who volunteered for the test, and no images of the public "
            "are enrolled or stored. No decision has been made about use beyond the test."
        ),
        reply_to=0,
        after=(3, 8),
        labels=["press"],
    )
    t.post(
        zoe,
        [keisha],
        (
            "Thank you. Two follow-ups: which intersections are the cameras at, and has the department "
            "signed any agreement with Cirrus? I've filed a records request for the agreement as well."
        ),
        after=(1, 6),
    )

    # P8 - end of phase 1 -------------------------------------------------------------------------
    t = c.thread("pmpd-phase1-summary", "Face recognition pilot - phase 1 summary", INTERNAL)
    t.post(
        curtis,
        [chief],
        (
            "Chief,\n\n"
            "Attached is a one-page summary of phase 1. Short version: the system works in good conditions, "
            "but false alerts, stream drops and analyst workload are real, and we have not had a policy or "
            "council briefing. I recommend we let phase 1 expire on June 15."
        ),
        cc=[angela],
        when=dt(2018, 6, 8, 16, 40),
        attachments=[files.pilot_summary_txt()],
    )
    t.post(
        chief,
        [curtis],
        (
            "Agree. Let it expire. I'll brief council in July and we'll decide then whether there is a "
            "phase 2."
        ),
        cc=[angela],
        after=(1, 20),
    )
    t.post(
        curtis,
        [travis],
        (
            f"{travis.f},\n\n"
            "The Chief has decided to let phase 1 expire on June 15 as planned. We'll revisit after a "
            "council briefing in July. Please make sure the streams are disconnected on your side at the "
            "end of the day."
        ),
        cc=[gideon],
        after=(2, 8),
        labels=VENDOR_AGENCY,
        reply_to=None,
        conversation="pmpd-phase1-end",
        subject="Pilot phase 1 ends June 15",
    )
    t.post(
        travis,
        [curtis],
        (
            f"{curtis.f},\n\n"
            "Thanks for letting me know, and for being such a great partner. Completely respect the "
            "process. For when you're ready: we can offer phase 2 with all eight cameras at a 40% public "
            "sector discount, and we'd cover an independent accuracy review. Happy to brief council "
            "directly if that would help."
        ),
        cc=[gideon],
        after=(1, 5),
        sales=True,
    )

    # P9 - phase 2 push, including an unthreaded follow-up and an executive note ----------------------
    t = c.thread(
        "pmpd-phase2", "RE: Pilot phase 1 ends June 15", VENDOR_AGENCY, conversation="pmpd-phase1-end"
    )
    t.post(
        travis,
        [curtis],
        (
            f"Hi {curtis.f}, hope the council briefing went well. I wanted to float dates for a phase 2 "
            "kickoff in September, and share that two other Florida cities have started evaluations. Any "
            "update?"
        ),
        when=dt(2018, 7, 30, 9, 15),
        sales=True,
        threaded=False,
    )
    t.post(
        curtis,
        [travis],
        ("Council asked for a written policy and a public meeting first. No phase 2 this year."),
        after=(2, 20),
        threaded=False,
        sig="short",
    )
    t.post(
        travis,
        [curtis],
        ("Understood. We can share model policies from other agencies to help with the draft - let me know."),
        after=(1, 6),
        sales=True,
        threaded=False,
        sig="short",
    )
    t = c.thread("pmpd-exec-note", "Thank you from Cirrus", VENDOR_AGENCY)
    t.post(
        dev,
        [chief],
        (
            f"Chief {chief.l},\n\n"
            "I wanted to personally thank you and your department for your work with us this year. Agencies "
            "like yours help us build technology that makes communities safer. I'd welcome the chance to "
            "meet when you're next in Seattle, or to come to Port Mirren to hear your feedback directly."
        ),
        cc=[travis],
        when=dt(2018, 9, 12, 13, 3),
        sales=True,
    )
    t.post(
        chief,
        [curtis],
        f"{curtis.f} - please handle. I'm not meeting with them.",
        forward=True,
        after=(1, 20),
        labels=INTERNAL,
        sig="short",
    )
    t.post(
        curtis,
        [dev],
        (
            f"Mr. {dev.l},\n\n"
            "Thank you for the note. The Chief asked me to respond on his behalf. The department is not "
            f"considering further use at this time; {travis.f} has our contact details if that changes."
        ),
        cc=[travis],
        reply_to=0,
        after=(2, 20),
    )

    # P10 - records request from a neighbourhood group ------------------------------------------------
    malcolm, records = k["oduya"], k["pm_records"]
    t = c.thread("pmpd-records-request", "Public records request - Cirrus pilot", ["records_request"])
    t.post(
        malcolm,
        [records],
        (
            "Hello,\n\n"
            "Under Chapter 119, Florida Statutes, I request copies of all agreements, emails and reports "
            "between the Port Mirren Police Department and Cirrus Web Services from January 1, 2017 to "
            "today, and the list of cameras used in the face recognition pilot.\n\n"
            "Please email the records to me. I can be reached at the number below during the day."
        ),
        when=dt(2018, 5, 29, 19, 48),
        business=False,
        closing="Thank you,",
    )
    t.post(
        records,
        [curtis, pat],
        (f"Please identify responsive records by 6/8. Request {CASE('PR-18-0622')}."),
        forward=True,
        after=(10, 20),
        labels=["records_request", "internal_agency"],
        sig="none",
    )
    t.post(
        curtis,
        [pat],
        (
            f"{pat.f}, the responsive set is my mailbox folder 'Vendors/Cirrus', the pilot agreement, the "
            "summary memo and the camera list. Anything we need to withhold?"
        ),
        after=(1, 8),
        labels=["records_request", "internal_agency"],
    )
    t.post(
        pat,
        [curtis],
        (
            "Camera network details (IP addresses, VLANs) are exempt as security system information under "
            "119.071(3). Everything else goes out. Redact personal cell numbers of employees."
        ),
        after=(1, 8),
        labels=["records_request", "internal_agency"],
    )
    t.post(
        records,
        [malcolm],
        (
            f"Dear Mr. {malcolm.l},\n\n"
            f"Your request was received on May 30, 2018 and assigned number {CASE('PR-18-0622')}. Responsive "
            "records are being reviewed; we expect to provide them within 20 business days. There is no "
            "charge for records provided electronically.\n\n"
            f"PMPD Records Section, {ADDR(PMPD_ADDRESS)}."
        ),
        reply_to=0,
        after=(40, 60),
        sig="none",
    )

    # P11 - resident's letter (windows-1252 quotes in an ISO-8859-1 declared body) ----------------------
    renee = k["munoz"]
    t = c.thread(
        "pmpd-resident-letter", "Cámaras de reconocimiento facial / face recognition cameras", ["resident"]
    )
    t.post(
        renee,
        [chief],
        (
            f"Dear Chief {chief.l},\n\n"
            "I live two blocks from Founders Park and walk there every morning. I read that the city’s "
            "cameras were used to test “real-time” face recognition. Nobody asked the neighborhood. Please "
            "tell me whether my face was scanned, and whether the test will continue.\n\n"
            f"My address is {ADDR('2715 Magnolia Crest Way, Port Mirren, FL 32798')} and my phone is "
            f"{PH('(407) 555-0112')} if someone wants to talk to me.\n\n"
            f"Respetuosamente,\n{renee.n}"
        ),
        when=dt(2018, 6, 4, 7, 55),
        sig="none",
        charset="windows-1252",
        declared_charset="iso-8859-1",
        cte="quoted-printable",
        style="webmail",
    )
    t.post(
        chief,
        [curtis],
        (f"{curtis.f}, please draft a reply for my signature. Be straightforward with her."),
        forward=True,
        after=(1, 6),
        labels=INTERNAL,
        sig="short",
    )
    t.post(
        curtis,
        [chief],
        (
            "Chief - draft below.\n\n"
            f"Dear Ms. {renee.l}, Thank you for writing. During the test, the system compared faces seen by "
            "eight cameras, including two in Founders Park, against photos of officers who volunteered. It "
            "did not store images of anyone else, and it did not identify residents. The test ended on June "
            "15. Any future use would first be discussed at a public City Council meeting."
        ),
        after=(20, 40),
        labels=INTERNAL,
    )

    # P12 - firewall change -------------------------------------------------------------------------
    t = c.thread("pmpd-firewall", f"Change request {CASE('CR-2018-0311')} - video gateway egress", INTERNAL)
    t.post(
        hector,
        [curtis],
        (
            f"{curtis.f}, the change request for the pilot is approved for Saturday 1/27 06:00-08:00. "
            f"Gateway {IP('10.112.40.5')} will be allowed HTTPS out via {IP('198.51.100.77')} to the Cirrus "
            "video endpoints only. I'll need you on call in case the cameras misbehave."
        ),
        when=dt(2018, 1, 24, 15, 2),
    )
    t.post(
        curtis, [hector], f"I'll be on my cell all morning. Thanks {hector.f}.", after=(0.5, 3), sig="none"
    )
    t.post(
        hector,
        [curtis],
        (
            "Done. All eight streams are flowing; TC-12 drops every few minutes, so I opened a ticket with "
            f"traffic. Rollback plan is to remove rule 4410 on {IP('10.112.1.1')}."
        ),
        when=dt(2018, 1, 27, 8, 14),
        business=False,
    )

    # P13 - RTCC analyst: alerts, and a request outside the pilot rules -------------------------------
    t = c.thread("pmpd-rtcc-alerts", "Pilot alerts this week", INTERNAL)
    t.post(
        jose,
        [curtis],
        (
            "Lt.,\n\n"
            "Summary for the week: 14 alerts. 11 were volunteers on their scheduled walks (mostly Ofc. "
            f"{P('Hughes')} at TC-04, similarity 91-97). 3 were false alerts on members of the public at "
            "PK-02; scores 80-83. No action taken on any of them.\n\n"
            "Question: detectives asked whether we could add a robbery suspect to the watchlist. Case "
            f"{CASE('PM18-0042211')}, {P('Marquis Devereaux')}, DOB {DOB('11/03/1991')}, FL DL "
            f"{DL('D162-418-91-383-0')}, last seen in a gray Nissan Altima, tag {PLATE('NKW 318')}."
        ),
        when=dt(2018, 3, 9, 17, 5),
    )
    t.post(
        curtis,
        [jose],
        (
            f"{jose.f}, no. The pilot is volunteers only - that's what the Chief approved and what we told "
            "the vendor, council staff and everyone else. Tell the detectives to use the normal process."
        ),
        cc=[angela],
        after=(0.5, 3),
    )
    t.post(jose, [curtis], "Understood, I'll let them know.", after=(0.3, 2), sig="short")
    t.post(
        angela, [curtis, jose], "Correct answer. Thank you both.", after=(1, 5), style="iphone", closing=""
    )

    # P14 - 2019: no renewal, data deletion ---------------------------------------------------------
    t = c.thread("pmpd-closeout-2019", "Account closure and data deletion", VENDOR_AGENCY)
    t.post(
        curtis,
        [travis],
        (
            f"{travis.f},\n\n"
            "The city has decided not to continue with Recognize Video. Please confirm in writing that the "
            "watchlist collection, the volunteers' photos and any stored alerts have been deleted, and "
            "close the pilot account."
        ),
        cc=[gideon, pat],
        when=dt(2019, 7, 15, 10, 5),
    )
    t.post(
        travis,
        [curtis],
        (
            f"{curtis.f}, understood, and thank you for the partnership. {gideon.f} will confirm deletion. "
            "If the city wants to revisit with a policy in place, we'd still love to help - we have new "
            "pricing that would cover all eight cameras for under $500 a month."
        ),
        cc=[gideon, pat],
        after=(1, 6),
        sales=True,
    )
    t.post(
        gideon,
        [curtis],
        (
            "Confirmed: the collection and all face vectors were deleted on July 16 at 14:02 UTC, the "
            "stream processors were removed, and the account is closed. No video was stored at any point."
        ),
        cc=[travis, pat],
        after=(20, 30),
    )

    # P15 - webinar invitation --------------------------------------------------------------------------
    t = c.thread("pmpd-webinar-2018", "Webinar: real-time video analytics for public safety", VENDOR_AGENCY)
    t.post(
        jenna,
        [curtis],
        (
            f"Hi {curtis.f},\n\n"
            "Join us on October 18 at 2pm ET for a 45-minute webinar on real-time video analytics for "
            "public safety, with a live demo of Recognize Video and a Q&A with agencies already using it. "
            "As a pilot customer you're invited to a private roundtable afterwards.\n\n"
            "Register: https://events.cirrusweb.example/ps-video-oct18"
        ),
        when=dt(2018, 10, 2, 11, 0),
        sales=True,
    )
    t.post(
        jenna,
        [curtis],
        (
            f"Hi {curtis.f}, a quick reminder that the webinar is next Thursday - seats are limited. Hope to "
            "see you there!"
        ),
        after=(150, 200),
        sales=True,
        sig="short",
        threaded=False,
    )


def build_more(c: Corpus) -> None:
    """Smaller Port Mirren threads: stream troubleshooting, alert tuning, a 2019 check-in."""
    k = CAST
    curtis, travis, gideon, katrin = k["curtis"], k["travis"], k["gideon"], k["katrin"]
    hector, jose = k["galindo"], k["ibanez"]

    t = c.thread("pmpd-stream-drops", "TC-12 stream keeps dropping", VENDOR_AGENCY)
    t.post(
        hector,
        [katrin],
        (
            f"{katrin.f},\n\n"
            'TC-12 disconnects every 5-10 minutes. The producer log on the gateway shows "connection reset '
            "by "
            f'peer" and then it reconnects. TC-11 on the same wireless link is fine. Ideas?'
        ),
        cc=[curtis],
        when=dt(2018, 2, 6, 9, 55),
    )
    t.post(
        katrin,
        [hector],
        (
            f"Hello {hector.f},\n\n"
            "this looks like the camera itself closes the RTSP session. Please check if TC-12 has a session "
            "timeout configured (Axis: Plain config > Network > RTSP > Timeout) and set it to 0, or enable "
            "RTSP keep-alive in the producer config."
        ),
        cc=[curtis],
        after=(2, 10),
        prefix="AW: ",
    )
    t.post(
        hector,
        [katrin],
        "That was it - timeout was 300s. Stable since this morning. Thanks!",
        cc=[curtis],
        after=(15, 30),
    )
    t.post(katrin, [hector], "Great, glad it works.", cc=[curtis], after=(1, 5), prefix="AW: ", sig="short")

    t = c.thread("pmpd-alert-tuning", "False alerts at PK-02", VENDOR_AGENCY)
    t.post(
        jose,
        [gideon],
        (
            f"{gideon.f},\n\n"
            "Most of our false alerts come from PK-02 (park entrance) between 4 and 6pm, when the sun is "
            "low. Scores are 80-83. Can we set a higher threshold for that camera only?"
        ),
        cc=[curtis],
        when=dt(2018, 3, 20, 14, 12),
    )
    t.post(
        gideon,
        [jose],
        (
            f"Hi {jose.f}, yes - each stream processor has its own threshold, so you can set PK-02 to 90 and "
            "keep the others at 85. In phase 2 we could also add our new video quality filter, which skips "
            "blurry and backlit faces - it's made a big difference for other cities."
        ),
        cc=[curtis],
        after=(2, 8),
        sales=True,
    )
    t.post(
        jose,
        [gideon],
        "Set PK-02 to 90 today. I'll report back next week.",
        cc=[curtis],
        after=(1, 5),
        sig="short",
    )

    t = c.thread(
        "pmpd-checkin-2019",
        "RE: Pilot phase 1 ends June 15",
        VENDOR_AGENCY,
        conversation="pmpd-phase1-end",
    )
    t.post(
        travis,
        [curtis],
        (
            f"Hi {curtis.f}, it's been a while! Checking in to see whether the council has taken up the "
            "policy. We've made a lot of improvements since the pilot and I'd love to show you. Coffee next "
            "time I'm in Port Mirren?"
        ),
        when=dt(2019, 3, 18, 10, 4),
        sales=True,
        threaded=False,
    )
    t.post(
        curtis,
        [travis],
        "No change on our side. I'll reach out if that changes.",
        after=(3, 48),
        threaded=False,
        sig="short",
    )
