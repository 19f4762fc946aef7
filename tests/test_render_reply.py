"""A reply's parts: the signature rebuilt from an allow-list, quotes kept below it, words compared."""

from __future__ import annotations

import pytest

from unibox_tui.render.compose import (
    compose_reply_html,
    html_words,
    quote_for_reply,
    split_trailing_quote,
    text_words,
)
from unibox_tui.render.signature import prepare_signature

GMAIL_SIGNATURE = (
    '<div dir="ltr" class="gmail_signature"><div dir="ltr"><span style="color:rgb(102,102,102)">'
    "<b>Maya Okafor</b><br>Account Executive | Lanternfish<br>"
    '<a href="tel:+1(415)555-0142">+1 (415) 555-0142</a><br>'
    '<a href="https://lanternfish.io" target="_blank">lanternfish.io</a><br>'
    '<img src="https://cdn.lanternfish.io/logo.png" alt="Lanternfish" width="120"></span></div></div>'
)


def test_a_real_signature_keeps_its_look_and_loses_its_attributes() -> None:
    signature = prepare_signature(GMAIL_SIGNATURE)
    assert signature.text == "Maya Okafor\nAccount Executive | Lanternfish\n+1 (415) 555-0142\nlanternfish.io"
    assert "<b>Maya Okafor</b>" in signature.html
    assert '<a href="https://lanternfish.io">lanternfish.io</a>' in signature.html
    assert '<a href="tel:+1(415)555-0142">' in signature.html
    for gone in ("style=", "class=", "target=", "<img", "cdn.lanternfish.io", "dir="):
        assert gone not in signature.html


@pytest.mark.parametrize(
    ("html", "absent"),
    [
        ("<script>alert(1)</script>Maya", "alert"),
        ("<style>b{color:red}</style>Maya", "color"),
        ('<b onclick="steal()">Maya</b>', "steal"),
        ('<a href="javascript:alert(1)">Maya</a>', "javascript"),
        ('<a href=" jav&#x09;ascript:alert(1)">Maya</a>', "ascript"),
        ('<a href="data:text/html,x">Maya</a>', "data:"),
        ('<iframe src="https://evil.example"></iframe>Maya', "evil"),
        ('<div style="display:none">hidden tracking</div>Maya', "hidden"),
        ('<svg><script>x()</script></svg>Maya', "x()"),
        ("<form><input value=secret></form>Maya", "secret"),
    ],
)
def test_nothing_active_survives(html: str, absent: str) -> None:
    signature = prepare_signature(html)
    assert "Maya" in signature.text
    assert absent not in signature.html and absent not in signature.text


def test_markup_and_escape_sequences_in_a_signature_stay_text() -> None:
    signature = prepare_signature("<b>[@click=app.quit]Maya[/]</b> \x1b]0;pwned\x07<i>\u202eSDR</i>")
    assert "[@click=app.quit]Maya[/]" in signature.text
    assert "\x1b" not in signature.text + signature.html and "\u202e" not in signature.text + signature.html


def test_a_deceptive_link_shows_its_real_target_and_entities_stay_escaped() -> None:
    signature = prepare_signature('<a href="https://evil.example/x">https://bank.example</a> &lt;b&gt;')
    assert "https://bank.example <https://evil.example/x>" in signature.text
    assert "&lt;b&gt;" in signature.html and "<b>" not in signature.html


def test_plain_text_and_empty_signatures() -> None:
    plain = prepare_signature("Maya Okafor\nLanternfish")
    assert plain.text == "Maya Okafor\nLanternfish" and plain.html == "<div>Maya Okafor<br>Lanternfish</div>"
    assert not prepare_signature("")
    assert not prepare_signature("<div><br></div>")
    assert not prepare_signature("<script>only()</script>")


def test_unbalanced_html_is_closed() -> None:
    signature = prepare_signature("</b></div><i>open <b>bold<ul><li>one<li>two")
    assert signature.html.count("<i>") == signature.html.count("</i>") == 1
    assert signature.html.count("<li>") == signature.html.count("</li>") == 2
    assert signature.text.splitlines()[-2:] == ["• one", "• two"]


def test_the_signature_goes_between_the_reply_and_the_quote() -> None:
    quote = quote_for_reply("Can you send pricing?", "Dana Lee <dana@x.io>", "Mon 3 Nov 2025, 14:02")
    text = f"Sure, attached.\n\n{quote}\n"
    body, tail = split_trailing_quote(text)
    assert body == "Sure, attached." and tail.startswith("On Mon 3 Nov 2025, 14:02, Dana Lee")
    html = compose_reply_html(text, "<div><b>Maya</b></div>")
    assert html.index("Sure, attached.") < html.index("<b>Maya</b>") < html.index("<blockquote")
    assert '<a href="mailto:dana@x.io">' in html  # the address in the attribution is a mail link


def test_a_quote_in_the_middle_is_part_of_the_reply() -> None:
    text = "> You asked about pricing\nIt is $40 per seat."
    assert split_trailing_quote(text) == (text, "")
    assert compose_reply_html("Hi", "") == "<div><p>Hi</p></div>"


def test_words_ignore_markup_case_and_whitespace() -> None:
    sent = compose_reply_html("Hi **Dana**,\n\nTypes `<script>` too.", "<div><b>Maya</b></div>")
    assert html_words(sent) == "hi dana types script too maya"
    assert html_words("<p>HI&nbsp;dana</p>\n<p>types &lt;script&gt; TOO</p><div>maya</div>") == html_words(sent)
    assert text_words("Hi Dana,\n\nTypes <script> too.\n--\nMaya") == "hi dana types script too maya"
