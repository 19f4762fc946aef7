"""What the SDR types becomes safe email HTML; quoting and subjects behave like a mail client."""

from __future__ import annotations

import pytest

from unibox_tui.render import compose_html, html_to_text, quote_for_reply, reply_subject


def test_paragraphs_and_single_newlines() -> None:
    html = compose_html("Hi Jordan,\n\nThanks for the call.\nTalk soon,\nMaya")
    assert html == (
        "<div><p>Hi Jordan,</p>\n<p>Thanks for the call.<br>\nTalk soon,<br>\nMaya</p></div>"
    )


def test_bold_italic_and_lists() -> None:
    html = compose_html(
        "**Next steps:**\n- pilot for *two* teams\n- review in January\n\n1. sign\n2. onboard"
    )
    assert "<strong>Next steps:</strong>" in html
    assert "<ul>\n<li>pilot for <em>two</em> teams</li>\n<li>review in January</li>\n</ul>" in html
    assert "<ol>\n<li>sign</li>\n<li>onboard</li>\n</ol>" in html


def test_links_markdown_and_bare_urls_and_addresses() -> None:
    html = compose_html(
        "Book [a slot](https://cal.example/maya) or see https://acme.example/pricing?a=1&b=2 "
        "or mail maya@acme.io"
    )
    assert '<a href="https://cal.example/maya">a slot</a>' in html
    assert '<a href="https://acme.example/pricing?a=1&amp;b=2">' in html
    assert '<a href="mailto:maya@acme.io">maya@acme.io</a>' in html


def test_typed_html_is_sent_as_text() -> None:
    html = compose_html("<script>alert(1)</script> <b>not bold</b> <img src=x onerror=y>")
    assert "<script>" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox)",
        "[click](file:///etc/passwd)",
        "[click](ftp://files.example/x)",
        "[click](/relative/path)",
        "<javascript:alert(1)>",
    ],
)
def test_only_web_and_mail_links_are_allowed(link: str) -> None:
    html = compose_html(f"Please {link} now")
    assert "<a " not in html
    assert "href" not in html


def test_headings_code_blocks_and_images_stay_plain() -> None:
    html = compose_html(
        "#1 priority for us\n\n    indented line\n\n![logo](https://x.example/a.png)"
    )
    assert "<h1>" not in html and "<pre>" not in html and "<img" not in html
    assert "#1 priority for us" in html


def test_control_characters_in_the_draft_are_dropped() -> None:
    assert compose_html("Hi\x1b[31m there\u202e") == "<div><p>Hi there</p></div>"


def test_empty_draft_gives_empty_content() -> None:
    assert compose_html("  \n\n ") == ""


def test_the_html_reads_back_as_the_typed_text() -> None:
    typed = "Hi Jordan,\n\nThursday **2pm** works.\nSee [deck](https://acme.example/deck)."
    text = html_to_text(compose_html(typed)).text
    assert text == (
        "Hi Jordan,\n\nThursday 2pm works.\nSee deck [1].\n\n[1]: https://acme.example/deck"
    )


# -- quoting ---------------------------------------------------------------------------------


def test_quote_for_reply_adds_an_attribution_and_quote_marks() -> None:
    quoted = quote_for_reply(
        "Hi Maya,\n\nCan we talk Friday?\n> older line\nJordan",
        "Jordan Lee",
        "Mon, 3 Nov 2025 at 09:14",
    )
    assert quoted == (
        "On Mon, 3 Nov 2025 at 09:14, Jordan Lee wrote:\n"
        "> Hi Maya,\n>\n> Can we talk Friday?\n>> older line\n>\n> Jordan"
    )


def test_quoted_reply_renders_as_nested_blockquotes_without_swallowing_lines() -> None:
    html = compose_html("Sure!\n\n" + quote_for_reply("Question\n> older\nafter", "Jo", "Mon"))
    assert html.count("<blockquote") == 2
    inner_end = html.index("</blockquote>")
    assert html.index("after") > inner_end  # "after" is not part of the inner quote
    assert 'style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex"' in html


def test_quote_for_reply_cleans_its_inputs() -> None:
    quoted = quote_for_reply("x\x1b]0;t\x07y", "Jo\u202e\nLee", "")
    assert quoted == "Jo Lee wrote:\n> xy"
    assert quote_for_reply("", "Jo", "Mon") == "On Mon, Jo wrote:"


# -- subjects --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Quick question", "Re: Quick question"),
        ("Re: Quick question", "Re: Quick question"),
        ("RE: Quick question", "Re: Quick question"),
        ("re: Re: RE: Quick question", "Re: Quick question"),
        ("Re:Quick question", "Re: Quick question"),
        ("AW: Angebot", "Re: Angebot"),
        ("SV: Tilbud", "Re: Tilbud"),
        ("Re[2]: Quick question", "Re: Quick question"),
        ("Fwd: Quick question", "Re: Fwd: Quick question"),
        ("Re: Fwd: Quick question", "Re: Fwd: Quick question"),
        ("  Re :  spaced\n out  ", "Re: spaced out"),
        ("Regarding pricing", "Re: Regarding pricing"),
        ("Reply needed", "Re: Reply needed"),
        ("", "Re:"),
        (None, "Re:"),
        ("Re: \x1b[31mred\u202e", "Re: red"),
    ],
)
def test_reply_subject(subject: str | None, expected: str) -> None:
    assert reply_subject(subject) == expected
