"""Provides the fictional cast: vendor staff, agency staff, citizens and mailing lists, with signatures."""

from __future__ import annotations

from dataclasses import dataclass, field

from .text import ADDR, BADGE, EM, PH, P

VENDOR = "cirrusweb.example"
HCSO = "harlowcounty-or.example"
PMPD = "portmirren-fl.example"

HCSO_ADDRESS = "1150 NE Courthouse Sq, Kellam, OR 97180"
PMPD_ADDRESS = "400 W Bayfront Ave, Port Mirren, FL 32796"
VENDOR_ADDRESS = "2200 Westlake Terrace N, Seattle, WA 98109"


@dataclass(frozen=True)
class Person:
    """One mailbox owner. ``is_person`` is False for role mailboxes and mailing lists."""

    key: str
    first: str
    last: str
    email: str
    org: str = ""
    title: str = ""
    zone: str = "pacific"  # pacific | eastern
    client: str = "outlook"  # gmail | outlook | iphone | webmail | newsletter
    display: str = ""  # the display name in headers when not "First Last"
    rank: str = ""  # "Lt.", "Deputy", ... used in prose before the name
    is_person: bool = True
    signature: str = ""  # marked text
    short_sig: str = ""  # marked text
    phones: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}".strip()

    @property
    def header_name(self) -> str:
        return self.display or self.name

    # marked fragments for templates
    @property
    def f(self) -> str:
        """Marked first name."""
        return P(self.first) if self.is_person else self.first

    @property
    def n(self) -> str:
        """Marked full name."""
        return P(self.name) if self.is_person else self.name

    @property
    def l(self) -> str:  # noqa: E743 - reads as "last name" in templates
        """Marked last name."""
        return P(self.last) if self.is_person else self.last

    @property
    def rn(self) -> str:
        """Rank (if any) and marked full name."""
        return f"{self.rank} {self.n}" if self.rank else self.n

    @property
    def rl(self) -> str:
        """Rank (if any) and marked last name."""
        return f"{self.rank} {self.l}" if self.rank else self.l

    @property
    def e(self) -> str:
        """Marked email address."""
        return EM(self.email)

    @property
    def hn(self) -> str:
        """Marked header display name, as it would be shown in a quoted header block."""
        return P(self.header_name) if self.is_person else self.header_name

    @property
    def ne(self) -> str:
        """Marked ``Name <email>``."""
        return f"{self.hn} <{self.e}>"

    def sign(self, full: bool) -> str:
        """The sign-off: the full signature block, or the short one used deeper in a thread."""
        if full and self.signature:
            return self.signature
        return self.short_sig or self.f


def _vendor_sig(first: str, last: str, title: str, email: str, lines: list[str]) -> str:
    body = "\n".join(lines)
    return f"{P(first + ' ' + last)}\n{title}\nCirrus Web Services, Inc.\n{body}\n{EM(email)}"


def _build() -> dict[str, Person]:
    people: list[Person] = []
    add = people.append

    # --- Cirrus Web Services (vendor) -----------------------------------------------------------
    add(
        Person(
            "brent",
            "Brent",
            "Kasprzak",
            f"bkasprzak@{VENDOR}",
            "Cirrus Web Services",
            "Account Manager, State & Local Government (OR/WA)",
            client="gmail",
            signature=(
                f"{P('Brent Kasprzak')}\n"
                "Account Manager | State & Local Government - Oregon & Washington\n"
                "Cirrus Web Services, Inc.\n"
                f"m: {PH('+1 206 555 0108')} | o: {PH('206-555-0109')}\n"
                f"{EM(f'bkasprzak@{VENDOR}')}"
            ),
            short_sig=f"{P('Brent')}",
        )
    )
    add(
        Person(
            "priya",
            "Priya",
            "Venkataraman",
            f"priyav@{VENDOR}",
            "Cirrus Web Services",
            "Senior Solutions Architect, Public Safety",
            client="gmail",
            signature=_vendor_sig(
                "Priya",
                "Venkataraman",
                "Sr. Solutions Architect - Public Safety & Justice",
                f"priyav@{VENDOR}",
                [f"desk {PH('206-555-0126')} / mobile {PH('(425) 555-0127')}"],
            ),
            short_sig=f"{P('Priya')}",
        )
    )
    add(
        Person(
            "travis",
            "Travis",
            "Lindqvist",
            f"tlindqvist@{VENDOR}",
            "Cirrus Web Services",
            "Account Executive, State & Local Government (Southeast)",
            client="gmail",
            zone="eastern",
            signature=(
                f"{P('Travis Lindqvist')} | Account Executive, SLG Southeast | Cirrus Web Services\n"
                f"{PH('404-555-0133')} (o) | {PH('+1 404 555 0134')} (m) | {EM(f'tlindqvist@{VENDOR}')}"
            ),
            short_sig=f"{P('Travis')}",
        )
    )
    add(
        Person(
            "gideon",
            "Gideon",
            "Achebe",
            f"gachebe@{VENDOR}",
            "Cirrus Web Services",
            "Solutions Architect, SLG Southeast",
            client="gmail",
            zone="eastern",
            signature=_vendor_sig(
                "Gideon",
                "Achebe",
                "Solutions Architect - State & Local Government",
                f"gachebe@{VENDOR}",
                [f"{PH('470.555.0148')}"],
            ),
            short_sig=f"{P('Gideon')}",
        )
    )
    add(
        Person(
            "meredith",
            "Meredith",
            "Osei",
            f"mosei@{VENDOR}",
            "Cirrus Web Services",
            "Product Marketing Manager, Cirrus Recognize",
            client="gmail",
            signature=_vendor_sig(
                "Meredith",
                "Osei",
                "Product Marketing Manager, Cirrus Recognize",
                f"mosei@{VENDOR}",
                [f"{PH('206.555.0145')}"],
            ),
            short_sig=f"{P('Meredith')}",
        )
    )
    add(
        Person(
            "jenna",
            "Jenna",
            "Faulk",
            f"jfaulk@{VENDOR}",
            "Cirrus Web Services",
            "Field Events, Public Sector",
            client="gmail",
            signature=_vendor_sig(
                "Jenna",
                "Faulk",
                "Public Sector Field Events",
                f"jfaulk@{VENDOR}",
                [f"{PH('206-555-0176')} ext. 4"],
            ),
            short_sig=f"{P('Jenna')}",
        )
    )
    add(
        Person(
            "dev",
            "Dev",
            "Malhotra",
            f"devm@{VENDOR}",
            "Cirrus Web Services",
            "General Manager, Cirrus Vision Services",
            client="gmail",
            signature=_vendor_sig(
                "Dev",
                "Malhotra",
                "General Manager, Cirrus Vision Services",
                f"devm@{VENDOR}",
                [f"{PH('206-555-0190')}"],
            ),
            short_sig=f"{P('Dev')}",
        )
    )
    add(
        Person(
            "katrin",
            "Katrin",
            "Vogelsang",
            f"kvogelsang@{VENDOR}",
            "Cirrus Web Services",
            "Principal Solutions Architect, Video Analytics",
            client="outlook",
            signature=_vendor_sig(
                "Katrin",
                "Vogelsang",
                "Principal Solutions Architect - Video Analytics",
                f"kvogelsang@{VENDOR}",
                [f"{PH('206-555-0181')}"],
            ),
            short_sig=f"{P('Katrin')}",
        )
    )
    add(
        Person(
            "cws_news", "Cirrus Web Services", "", f"no-reply@{VENDOR}", client="newsletter", is_person=False
        )
    )
    add(
        Person(
            "cws_billing",
            "Cirrus Web Services Billing",
            "",
            f"billing-noreply@{VENDOR}",
            client="newsletter",
            is_person=False,
        )
    )

    # --- Harlow County Sheriff's Office (Oregon) ------------------------------------------------
    hcso_foot = f"Harlow County Sheriff's Office | {ADDR(HCSO_ADDRESS)}"
    add(
        Person(
            "dana",
            "Dana",
            "Whitfield",
            f"dwhitfield@{HCSO}",
            "Harlow County Sheriff's Office",
            "Crime Analyst",
            display="Whitfield, Dana",
            signature=(
                f"{P('Dana Whitfield')} | Crime Analyst | Harlow County Sheriff's Office | desk "
                f"{PH('503-555-0142')} | cell {PH('503-555-0187')}"
            ),
            short_sig=f"{P('Dana')}",
        )
    )
    add(
        Person(
            "castellanos",
            "Owen",
            "Castellanos",
            f"ocastellanos@{HCSO}",
            "Harlow County Sheriff's Office",
            "Lieutenant, Investigations Division",
            display="Castellanos, Owen",
            rank="Lt.",
            signature=(
                f"Lt. {P('Owen Castellanos')}\n"
                "Investigations Division Commander\n"
                f"{hcso_foot}\n"
                f"Office {PH('(503) 555-0131')}"
            ),
            short_sig=f"{P('Owen')}",
        )
    )
    add(
        Person(
            "feeney",
            "Marcus",
            "Feeney",
            f"mfeeney@{HCSO}",
            "Harlow County Information Technology Services",
            "Senior Systems Analyst",
            display="Feeney, Marcus",
            signature=(
                f"{P('Marcus Feeney')}\n"
                "Senior Systems Analyst, Information Technology Services\n"
                f"Harlow County | {PH('503.555.0173')} ({PH('x3-0173')})"
            ),
            short_sig=f"{P('Marcus')}",
        )
    )
    add(
        Person(
            "petrakis",
            "Lorraine",
            "Petrakis",
            f"lpetrakis@{HCSO}",
            "Harlow County Sheriff's Office",
            "Public Information Officer",
            display="Petrakis, Lorraine",
            rank="Sgt.",
            signature=(
                f"Sgt. {P('Lorraine Petrakis')}\n"
                "Public Information Officer\n"
                f"{hcso_foot}\n"
                f"{PH('503-555-0120')} office / {PH('503-555-0121')} media line"
            ),
            short_sig=f"{P('Lorraine')}",
        )
    )
    add(
        Person(
            "lindahl",
            "Beverly",
            "Lindahl",
            f"blindahl@{HCSO}",
            "Harlow County Sheriff's Office",
            "Records Supervisor",
            display="Lindahl, Beverly",
            signature=(
                f"{P('Beverly Lindahl')}, Records Supervisor\n"
                f"{hcso_foot}\n"
                f"Phone {PH('(503) 555-0150')} | Fax {PH('(503) 555-0151')}"
            ),
            short_sig=f"{P('Bev')}",
        )
    )
    add(
        Person(
            "wynn",
            "Terrence",
            "Wynn",
            f"twynn@{HCSO}",
            "Harlow County Jail",
            "Booking Supervisor",
            display="Wynn, Terrence",
            rank="Cpl.",
            signature=f"Cpl. {P('Terrence Wynn')} | Jail Booking Supervisor | {PH('503-555-0156')}",
            short_sig=f"{P('T. Wynn')}",
        )
    )
    add(
        Person(
            "solberg",
            "Ingrid",
            "Solberg",
            f"isolberg@{HCSO}",
            "Harlow County Counsel",
            "Assistant County Counsel",
            display="Solberg, Ingrid",
            signature=(
                f"{P('Ingrid Solberg')}\n"
                "Assistant County Counsel | Harlow County\n"
                f"{PH('503-555-0112')}\n"
                "This message may contain privileged attorney-client communications."
            ),
            short_sig=f"{P('Ingrid')}",
        )
    )
    add(
        Person(
            "ostrander",
            "Kyle",
            "Ostrander",
            f"kostrander@{HCSO}",
            "Harlow County Sheriff's Office",
            "Deputy",
            display="Ostrander, Kyle",
            rank="Deputy",
            signature=f"Deputy {P('Kyle Ostrander')} #{BADGE('1187')} | Patrol Division",
            short_sig=f"{P('Kyle')}",
        )
    )
    add(
        Person(
            "moreno",
            "Alicia",
            "Moreno-Tate",
            f"amorenotate@{HCSO}",
            "Harlow County Sheriff's Office",
            "Deputy",
            display="Moreno-Tate, Alicia",
            rank="Deputy",
            signature=f"Deputy {P('Alicia Moreno-Tate')} #{BADGE('2043')} | Patrol Division | "
            "Harlow County SO",
            short_sig=f"{P('Alicia')}",
        )
    )
    add(
        Person(
            "nakagawa",
            "Sam",
            "Nakagawa",
            f"snakagawa@{HCSO}",
            "Harlow County Sheriff's Office",
            "Detective",
            display="Nakagawa, Sam",
            rank="Det.",
            signature=f"Det. {P('Sam Nakagawa')} #{BADGE('0962')}\n"
            f"Property Crimes Unit | {PH('503-555-0139')}",
            short_sig=f"{P('Sam')}",
        )
    )
    add(
        Person(
            "rudnicki",
            "Gail",
            "Rudnicki",
            f"grudnicki@{HCSO}",
            "Harlow County Sheriff's Office",
            "Undersheriff",
            display="Rudnicki, Gail",
            rank="Undersheriff",
            signature=f"Undersheriff {P('Gail Rudnicki')}\n{hcso_foot}\n{PH('503-555-0110')}",
            short_sig=f"{P('Gail')}",
        )
    )
    add(
        Person(
            "brenneman",
            "Howard",
            "Brenneman",
            f"sheriff.brenneman@{HCSO}",
            "Harlow County Sheriff's Office",
            "Sheriff",
            display="Brenneman, Howard",
            rank="Sheriff",
            signature=f"Sheriff {P('Howard Brenneman')}\n{hcso_foot}",
            short_sig=f"Sheriff {P('Brenneman')}",
        )
    )
    add(
        Person(
            "tran",
            "Michelle",
            "Tran",
            f"mtran@{HCSO}",
            "Harlow County Human Resources",
            "Benefits Coordinator",
            display="Tran, Michelle",
            signature=(
                f"{P('Michelle Tran')} | Benefits Coordinator | Harlow County Human Resources\n"
                f"{PH('503-555-0160')} | {EM(f'benefits@{HCSO}')}"
            ),
            short_sig=f"{P('Michelle')}",
        )
    )
    add(Person("hcso_hr", "Harlow County Human Resources", "", f"hr@{HCSO}", is_person=False))
    add(Person("hcso_it", "ITS Service Desk", "", f"servicedesk@{HCSO}", is_person=False))
    add(Person("hcso_records", "HCSO Records Unit", "", f"records@{HCSO}", is_person=False))
    add(Person("hcso_all", "HCSO All Staff", "", f"hcso-allstaff@{HCSO}", is_person=False))

    # --- Port Mirren Police Department (Florida) ------------------------------------------------
    pd_foot = f"Port Mirren Police Department | {ADDR(PMPD_ADDRESS)}"
    pe = {"zone": "eastern"}
    add(
        Person(
            "curtis",
            "Curtis",
            "Vandermeer",
            f"cvandermeer@{PMPD}",
            "Port Mirren Police Department",
            "Lieutenant, Technology Services Section",
            rank="Lt.",
            signature=(
                f"Lt. {P('Curtis Vandermeer')}\n"
                "Commander, Technology Services Section\n"
                f"{pd_foot}\n"
                f"{PH('(407) 555-0199')} ext. 12 | cell {PH('407-555-0191')}"
            ),
            short_sig=f"{P('Curtis')}",
            **pe,
        )
    )
    add(
        Person(
            "broussard",
            "Angela",
            "Broussard",
            f"abroussard@{PMPD}",
            "Port Mirren Police Department",
            "Deputy Chief, Operations Bureau",
            rank="Deputy Chief",
            signature=f"Deputy Chief {P('Angela Broussard')}\nOperations Bureau | {PH('407-555-0102')}",
            short_sig=f"{P('Angela')}",
            **pe,
        )
    )
    add(
        Person(
            "ellison",
            "Raymond",
            "Ellison",
            f"chief.ellison@{PMPD}",
            "Port Mirren Police Department",
            "Chief of Police",
            rank="Chief",
            signature=f"Chief {P('Raymond Ellison')}\n{pd_foot}",
            short_sig=f"Chief {P('Ellison')}",
            **pe,
        )
    )
    add(
        Person(
            "galindo",
            "Hector",
            "Galindo",
            f"hgalindo@{PMPD}",
            "City of Port Mirren IT",
            "Network Administrator",
            signature=(
                f"{P('Hector Galindo')}\n"
                "Network Administrator, City of Port Mirren Information Technology\n"
                f"{PH('407.555.0164')}"
            ),
            short_sig=f"{P('Hector')}",
            **pe,
        )
    )
    add(
        Person(
            "dunmore",
            "Keisha",
            "Dunmore",
            f"kdunmore@{PMPD}",
            "Port Mirren Police Department",
            "Public Information Officer",
            rank="Sgt.",
            signature=(
                f"Sgt. {P('Keisha Dunmore')} | Public Information Officer\n"
                "Port Mirren Police Department\n"
                f"Office: {PH('407-555-0117')}  Cell: {PH('407-555-0118')}"
            ),
            short_sig=f"{P('Keisha')}",
            **pe,
        )
    )
    add(
        Person(
            "ibanez",
            "José",
            "Ibáñez",
            f"jibanez@{PMPD}",
            "Port Mirren Police Department",
            "Crime Analyst, Real Time Crime Center",
            signature=f"{P('José Ibáñez')} – Crime Analyst, Real Time Crime Center\n{PH('407-555-0185')}",
            short_sig=f"{P('José')}",
            **pe,
        )
    )
    add(
        Person(
            "delacroix",
            "Patrick",
            "Delacroix",
            f"pdelacroix@{PMPD}",
            "City of Port Mirren, City Attorney's Office",
            "Assistant City Attorney",
            signature=f"{P('Patrick Delacroix')}\nAssistant City Attorney, City of Port Mirren\n"
            f"{PH('407-555-0124')}",
            short_sig=f"{P('Pat')}",
            **pe,
        )
    )
    add(
        Person(
            "crabtree",
            "Lynette",
            "Crabtree",
            f"lcrabtree@{PMPD}",
            "City of Port Mirren Procurement",
            "Senior Procurement Officer",
            signature=f"{P('Lynette Crabtree')}, CPPB\nSenior Procurement Officer | {PH('407-555-0129')}",
            short_sig=f"{P('Lynette')}",
            **pe,
        )
    )
    add(
        Person(
            "pruitt",
            "Walt",
            "Pruitt",
            f"wpruitt@{PMPD}",
            "City of Port Mirren Transportation",
            "Traffic Operations Engineer",
            signature=f"{P('Walt Pruitt')}, P.E. | Traffic Operations | {PH('407-555-0153')}",
            short_sig=f"{P('Walt')}",
            **pe,
        )
    )
    add(
        Person(
            "hughes",
            "Darnell",
            "Hughes",
            f"dhughes@{PMPD}",
            "Port Mirren Police Department",
            "Police Officer",
            rank="Ofc.",
            signature=f"Ofc. {P('Darnell Hughes')} #{BADGE('3318')}",
            short_sig=f"{P('D. Hughes')}",
            **pe,
        )
    )
    add(Person("pm_hr", "City of Port Mirren Human Resources", "", f"hr@{PMPD}", is_person=False, **pe))
    add(Person("pm_it", "City of Port Mirren IT Help Desk", "", f"helpdesk@{PMPD}", is_person=False, **pe))
    add(Person("pm_records", "PMPD Records Section", "", f"records@{PMPD}", is_person=False, **pe))

    # --- citizens, press, family ----------------------------------------------------------------
    add(Person("achterberg", "Rosalind", "Achterberg", "rachterberg@mailbox.example", client="webmail"))
    add(
        Person(
            "hartigan",
            "Zoë",
            "Hartigan",
            "zoe.hartigan@webmail.example",
            client="webmail",
            zone="eastern",
            signature=(f"{P('Zoë Hartigan')}\nFreelance reporter\n{PH('(321) 555-0177')}"),
            short_sig=f"{P('Zoë')}",
        )
    )
    add(
        Person(
            "oduya",
            "Malcolm",
            "Oduya",
            "moduya@mailbox.example",
            client="webmail",
            zone="eastern",
            signature=f"{P('Malcolm Oduya')}\nPort Mirren Neighbors for Privacy\n{PH('407 555 0141')}",
        )
    )
    add(
        Person(
            "feldkamp",
            "Nora",
            "Feldkamp",
            "nfeldkamp@oclp.example",
            "Oregon Civil Liberties Project",
            "Staff Attorney",
            client="outlook",
            signature=(
                f"{P('Nora Feldkamp')} | Staff Attorney | Oregon Civil Liberties Project\n"
                f"{ADDR('PO Box 40172, Portland, OR 97240')} | {PH('971-555-0115')}"
            ),
        )
    )
    add(
        Person(
            "fairweather",
            "Yolanda",
            "Fairweather",
            "yfairweather@webmail.example",
            client="iphone",
            zone="eastern",
        )
    )
    add(Person("ryan", "Ryan", "Whitfield", "ryan.whitfield@mailbox.example", client="iphone"))
    add(
        Person(
            "dale", "Dale", "Vandermeer", "dale.vandermeer@webmail.example", client="webmail", zone="eastern"
        )
    )
    add(Person("okafor", "Beatrice", "Okafor", "bea.okafor@mailbox.example", client="webmail"))
    add(Person("lambert", "Gus", "Lambert", "gus.lambert@webmail.example", client="webmail"))
    add(Person("sorensen", "Hal", "Sorensen", "hsorensen@mailbox.example", client="iphone", zone="eastern"))
    add(Person("munoz", "Renée", "Muñoz", "renee.munoz@webmail.example", client="webmail", zone="eastern"))

    # --- newsletters and lists ------------------------------------------------------------------
    add(
        Person(
            "govtech",
            "GovTech Weekly",
            "",
            "newsletter@govtechweekly.example",
            client="newsletter",
            is_person=False,
        )
    )
    add(
        Person(
            "pstdigest",
            "Public Safety Tech Digest",
            "",
            "digest@pstdigest.example",
            client="newsletter",
            is_person=False,
        )
    )
    add(
        Person(
            "ocaa",
            "OCAA Analysts List",
            "",
            "analysts@lists.ocaa.example",
            client="newsletter",
            is_person=False,
        )
    )
    add(
        Person(
            "fpca",
            "Florida Police Chiefs Forum",
            "",
            "events@fpcf.example",
            client="newsletter",
            is_person=False,
            zone="eastern",
        )
    )
    return {p.key: p for p in people}


CAST: dict[str, Person] = _build()


def person(key: str) -> Person:
    """The cast member with this key."""
    return CAST[key]


def name_tokens() -> list[str]:
    """Capitalised first and last names of the cast, for the generator's self-check of unmarked names."""
    tokens: set[str] = set()
    for p in CAST.values():
        if p.is_person:
            for token in (p.first, p.last):
                if len(token) >= 4:
                    tokens.add(token)
    return sorted(tokens)
