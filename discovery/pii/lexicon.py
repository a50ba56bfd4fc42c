"""Provides the word lists person-name detection relies on: census names, titles, greetings, org words."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from discovery.pii.namewords import NAME_WORDS
from discovery.pii.types import fold, fold_word

# Ranks and honorifics written before a name; the name span starts after them.
TITLES = frozenset(
    """mr mrs ms miss mx dr prof professor det detective sgt sergeant lt lieutenant capt captain cpl corporal
    ofc officer deputy dep sheriff undersheriff chief cmdr commander insp inspector agent trooper investigator
    judge justice hon honorable rep representative sen senator mayor councilman councilwoman councilmember
    commissioner attorney counsel director supt superintendent rev reverend fr father sister br brother
    gov governor pres president secretary atty esq sir madam dame lord lady coach nurse uncle aunt auntie
    grandma grandpa granny nana cousin""".split()
)
# Lower-case role words that, right before a capitalised name, mark it as a person ('store manager Gary ...').
ROLE_WORDS = frozenset(
    """manager owner clerk witness victim suspect driver resident neighbor neighbour wife husband son daughter
    mother father brother sister uncle aunt cousin friend boyfriend girlfriend partner analyst detective deputy
    officer sergeant lieutenant captain analyst supervisor employee colleague intern volunteer attorney lawyer
    reporter editor journalist assistant secretary director candidate defendant plaintiff inmate nurse doctor
    named nee""".split()
)
GREETINGS = ("hi", "hello", "hey", "dear", "good morning", "good afternoon", "good evening", "morning",
             "afternoon", "thanks", "thank you", "thx", "congrats", "congratulations", "welcome", "hiya", "greetings",
             "attn", "attention", "ok", "okay", "sorry", "cc")
SIGNOFFS = frozenset(
    ["thanks", "thank you", "thx", "thanks again", "many thanks", "regards", "best regards", "kind regards",
     "warm regards", "best", "cheers", "sincerely", "respectfully", "yours truly", "cordially", "all the best",
     "take care", "talk soon", "best wishes", "warmly", "with thanks", "thanks so much", "thank you very much",
     "v/r", "vr", "rgds", "tia", "thanks much", "yours", "love", "hugs", "see you", "respectfully submitted",
     "gracias", "saludos", "mit freundlichen grüßen", "grüße", "viele grüße", "cordialement", "merci", "ciao"]
)
# Words that make a capitalised run an organisation, place or thing rather than a person.
ORG_WORDS = frozenset(
    """inc llc ltd corp corporation co company companies group team teams unit units section division dept
    department office offices bureau agency agencies association assoc forum summit conference council committee
    board commission court courts county city town village state states district center centre services service
    systems solutions technologies technology tech software labs lab university college school academy institute
    hospital clinic bank credit union foundation fund trust partners associates consulting digest weekly daily
    news newsletter times post journal herald gazette tribune magazine review press media radio tv police sheriff
    sheriffs fire rescue ems patrol jail prison corrections records desk helpdesk support admin administration
    staff list lists all everyone billing sales marketing accounts payroll hr resources operations ops security
    safety program programs project projects initiative street st avenue ave road rd drive dr boulevard blvd lane
    ln highway hwy parkway pkwy plaza square sq hall park lake river bay beach island airport station port harbor
    harbour church museum library market store shop hardware cafe restaurant hotel inn mall club league alliance
    federation network networks cloud web online portal app apps api video camera cameras recognize recognition
    connect analytics gateway express international global national regional federal north south east west
    america american americas pacific atlantic announcement announcements alert alerts notification notifications
    mailer daemon postmaster webmaster communications relations editor editors info noreply newsroom bulletin
    update updates calendar registrar recruiting careers benefits research llp lp pllc plc gmbh holdings capital
    ventures""".split()
)
# Job titles, roles and everyday nouns that signatures, titles and headings capitalise ('Senior Attorney Advisor',
# 'Chief Executive Officer', 'Mayor's Order'): never a name on their own.
COMMON_NOUNS = frozenset(
    """advisor adviser advisors counsel counselor general generals officer officers executive executives manager
    managers director directors interim senior junior assistant assistants associate associates coordinator
    specialist specialists analyst analysts administrator administrators chair chairman chairwoman chairperson
    vice principal member members order orders referral referrals scheduler clerk engineer engineers scientist
    fellow lead deputy acting staffer aide aides liaison paralegal investigator investigators auditor
    inspector consultant consultants contractor contractors treasurer controller supervisor supervisors
    representative spokesperson spokesman spokeswoman receptionist technician technicians programmer developer
    developers maintainer maintainers reviewer reviewers author authors editor owner owners founder cofounder
    president presidents secretary secretaries at-large ombudsman registrar comptroller board ethics government
    table agenda minutes memo memorandum notice report reports statement testimony hearing hearings resolution
    regulation regulations statute policy policies guidance request requests response complaint complaints
    investigation opinion opinions decision decisions appeal appeals petition motion filing filings exhibit
    exhibits invoice contract contracts agreement proposal budget schedule""".split()
)
# Well-known organisations whose names look like a person's ('Fannie Mae', 'Morgan Stanley').
KNOWN_ORGS = frozenset(
    """fannie mae|freddie mac|sallie mae|ginnie mae|morgan stanley|goldman sachs|merrill lynch|charles schwab|
    wells fargo|dow jones|smith barney|dean witter|paine webber|arthur andersen|lehman brothers|bear stearns|
    ernst young|johnson johnson|procter gamble|marks spencer|dun bradstreet|hewlett packard|western digital|
    standard poor|price waterhouse|pricewaterhouse coopers""".split("|")
) - {""}
KNOWN_ORGS = frozenset(" ".join(o.split()) for o in KNOWN_ORGS)
# Capitalised words that are not names even though a census list may hold them.
NOT_NAMES = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december jan feb mar apr jun jul aug sep sept oct nov dec today tomorrow
    yesterday christmas easter thanksgiving halloween hi hello hey dear thanks thank please regards best cheers
    sincerely respectfully thx rgds tia cordially warmly yours love hugs xoxo fyi sent from to cc bcc subject re
    fw fwd aw wg date attachments attachment importance
    the a an and or but if so we i you he she it they our your my his her their this that these those there here
    what when where who why how yes no not all any some every each team everyone everybody folks guys ladies
    gentlemen sir madam mr mrs ms dr lt sgt det ofc dep capt cpl re: fyi asap eod cob pm am est edt pst pdt cst cdt
    mst mdt utc gmt usa us u.s. ok okay great good nice sorry also note update updated urgent reminder meeting call
    phone cell mobile office desk fax tel email e-mail web page site link click read more unsubscribe original
    message forwarded begin end per via attn attention confidential privileged draft final version north south
    east west new old street avenue road drive court lane suite apt room floor building on in at by for with of
    as is was be are were been can could do does did have has had just only then than after before about over
    under into out up down off again once while since until because although though however still even now soon
    maybe perhaps let see i'm i'll i've i'd we're we'll we've you're you'll you've they're they'll it's that's
    there's what's let's don't can't won't isn't didn't doesn't wasn't aren't haven't hasn't couldn't wouldn't
    shouldn't one two three four five six seven eight nine ten first second third last next other another both
    many much more most few several such same own""".split()
)
US_STATES = frozenset(
    """AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH
    OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR""".split()
)
STATE_NAMES = frozenset(
    fold(s) for s in """Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|
    Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|
    Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|
    North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|
    Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming""".replace("\n", "").split("|")
)
# Places that are also common given names: never a person on the strength of the given-name list alone.
PLACE_NAMES = frozenset(
    """austin dallas houston denver jordan paris lincoln jackson madison charlotte phoenix savannah sydney chelsea
    florence virginia georgia carolina dakota tyler orlando eugene salem aurora cleveland chester kent troy marion
    columbia camden clinton franklin warren logan raleigh memphis nashville jersey victoria regina adelaide
    alexandria augusta beverly brooklyn chandler cheyenne dayton easton eden elizabeth elgin galveston geneva
    hamilton henderson irvine irving jacksonville lafayette laredo lawrence mobile montgomery norman odessa
    pasadena richmond sherman sterling trenton vienna york""".split()
)
PARTICLES = frozenset("de da del della der di du la le van von ter ten bin al el st mac".split())
SUFFIXES = frozenset("jr jr. sr sr. ii iii iv phd md esq".split())


def _names_dir() -> Path | None:
    spec = importlib.util.find_spec("names")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


@lru_cache(maxsize=1)
def census() -> tuple[dict[str, int], dict[str, int]]:
    """(first names, surnames) from the US Census lists of the PyPI 'names' package, folded -> rank (1 = most
    common). Empty dicts when the package is not installed ('pii status' says so)."""
    folder = _names_dir()
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    if folder is None:
        return first, last
    for file, target in (("dist.female.first", first), ("dist.male.first", first), ("dist.all.last", last)):
        path = folder / file
        if not path.exists():
            continue
        for rank, line in enumerate(path.read_text(encoding="ascii", errors="ignore").splitlines(), 1):
            word = line.split(" ", 1)[0].strip().lower()
            if word and (word not in target or rank < target[word]):
                target[word] = rank
    return first, last


def census_available() -> bool:
    return bool(census()[0])


def is_first_name(token: str) -> bool:
    return fold_word(token) in census()[0]


def is_surname(token: str) -> bool:
    return fold_word(token) in census()[1]


def is_name_word(token: str) -> bool:
    """A census name that is mostly an everyday word ('Will', 'Grant', 'Price'), or never a name ('Monday')."""
    low = fold_word(token)
    return low in NAME_WORDS or low in NOT_NAMES


def is_org_word(token: str) -> bool:
    return fold_word(token) in ORG_WORDS


def is_title(token: str) -> bool:
    return fold_word(token) in TITLES


def is_common_noun(token: str) -> bool:
    """A job title or everyday noun capitalised in a title or heading ('Advisor', 'Officer', 'Order')."""
    return fold_word(token).strip(".,'’") in COMMON_NOUNS


_DEMONYM_ENDINGS = ("ians", "eans", "ites", "ans", "ers")


def is_demonym(token: str) -> bool:
    """A people's name for themselves ('Washingtonians', 'Texans', 'New Yorkers'): plural, not a census name."""
    low = fold_word(token)
    if len(low) < 6 or not low.endswith(_DEMONYM_ENDINGS) or not token[:1].isupper():
        return False
    return low not in census()[0] and low not in census()[1]


def is_known_org(words: list[str]) -> bool:
    """A well-known organisation whose name looks like a person's ('Fannie Mae', 'Morgan Stanley')."""
    key = " ".join(fold_word(w).replace("&", "").strip(".,'’") for w in words if w != "&")
    return " ".join(key.split()) in KNOWN_ORGS
