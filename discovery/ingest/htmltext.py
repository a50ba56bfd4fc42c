"""Provides html_to_text: readable plain text from the HTML body of an email, in linear time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import unquote

# The stdlib html.parser is not used: on Python 3.11 it is quadratic on inputs such as "<a" * 50_000 and
# raises AssertionError on "<![<![". This small tokenizer follows the HTML5 rules that matter for text
# (raw-text elements, comments, bogus comments, attribute quoting) and never backtracks or re-scans.

__all__ = ["html_to_text"]

_START_OR_END_TAG = re.compile(
    r"""<(/?)([a-zA-Z][^\t\n\f\r />]*+)((?:[^>"'=]++|=\s*+(?:"[^"]*+"|'[^']*+'|)|["'])*+)>"""
)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]++)(?:\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s>]*+)))?""")
_COMMENT_END = re.compile(r"--!?>")
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad]|(?<!\w)[\u200c\u034f]+|[\u200c\u034f]+(?!\w)")
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127], None)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?://)?")

# Elements whose content is raw text up to the matching end tag; DROPPED ones produce no output.
_RAW_TEXT = frozenset({"script", "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes"})
_DROPPED_RAW = frozenset({"script", "style", "title", "iframe", "noembed", "noframes"})
# Ordinary elements whose whole content is hidden (Word's <xml> settings blocks, templates).
_HIDDEN = frozenset({"xml", "template"})
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "dl", "xmp"})
_LINE = frozenset(
    {
        "div", "tr", "li", "dt", "dd", "table", "section", "article", "header", "footer", "nav", "aside",
        "main", "center", "caption", "figure", "figcaption", "details", "summary", "address", "form",
        "fieldset", "legend", "option", "body", "html", "textarea", "thead", "tbody", "tfoot", "ul", "ol",
    }
)  # fmt: skip
_ATTRIBUTES_WANTED = frozenset({"a", "img", "p", "ol"})
_MAX_NEWLINES = 3  # at most two blank lines in a row
_MAX_DEPTH = 8  # deeper lists and quotes are indented no further (keeps output linear in the input)


@dataclass(slots=True)
class _Link:
    href: str
    label: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Table:
    filled_cells: int = 0  # cells of the current row that produced text
    cell_has_text: bool = False
    separator_due: bool = False
    any_text: bool = False


@dataclass(slots=True)
class _List:
    ordered: bool
    counter: int = 0


class _TextWriter:
    """Turns a stream of text and tag events into lines, the way a mail client would lay them out."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.cur_quote = 0  # blockquote depth of the line being written
        self.last_quote = 0  # blockquote depth of the last finished line
        self.newlines = 0  # line breaks owed before the next visible text
        self.space = False  # a space is owed before the next word on this line
        self.quote = 0
        self.pre = 0
        self.pre_fresh = False
        self.hidden = 0
        self.links: list[_Link] = []
        self.tables: list[_Table] = []
        self.lists: list[_List] = []
        self.mso_paragraph = False
        self.paragraph_mark = 0
        self.emitted = 0  # count of visible pieces so far

    # -- low-level output -------------------------------------------------------------------------------

    def _end_line(self) -> None:
        self.lines.append(("> " * min(self.cur_quote, _MAX_DEPTH) + "".join(self.cur)).rstrip())
        self.last_quote = self.cur_quote
        self.cur = []

    def _begin(self) -> None:
        """Settles owed line breaks and cell separators before visible text is appended."""
        if self.newlines and self.cur:
            self._end_line()
            blank = "> " * min(self.last_quote, self.quote, _MAX_DEPTH)
            for _ in range(min(self.newlines, _MAX_NEWLINES) - 1):
                self.lines.append(blank.rstrip())
        self.newlines = 0
        if not self.cur:
            self.cur_quote = self.quote
            self.space = False
        if self.tables:
            table = self.tables[-1]
            if table.separator_due and self.cur:
                self.cur.append(" | ")
                self.space = False
            table.separator_due = False
            table.cell_has_text = table.any_text = True

    def _append(self, piece: str) -> None:
        self.cur.append(piece)
        self.emitted += 1
        if self.links:
            self.links[-1].label.append(piece)

    def words(self, text: str) -> None:
        """Appends text that contains no whitespace-sensitive layout (spaces were collapsed already)."""
        self._begin()
        if self.space and self.cur and not self.cur[-1].endswith(" "):
            self._append(" ")
        self._append(text)
        self.space = False

    def block(self, newlines: int) -> None:
        if self.cur:
            self.newlines = max(self.newlines, newlines)
        self.space = False

    # -- events -----------------------------------------------------------------------------------------

    def text(self, data: str) -> None:
        if self.hidden or not data:
            return
        if "&" in data:
            data = unescape(data)
        if not data.isascii():
            data = _INVISIBLE.sub("", data)
        if self.pre:
            self._pre_text(data)
            return
        words = data.split()
        if not words:
            if data:
                self.space = True
            return
        if data[0].isspace():
            self.space = True
        self.words(" ".join(words))
        self.space = data[-1].isspace()

    def _pre_text(self, data: str) -> None:
        if self.pre_fresh and data.startswith("\n"):
            data = data[1:]
        self.pre_fresh = False
        data = data.replace("\xa0", " ")
        for i, part in enumerate(data.split("\n")):
            if i and self.cur:
                self.newlines += 1
            if part:
                self._begin()
                self._append(part)
        self.space = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.hidden:
            self.hidden += name in _HIDDEN
            return
        if name in _HIDDEN:
            self.hidden = 1
        elif name == "br":
            if self.cur:
                self.newlines += 1
            self.space = False
        elif name == "a":
            self._close_link()
            self.links.append(_Link(attrs.get("href", "").strip()))
        elif name == "img":
            alt = " ".join(attrs.get("alt", "").split())
            if alt:
                self.space = True
                self.words(f"[{alt}]")
                self.space = True
        elif name in ("td", "th"):
            self._end_cell()
            if self.tables:
                table = self.tables[-1]
                table.separator_due = table.filled_cells > 0
            self.space = True
        elif name == "tr":
            self.block(1)
            if self.tables:
                self.tables[-1].filled_cells = 0
                self.tables[-1].cell_has_text = False
        elif name == "table":
            self.block(1)
            self.tables.append(_Table())
        elif name in ("ul", "ol"):
            self.block(1 if self.lists else 2)
            counter = attrs.get("start", "").strip()
            self.lists.append(_List(name == "ol", int(counter) - 1 if counter.isdigit() else 0))
        elif name == "li":
            self.block(1)
            lst = self.lists[-1] if self.lists else None
            marker = "- "
            if lst is not None and lst.ordered:
                lst.counter += 1
                marker = f"{lst.counter}. "
            self._begin()
            self._append("  " * min(max(len(self.lists) - 1, 0), _MAX_DEPTH) + marker)
        elif name == "p":
            self.mso_paragraph = attrs.get("class", "").lower().startswith("mso")
            self.block(1 if self.mso_paragraph else 2)
            self.paragraph_mark = self.emitted
        elif name == "blockquote":
            self.block(2)
            self.quote += 1
        elif name == "pre":
            self.block(2)
            self.pre += 1
            self.pre_fresh = True
        elif name in _PARAGRAPH:
            self.block(2)
        elif name in _LINE:
            self.block(1)

    def end(self, name: str) -> None:
        if self.hidden:
            self.hidden -= name in _HIDDEN
            return
        if name == "a":
            self._close_link()
        elif name in ("td", "th"):
            self._end_cell()
            self.space = True
        elif name == "table":
            self._end_cell()
            if self.tables:
                inner = self.tables.pop()
                if inner.any_text and self.tables:
                    self.tables[-1].cell_has_text = self.tables[-1].any_text = True
            self.block(1)
        elif name in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.block(1 if self.lists else 2)
        elif name == "p":
            if self.mso_paragraph:
                # Outlook writes each line as a margin-less paragraph; an empty one is a blank line.
                if self.emitted == self.paragraph_mark and self.cur:
                    self.newlines += 1
                self.block(1)
            else:
                self.block(2)
            self.mso_paragraph = False
        elif name == "blockquote":
            self.block(2)
            self.quote = max(self.quote - 1, 0)
        elif name == "pre":
            self.block(2)
            self.pre = max(self.pre - 1, 0)
        elif name == "br":  # "</br>" is read as <br> by browsers
            self.start("br", {})
        elif name in _PARAGRAPH:
            self.block(2)
        elif name in _LINE:
            self.block(1)

    def _end_cell(self) -> None:
        if self.tables and self.tables[-1].cell_has_text:
            self.tables[-1].filled_cells += 1
            self.tables[-1].cell_has_text = False

    def _close_link(self) -> None:
        if not self.links:
            return
        link = self.links.pop()
        label = " ".join("".join(link.label).split())
        href = link.href
        lowered = href.lower()
        if not href or lowered.startswith(("#", "javascript:", "vbscript:", "data:")):
            return
        if lowered.startswith("mailto:"):
            href = unquote(href[7:]).split("?", 1)[0].strip()
            if not href or label.lower() in (href.lower(), lowered):
                return
        elif _same_target(label, href):
            return
        self.space = True
        self.words(f"<{href}>" if label else href)

    def finish(self) -> str:
        while self.links:
            self._close_link()
        if self.cur:
            self._end_line()
        out: list[str] = []
        blank_run = 0
        for line in self.lines:
            blank_run = blank_run + 1 if not line.strip("> ") else 0
            if blank_run <= 2:
                out.append(line)
        return "\n".join(out).strip("\n")


def _same_target(label: str, href: str) -> bool:
    def norm(s: str) -> str:
        s = _SCHEME.sub("", s.strip().lower())
        return s.removeprefix("www.").rstrip("/")

    return norm(label) == norm(href)


def _attributes(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for m in _ATTRIBUTE.finditer(raw):
        name = m.group(1).lower()
        if name not in attrs:
            value = next((v for v in m.group(2, 3, 4) if v is not None), "")
            attrs[name] = unescape(value)
    return attrs


def html_to_text(html: str) -> str:
    """Returns the readable text of an HTML document: blocks on their own lines, links as "label <url>".

    Scripts, styles, titles and comments are dropped; list items get "- " (or "1. "), table cells are
    separated by " | ", images with alt text become "[alt]", quoted blocks get "> ". Never raises, and
    runs in time linear in the input, however broken it is.
    """
    s = html.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)
    w = _TextWriter()
    n = len(s)
    pos = 0
    text_from = 0  # start of the text not yet handed to the writer (a literal "<" stays part of it)
    while pos < n:
        lt = s.find("<", pos)
        if lt < 0:
            break
        nxt = s[lt + 1 : lt + 2]
        if nxt.isascii() and (nxt.isalpha() or (nxt == "/" and s[lt + 2 : lt + 3].isalpha())):
            m = _START_OR_END_TAG.match(s, lt)
            if m is None:  # the tag runs to the end of the input: browsers show nothing of it
                n = lt
                break
            if lt > text_from:
                w.text(s[text_from:lt])
            pos = text_from = m.end()
            closing, name, raw_attrs = m.groups()
            name = name.lower()
            if closing:
                w.end(name)
                continue
            w.start(name, _attributes(raw_attrs) if name in _ATTRIBUTES_WANTED else {})
            if name in _RAW_TEXT:
                end = re.compile(rf"</{re.escape(name)}(?=[\s/>])", re.IGNORECASE).search(s, pos)
                stop = end.start() if end else n
                if name not in _DROPPED_RAW:
                    w.text(s[pos:stop])
                pos = text_from = stop
            continue
        if nxt not in ("!", "?", "/"):
            pos = lt + 1  # a literal "<"
            continue
        if lt > text_from:
            w.text(s[text_from:lt])
        if s.startswith("<!--", lt):
            if s.startswith((">", "->"), lt + 4):  # "<!-->" and "<!--->" are empty comments
                pos = s.index(">", lt + 4) + 1
            else:
                end = _COMMENT_END.search(s, lt + 4)
                pos = end.end() if end else n
        else:  # doctype, <![if ...]>, <?xml ...>, "</ x>": skipped up to ">"
            gt = s.find(">", lt + 2)
            pos = gt + 1 if gt >= 0 else n
        text_from = pos
    if n > text_from:
        w.text(s[text_from:n])
    return w.finish()
