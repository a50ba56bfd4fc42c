"""Provides NICKNAMES: common English given names and their short forms, both ways ('Beverly' <-> 'Bev')."""

from __future__ import annotations

_GROUPS = """
abigail: abby abbie gail | albert: al bert bertie | alexander: alex al xander sasha | alexandra: alex alexa lexi
sandra sandy | alfred: al alf fred | allison: ally allie | andrew: andy drew | angela: angie | anthony: tony
antonio: tony | arthur: art artie | barbara: barb barbie babs | benjamin: ben benny benji | beverly: bev
bradley: brad | bridget: bridie | calvin: cal | catherine: cathy cat kate katie | charles: charlie chuck chas
charlotte: charlie lottie | christine: chris chrissy tina | christina: chris chrissy tina | christopher: chris kit
clifford: cliff | cynthia: cindy | daniel: dan danny | danielle: dani | david: dave davy | deborah: deb debbie
debra: deb debbie | dennis: denny | donald: don donny | dorothy: dot dottie dora | douglas: doug | edward: ed eddie
ted ned | edwin: ed | eleanor: ellie nora | elizabeth: liz lizzie beth betsy betty eliza libby lisa | emily: em emmy
eugene: gene | frances: fran frannie | francis: frank | frederick: fred freddie | gabriel: gabe | gabrielle: gabby
gerald: jerry gerry | gregory: greg | harold: hal harry | harrison: harry | henry: hank harry | herbert: herb
howard: howie | isabel: izzy bella | jacob: jake | jacqueline: jackie | james: jim jimmy jamie | janet: jan
jeffrey: jeff | jennifer: jen jenny | jeremy: jerry | jessica: jess jessie | joanne: jo | john: jack johnny
jonathan: jon jonny | joseph: joe joey | joshua: josh | judith: judy | julia: jules | katherine: kathy kate katie
kat kay kit | kathryn: kathy kate katie kay | kathleen: kathy kate katie kay | kenneth: ken kenny | kimberly: kim
lawrence: larry | leonard: len lenny leo | leslie: les | louis: lou | lucille: lucy | margaret: maggie meg peggy
marge margie | marjorie: marge margie | matthew: matt | megan: meg | melissa: mel missy | melvin: mel
michael: mike mikey mick | michelle: shelly | mitchell: mitch | nathan: nate nat | nathaniel: nate nat
nicholas: nick nicky | nicole: nikki | oliver: ollie | pamela: pam | patricia: pat patty trish tricia
patrick: pat paddy | peter: pete | philip: phil | phillip: phil | randall: randy | raymond: ray | rebecca: becky
becca | richard: rick rich dick ricky | robert: rob bob bobby robbie | rodney: rod | ronald: ron ronnie
rosalind: roz | russell: russ | samantha: sam sammy | samuel: sam sammy | sandra: sandy | stanley: stan
stephanie: steph | stephen: steve | steven: steve | stuart: stu | susan: sue susie suzy | suzanne: sue suzy
terrence: terry | terence: terry | theodore: ted teddy theo | theresa: terry tess | thomas: tom tommy
timothy: tim timmy | tobias: toby | valerie: val | victoria: vicky tori | vincent: vince vinny | walter: walt wally
william: will bill billy willie liam | zachary: zach zack
"""


def _parse() -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    formal = ""
    for token in _GROUPS.split():
        if token == "|":
            continue
        if token.endswith(":"):
            formal = token[:-1]
            continue
        pairs.setdefault(formal, set()).add(token)
        pairs.setdefault(token, set()).add(formal)
    return {k: frozenset(v) for k, v in pairs.items()}


NICKNAMES: dict[str, frozenset[str]] = _parse()


def name_variants(first: str) -> frozenset[str]:
    """Other forms of a given name (lower case): 'beverly' -> {'bev'}, 'bev' -> {'beverly'}."""
    return NICKNAMES.get(first.lower(), frozenset())
