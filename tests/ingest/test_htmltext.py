"""Tests for discovery.ingest.htmltext: Outlook and newsletter HTML, broken markup, huge inputs."""

from __future__ import annotations

import random

import pytest

from discovery.ingest.htmltext import html_to_text

OUTLOOK = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv=Content-Type content="text/html; charset=utf-8"><title>Quarterly numbers</title>
<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/></o:OfficeDocumentSettings></xml><![endif]-->
<style><!-- p.MsoNormal {margin:0cm; font-family:"Calibri"} --></style>
<!--[if gte mso 9]><xml><o:shapedefaults v:ext="edit" spidmax="1026" /></xml><![endif]-->
</head><body lang=EN-US link="#0563C1"><div class=WordSection1>
<p class=MsoNormal>Hi John,<o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal>Please see&nbsp;&nbsp; the attached   report.<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]>
<span style='font-family:Symbol'>&middot;<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;
</span></span><![endif]>First point<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast><![if !supportLists]><span>2.<span>&nbsp;&nbsp; </span></span><![endif]>
Second point<o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoNormal>Thanks,<o:p></o:p></p>
<p class=MsoNormal>Jane<o:p></o:p></p>
<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>
<p class=MsoNormal><b>From:</b> Bob Smith &lt;bob@example.com&gt; <br>
<b>Sent:</b> Monday, 3 June 2024<o:p></o:p></p>
</div></div></body></html>"""


def test_outlook_message() -> None:
    assert html_to_text(OUTLOOK) == (
        "Hi John,\n"
        "\n"
        "Please see the attached report.\n"
        "· First point\n"
        "2. Second point\n"
        "\n"
        "Thanks,\n"
        "Jane\n"
        "From: Bob Smith <bob@example.com>\n"
        "Sent: Monday, 3 June 2024"
    )


NEWSLETTER = """<!DOCTYPE html><html><head><style>td {padding: 0}</style>
<script type="text/javascript">var tracking = "<p>not text</p>";</script></head><body>
<div style="display:none">Preview &zwnj;&nbsp;&zwnj;&nbsp;&#847;&zwnj;&nbsp;</div>
<table width="600" role="presentation"><tr><td><img src="logo.png" alt="ACME Weekly"></td>
<td><img src="spacer.gif" alt=""></td></tr>
<tr><td colspan=2><h1>This&nbsp;week</h1>
<p>Read <a href="https://acme.example/story?id=1&amp;src=mail">the full story</a>
or visit <a href="https://www.acme.example/">acme.example</a>.</p>
<p>Write to <a href="mailto:editor@acme.example">editor@acme.example</a> or
<a href="mailto:desk@acme.example?subject=Tip">the desk</a>.
<a href="javascript:void(0)">Print</a> <a href="#top">Top</a></p>
<p><a href="https://acme.example/x"><img src="btn.png" alt="Subscribe"></a></p>
</td></tr>
<tr><td colspan=2><table><tr><th>Fund</th><th>Change</th><th>&nbsp;</th></tr>
<tr><td>Alpha</td><td>+1.5%</td><td></td></tr><tr><td>Beta</td><td>-0.3%</td></tr></table></td></tr>
</table><p style="font-size:9px">You are receiving this &copy; 2024 &mdash; <a href="https://acme.example/u">Unsubscribe</a></p>
</body></html>"""


def test_newsletter_links_and_tables() -> None:
    text = html_to_text(NEWSLETTER)
    assert "var tracking" not in text and "not text" not in text and "padding" not in text
    assert text.startswith("Preview\n[ACME Weekly]\n\nThis week\n\n")
    assert "Read the full story <https://acme.example/story?id=1&src=mail> or visit acme.example." in text
    assert "Write to editor@acme.example or the desk <desk@acme.example>." in text
    assert "javascript" not in text and "#top" not in text and "Print Top" in text
    assert "[Subscribe] <https://acme.example/x>" in text
    assert "Fund | Change\nAlpha | +1.5%\nBeta | -0.3%" in text
    assert text.endswith("You are receiving this © 2024 — Unsubscribe <https://acme.example/u>")
    assert "\u200c" not in text and "\u034f" not in text and "  " not in text


def test_link_whose_label_is_the_url_is_written_once() -> None:
    assert html_to_text('<a href="https://x.example/a">https://x.example/a</a>') == "https://x.example/a"
    assert html_to_text('<a href="http://x.example/">x.example</a>') == "x.example"
    assert html_to_text('<a href="https://x.example/t"></a>') == "https://x.example/t"
    assert html_to_text('<a href="mailto:">nobody</a>') == "nobody"


def test_entities() -> None:
    html = "<p>caf&eacute; &amp;&amp; &lt;tag&gt; &nbsp;&nbsp;x&nbsp;y &#233;&#x263A; &amp AT&T &bogus;"
    html += " &#99999999; &</p>"
    assert html_to_text(html) == "café && <tag> x y é☺ & AT&T &bogus; \ufffd &"


def test_nested_lists() -> None:
    html = """<ul><li>One</li><li>Two<ul><li>Two a</li><li>Two b<ol><li>deep</li></ol></li></ul></li>
    <li>Three</ul><p>After</p><ol start="3"><li>third<li>fourth</ol>"""
    assert html_to_text(html) == (
        "- One\n- Two\n  - Two a\n  - Two b\n    1. deep\n- Three\n\nAfter\n\n3. third\n4. fourth"
    )


def test_blockquote_and_pre() -> None:
    html = """<div>On Monday Bob wrote:</div><blockquote>Are you <b>sure</b>?<br>Really?<p>New para</p>
    <blockquote>Older</blockquote></blockquote><div>Yes.</div><pre>
  def f():
      return   1
</pre>tail"""
    assert html_to_text(html) == (
        "On Monday Bob wrote:\n\n> Are you sure?\n> Really?\n>\n> New para\n>\n> > Older\n\nYes.\n\n"
        "  def f():\n      return   1\n\ntail"
    )


def test_breaks_and_blank_line_limit() -> None:
    assert html_to_text("a<br>b<br><br>c") == "a\nb\n\nc"
    assert html_to_text("a" + "<br>" * 20 + "b") == "a\n\n\nb"
    assert html_to_text("<div>a<br></div><div>b</div>") == "a\nb"
    assert html_to_text("<p>a</p>" + "<p>&nbsp;</p>" * 10 + "<p>b</p>") == "a\n\nb"
    assert html_to_text("<pre>x\n\n\n\n\n\ny</pre>") == "x\n\n\ny"
    assert html_to_text("  lots   of\n\n spaces \t here  <br>  next  ") == "lots of spaces here\nnext"


def test_comments_and_declarations_are_dropped() -> None:
    html = "<!DOCTYPE html><?xml version='1.0'?>a<!-- hidden -->b<!---->c<!-->d<![CDATA[x]]>e</ >f"
    assert html_to_text(html) == "abcdef"
    conditional = "<!--[if !mso]><!-->shown<!--<![endif]--><!--[if mso]>outlook only<![endif]-->"
    assert html_to_text(conditional) == "shown"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>unclosed <b>bold <i>italic", "unclosed bold italic"),
        ("<div><p>a</div></span></p>b", "a\n\nb"),
        ("x < y and y > z", "x < y and y > z"),
        ("1 <2 and <3", "1 <2 and <3"),
        ("text <a href='http://trunc", "text"),
        ("before<!-- never closed", "before"),
        ("before<script>never closed", "before"),
        ("<p class=x title='don't'>ok</p>", "ok"),
        ('<img alt="a > b" src=x>', "[a > b]"),
        ('<a href="https://x.example/?q=a>b">link</a>', "link <https://x.example/?q=a>b>"),
        ("<td>cell outside table</td><tr>row", "cell outside table\nrow"),
        ("</table></ul></li></blockquote></pre>text", "text"),
        ("<a href=https://a>one<a href=https://b>two</a>", "one <https://a>two <https://b>"),
        ("a\x00b\x07c\r\nd\re", "abc d e"),
        ("", ""),
        ("<", "<"),
        ("<![<![<![", ""),
        ("&#0;&#xD800;", "\ufffd\ufffd"),
    ],
)
def test_broken_markup(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_random_garbage_never_raises() -> None:
    rng = random.Random(7)
    pieces = list("<>/!-='\"&;#? \nab\x00") + [
        "<a href=", "<td>", "<p>", "<pre>", "<!--", "-->", "<script>", "</script>", "&nbsp;", "<br>", "<li>",
        "<ul>", "</ul>", "<blockquote>", "<table>", "</table>", "<![if x]>", "<img alt=", "<xml>", "</xml>",
    ]  # fmt: skip
    for _ in range(500):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 200)))
        assert isinstance(html_to_text(html), str)


@pytest.mark.parametrize(
    "unit", ["<a", "<!--", "</", "<![", '<x a="', "<p>x", "<ul><li>", "<blockquote>", "&", "<", "<br>"]
)
def test_huge_adversarial_input_completes(unit: str) -> None:
    # html.parser needs minutes for some of these; the result only has to arrive.
    assert isinstance(html_to_text(unit * (300_000 // len(unit))), str)


def test_five_megabyte_message_completes() -> None:
    row = '<tr><td class="c">Name&nbsp;%d</td><td><a href="https://x.example/%d">open</a></td></tr>\n'
    html = "<html><body><table>" + "".join(row % (i, i) for i in range(60_000)) + "</table></body></html>"
    assert len(html) > 5_000_000
    text = html_to_text(html)
    assert text.startswith("Name 0 | open <https://x.example/0>\nName 1 | open")
    assert text.count("\n") == 59_999
