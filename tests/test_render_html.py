"""HTML bodies read well as terminal text, and nothing hidden, hostile or deceptive gets through."""

from __future__ import annotations

import random
import time

import pytest

from unibox_tui.render import NO_CONTENT, best_body, html_to_plain, html_to_text
from unibox_tui.render.html import TRUNCATED_NOTE

GMAIL_REPLY = """\
<div dir="ltr">Hi Alex,<div><br></div><div>Thursday at <b>2pm</b> works. Send the invite.</div>\
<div><br></div><div>Thanks,</div><div>Maya</div></div><br><div class="gmail_quote">\
<div dir="ltr" class="gmail_attr">On Mon, Nov 3, 2025 at 9:14 AM Alex Smith &lt;\
<a href="mailto:alex@acme.example">alex@acme.example</a>&gt; wrote:<br></div>\
<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;\
border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">Hi Maya,\
<div>Would you have 20 minutes this week?</div>\
<div>Alex</div></div></blockquote></div>
"""

OUTLOOK_REPLY = """\
<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>Re: Pricing</title>
<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt;} --></style>
<!--[if gte mso 9]><xml><o:shapedefaults v:ext="edit" spidmax="1026" /></xml><![endif]-->
</head><body lang="EN-GB"><div class="WordSection1">
<p class="MsoNormal">Hi Alex,<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">What does the Team plan cost per seat?<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Kind regards,<o:p></o:p></p>
<p class="MsoNormal">Jordan<o:p></o:p></p>
<div id="divRplyFwdMsg"><hr style="display:inline-block;width:98%">
<p class="MsoNormal"><b>From:</b> Alex Smith &lt;alex@acme.example&gt;<br>
<b>Sent:</b> Monday, 3 November 2025 09:14<br>
<b>To:</b> Jordan Lee &lt;jordan@client.example&gt;<br>
<b>Subject:</b> Pricing</p></div>
<p class="MsoNormal">Hi Jordan, here is our deck.<o:p></o:p></p></div></body></html>
"""

NEWSLETTER = """\
<!DOCTYPE html><html><head><title>Weekly digest</title>
<style>.preheader { display: none !important; }
@media (max-width:600px){ .mobile { display:block } }
.mobile-only { display:none; max-height:0; overflow:hidden }</style>
<script>document.write("tracking")</script></head><body>
<span class="preheader">Secret preheader teaser</span>
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">Another preheader</div>
<div class="mobile-only">Mobile copy</div>
<table role="presentation" width="600"><tr><td>
<img src="https://cdn.example/logo.png" alt="Acme Weekly" width="120" height="40">
<h1>This week</h1><p>Three things we shipped.</p>
<table><tr><th>Item</th><th>Price</th></tr><tr><td>Seat</td><td>$30</td></tr>
<tr><td>Add-on</td><td>$5</td></tr></table>
<p style="visibility:hidden">invisible words</p><p hidden>hidden attribute</p>
<!-- a comment the reader never sees -->
<img src="https://t.example/open.gif?u=123" width="1" height="1" alt="">
<img src="https://t.example/px.gif" style="width:0;height:0" alt="pixel">
</td></tr></table></body></html>
"""


def test_gmail_reply_reads_as_lines_and_quotes() -> None:
    text = html_to_text(GMAIL_REPLY).text
    assert text.startswith(
        "Hi Alex,\n\nThursday at 2pm works. Send the invite.\n\nThanks,\nMaya"
    )
    assert "On Mon, Nov 3, 2025 at 9:14 AM Alex Smith <alex@acme.example> wrote:" in text
    assert "> Hi Maya,\n> Would you have 20 minutes this week?\n> Alex" in text
    assert "mailto" not in text


def test_outlook_reply_paragraphs_are_lines_and_head_is_gone() -> None:
    text = html_to_text(OUTLOOK_REPLY).text
    assert text.startswith(
        "Hi Alex,\n\nWhat does the Team plan cost per seat?\n\nKind regards,\nJordan"
    )
    assert (
        "From: Alex Smith <alex@acme.example>\nSent: Monday, 3 November 2025 09:14" in text
    )
    for junk in ("Re: Pricing", "MsoNormal", "shapedefaults", "mso 9"):
        assert junk not in text


def test_apple_mail_and_thunderbird_cite_blockquotes_become_quote_lines() -> None:
    apple = (
        '<html><body>Sounds good.<br><div><br><blockquote type="cite"><div>On Nov 3, 2025, '
        "at 10:02 AM, Alex Smith &lt;alex@acme.example&gt; wrote:</div><br><div><div>Can we "
        "talk Friday?</div></div></blockquote></div></body></html>"
    )
    thunderbird = (
        '<p>Yes.</p><div class="moz-cite-prefix">On 03/11/2025 10:02, Alex Smith wrote:<br></div>'
        '<blockquote type="cite" cite="mid:1@acme.example">Can we talk <i>Friday</i>?<br>'
        '<blockquote type="cite">Earlier note</blockquote></blockquote>'
    )
    assert "> Can we talk Friday?" in html_to_text(apple).text
    text = html_to_text(thunderbird).text
    assert "On 03/11/2025 10:02, Alex Smith wrote:" in text
    assert "> Can we talk Friday?" in text
    assert ">> Earlier note" in text


def test_hidden_text_scripts_styles_and_comments_never_show() -> None:
    text = html_to_text(NEWSLETTER).text
    for hidden in (
        "Secret preheader",
        "Another preheader",
        "Mobile copy",
        "invisible words",
        "hidden attribute",
        "tracking",
        "document.write",
        "Weekly digest",
        "comment",
        "display",
    ):
        assert hidden not in text
    assert "# This week" in text
    assert "Three things we shipped." in text


def test_images_become_alt_text_and_tracking_pixels_vanish() -> None:
    result = html_to_text(NEWSLETTER)
    assert "Acme Weekly" in result.text
    assert "pixel" not in result.text
    assert "cdn.example" not in result.text and ".gif" not in result.text
    assert result.links == ()


def test_tables_flatten_into_readable_rows() -> None:
    text = html_to_text(NEWSLETTER).text
    assert "Item  Price\nSeat  $30\nAdd-on  $5" in text
    assert "|" not in text and "---" not in text


def test_a_hidden_element_left_open_does_not_hide_the_rest() -> None:
    html = (
        '<table><tr><td><span style="display:none">preheader<div>still hidden</td>'
        "<td>Visible cell</td></tr></table><div><div style='display:none'>x</div></div>"
        "<p>Visible paragraph</p>"
    )
    text = html_to_text(html).text
    assert "preheader" not in text and "still hidden" not in text
    assert "Visible cell" in text and "Visible paragraph" in text


# -- links ---------------------------------------------------------------------------------


def test_links_become_numbered_references_listed_at_the_end() -> None:
    html = (
        '<p>Book <a href="https://cal.example/alex">a slot</a> or read '
        '<a href="https://acme.example/pricing">our pricing</a>. Again: '
        '<a href="https://cal.example/alex">book</a>.</p>'
    )
    result = html_to_text(html)
    assert result.text.startswith("Book a slot [1] or read our pricing [2]. Again: book [1].")
    assert result.text.endswith("[1]: https://cal.example/alex\n[2]: https://acme.example/pricing")
    assert result.links == ("https://cal.example/alex", "https://acme.example/pricing")


def test_a_link_whose_text_is_its_address_is_shown_once() -> None:
    result = html_to_text('<a href="https://acme.example/docs/">https://acme.example/docs</a>')
    assert result.text == "https://acme.example/docs"
    assert result.links == ()


@pytest.mark.parametrize(
    ("html", "shown"),
    [
        (
            '<a href="http://evil.example/login">https://bank.com</a>',
            "https://bank.com (→ http://evil.example/login)",
        ),
        ('<a href="http://evil.example">www.bank.com</a>', "www.bank.com (→ http://evil.example)"),
        (
            '<a href="https://bank.com@evil.example/">bank.com</a>',
            "bank.com (→ https://bank.com@evil.example/)",
        ),
        (
            '<a href="https://evil.example">ceo@bank.com</a>',
            "ceo@bank.com (→ https://evil.example)",
        ),
        (
            '<a href="mailto:thief@evil.example">ceo@bank.com</a>',
            "ceo@bank.com (→ thief@evil.example)",
        ),
        (
            '<a href="https://evil.example">Log in at https://bank.com now</a>',
            "Log in at https://bank.com now (→ https://evil.example)",
        ),
    ],
)
def test_deceptive_links_show_their_real_target_inline(html: str, shown: str) -> None:
    assert html_to_text(html).text == shown


def test_a_link_to_a_subdomain_of_the_shown_site_is_not_deceptive() -> None:
    result = html_to_text('<a href="https://login.bank.com/x">bank.com</a>')
    assert result.text.startswith("bank.com [1]")


def test_mailto_links_show_the_address() -> None:
    html = '<a href="mailto:jordan@client.example?subject=Hi">Email Jordan</a>'
    assert html_to_text(html).text == "Email Jordan <jordan@client.example>"
    same = '<a href="mailto:jordan@client.example">jordan@client.example</a>'
    assert html_to_text(same).text == "jordan@client.example"


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        " JaVa\nScript:alert(1)",
        "data:text/html,<script>x</script>",
        "vbscript:x",
        "/relative",
        "#top",
        "file:///etc/passwd",
    ],
)
def test_script_data_and_relative_links_are_text_only(href: str) -> None:
    result = html_to_text(f'<p><a href="{href}">click me</a></p>')
    assert result.text == "click me"
    assert result.links == ()


# -- hostile input ---------------------------------------------------------------------------


def test_entity_encoded_escape_sequences_do_not_survive() -> None:
    html = "<p>a&#27;]0;pwned&#7;b &#x1b;[31mred&#x1B;[0m &#155;2J &#0; &#xD800; c\x00d\x1b[2J</p>"
    text = html_to_text(html).text
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text and "\x00" not in text
    assert "pwned" not in text
    assert "ab" in text and "red" in text and "cd" in text


def test_bidi_overrides_and_zero_width_characters_are_removed() -> None:
    text = html_to_text("<p>invoice\u202efdp.exe &#x202E;x&#8203;y &rlm;z</p>").text
    assert text == "invoicefdp.exe xy z"


def test_markup_lookalikes_stay_literal() -> None:
    assert html_to_text("<p>[@click=app.quit]x[/] and [b]bold[/b]</p>").text == (
        "[@click=app.quit]x[/] and [b]bold[/b]"
    )


def test_markdown_characters_are_not_backslash_escaped() -> None:
    text = html_to_text("<p>1. first</p><p>- dash</p><p>+ plus</p><p>-- <br>Jordan</p>").text
    assert "\\" not in text
    assert "1. first" in text and "- dash" in text and "--\nJordan" in text


def test_garbage_html_does_not_crash() -> None:
    for html in (
        "<p>1 < 2 & 3 > 2</p><<<>>><//>",
        "<b><i>unclosed <u>everything",
        "</div></div></td></tr></table>stray end tags",
        "<a href='x'<b>broken attr",
        "<!-- never closed comment",
        "<script>never closed",
        "\x00\x00<p>\x00nul</p>",
        "<![CDATA[ x ]]><?php echo 1 ?><!DOCTYPE x>",
        "&#99999999999; &#x110000; &bogus; &amp",
    ):
        result = html_to_text(html)
        assert isinstance(result.text, str)
    assert "stray end tags" in html_to_text("</div></td></table>stray end tags").text


def test_unclosed_emphasis_and_links_are_finished_at_the_end() -> None:
    text = html_to_text('<p><b>bold <i>both <a href="https://a.example/">link').text
    assert text.startswith("bold both link [1]") and text.count("[1]") == 2


def test_empty_emphasis_leaves_no_debris() -> None:
    text = html_to_text("<p><b> </b><i><br></i><strong></strong>Hello <b>world </b>!</p>").text
    assert text == "Hello world !"


@pytest.mark.parametrize(
    "html",
    [
        "<div>" * 5000 + "deep" + "</div>" * 5000,
        "<blockquote>" * 5000 + "deep" + "</blockquote>" * 5000,
        "<ul><li>" * 5000 + "deep",
        "<table><tr><td>" * 5000 + "deep",
        "<span style='display:none'>" * 5000 + "hidden",
        "<b><i><u>" * 3000 + "deep",
        "<a href='https://x.example'>" * 5000 + "deep",
    ],
)
def test_five_thousand_levels_of_nesting_convert_quickly(html: str) -> None:
    start = time.perf_counter()
    text = html_to_text(html).text
    assert time.perf_counter() - start < 3.0
    assert len(text) < 500_000
    if "hidden" not in html:
        assert "deep" in text


def test_a_five_megabyte_body_is_cut_and_says_so() -> None:
    row = (
        "<p>" + "A line of a very long generated report, the kind a CRM export makes. " * 4 + "</p>"
    )
    html = "<div>" + row * (5_000_000 // len(row)) + "</div><p>THE END</p>"
    start = time.perf_counter()
    result = html_to_text(html)
    elapsed = time.perf_counter() - start
    assert result.truncated
    assert TRUNCATED_NOTE in result.text
    assert "THE END" not in result.text
    assert elapsed < 8.0  # measured ~0.5 s for the 2 MB it keeps


def test_the_cut_lands_on_a_tag_boundary() -> None:
    html = "<p>" + "word " * 100 + "</p><p>second paragraph</p>"
    result = html_to_text(html, max_bytes=len(html) - 10)
    assert result.truncated
    assert "second" not in result.text and "<p" not in result.text


def test_html2text_internals_we_rely_on_are_still_there() -> None:
    import html2text

    parser = html2text.HTML2Text()
    for name in ("astack", "space", "p_p", "lastWasNL", "outtextlist", "blockquote", "pre", "list"):
        assert hasattr(parser, name), name
    for name in ("o", "pbr", "outtextf", "handle_tag", "handle_data", "finish"):
        assert callable(getattr(parser, name)), name


# -- snippets and body choice ---------------------------------------------------------------


def test_html_to_plain_makes_one_clean_line() -> None:
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        '<div style="display:none">preheader</div><p>Hi&nbsp;Maya,</p><p>Thursday&#x1b;[31m '
        "works &amp; more\u202e</p><script>x()</script></body></html>"
    )
    # &#x1b; decodes to ESC, so the whole sequence goes, as it does in the message itself.
    assert html_to_plain(html) == "Hi Maya, Thursday works & more"


def test_html_to_plain_is_fast_on_five_megabytes() -> None:
    html = "<div><p>" + "<span>word</span> " * 500_000 + "</p></div>"
    start = time.perf_counter()
    snippet = html_to_plain(html, max_chars=80)
    assert time.perf_counter() - start < 1.0  # ~1 ms: only the first 20 KB is read (all 5 MB: seconds)
    assert snippet.startswith("word word") and len(snippet) <= 80


def test_best_body_prefers_html_with_words() -> None:
    body = best_body("<p>Yes, <b>Thursday</b>.</p>", "Yes, Thursday.")
    assert (body.source, body.text) == ("html", "Yes, Thursday.")


def test_best_body_falls_back_to_text_when_html_is_empty_or_only_an_image() -> None:
    text = "Plain version\r\n\r\n\r\n\r\nwith lines   \n"
    assert best_body(None, text).text == "Plain version\n\nwith lines"
    assert best_body("<html><body> &nbsp; </body></html>", text).source == "text"
    image_only = '<img src="https://cdn.example/banner.png" alt="Banner">'
    assert best_body(image_only, text).source == "text"
    assert best_body(image_only, None).text == "Banner"


def test_best_body_uses_html_when_the_text_part_is_empty() -> None:
    assert best_body("<p>Only HTML</p>", "  \n ").text == "Only HTML"


def test_best_body_converts_html_sent_as_the_text_part() -> None:
    body = best_body(None, "<!DOCTYPE html><html><body><p>Hi <b>there</b></p></body></html>")
    assert (body.source, body.text) == ("html", "Hi there")


def test_best_body_with_nothing_says_so() -> None:
    for html, text in ((None, None), ("", ""), ("<p> </p>", " \n")):
        body = best_body(html, text)
        assert (body.source, body.text) == ("none", NO_CONTENT)


def test_best_body_sanitises_the_text_part() -> None:
    body = best_body(None, "Hi\x1b]0;pwned\x07 there\u202e")
    assert body.text == "Hi there"


def test_property_random_tag_soup_never_leaks_control_characters() -> None:
    pieces = [
        "<p>",
        "</p>",
        "<div>",
        "<b>",
        "</b>",
        "<a href='https://x.example'>",
        "</a>",
        "<br>",
        "<blockquote>",
        "</blockquote>",
        "<pre>",
        "</pre>",
        "<td>",
        "<tr>",
        "<img alt='i'>",
        "&#27;",
        "&#x9b;",
        "&#7;",
        "&#0;",
        "&nbsp;",
        "&lt;",
        "\x1b",
        "\x9b",
        "\x00",
        "\r",
        "\u202e",
        "\u200b",
        "\ud800",
        "[",
        "]",
        "text ",
        "é",
        "😀",
        "<",
        ">",
        "&",
        "\n",
        "<span style='display:none'>",
        "</span>",
        "<style>",
        "</style>",
        "<!--",
        "-->",
    ]
    rng = random.Random(1103)
    for _ in range(400):
        html = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        text = html_to_text(html).text
        bad = [ch for ch in text if (ord(ch) < 0x20 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F]
        assert not bad, (html, text)
        assert not any(0xD800 <= ord(ch) <= 0xDFFF or ch in "\u202e\u200b" for ch in text)
        text.encode("utf-8")


def test_best_body_says_when_a_huge_text_part_was_cut() -> None:
    body = best_body(None, "line of plain text\n" * 200_000)
    assert body.source == "text" and body.truncated
    assert body.text.endswith("… (truncated)")
    assert not best_body(None, "short").truncated
