"""Provides PersonNameDetector: person names without a language model, from the case's own correspondents,
census name lists and the words around a name (titles, greetings, sign-offs, verbs of speech)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from discovery.pii import lexicon
from discovery.pii.names import CorpusNames
from discovery.pii.recognizers.base import Hit, MessageContext, line_at, strip_quote
from discovery.pii.types import FieldText, fold

_L = r"[^\W\d_]"
_UP = r"[A-ZÀ-ÖØ-Þ]"
_TOKEN = rf"(?:{_UP}{_L}*(?:['’-]{_L}+)*(?:['’]s)?\.?|{_UP}\.)"
_PARTICLE = r"(?:de|da|del|della|der|di|du|la|le|van|von|ter|ten|bin|al|el|y)"
# The first token of a run: _TOKEN with its capital first and the look-behind that starts a run after it (reading
# the character before the capital, as a look-behind before it would): a pattern that starts with a character
# class lets the regex engine skip to the capitals, twice as fast on long texts.
_FIRST = rf"{_UP}(?<![\w@./'’-]{_UP})(?:{_L}*(?:['’-]{_L}+)*(?:['’]s)?\.?|\.)"
RUN = re.compile(
    rf"({_FIRST}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_TOKEN})*)(?![\w@]|\.\w|['’]\w)"
)
_TOKEN_RE = re.compile(_TOKEN)
_PLACE_AFTER = re.compile(
    r"^,[ \t]*(?:" + "|".join(sorted(lexicon.US_STATES)) + r")\b|^,[ \t]*(?:" + "|".join(
        sorted(s.title() for s in lexicon.STATE_NAMES)) + r")\b|^,[ \t]*(?i:tx|tex|calif|fla|ore|wash)\b"
)
_MID_SENTENCE = re.compile(r"(?:\b[a-z][a-z'’]*|,)[ \t]+$")  # 'working with John', 'me, Lorraine'
_PLACE_BEFORE = re.compile(r"\b(?:in|at|to|from|of|near|into|around|across|outside|inside|via|towards?|visit|"
                           r"visiting|based|downtown)[ \t]+$", re.IGNORECASE)
COMMON_FIRST_RANK = 1500  # given names this common are taken for a name mid-sentence without other evidence
_ROLE_BEFORE = re.compile(r"\b(" + "|".join(sorted(lexicon.ROLE_WORDS)) + r")[ \t]+$", re.IGNORECASE)
# The words the patterns above (and _SPEECH_BEFORE) can end with, for a cheap test before each search: a pattern
# anchored at the end ('word[ \t]+$') is still tried at every position of the text, alternatives and all.
_PLACE_FINALS = ("in", "at", "to", "from", "of", "near", "into", "around", "across", "outside", "inside", "via",
                 "toward", "towards", "visit", "visiting", "based", "downtown")
_ROLE_FINALS = tuple(sorted(w.lower() for w in lexicon.ROLE_WORDS))
_SPEECH_FINALS = ("said", "told", "asked", "per", "to", "with", "call", "called", "ask", "tell", "email", "emailed",
                  "thank", "cc", "cc'd", "copy", "is", "named", "i'm", "am", "contact", "contacted", "reach",
                  "reached")
_LOWER_END = frozenset("abcdefghijklmnopqrstuvwxyz'’,")


def _blank_end(tail: str) -> str:
    """The text before the blanks a tail ends with ('' when it does not end with a blank: no pattern matches)."""
    stripped = tail.rstrip(" \t")
    return stripped if len(stripped) < len(tail) else ""


def _ends_with(stripped: str, finals: tuple[str, ...]) -> bool:
    """Whether the text before the trailing blanks ends with one of these words, any case (a necessary condition
    for the patterns above; the pattern itself decides)."""
    return bool(stripped) and stripped[-16:].lower().endswith(finals)


@dataclass(slots=True)
class _Tok:
    text: str
    start: int
    end: int
    key: str  # folded, no trailing '.', no possessive
    stop: bool = False  # a full stop followed the token

    @property
    def initial(self) -> bool:
        return len(self.key) == 1


def _tokens(run: str, offset: int) -> list[_Tok]:
    return [_Tok(text, offset + start, offset + end, key, stop) for start, end, text, key, stop in _shapes(run)]


@lru_cache(maxsize=65536)
def _shapes(run: str) -> tuple[tuple[int, int, str, str, bool], ...]:
    """The tokens of a run as (start, end, text, key, stop), relative to the run (runs recur: 'The', 'City')."""
    out = []
    for m in _TOKEN_RE.finditer(run):
        text = m.group(0)
        end = m.end()
        if text.endswith(("'s", "’s")):
            text, end = text[:-2], end - 2
        key = _key(text)
        if text.endswith(".") and len(key) > 1 and not lexicon.is_title(text) and key not in _ABBREVIATIONS:
            out.append((m.start(), end - 1, text[:-1], key, True))  # a full stop, not part of the name
            continue
        out.append((m.start(), end, text, key, False))
    return tuple(out)


_ABBREVIATIONS = frozenset({"jr", "sr", "st", "mt", "ft"})


@lru_cache(maxsize=65536)
def _key(text: str) -> str:
    return fold(text).rstrip(".")


def _groups(text: str, drop: Callable[[str, str], bool] | None = None, dropped: dict[str, bool] | None = None
            ) -> list[list[_Tok]]:
    """Runs of capitalised words, split where a sentence ends ('Achterberg. Deputy Ostrander'). drop(text, key)
    leaves out runs of one word it says nothing can come of (made before any token object); dropped remembers
    its answer by the run's text (valid as long as drop's answers are)."""
    groups: list[list[_Tok]] = []
    for m in RUN.finditer(text):
        run = m.group(1)
        if dropped is not None and dropped.get(run):
            continue
        offset = m.start(1)
        shapes = _shapes(run)
        if len(shapes) == 1:  # most runs
            start, end, word, key, stop = shapes[0]
            if drop is not None:
                gone = drop(word, key)
                if dropped is not None:
                    dropped[run] = gone
                if gone:
                    continue
            groups.append([_Tok(word, offset + start, offset + end, key, stop)])
            continue
        current: list[_Tok] = []
        for start, end, word, key, stop in shapes:
            current.append(_Tok(word, offset + start, offset + end, key, stop))
            if stop:
                groups.append(current)
                current = []
        if current:
            groups.append(current)
    return groups


class PersonNameDetector:
    """Person names in free text. Evidence, strongest first: the name of someone in the case's headers
    ('Dana Whitfield', 'Whitfield, Dana', 'D. Whitfield', 'Dana', 'Bev' for Beverly); a title or rank before it
    ('Ms. Achterberg', 'Deputy Ostrander'); a census first name followed by a surname ('Gary Pellegrino');
    a greeting, sign-off, role word or verb of speech around a single name ('Hi Hector,', 'said Ruiz').
    All-caps names count when both parts are in the lists. Names that are everyday words ('Will', 'Grant')
    need a surname or context; runs ending in an organisation word ('Harlow County') are not people."""

    name = "PersonNameDetector"
    entities: tuple[str, ...] = ("PERSON",)

    def __init__(self) -> None:
        # What a lone capitalised word can be, whatever the words around it (_lone_verdict): most runs are one
        # word, and the same words recur ('The', 'Board'). Valid for one set of learned names (see _names_key),
        # with the first and last words of the case's full names (no corpus name can start or end elsewhere).
        self._lone: dict[tuple[str, str], int] = {}
        # What a run of several words gives when no step read the text around it (most runs: 'Ethics Board',
        # 'Official Code'), by its words and their places in the run, the hits' places relative to its start.
        self._runs: dict[tuple[tuple[str, str, bool, int, int], ...], tuple[Hit, ...]] = {}
        self._dropped: dict[str, bool] = {}  # run of one word -> inert (see find)
        self._lone_names: tuple[object, ...] = ()
        self._starts: frozenset[str] = frozenset()
        self._ends: frozenset[str] = frozenset()

    def find(self, text: str, field: FieldText, message: MessageContext) -> list[Hit]:
        if field.kind in ("address", "attachment_name"):
            return []
        hits: list[Hit] = []
        names = message.names
        names_key = _names_key(names)
        if names_key != self._lone_names or len(self._lone) > LONE_MAX or len(self._dropped) > LONE_MAX:
            self._lone = {}
            self._runs = {}
            self._dropped = {}
            self._lone_names = names_key
            self._starts = frozenset(k[0] for k in names.full)
            self._ends = frozenset(k[-1] for k in names.full)
        lone, runs = self._lone, self._runs
        starts, ends = self._starts, self._ends

        def inert(word: str, key: str) -> bool:
            """A lone word that is never a name and cannot be either half of 'Last, First' with a neighbour: it
            changes nothing, whatever stands around it."""
            verdict = lone.get((word, key))
            if verdict is None:
                verdict = lone[(word, key)] = _lone_verdict(_Tok(word, 0, len(word), key), names)
            return verdict == _NEVER and key not in starts and key not in ends

        groups = _groups(text, inert, self._dropped)
        skip = -1
        for i, toks in enumerate(groups):
            if i == skip:
                continue
            nxt = groups[i + 1] if i + 1 < len(groups) else None
            if nxt and not toks[-1].stop and text[toks[-1].end : nxt[0].start] in (", ", ","):
                hit = self._reversed(toks, nxt, message)
                if hit:
                    hits.append(hit)
                    skip = i + 1
                    continue
            if len(toks) == 1:  # most runs: what _segment concludes from the word alone, remembered
                head = toks[0]
                verdict = lone.get((head.text, head.key))  # made by inert(), but for a run cut by a full stop
                if verdict is None:
                    verdict = lone[(head.text, head.key)] = _lone_verdict(head, names)
                if verdict == _NEVER or (verdict == _AT_LINE_START and not _line_start(text, head)):
                    continue
            if len(toks) > 1:
                base = toks[0].start
                key = tuple((t.text, t.key, t.stop, t.start - base, t.end - base) for t in toks)
                known = runs.get(key)
                if known is None:
                    pure = [True]
                    found = self._run(text, toks, message, starts, pure)
                    if pure[0] and len(runs) < LONE_MAX:
                        runs[key] = tuple(Hit(h.start - base, h.end - base, *h[2:]) for h in found)
                    hits.extend(found)
                else:
                    hits.extend(Hit(h.start + base, h.end + base, *h[2:]) for h in known)
                continue
            hits.extend(self._run(text, toks, message, starts))
        return hits

    # -- 'Whitfield, Dana' ----------------------------------------------------------------------------
    @staticmethod
    def _reversed(lasts: list[_Tok], firsts: list[_Tok], message: MessageContext) -> Hit | None:
        if len(lasts) > 2 or len(firsts) > 3:
            return None
        last = lasts[-1]
        for n in range(len(firsts), 0, -1):
            keys = tuple(t.key for t in firsts[:n])
            if message.names.match((*keys, last.key)) or message.names.match((keys[0], last.key)):
                if len(lasts) == 2 and not lexicon.is_title(lasts[0].text):
                    return None
                start = lasts[1].start if len(lasts) == 2 else last.start
                return Hit(start, firsts[n - 1].end, "PERSON", 0.95,
                           "a person in this case's headers, written 'Last, First'", "corpus name (reversed)")
        return None

    # -- one run of capitalised words -----------------------------------------------------------------
    def _run(self, text: str, toks: list[_Tok], message: MessageContext, starts: frozenset[str] | None = None,
             pure: list[bool] | None = None) -> list[Hit]:
        """Hits in one run. pure[0] is set False when a step read the text around the run (see _segment)."""
        if len(toks) == 1:  # no two-word name of the case to look for
            return self._segment(text, toks, message, pure)
        names = message.names
        hits: list[Hit] = []
        # 1. people of this case, longest match first, anywhere in the run (starts: the first words of the case's
        # full names, when known: a run with none of them before its last word holds none)
        used = [False] * len(toks)
        maybe = starts is None or any(t.key in starts for t in toks[:-1])
        for n in range(min(4, len(toks)) if maybe else 1, 1, -1):
            for i in range(0, len(toks) - n + 1):
                if any(used[i : i + n]):
                    continue
                keys = tuple(t.key for t in toks[i : i + n])
                display = names.match(keys) or (names.match((keys[0], keys[-1])) if n == 3 and toks[i + 1].initial
                                                else None)
                if display:
                    hits.append(Hit(toks[i].start, toks[i + n - 1].end, "PERSON", 0.95,
                                    f"'{display}' writes or is written to in this case", "corpus name"))
                    for k in range(i, i + n):
                        used[k] = True
        # 2. the rest, in segments between corpus matches
        segment: list[_Tok] = []
        for tok, was_used in zip([*toks, None], [*used, True], strict=True):
            if tok is not None and not was_used:
                segment.append(tok)
                continue
            if segment:
                hits.extend(self._segment(text, segment, message, pure))
            segment = []
        return hits

    def _segment(self, text: str, toks: list[_Tok], message: MessageContext, pure: list[bool] | None = None
                 ) -> list[Hit]:
        """Hits in a segment of a run. Where a step reads the text around the segment (the line, the sentence,
        the words before), pure[0] is set False: otherwise the hits depend on the words alone."""
        names = message.names
        if pure is None:
            pure = [True]
        if len(toks) == 1:  # most runs: one capitalised word. What the steps below conclude for it, cheaply:
            head = toks[0]
            if head.key in _GREETING_WORDS or _is_title(head):
                return []  # a title or greeting alone
            if not _known(head, names):
                pure[0] = False
                if not _line_start(text, head):
                    return []  # a word nobody would take for a name
        elif len(toks) > 2 and all(t.text.isupper() for t in toks):
            return _caps_names(toks)
        title = ""
        greeting = False
        # leading titles, greetings and everyday words are not part of a name
        while toks:
            head = toks[0]
            if _is_title(head) and (len(toks) > 1 or not title):
                title = head.text
                toks = toks[1:]
                continue
            if head.key in _GREETING_WORDS:
                greeting = True
                toks = toks[1:]
                continue
            if len(toks) > 1 and (lexicon.is_name_word(head.text) or names.is_common(head.text)
                                  or _job_word(head)) and not (
                    lexicon.is_first_name(head.text) and _surname_like(toks[1], names)):
                toks = toks[1:]
                continue
            if (len(toks) > 1 and not title and not _given(head, names) and _given(toks[1], names)
                    and not lexicon.is_name_word(toks[1].text)):
                pure[0] = False
                if _sentence_start(text, head):
                    # a capitalised word at the start of a sentence: 'Contact Gary Pellegrino', 'Ask Hector'
                    greeting = greeting or head.key in _SPEECH_VERBS
                    toks = toks[1:]
                    continue
            break
        if not toks:
            return []
        if any(lexicon.is_org_word(t.text) for t in toks) or lexicon.is_known_org([t.text for t in toks]):
            return []  # 'Harlow County', 'Cirrus Web Services', 'Sheriff's Office', 'Fannie Mae'
        if any(_job_word(t) for t in toks) or (len(toks) == 1 and lexicon.is_demonym(toks[0].text)
                                               and toks[0].key not in names.firsts | names.lasts):
            return []  # 'Attorney Advisor', 'Chief Executive Officer', 'Dear Washingtonians'
        if len(toks) > 4:
            return []
        caps = all(t.text.isupper() and len(t.key) > 1 for t in toks)
        first, last = toks[0], toks[-1]
        if len(toks) == 1 and not (title or greeting) and not _known(first, names):
            pure[0] = False
            if not _line_start(text, first):
                return []  # the common case, cheaply: a capitalised word nobody would take for a name
        if len(toks) == 1 and not title and _never_single(first, names, caps):
            return []  # what _single would conclude whatever the words around it say
        if len(toks) >= 2 and not self._full(toks, names, caps, title, ""):
            return []  # (the words around a name change its score and reason only)
        pure[0] = False
        line_start, line_end = line_at(text, first.start)
        before = text[line_start : first.start]
        after = text[last.end : line_end]
        context = _context(text, line_start, before, after, greeting)
        if len(toks) >= 2:
            return self._full(toks, names, caps, title, context)
        tail = _tail(before)
        bare = _blank_end(tail)
        running = (bool(bare) and bare[-1] in _LOWER_END and bool(_MID_SENTENCE.search(tail))
                   and not _PLACE_AFTER.match(after)
                   and not (_ends_with(bare, _PLACE_FINALS) and _PLACE_BEFORE.search(tail)))
        return self._single(first, names, caps, title, context, running)

    @staticmethod
    def _full(toks: list[_Tok], names: CorpusNames, caps: bool, title: str, context: str) -> list[Hit]:
        first, last, middle = toks[0], toks[-1], toks[1:-1]
        first_names, surnames = lexicon.census()
        known_first = first.key in first_names or first.key in names.firsts
        known_last = last.key in surnames or last.key in names.lasts
        if not known_first or first.initial:
            if title and not caps and all(_surname_like(t, names) or t.initial for t in toks):
                return [Hit(first.start, last.end, "PERSON", 0.85, f"name after the title '{title}'", "title name")]
            return []
        if not all(t.initial or t.key in first_names or t.key in surnames or _surname_like(t, names)
                   for t in middle):
            return []
        first_is_word = lexicon.is_name_word(first.text) or names.is_common(first.text)
        last_is_word = lexicon.is_name_word(last.text) or names.is_common(last.text)
        if last.initial:
            return []
        weak_last = last_is_word and not title
        if weak_last and (first_is_word or last.key not in surnames or caps):
            return []
        if caps and not (known_last and first.key in first_names):
            return []
        if first_is_word and not (known_last or title):
            return []
        if not known_last and not _surname_like(last, names):
            return []
        if fold(first.text) in lexicon.STATE_NAMES and last.key not in surnames and not title:
            return []  # 'Florida Statutes', 'Virginia Beach'
        if last.key in _HEADER_WORDS:
            return []  # 'Thanks, Tameka From: Hughes, Traci' (a quoted header run on)

        score = 0.85 if known_last else 0.7
        if weak_last:
            score = 0.6  # 'Greg Couch': a surname that is also an everyday word
        if title or context:
            score = min(0.95, score + 0.1)
        why = "census first name + " + ("surname" if known_last else "capitalised word")
        if title:
            why += f", after the title '{title}'"
        elif context:
            why += f" ({context})"
        return [Hit(first.start, last.end, "PERSON", score, why, "census name")]

    @staticmethod
    def _single(tok: _Tok, names: CorpusNames, caps: bool, title: str, context: str, running: bool = False
                ) -> list[Hit]:
        if caps or tok.initial or len(tok.key) < 2:
            return []
        everyday = lexicon.is_name_word(tok.text) or names.is_common(tok.text)
        if title:
            if tok.key in lexicon.NOT_NAMES or lexicon.is_title(tok.text):
                return []
            return [Hit(tok.start, tok.end, "PERSON", 0.85, f"name after the title '{title}'", "title name")]
        corpus_first = tok.key in names.firsts
        corpus_last = tok.key in names.lasts and not (names.seen_lower(tok.text) and not corpus_first)
        if names.is_org(tok.text) and not lexicon.is_first_name(tok.text):
            corpus_first = corpus_last = False  # 'Enron' of 'Enron North America
        if (corpus_first or corpus_last) and not everyday:
            score = 0.85 if context else 0.8 if corpus_first else 0.7
            return [Hit(tok.start, tok.end, "PERSON", score,
                        "a " + ("given name" if corpus_first else "surname") + " of someone in this case's headers"
                        + (f" ({context})" if context else ""), "corpus name part")]
        first_names, surnames = lexicon.census()
        if tok.key in lexicon.NOT_NAMES or names.is_org(tok.text):
            return []
        if not context:
            if (running and not everyday and first_names.get(tok.key, 10**6) <= COMMON_FIRST_RANK
                    and tok.key not in lexicon.PLACE_NAMES):
                return [Hit(tok.start, tok.end, "PERSON", 0.55, "common given name in running text",
                            "census name")]
            return []
        if tok.key in first_names and not everyday:
            return [Hit(tok.start, tok.end, "PERSON", 0.8, f"census first name ({context})", "census name")]
        if (corpus_first or corpus_last) and context in ("greeting", "sign-off", "vocative"):
            return [Hit(tok.start, tok.end, "PERSON", 0.7, f"name of someone in this case ({context})",
                        "corpus name part")]
        if everyday:
            return []
        if context in ("greeting", "sign-off"):
            return [Hit(tok.start, tok.end, "PERSON", 0.6, f"capitalised word ({context})", "context name")]
        if context in ("verb of speech", "role word") and tok.key in surnames:
            return [Hit(tok.start, tok.end, "PERSON", 0.6, f"census surname ({context})", "context name")]
        return []


LONE_MAX = 200_000  # lone words remembered per detector before it starts afresh
_NEVER, _KNOWN, _AT_LINE_START = 0, 1, 2


def _names_key(names: CorpusNames) -> tuple[object, ...]:
    """What identifies a set of learned names for _lone_verdict: the object and the sizes of what it holds (names
    are only ever added) and its word sets."""
    return (id(names), len(names.full), len(names.firsts), len(names.lasts), id(names.common),
            id(names.org_tokens), id(names.lower_seen))


def _lone_verdict(tok: _Tok, names: CorpusNames) -> int:
    """What PersonNameDetector concludes of a run of one capitalised word from the word alone: _NEVER a name
    (PersonNameDetector.find's first test, then _segment's tests that read the word only), _KNOWN to the lists or
    the case (it goes on to _segment), or a name only _AT_LINE_START (the rest of _maybe_name)."""
    if tok.key in _GREETING_WORDS or _is_title(tok):
        return _NEVER
    first_names, surnames = lexicon.census()
    key = tok.key
    known = key in first_names or key in surnames or key in names.firsts or key in names.lasts
    # _segment on one word with no title or greeting before it:
    if lexicon.is_org_word(tok.text) or lexicon.is_known_org([tok.text]):
        return _NEVER
    if _job_word(tok) or (lexicon.is_demonym(tok.text) and tok.key not in names.firsts | names.lasts):
        return _NEVER
    caps = tok.text.isupper() and len(tok.key) > 1
    if _never_single(tok, names, caps):
        return _NEVER
    return _KNOWN if known else _AT_LINE_START


def _known(tok: _Tok, names: CorpusNames) -> bool:
    """A word in the census lists or among the case's given names and surnames (_maybe_name's first test)."""
    first_names, surnames = lexicon.census()
    key = tok.key
    return key in first_names or key in surnames or key in names.firsts or key in names.lasts


def _line_start(text: str, tok: _Tok) -> bool:
    """Whether only blanks and reply markers come before tok on its line (_maybe_name's last test)."""
    line_start = text.rfind("\n", 0, tok.start) + 1
    return not text[line_start : tok.start].strip(" \t>")


def _never_single(tok: _Tok, names: CorpusNames, caps: bool) -> bool:
    """Whether PersonNameDetector._single (without a title) finds nothing in a lone word whatever its context:
    an all-caps word or an initial, a word on the not-a-name list or an organisation's, or an everyday word, when
    nobody in the case's headers is called that (the branches of _single that do not read the context)."""
    if caps or tok.initial or len(tok.key) < 2:
        return True
    corpus_first = tok.key in names.firsts
    corpus_last = tok.key in names.lasts and not (names.seen_lower(tok.text) and not corpus_first)
    if names.is_org(tok.text) and not lexicon.is_first_name(tok.text):
        corpus_first = corpus_last = False
    if corpus_first or corpus_last:
        return False
    if tok.key in lexicon.NOT_NAMES or names.is_org(tok.text):
        return True
    return lexicon.is_name_word(tok.text) or names.is_common(tok.text)


_HEADER_WORDS = frozenset("from sent to cc bcc subject date".split())
_GREETING_WORDS = frozenset("hi hello hey dear thanks thank morning afternoon evening good congrats congratulations "
                            "welcome attn".split())


def _job_word(tok: _Tok) -> bool:
    """A job title or everyday noun ('Advisor', 'Officer') that is not also a census given name or surname."""
    if not lexicon.is_common_noun(tok.text):
        return False
    first_names, surnames = lexicon.census()
    return first_names.get(tok.key, 10**6) > COMMON_FIRST_RANK and surnames.get(tok.key, 10**6) > 2000


_SPEECH_VERBS = frozenset("ask call contact email tell thank cc ping text meet see".split())


def _sentence_start(text: str, tok: _Tok) -> bool:
    before = text[max(0, tok.start - 3) : tok.start].rstrip(" \t>")
    return not before or before[-1] in ".!?:\n"


def _given(tok: _Tok, names: CorpusNames) -> bool:
    return tok.key in lexicon.census()[0] or tok.key in names.firsts


def _maybe_name(tok: _Tok, names: CorpusNames, text: str) -> bool:
    """Could a lone capitalised word be a name? (known to the lists or the case, or alone at a line start)"""
    first_names, surnames = lexicon.census()
    key = tok.key
    if key in first_names or key in surnames or key in names.firsts or key in names.lasts:
        return True
    line_start = text.rfind("\n", 0, tok.start) + 1
    return not text[line_start : tok.start].strip(" \t>")


def _caps_names(toks: list[_Tok]) -> list[Hit]:
    """Names inside an all-caps line ('MEMO FROM MARY SMITH TO ALL STAFF'): census first name + surname, neither
    an everyday word."""
    first_names, surnames = lexicon.census()
    hits: list[Hit] = []
    i = 0
    while i < len(toks) - 1:
        a, b = toks[i], toks[i + 1]
        if (a.key in first_names and b.key in surnames and not lexicon.is_name_word(a.text)
                and not lexicon.is_name_word(b.text) and not a.initial and not b.initial):
            hits.append(Hit(a.start, b.end, "PERSON", 0.7, "census first name + surname in capitals", "census name"))
            i += 2
            continue
        i += 1
    return hits


def _is_title(tok: _Tok) -> bool:
    """'Ms.', 'Det', 'Deputy' -- but not 'MS' (as in 'MS Word') or 'DR'."""
    if not lexicon.is_title(tok.text):
        return False
    return not (tok.text.isupper() and len(tok.key) <= 3 and not tok.text.endswith("."))


def _surname_like(tok: _Tok, names: CorpusNames) -> bool:
    """A capitalised word that may be a surname: in the lists, or unknown and not an everyday word."""
    if tok.initial or lexicon.is_org_word(tok.text) or tok.key in lexicon.NOT_NAMES:
        return False
    if fold(tok.text) in lexicon.STATE_NAMES:
        return False
    if tok.key in names.lasts:
        return True
    if names.is_common(tok.text):
        return False
    return not lexicon.is_name_word(tok.text) or tok.key in lexicon.census()[1]


def _previous_line(text: str, line_start: int) -> str:
    """The nearest non-empty line above (without reply markers), lower case."""
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        _, bare = strip_quote(text[start:end])
        if bare.strip():
            return bare.strip().lower()
        end = start - 1
    return ""


_SPEECH_BEFORE = re.compile(r"(?:said|told|asked|per|according to|spoke (?:with|to)|talked (?:with|to)|met with|"
                            r"meeting with|call|called|ask|tell|email|emailed|thank|cc|cc'd|copy|name is|named|i'm|"
                            r"i am|this is|contact|contacted|reach|reached)[ \t]+$", re.IGNORECASE)
TAIL = 80  # characters before the last word: more than any context phrase matched at the end of a line's start


def _tail(before: str) -> str:
    """The end of the text before a name, for the patterns anchored at its end ('said ', 'Deputy '): searching a
    long line's whole start for each capitalised word made long unwrapped lines quadratic."""
    if len(before) <= TAIL:
        return before
    return before[max(0, len(before.rstrip(" \t")) - TAIL) :]


def _context(text: str, line_start: int, before: str, after: str, greeting: bool) -> str:
    """Why the words around a name make it a person's name ('' when nothing does): 'greeting' ('Hi Dana,'),
    'sign-off' (the line after 'Thanks,'), 'vocative' ('Sam, can you ...'), 'verb of speech', 'role word'."""
    _, bare = strip_quote(before)
    low = bare.strip().lower().rstrip(",:;!-– ")
    stripped_after = after.strip()
    if _PLACE_AFTER.match(after):
        return ""  # 'Houston, Texas', 'Lawrence, KS'
    if greeting or low in lexicon.GREETINGS:
        return "greeting"
    if low in lexicon.SIGNOFFS:
        return "sign-off"  # 'Best, Greg'
    if not low and (not stripped_after or stripped_after[0] in "|#(,"):
        previous = _previous_line(text, line_start).rstrip(",!. ")
        words = previous.split()
        if previous in lexicon.SIGNOFFS or (words and len(words) <= 5 and (
                words[0].rstrip(",!.") in lexicon.SIGNOFFS or " ".join(words[:2]).rstrip(",!.") in lexicon.SIGNOFFS)):
            return "sign-off"
    if stripped_after.startswith(",") and (not low or low.endswith((".", "!", "?"))):
        return "vocative"  # 'Sam, can you run it?' / 'Thanks, Hector. Curtis, the change request ...'
    tail = _tail(before)
    bare = _blank_end(tail)
    if _ends_with(bare, _SPEECH_FINALS) and _SPEECH_BEFORE.search(tail):
        return "verb of speech"
    if after[:1] in (" ", "\t") and _SPEECH_AFTER.match(after):
        return "verb of speech"
    if _ends_with(bare, _ROLE_FINALS) and _ROLE_BEFORE.search(tail):
        return "role word"
    return ""


_SPEECH_AFTER = re.compile(r"^[ \t]+(?:said|says|wrote|writes|asked|told|called|mentioned|noted|added|replied|"
                           r"explained|suggested|agreed|confirmed)\b", re.IGNORECASE)
