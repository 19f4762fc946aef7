"""The quoted history of a reply folds away; what the prospect actually wrote stays in view."""

from __future__ import annotations

import time

import pytest

from unibox_tui.render import Segment, html_to_text, split_quoted


def shown(segments: list[Segment]) -> str:
    """What the reader sees with folds closed: the new text and one summary line per fold."""
    return "\n".join(f"[{s.summary}]" if s.fold else s.text for s in segments)


def nonblank(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


GMAIL_TEXT = """\
Thanks Alex, Thursday works.

Maya

On Mon, Nov 3, 2025 at 9:14 AM Alex Smith <alex@acme.example> wrote:

> Hi Maya,
>
> Would you have 20 minutes this week to talk about onboarding?
>
> Alex
"""


def test_gmail_top_post_folds_everything_from_the_attribution() -> None:
    segments = split_quoted(GMAIL_TEXT)
    assert [s.quoted for s in segments] == [False, True]
    assert segments[0].text == "Thanks Alex, Thursday works.\n\nMaya"
    assert segments[1].fold
    assert segments[1].summary == (
        "On Mon, Nov 3, 2025 at 9:14 AM Alex Smith <alex@acme.example> wrote: (3 lines)"
    )
    assert segments[1].text.startswith("On Mon, Nov 3")


def test_segments_keep_every_nonblank_line_in_order() -> None:
    segments = split_quoted(GMAIL_TEXT)
    assert nonblank("\n".join(s.text for s in segments)) == nonblank(GMAIL_TEXT)


def test_attribution_wrapped_over_two_lines() -> None:
    text = (
        "Sounds good.\n\nOn Mon, Nov 3, 2025 at 9:14 AM Alex Smith with a long name <\n"
        "alex@acme.example> wrote:\n\n> Hi\n> there\n> friend\n"
    )
    segments = split_quoted(text)
    assert segments[0].text == "Sounds good."
    assert segments[1].summary.startswith(
        "On Mon, Nov 3, 2025 at 9:14 AM Alex Smith with a long name"
    )
    assert "alex@acme.example> wrote:" in segments[1].summary


def test_attribution_wrapped_inside_the_address() -> None:
    # Gmail in Norwegian wraps right before the closing bracket, so the line looks quoted.
    text = (
        "Takk!\n\ntir. 4. nov. 2025 kl. 10:09 skrev Alex Smith <alex@acme.example\n>:\n\n"
        "> Hei Maya,\n> kan vi snakke i morgen?\n"
    )
    segments = split_quoted(text)
    assert [s.quoted for s in segments] == [False, True]
    assert segments[0].text == "Takk!"
    assert segments[1].summary.startswith(
        "tir. 4. nov. 2025 kl. 10:09 skrev Alex Smith <alex@acme.example>:"
    )


@pytest.mark.parametrize(
    "attribution",
    [
        "On Nov 3, 2025, at 10:02 AM, Alex Smith <alex@acme.example> wrote:",  # Apple Mail
        "On 03/11/2025 10:02, Alex Smith wrote:",  # Thunderbird
        "Le lun. 3 nov. 2025 à 10:02, Alex Smith <alex@acme.example> a écrit :",
        "Am Mo., 3. Nov. 2025 um 10:02 Uhr schrieb Alex Smith <alex@acme.example>:",
        "El lun, 3 nov 2025 a las 10:02, Alex Smith (<alex@acme.example>) escribió:",
        "Il giorno lun 3 nov 2025 alle ore 10:02 Alex Smith ha scritto:",
        "Op ma 3 nov. 2025 om 10:02 schreef Alex Smith <alex@acme.example>:",
        "пн, 3 нояб. 2025 г. в 10:02, Alex Smith <alex@acme.example>:",
        '03.11.2025, 10:02, "Alex Smith" <alex@acme.example>:',  # Yandex
        "---- On Mon, 03 Nov 2025 10:02:50 +0100 alex@acme.example wrote ----",  # Zoho
    ],
)
def test_attribution_styles_and_languages(attribution: str) -> None:
    text = f"Yes, let's do it.\n\n{attribution}\n\n> Can we talk tomorrow?\n> Best\n> Alex\n"
    segments = split_quoted(text)
    assert [s.quoted for s in segments] == [False, True]
    assert segments[0].text == "Yes, let's do it."
    assert segments[1].fold


def test_outlook_header_block_with_separator_folds_from_the_separator() -> None:
    text = """\
Hi Alex,

What does the Team plan cost per seat?

Jordan

Get Outlook for iOS
________________________________
From: Alex Smith <alex@acme.example>
Sent: Monday, November 3, 2025 9:14 AM
To: Jordan Lee <jordan@client.example>
Subject: Pricing

Hi Jordan, here is our deck.
Alex
"""
    segments = split_quoted(text)
    assert segments[0].text.endswith("Get Outlook for iOS")
    assert segments[1].text.startswith("________________________________\nFrom: Alex Smith")
    assert segments[1].summary == (
        "From: Alex Smith <alex@acme.example>, Sent: Monday, November 3, 2025 9:14 AM (2 lines)"
    )


def test_outlook_html_reply_folds_at_the_bold_headers() -> None:
    html = (
        '<p class="MsoNormal">Sounds good, send it over.</p><p class="MsoNormal">Jordan</p>'
        '<div id="divRplyFwdMsg"><hr><b>From:</b> Alex Smith &lt;alex@acme.example&gt;<br>'
        "<b>Sent:</b> Monday, November 3, 2025 9:14 AM<br><b>To:</b> Jordan Lee<br>"
        "<b>Subject:</b> Pricing</div><div>Hi Jordan, here is our deck.</div>"
    )
    segments = split_quoted(html_to_text(html).text)
    assert segments[0] == Segment("Sounds good, send it over.\nJordan", False)
    assert segments[1].text.startswith("* * *\n\nFrom:")
    assert segments[1].summary.startswith("From: Alex Smith <alex@acme.example>, Sent: Monday")


def test_german_outlook_original_message_marker() -> None:
    text = (
        "Danke, passt.\n\n-----Ursprüngliche Nachricht-----\nVon: Alex Smith <alex@acme.example>\n"
        "Gesendet: Montag, 3. November 2025 09:14\nAn: Jordan Lee\nBetreff: Angebot\n\n"
        "Hallo Jordan,\n"
    )
    segments = split_quoted(text)
    assert segments[0].text == "Danke, passt."
    assert segments[1].summary == (
        "Von: Alex Smith <alex@acme.example>, Gesendet: Montag, 3. November 2025 09:14 (1 line)"
    )


def test_yahoo_original_message_with_headers_in_any_order() -> None:
    text = (
        "Hello\n\n\n----- Original Message -----\nFrom: bob <bob@example.com>\nTo: me@example.com\n"
        "Cc: \nSent: Monday, April 2, 2012 5:44 PM\nSubject: Test\n\nHi\n"
    )
    segments = split_quoted(text)
    assert segments[0].text == "Hello"
    assert segments[1].quoted and segments[1].summary.startswith("From: bob <bob@example.com>")


def test_prose_that_sounds_like_an_attribution_is_not_folded() -> None:
    text = "On Monday our CEO wrote:\n\n> Focus on customers.\n> Always.\n> Every day.\n\nAgreed!"
    segments = split_quoted(text)
    assert segments[0] == Segment("On Monday our CEO wrote:", False)
    assert segments[1].quoted and segments[2].text == "Agreed!"


def test_a_from_line_in_prose_is_not_a_header_block() -> None:
    text = "From: my side all good.\nTo: be honest, we need a week.\n\nJordan"
    assert split_quoted(text) == [Segment(text, False)]


def test_inline_reply_keeps_answers_visible_and_folds_long_quotes() -> None:
    text = """\
On Mon, Nov 3, 2025 at 9:14 AM Alex Smith <alex@acme.example> wrote:
> 1. How many seats do you need?
> 2. Which CRM do you use?
> 3. When would you start?
> 4. Who signs?

About 40 seats, HubSpot, January.

> Anything else we should know before the call? For example
> security reviews,
> procurement steps, or
> legal.

Our legal team needs a DPA.

> Thanks!
Jordan
"""
    segments = split_quoted(text)
    assert [s.quoted for s in segments] == [True, False, True, False]
    assert all(s.fold for s in segments if s.quoted)
    assert segments[0].summary.startswith("On Mon, Nov 3, 2025 at 9:14 AM Alex Smith")
    assert segments[1].text == "About 40 seats, HubSpot, January."
    assert segments[2].summary.startswith("> Anything else we should know")
    assert segments[2].summary.endswith("(4 lines)")
    # A one-line quote is context for the answer under it: not folded.
    assert segments[3].text == "Our legal team needs a DPA.\n\n> Thanks!\nJordan"


def test_bottom_post_folds_the_quote_and_shows_the_answer() -> None:
    text = "> Can you do Thursday?\n> Or Friday?\n> Either works.\n\nThursday at 2pm is great.\n"
    segments = split_quoted(text)
    assert [s.quoted for s in segments] == [True, False]
    assert segments[0].fold
    assert segments[1].text == "Thursday at 2pm is great."


def test_a_message_that_is_all_quote_is_not_folded_into_nothing() -> None:
    text = "On Mon, 3 Nov 2025, Alex Smith wrote:\n> Hi Maya,\n> Would you have time?\n> Alex\n"
    segments = split_quoted(text)
    assert len(segments) == 1
    assert segments[0].quoted and not segments[0].fold
    assert segments[0].text == text.strip()


def test_forwarded_message_is_content_not_a_fold() -> None:
    text = """\
FYI, see below.

---------- Forwarded message ---------
From: Alex Smith <alex@acme.example>
Date: Mon, Nov 3, 2025 at 9:14 AM
Subject: Pricing
To: Jordan Lee <jordan@client.example>

Hi Jordan, the Team plan is $30 per seat.
"""
    segments = split_quoted(text)
    assert segments == [Segment(text.strip(), False)]


def test_apple_forward_then_its_own_history_folds() -> None:
    text = """\
Have a look.

Begin forwarded message:

From: Alex Smith <alex@acme.example>
Subject: Pricing
Date: November 3, 2025 at 9:14:00 AM GMT+1
To: Jordan Lee <jordan@client.example>

The Team plan is $30 per seat.

On Nov 2, 2025, at 8:00 AM, Jordan Lee <jordan@client.example> wrote:

> What does it cost?
> Per seat?
> Thanks
"""
    segments = split_quoted(text)
    assert [s.quoted for s in segments] == [False, True]
    assert "The Team plan is $30 per seat." in segments[0].text
    assert segments[1].summary.startswith("On Nov 2, 2025")


def test_link_references_after_the_history_stay_visible() -> None:
    html = (
        '<div>See <a href="https://acme.example/deck">the deck</a>.</div><div class="gmail_quote">'
        "On Mon, Nov 3, 2025 at 9:14 AM Alex &lt;alex@acme.example&gt; wrote:<blockquote>"
        '<div>Old <a href="https://acme.example/old">link</a></div><div>line</div><div>more</div>'
        "</blockquote></div>"
    )
    segments = split_quoted(html_to_text(html).text)
    assert [(s.quoted, s.fold) for s in segments] == [(False, False), (True, True), (False, False)]
    assert segments[0].text == "See the deck [1]."
    assert segments[2].text == "[1]: https://acme.example/deck\n[2]: https://acme.example/old"


def test_text_without_quotes_is_one_segment_and_empty_is_none() -> None:
    assert split_quoted("Hello\n\nThanks!") == [Segment("Hello\n\nThanks!", False)]
    assert split_quoted("") == []
    assert split_quoted(" \n \n") == []


def test_splitting_a_megabyte_is_fast() -> None:
    block = GMAIL_TEXT + "\n> > " + "older quoted text line\n> > " * 20 + "\nAnswer line.\n"
    text = block * (1_000_000 // len(block))
    start = time.perf_counter()
    segments = split_quoted(text)
    assert time.perf_counter() - start < 2.0
    assert segments[0].text.startswith("Thanks Alex")


def test_the_note_that_a_long_message_was_cut_stays_visible() -> None:
    html = "<div>New text</div><blockquote>" + "<div>old line</div>" * 50 + "</blockquote>"
    result = html_to_text(html, max_bytes=len(html) - 100)
    segments = split_quoted(result.text)
    assert segments[-1] == Segment("… (message cut: too long to show in full)", False)
    assert segments[1].fold
