"""Pure helpers of the rooms: referral extraction, charts, variables, blocklist input."""

from __future__ import annotations

import pytest

from unibox_tui.api import Conversation
from unibox_tui.render.chart import bar_rows, plan
from unibox_tui.domain.referral import find_referrals, name_matches_address, names_from_address
from unibox_tui.render.rooms import (
    block_entry_error,
    humanise,
    lead_address,
    normalise_block_entry,
    parse_variables,
    progress_bar,
    variable_pairs,
)

OURS = ("maya@lanternfish.io",)


def emails(text: str, **kwargs) -> list[tuple[str, str, str]]:
    kwargs.setdefault("own_addresses", OURS)
    return [(c.email, c.first_name, c.last_name) for c in find_referrals(text, **kwargs)]


# -- referrals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You should talk to Jane Doe <jane.doe@acme.io>, our VP Sales.", ("jane.doe@acme.io", "Jane", "Doe")),
        ("cc'ing Jane (jane@acme.io) who owns this.", ("jane@acme.io", "Jane", "")),
        ("Forecasting sits with Zoë (zoe.adler@acme.io).", ("zoe.adler@acme.io", "Zoë", "Adler")),
        ("Reach out to jane.doe@acme.io directly.", ("jane.doe@acme.io", "Jane", "Doe")),
        ("Hi Maya, I passed this on to Jane Doe, who runs sales ops. Their email is jdoe@acme.io.",
         ("jdoe@acme.io", "Jane", "Doe")),
        ('Try "Mary-Ann O\'Neil" <maoneil@acme.io>', ("maoneil@acme.io", "Mary-Ann", "O'Neil")),
        ("Please talk to Ludwig van Beethoven at lvb@music.de", ("lvb@music.de", "Ludwig", "van Beethoven")),
        ("Talk to jdoe@acme.io (Jane Doe).", ("jdoe@acme.io", "Jane", "Doe")),
        ("Thanks, but write to kt@acme.io", ("kt@acme.io", "", "")),
    ],
)
def test_names_are_taken_from_the_words_around_the_address(text, expected):
    assert emails(text)[0] == expected


def test_greetings_and_sign_offs_are_never_names():
    found = emails("Hi Maya,\n\nThanks! Best regards, reach out to pat@acme.io.\n\nBest,\nSam")
    assert found == [("pat@acme.io", "", "")]
    assert emails("Hello There <hello@acme.io>")[0][1:] == ("", "")


def test_our_own_inboxes_never_and_the_lead_only_when_nothing_else():
    text = "Replying to maya@lanternfish.io: talk to Jane <jane@acme.io>. I'm bob@acme.io."
    assert [e for e, *_ in emails(text, lead_email="bob@acme.io")] == ["jane@acme.io"]
    only_lead = "Write to me at bob@acme.io instead."
    assert [e for e, *_ in emails(only_lead, lead_email="BOB@acme.io")] == ["bob@acme.io"]
    assert emails("Nothing here, maya@lanternfish.io") == []


def test_people_come_before_role_and_system_addresses():
    text = "Send it to sales@acme.io or mailer-daemon@acme.io, or better Jane Doe <jane.doe@acme.io>."
    assert [e for e, *_ in emails(text)] == ["jane.doe@acme.io", "sales@acme.io"]


def test_an_address_found_twice_is_one_candidate_with_the_best_name():
    text = "Contact [jane@acme.io](mailto:jane@acme.io). She is Jane Doe <jane@acme.io>."
    assert emails(text) == [("jane@acme.io", "Jane", "Doe")]


def test_hostile_text_comes_out_clean_and_bounded():
    text = "talk to \x1b]0;pwned\x07[b]Jane[/b] <jane@acme.io> \u202e" + " filler" * 50_000
    (candidate,) = find_referrals(text)
    assert candidate.email == "jane@acme.io"
    assert "\x1b" not in candidate.context and "\u202e" not in candidate.context
    many = " ".join(f"p{n}@acme.io" for n in range(200))
    assert len(find_referrals(many)) == 8


def test_address_name_helpers():
    assert names_from_address("jane.doe@acme.io") == ("Jane", "Doe")
    assert names_from_address("jane@acme.io") is None
    assert names_from_address("sales.team@acme.io") is None
    assert name_matches_address(["Zoë", "Adler"], "zadler@acme.io")
    assert name_matches_address(["Jane"], "jane.d@acme.io")
    assert not name_matches_address(["Sam"], "jane.doe@acme.io")


# -- charts -----------------------------------------------------------------------------------------------


def test_a_week_gets_wide_bars_and_a_long_campaign_gets_buckets():
    week = plan([1, 2, 3, 4, 5, 6, 7], 40)
    assert week.per_bar == 1 and week.bar_width == 4 and week.gap == 1 and week.used_width <= 40
    months = plan(list(range(200)), 50)
    assert months.per_bar == 4 and len(months.values) == 50
    assert sum(months.values) == sum(range(200))


def test_bars_are_zero_based_and_small_values_stay_visible():
    layout = plan([0, 1, 100], 3)
    rows = bar_rows(layout, 2)
    assert len(rows) == 2 and all(len(row) == 3 for row in rows)
    bottom = rows[-1]
    assert bottom[0] == " "  # zero is empty
    assert bottom[1] == "▁"  # one out of a hundred is still seen
    assert rows[0][2] == "█" and bottom[2] == "█"


# -- words and input ----------------------------------------------------------------------------------------


def test_status_words_and_progress():
    assert humanise("missing_dmarc") == "missing DMARC"
    assert humanise("invalid_spf") == "invalid SPF"
    assert humanise("\x1b[31mno_reply") == "no reply"
    assert progress_bar(50, 10) == "█████░░░░░"
    assert progress_bar(100, 4) == "████" and progress_bar(0, 4) == "░░░░"
    assert progress_bar(None, 3) == "···"


def test_variables_are_cleaned_and_cropped():
    pairs = variable_pairs({"company": "Acme\x1b[31m", "empty": "", "n": 3, "tags": ["a", "b"], "x" * 80: "y" * 500})
    assert pairs[0] == ("company", "Acme")
    assert ("n", "3") in pairs and ("tags", '["a","b"]') in pairs
    assert all(len(key) <= 30 and len(value) <= 60 for key, value in pairs)
    assert "empty" not in dict(pairs)


def test_parse_variables_reports_the_first_problem():
    assert parse_variables("referred_by: dana@acme.io\nseats = 12\n\n") == (
        {"referred_by": "dana@acme.io", "seats": "12"}, "")
    assert "name: value" in parse_variables("just words")[1]
    assert "twice" in parse_variables("a: 1\na: 2")[1]
    assert "letters" in parse_variables("bad name: 1")[1]


def test_blocklist_input():
    assert normalise_block_entry(" Jane@Acme.IO ") == "jane@acme.io"
    assert normalise_block_entry("@Acme.io") == "@acme.io"
    assert normalise_block_entry("acme.io") is None
    assert "@acme.io" in block_entry_error("acme.io")
    assert block_entry_error("") and block_entry_error("jane@") and not block_entry_error("@acme.io")


def test_the_lead_of_a_bounce_is_whom_we_wrote_to():
    conversation = Conversation.from_api({
        "id": "c1",
        "messages": [
            {"direction": "outgoing", "from_email": "maya@lanternfish.io", "to_email": "kenji@acme.io",
             "email_date": "2026-05-01T10:00:00Z"},
            {"direction": "incoming", "from_email": "mailer-daemon@googlemail.com",
             "to_email": "maya@lanternfish.io", "email_date": "2026-05-01T10:01:00Z"},
        ],
    })
    assert lead_address(conversation) == "kenji@acme.io"
    inbound = Conversation.from_api({"id": "c2", "messages": [
        {"direction": "incoming", "from_email": "Dana <dana@acme.io>", "to_email": "maya@lanternfish.io"}]})
    assert lead_address(inbound) == "dana@acme.io"
