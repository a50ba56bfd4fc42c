"""Provides 'pii eval': precision, recall and F1 per entity type, span-exact and overlapping, of a case's
suggestions against a gold file (JSON lines), and of person names against CoNLL entity annotations.

Gold format (one JSON object per line; other keys are ignored):

    {"message_id": "<abc@host>", "alt_message_ids": ["<other-copy@host>"],
     "pii": [{"field": "body", "start": 120, "end": 132, "type": "PHONE_NUMBER", "text": "503-555-0142"}]}

- message_id / alt_message_ids: Message-ID headers (with angle brackets) of the message's copies; matched
  against the case's messages and every copy's own Message-ID (provenance).
- field: "body" (the plain-text body, as the case stores it), "subject", "from" / "to" / "cc" (the header's
  addresses written 'Display Name <addr>' or 'addr', joined with ', '), or "attachment:<file name>" (the
  attachment's extracted text).
- start / end: Python string offsets into that text, end exclusive; text == field_text[start:end].
- type: one of PERSON, EMAIL_ADDRESS, PHONE_NUMBER, STREET_ADDRESS, DATE_OF_BIRTH, US_SSN, US_DRIVER_LICENSE,
  LICENSE_PLATE, BOOKING_NUMBER, CASE_NUMBER, BADGE_NUMBER, IP_ADDRESS.

Scoring: a suggestion is a true positive when a gold span of the same message, field and type has the same
offsets (exact) or overlaps it (overlap). Precision counts suggestions matched, recall gold spans matched;
'overall' sums the counts of all types. A field whose case text holds the gold text after a prefix (a calendar
invite's summary before its source) is scored on that part only. Fields whose gold spans do not line up with
the case's text are left out of both sides and reported; suggestions of types the gold format does not know
are not scored, nor are suggestions in attachments the gold file gives no spans for (it lists only attachments
with PII)."""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from discovery.errors import UsageError
from discovery.pii.fields import render_address
from discovery.pii.types import GOLD_TYPES
from discovery.store import Store

Span = tuple[str, str, int, int, str]  # (document, field, start, end, type)
logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Counts:
    gold: int = 0
    predicted: int = 0
    gold_found: int = 0  # gold spans matched by a prediction
    predicted_right: int = 0  # predictions matching a gold span

    @property
    def precision(self) -> float:
        return self.predicted_right / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.gold_found / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, object]:
        return {"gold": self.gold, "predicted": self.predicted, "tp_gold": self.gold_found,
                "tp_predicted": self.predicted_right, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass(slots=True)
class Scores:
    """Counts per type and overall, for one matching rule."""

    by_type: dict[str, Counts] = field(default_factory=dict)

    @property
    def overall(self) -> Counts:
        total = Counts()
        for c in self.by_type.values():
            total.gold += c.gold
            total.predicted += c.predicted
            total.gold_found += c.gold_found
            total.predicted_right += c.predicted_right
        return total

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {t: c.to_dict() for t, c in sorted(self.by_type.items(), key=_type_order)}
        data["overall"] = self.overall.to_dict()
        return data


def _type_order(item: tuple[str, Counts]) -> int:
    return GOLD_TYPES.index(item[0]) if item[0] in GOLD_TYPES else len(GOLD_TYPES)


def score(gold: Iterable[Span], predicted: Iterable[Span]) -> tuple[Scores, Scores]:
    """(exact, overlap) scores of predicted spans against gold spans."""
    gold_list = list(dict.fromkeys(gold))
    pred_list = list(dict.fromkeys(predicted))
    gold_at: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    pred_at: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    for doc, fld, s, e, t in gold_list:
        gold_at[(doc, fld, t)].append((s, e))
    for doc, fld, s, e, t in pred_list:
        pred_at[(doc, fld, t)].append((s, e))
    exact, overlap = Scores(), Scores()
    for scores in (exact, overlap):
        for t in {s[4] for s in gold_list} | {s[4] for s in pred_list}:
            scores.by_type[t] = Counts()
    for doc, fld, s, e, t in gold_list:
        others = pred_at.get((doc, fld, t), [])
        for scores, hit in ((exact, (s, e) in others), (overlap, any(ps < e and s < pe for ps, pe in others))):
            c = scores.by_type[t]
            c.gold += 1
            c.gold_found += int(hit)
    for doc, fld, s, e, t in pred_list:
        others = gold_at.get((doc, fld, t), [])
        for scores, hit in ((exact, (s, e) in others), (overlap, any(gs < e and s < ge for gs, ge in others))):
            c = scores.by_type[t]
            c.predicted += 1
            c.predicted_right += int(hit)
    return exact, overlap


# -- gold files ------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class GoldMessage:
    message_id: str
    alt_ids: list[str]
    spans: list[tuple[str, int, int, str, str]]  # (field, start, end, type, text)
    line: int


def load_gold(path: Path) -> list[GoldMessage]:
    """Read a gold JSON-lines file; a malformed line is an error naming its number."""
    out: list[GoldMessage] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the gold file {path}: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            spans = [(str(s["field"]), int(s["start"]), int(s["end"]), str(s["type"]), str(s.get("text", "")))
                     for s in obj.get("pii", [])]
            out.append(GoldMessage(str(obj["message_id"]), [str(x) for x in obj.get("alt_message_ids", [])],
                                   spans, n))
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"{path}:{n}: not a gold line ({type(exc).__name__}: {exc})",
                             hint="Each line is one JSON object with message_id and pii: [{field, start, end, type, "
                             "text}]; see 'discovery pii eval --help'.") from exc
    return out


@dataclass(slots=True)
class CaseEval:
    """The result of evaluating a case against a gold file."""

    gold_file: str
    messages: int
    matched: int
    missing: list[str]
    ambiguous: int
    unaligned_fields: list[dict[str, object]]
    unaligned_spans: int
    exact: Scores
    overlap: Scores
    unscored_predictions: dict[str, int]

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["exact"] = self.exact.to_dict()
        data["overlap"] = self.overlap.to_dict()
        return data


def _message_map(store: Store) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = defaultdict(list)
    for mid, key in store.rows("SELECT message_id, id FROM messages WHERE message_id != '' ORDER BY id"):
        ids[mid].append(key)
    for mid, key in store.rows("SELECT DISTINCT message_id_header, message_id FROM provenance "
                               "WHERE message_id_header != '' ORDER BY message_id"):
        if key not in ids[mid]:
            ids[mid].append(key)
    return ids


def _case_fields(store: Store, key: str) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    """The gold-named field texts of a message, and how to map its stored field keys onto them:
    stored key -> (gold field, offset)."""
    row = store.rows("SELECT subject, body_text FROM messages WHERE id=?", (key,))[0]
    texts = {"subject": row[0] or "", "body": row[1] or ""}
    mapping: dict[str, tuple[str, int]] = {"subject": ("subject", 0), "body": ("body", 0)}
    parts: dict[str, list[str]] = defaultdict(list)
    for r in store.rows("SELECT role, position, name, email FROM addresses WHERE message_id=? AND role IN "
                        "('from', 'to', 'cc') ORDER BY role, position", (key,)):
        role = r[0]
        rendered = render_address(r[2], r[3])
        offset = sum(len(p) + 2 for p in parts[role])
        parts[role].append(rendered)
        mapping[f"address:{role}:{r[1]}"] = (role, offset)
    for role, items in parts.items():
        texts[role] = ", ".join(items)
    for r in store.rows("SELECT position, filename, text FROM attachments WHERE message_id=? ORDER BY position",
                        (key,)):
        name = f"attachment:{r[1]}"
        if name not in texts:
            texts[name] = r[2] or ""
            mapping[f"attachment:{r[0]}"] = (name, 0)
    return texts, mapping


def _realign(text: str | None, spans: Sequence[tuple[str, int, int, str, str]]) -> int | None:
    """Where the case's text of a field holds the gold text further on (an attachment's extracted text that
    starts with a summary, e.g. a calendar invite's, followed by its source): the one shift that lines every
    gold span up, or None."""
    if not text or not spans:
        return None
    _, s0, _, _, t0 = spans[0]
    found: set[int] = set()
    at = text.find(t0)
    while at != -1 and len(found) < 2:
        shift = at - s0
        if shift > 0 and all(text[s + shift:e + shift] == t for _, s, e, _, t in spans):
            found.add(shift)
        at = text.find(t0, at + 1)
    return found.pop() if len(found) == 1 else None


def _best_copy(store: Store, keys: Sequence[str], g: GoldMessage
               ) -> tuple[str, dict[str, str], dict[str, tuple[str, int]], set[str]]:
    """Of the case messages carrying a gold Message-ID (a copy may also be stored forwarded inside another
    message), the one whose texts line up with most gold spans."""
    best: tuple[int, str, dict[str, str], dict[str, tuple[str, int]], set[str]] | None = None
    for key in keys:
        texts, mapping = _case_fields(store, key)
        bad = {fld for fld, s, e, _, text in g.spans if texts.get(fld) is None or texts[fld][s:e] != text}
        for fld in sorted(bad):
            shift = _realign(texts.get(fld), [sp for sp in g.spans if sp[0] == fld])
            if shift is not None:
                bad.discard(fld)
                texts[fld] = texts[fld][shift:]
                for stored, (target, offset) in list(mapping.items()):
                    if target == fld:
                        mapping[stored] = (target, offset - shift)
        aligned = sum(1 for sp in g.spans if sp[0] not in bad)
        if best is None or aligned > best[0]:
            best = (aligned, key, texts, mapping, bad)
    assert best is not None
    return best[1], best[2], best[3], best[4]


def evaluate_case(store: Store, gold_path: Path, *, include_rejected: bool = True) -> CaseEval:
    """Score the case's current suggestions against a gold file (see the module docstring)."""
    golds = load_gold(gold_path)
    by_mid = _message_map(store)
    gold_spans: list[Span] = []
    pred_spans: list[Span] = []
    missing: list[str] = []
    unaligned: list[dict[str, object]] = []
    unaligned_spans = 0
    ambiguous = 0
    unscored: dict[str, int] = defaultdict(int)
    matched = 0
    for g in golds:
        keys: list[str] = []
        for mid in [g.message_id, *g.alt_ids]:
            keys.extend(k for k in by_mid.get(mid, []) if k not in keys)
        if not keys:
            missing.append(g.message_id)
            continue
        matched += 1
        ambiguous += int(len(keys) > 1)
        key, texts, mapping, bad_fields = _best_copy(store, keys, g)
        for fld in sorted(bad_fields):
            n = sum(1 for sp in g.spans if sp[0] == fld)
            unaligned_spans += n
            unaligned.append({"message_id": g.message_id, "case_id": key, "field": fld, "gold_spans": n})
        for fld, s, e, t, _ in g.spans:
            if fld not in bad_fields:
                gold_spans.append((g.message_id, fld, s, e, t))
        golded = {sp[0] for sp in g.spans}
        status = "" if include_rejected else " AND status != 'rejected'"
        for r in store.rows(f"SELECT field, start, end, entity_type FROM pii_suggestions WHERE message_id=? "
                            f"AND current=1{status}", (key,)):
            target = mapping.get(r[0])
            if target is None:
                continue
            fld, offset = target
            if r[3] not in GOLD_TYPES:
                unscored[r[3]] += 1
                continue
            if fld in bad_fields:
                continue
            if fld.startswith("attachment:") and fld not in golded:
                unscored["(attachment without gold spans)"] += 1
                continue
            if r[1] + offset < 0:  # before the part of a realigned field that the gold file covers
                unscored["(outside the gold text of its field)"] += 1
                continue
            pred_spans.append((g.message_id, fld, r[1] + offset, r[2] + offset, r[3]))
    exact, overlap = score(gold_spans, pred_spans)
    return CaseEval(str(gold_path), len(golds), matched, missing, ambiguous, unaligned, unaligned_spans, exact,
                    overlap, dict(unscored))


def error_samples(store: Store, gold_path: Path, entity_type: str, limit: int = 30) -> dict[str, list[str]]:
    """Missed gold spans and wrong suggestions of one type, with context: for tuning recognizers by reading."""
    golds = load_gold(gold_path)
    by_mid = _message_map(store)
    misses: list[str] = []
    wrong: list[str] = []
    for g in golds:
        keys = [k for mid in [g.message_id, *g.alt_ids] for k in by_mid.get(mid, [])]
        if not keys:
            continue
        key, texts, mapping, _ = _best_copy(store, keys, g)
        gold = {(f, s, e) for f, s, e, t, _ in g.spans if t == entity_type}
        preds = set()
        for r in store.rows("SELECT field, start, end FROM pii_suggestions WHERE message_id=? AND current=1 AND "
                            "entity_type=?", (key, entity_type)):
            if r[0] in mapping:
                fld, off = mapping[r[0]]
                preds.add((fld, r[1] + off, r[2] + off))
        for fld, s, e in sorted(gold):
            if not any(pf == fld and ps < e and s < pe for pf, ps, pe in preds):
                t = texts.get(fld, "")
                misses.append(f"{fld}: ...{t[max(0, s - 40):s]}[[{t[s:e]}]]{t[e:e + 25]}...".replace("\n", "⏎"))
        for fld, s, e in sorted(preds):
            if not any(gf == fld and gs < e and s < ge for gf, gs, ge in gold):
                t = texts.get(fld, "")
                wrong.append(f"{fld}: ...{t[max(0, s - 40):s]}[[{t[s:e]}]]{t[e:e + 25]}...".replace("\n", "⏎"))
    return {"missed": misses[:limit], "wrong": wrong[:limit]}


# -- CoNLL person-name annotations (Enron) ----------------------------------------------------------------
_PRONOUNS = frozenset("i me my mine myself you your yours yourself we us our ours he him his she her hers they "
                      "them their it its team everyone all guys folks a an the".split())
_NO_SPACE_BEFORE = {",", ".", ":", ";", "!", "?", ")", "]", "'s", "n't", "%", "'re", "'ll", "'ve", "'m", "'d"}
_NO_SPACE_AFTER = {"(", "[", "$", "#"}
_MENTION = re.compile(r"^(\()?([A-Z])(\d+)\*?(\))?$")


@dataclass(slots=True)
class ConllDoc:
    name: str
    text: str
    persons: list[tuple[int, int]]  # named person mentions (character offsets)


def read_conll(path: Path, untyped: bool = False) -> list[ConllDoc]:
    """Documents of an entity-annotated CoNLL file (token, speaker, entity, coreference columns; P = person).
    Only named mentions count: pronouns, nominals ('the buyer') and email addresses are left out. A file whose
    mentions have no type (e.g. the COLING dev sets, columns split by two tabs) gives no documents, unless
    untyped: then every named mention of such a file is gold (people, but organisations too)."""
    docs: list[ConllDoc] = []
    name = path.stem
    tokens: list[tuple[str, list[str]]] = []
    newline_before: list[bool] = []
    pending_newline = False
    typed = False  # files whose mentions carry no type (the COLING dev sets) cannot be scored for PERSON

    def flush() -> None:
        if tokens:
            docs.append(_build_doc(name, tokens, newline_before))
        tokens.clear()
        newline_before.clear()

    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("#begin document"):
            flush()
            name = line.split("(", 1)[-1].rstrip(")").strip() or line.split()[-1]
            pending_newline = False
            continue
        if line.startswith("#end document"):
            flush()
            continue
        if not line.strip():
            pending_newline = True
            continue
        if "\t\t" in line:  # the COLING layout: token, speaker, turn, name, type (always '-'), mention, cluster
            parts = line.split("\t\t")
            if len(parts) < 6 or not untyped:
                continue
            cols = [parts[0], parts[3], _untyped_mark(parts[5])]
        else:
            cols = line.split("\t")
        if len(cols) < 3:
            continue
        marks = [c.strip() for c in cols[2].split("|")]
        typed = typed or any(m[:2] in ("(P", "(O", "(L", "(D", "(U") for m in marks)
        tokens.append((cols[0], marks))
        newline_before.append(pending_newline)
        pending_newline = False
    flush()
    return docs if typed else []


_UNTYPED = re.compile(r"^(\()?(\d+)(\))?$")


def _untyped_mark(mark: str) -> str:
    """'(0' -> '(U0', '0)' -> 'U0)', '(0)' -> '(U0)': an untyped mention mark in the typed marks' form."""
    out = []
    for part in mark.strip().split("|"):
        m = _UNTYPED.match(part.strip())
        out.append(f"{m.group(1) or ''}U{m.group(2)}{m.group(3) or ''}" if m else part)
    return "|".join(out)


def _build_doc(name: str, tokens: Sequence[tuple[str, list[str]]], newline_before: Sequence[bool]) -> ConllDoc:
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    prev = prev2 = ""
    for i, (tok, _) in enumerate(tokens):
        if i == 0:
            sep = ""
        elif newline_before[i]:
            sep = "\n"
        elif (tok in _NO_SPACE_BEFORE or prev in _NO_SPACE_AFTER or (prev == "-" and prev2 == "X")
              or (tok == "-" and prev == "X") or (prev == "." and "@" in tok)):
            sep = ""
        else:
            sep = " "
        prev2 = prev
        parts.append(sep)
        pos += len(sep)
        starts.append(pos)
        parts.append(tok)
        pos += len(tok)
        prev = tok
    text = "".join(parts)
    open_at: dict[tuple[str, str], list[int]] = defaultdict(list)
    persons: list[tuple[int, int]] = []
    for i, (_, marks) in enumerate(tokens):
        for mark in marks:
            m = _MENTION.match(mark)
            if not m:
                continue
            key = (m.group(2), m.group(3))
            if m.group(1) and m.group(4):
                spans = [(i, i)]
            elif m.group(1):
                open_at[key].append(i)
                continue
            elif open_at[key]:
                spans = [(open_at[key].pop(), i)]
            else:
                continue
            if key[0] not in ("P", "U"):  # a person, or any mention of a file without types
                continue
            for a, b in spans:
                s, e = starts[a], starts[b] + len(tokens[b][0])
                if _named(text[s:e]):
                    persons.append((s, e))
    return ConllDoc(name, text, sorted(set(persons)))


def _named(mention: str) -> bool:
    words = mention.split()
    if not words or "@" in mention or len(words) > 6:
        return False
    if words[0].lower() in _PRONOUNS:
        return False
    return any(w[:1].isupper() for w in words) and not all(w.lower() in _PRONOUNS for w in words)


_HEADER_NAME_LINE = re.compile(r"^(?:X-)?(?:From|To|Cc|cc|CC|Bcc|bcc)\s*:\s*(.+)$", re.MULTILINE)


def evaluate_conll(paths: Sequence[Path], engine: object, policy_filter: object, untyped: bool = False
                   ) -> tuple[Scores, Scores, int]:
    """PERSON scores on CoNLL documents; the engine learns each document's names from its own header lines
    (From/To/Cc/X-From/X-To), as a case learns from its headers. untyped: files without entity types are scored
    too, every named mention against the PERSON suggestions (organisation mentions lower the recall). Returns
    (exact, overlap, documents)."""
    from discovery.pii.names import learn_names, names_from_header_value
    from discovery.pii.types import FieldText

    gold: list[Span] = []
    pred: list[Span] = []
    n_docs = 0
    for path in paths:
        docs = read_conll(path, untyped)
        if not docs:
            logger.warning("%s has no typed person mentions; left out", path)
        for doc in docs:
            n_docs += 1
            pairs = [pair for m in _HEADER_NAME_LINE.finditer(doc.text) for pair in names_from_header_value(m.group(1))]
            engine.names = learn_names(pairs, [doc.text])  # type: ignore[attr-defined]
            findings = engine.analyze_text(doc.text)  # type: ignore[attr-defined]
            kept, _ = policy_filter.apply(findings, [FieldText("body", "body", doc.text)])  # type: ignore[attr-defined]
            gold.extend((doc.name, "body", s, e, "PERSON") for s, e in doc.persons)
            pred.extend((doc.name, "body", f.start, f.end, "PERSON") for f in kept if f.entity_type == "PERSON")
    exact, overlap = score(gold, pred)
    return exact, overlap, n_docs
