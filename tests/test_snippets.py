"""Snippets: variables filled from the lead, then the thread; nothing unfilled ever passes the guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from unibox_tui.api.models import Conversation, Inbox, Lead
from unibox_tui.config import load_settings
from unibox_tui.domain.names import company_from_address, name_from_address, split_display_name
from unibox_tui.domain.snippets import (
    Snippet,
    SnippetValues,
    fill,
    fuzzy_filter,
    location,
    snippet_for_label,
    snippet_values,
    unfilled_placeholders,
)


def conversation(from_header: str, *, to: str = "alex@lanternfish.io") -> Conversation:
    return Conversation.from_api(
        {
            "id": "c1",
            "messages": [
                {"direction": "outgoing", "from_email": to, "to_email": from_header, "email_date": "2026-05-01T09:00:00Z"},
                {"direction": "incoming", "from_email": from_header, "to_email": to, "email_date": "2026-05-02T09:00:00Z"},
            ],
        }
    )


LEAD = Lead(
    id="l1",
    email="aoi@sablecloud.com.br",
    first_name="Aoi",
    last_name="Suzuki",
    variables={"company": "Sable Cloud", "title": "GTM Lead", "Plan Tier": "Enterprise", "seats": 40, "tags": ["x"]},
)
INBOX = Inbox(id="i1", email="priya@lanternfish.io", first_name="Priya", last_name="Raman")


# --- where values come from ---------------------------------------------------------------------------


def test_every_variable_is_filled_from_the_campaign_lead_and_the_inbox():
    values = snippet_values(conversation("Someone Else <other@x.io>"), LEAD, INBOX)
    text = "{first_name} {last_name} {company} {email} {title} {custom.Plan Tier} {custom.seats} {my_first_name} {my_email}"
    filled = fill(text, values)
    assert filled.text == "Aoi Suzuki Sable Cloud aoi@sablecloud.com.br GTM Lead Enterprise 40 Priya priya@lanternfish.io"
    assert filled.complete
    assert values.sources["first_name"] == "lead" and values.sources["my_first_name"] == "inbox"


def test_without_a_lead_the_thread_fills_names_email_and_company():
    values = snippet_values(conversation("Müller, Hans <hans.mueller@acme-corp.co.uk>"))
    filled = fill("Hi {first_name} {last_name} of {company} ({email}), from {my_email}", values)
    assert filled.text == "Hi Hans Müller of Acme Corp (hans.mueller@acme-corp.co.uk), from alex@lanternfish.io"
    assert values.sources == {
        "first_name": "thread name", "last_name": "thread name", "email": "thread", "company": "domain", "my_email": "thread",
    }


def test_a_lead_with_empty_fields_falls_back_to_the_thread():
    lead = Lead(id="l2", email="dana@x.io", first_name="  ", variables={"company": ""})
    values = snippet_values(conversation("Dana O'Neil <dana.oneil@northwind.com>"), lead)
    assert fill("{first_name} {last_name} {company}", values).text == "Dana O'Neil Northwind"
    assert values.get("email") == "dana@x.io"  # the lead's address wins


def test_without_a_name_the_address_local_part_is_used_only_when_it_is_clearly_two_names():
    assert fill("{first_name} {last_name}", snippet_values(conversation("dana.smith@x.io"))).text == "Dana Smith"
    filled = fill("Hi {first_name},", snippet_values(conversation("dsmith@x.io")))
    assert filled.text == "Hi {first_name},"
    assert [p.reason for p in filled.unfilled] == ["no first name known for this conversation"]


def test_no_inbox_means_my_first_name_cannot_be_filled():
    filled = fill("{my_first_name}", snippet_values(conversation("Dana Lee <dana@x.io>")))
    assert [p.name for p in filled.unfilled] == ["my_first_name"]


def test_values_from_strangers_are_sanitised_before_insertion():
    lead = Lead(id="l", email="e@x.io", first_name="Da\x1b]0;pwned\x07na\u202e", variables={"company": "Ac\x1b[31mme\nInc"})
    filled = fill("{first_name} / {company}", snippet_values(None, lead))
    assert filled.text == "Dana / Acme Inc"


def test_a_value_holding_braces_is_inserted_once_and_flagged_not_expanded():
    lead = Lead(id="l", email="e@x.io", first_name="{last_name}", last_name="Lee")
    filled = fill("Hi {first_name}", snippet_values(None, lead))
    assert filled.text == "Hi {last_name}"  # not "Hi Lee"
    assert [(p.written, p.start) for p in filled.unfilled] == [("{last_name}", 3)]
    assert unfilled_placeholders(filled.text)  # and the send guard refuses it


def test_custom_variables_match_ignoring_case_and_separators_and_non_text_values_are_unfillable():
    values = snippet_values(None, LEAD)
    assert fill("{custom.plan_tier}/{CUSTOM.plan-tier}", values).text == "Enterprise/Enterprise"
    filled = fill("{custom.tags}{custom.Plan}", values)
    assert [p.reason for p in filled.unfilled] == [
        "the lead has no custom variable 'tags'",
        "the lead has no custom variable 'Plan'",
    ]
    assert filled.unfilled[1].hint == "did you mean {custom.Plan Tier}?"


# --- the template syntax ----------------------------------------------------------------------------------


def test_double_braces_write_literal_braces_and_other_braces_stay_as_written():
    values = SnippetValues({"first_name": "Dana"})
    assert fill("{{ x }} and {a b} and a { b } c}", values).text == "{ x } and {a b} and a { b } c}"
    assert fill('json: {{"a": 1}} and {a b}', values).text == 'json: {"a": 1} and {a b}'
    assert fill('json: {{"a": 1}} and {a b}', values).complete
    # A literal brace-word is still a brace-word: the guard refuses it, whatever wrote it.
    assert [p.written for p in fill("{{ x }}", values).unfilled] == ["{ x }"]


def test_unknown_names_are_unfilled_with_a_did_you_mean_hint():
    filled = fill("Hi {frist_name}, {firstName}, {FIRST_NAME}, {city}", SnippetValues({"first_name": "Dana"}, {"City": "Oslo"}))
    assert filled.text == "Hi {frist_name}, {firstName}, Dana, {city}"
    assert [(p.name, p.reason, p.hint) for p in filled.unfilled] == [
        ("frist_name", "unknown variable", "did you mean {first_name}?"),
        ("firstName", "unknown variable", "did you mean {first_name}?"),
        ("city", "unknown variable", "did you mean {custom.City}?"),
    ]
    assert filled.unfilled[0].message == "{frist_name}: unknown variable (did you mean {first_name}?)"


def test_unfilled_offsets_point_at_the_placeholder_in_the_filled_text():
    filled = fill("Hi {first_name},\n\nabout {company}: {{literal}}", SnippetValues({"first_name": "Dana Marie"}))
    assert filled.text == "Hi Dana Marie,\n\nabout {company}: {literal}"
    spans = [filled.text[p.start : p.end] for p in filled.unfilled]
    assert spans == ["{company}", "{literal}"]
    assert location(filled.text, filled.unfilled[0].start) == (2, 6)
    assert filled.unfilled[1].reason == "left in the text: fill it in or remove it"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Hi {first_name}", ["first_name"]),
        ("Hi {{first_name}}", ["first_name"]),  # another tool's syntax, pasted
        ("Hi { first_name }!", ["first_name"]),
        ("{custom.Job Title}", ["custom.Job Title"]),
        ("See {attached} and {frist_name}", ["attached", "frist_name"]),
        ("a { b c } {} {1st} {e.g. this}", []),
        ("Hi Dana, no variables here.", []),
    ],
)
def test_the_send_guard_finds_every_brace_word_in_the_exact_text(text, names):
    assert [p.name for p in unfilled_placeholders(text)] == names


# --- choosing ----------------------------------------------------------------------------------------------------

SNIPPETS = [
    Snippet("calendar", "Hi {first_name}, grab a slot: https://cal.example", ("meeting_requested", "interested")),
    Snippet("pricing", "Our pricing sheet is attached.", ("question", "needs_more_info")),
    Snippet("interested follow-up", "Great to hear! When suits?", ("interested",)),
    Snippet("q1", "I'll follow up in Q1.", ("not_now",)),
]


def test_snippet_for_label_is_the_first_tied_one_in_config_order():
    assert snippet_for_label(SNIPPETS, "interested").name == "calendar"
    assert snippet_for_label(SNIPPETS, "not_now").name == "q1"
    assert snippet_for_label(SNIPPETS, "referral") is None
    assert snippet_for_label(SNIPPETS, None) is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["calendar", "pricing", "interested follow-up", "q1"]),
        ("cal", ["calendar"]),
        ("pr", ["pricing"]),
        ("c", ["calendar", "pricing"]),  # a prefix beats a later letter
        ("ifu", ["interested follow-up"]),
        ("sheet", ["pricing"]),  # in the text only
        ("FOLLOW", ["interested follow-up", "q1"]),  # name before text
        ("cal slot", ["calendar"]),  # every word must match
        ("zzz", []),
    ],
)
def test_fuzzy_filter_ranks_name_matches_then_text_matches(query, expected):
    assert [s.name for s in fuzzy_filter(SNIPPETS, query)] == expected


# --- names and companies from the thread ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dana O'Neil", ("Dana", "O'Neil")),
        ("Müller, Hans", ("Hans", "Müller")),
        ("dana lee", ("Dana", "Lee")),
        ("DANA LEE", ("Dana", "Lee")),
        ("Dr. Dana J. Lee", ("Dana", "Lee")),
        ("Dana Lee (Acme)", ("Dana", "Lee")),
        ("Dana Lee | Acme Corp", ("Dana", "Lee")),
        ("Dana Lee, PhD", ("Dana", "Lee")),
        ("Ludwig van Beethoven", ("Ludwig", "van Beethoven")),
        ("Jean-Luc Picard", ("Jean-Luc", "Picard")),
        ("Dana", ("Dana", "")),
        ("", ("", "")),
        ("dana@x.io", ("", "")),
        ("Acme Sales Team", ("", "")),
        ("Mail Delivery Subsystem", ("", "")),
        ("R2D2", ("", "")),
        ("山田 太郎", ("", "")),
    ],
)
def test_display_names_split_sensibly_or_not_at_all(name, expected):
    assert split_display_name(name) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("dana.smith@x.io", ("Dana", "Smith")),
        ("dana_smith+promo@x.io", ("Dana", "Smith")),
        ("j.smith@x.io", ("", "Smith")),
        ("dana@x.io", ("", "")),
        ("info.sales@x.io", ("", "")),
        ("d4na.smith@x.io", ("", "")),
    ],
)
def test_address_local_parts_give_a_name_only_when_unambiguous(address, expected):
    assert name_from_address(address) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("x@acme-corp.co.uk", "Acme Corp"),
        ("x@mail.acme-corp.co.uk", "Acme Corp"),
        ("x@sablecloud.com.br", "Sablecloud"),
        ("x@ibm.com", "IBM"),
        ("x@xn--mller-kva.de", "Müller"),
        ("x@gmail.com", ""),
        ("x@yahoo.co.uk", ""),
        ("x@localhost", ""),
        ("not an address", ""),
    ],
)
def test_company_from_the_address_domain(address, expected):
    assert company_from_address(address) == expected


# --- config.toml ---------------------------------------------------------------------------------------------------


def write_config(isolated_env, text: str) -> Path:
    path = Path(isolated_env.config) / "unibox-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_snippets_are_read_in_file_order_with_problems_named_by_line(isolated_env):
    path = write_config(
        isolated_env,
        """# mine
[defaults]
page_size = 20

[snippets.calendar]
text = "Hi {first_name},\\n\\ngreat, grab any slot here: https://cal.example/alex"
labels = ["meeting_requested", "Interested", "intrested"]

[snippets."pricing sheet"]
text = '''Pricing: {company}'''
colour = "red"

[snippets.empty]
labels = ["question"]

[profiles.acme.snippets.x]
text = "per profile?"
""",
    )
    settings = load_settings(env={})
    assert settings.snippets == (
        Snippet("calendar", "Hi {first_name},\n\ngreat, grab any slot here: https://cal.example/alex", ("meeting_requested", "interested")),
        Snippet("pricing sheet", "Pricing: {company}", ()),
    )
    assert settings.warnings == [
        f"Settings file {path}, line 7: unknown label 'intrested' (did you mean 'interested'?); ignored.",
        f"Settings file {path}, line 11: unknown snippet setting `colour` (a snippet has `text` and `labels`); ignored.",
        f"Settings file {path}, line 13: snippet 'empty' needs `text`, a string; ignored.",
    ]
    acme = load_settings(env={"UNIBOX_PROFILE": "acme"})
    assert acme.snippets == settings.snippets  # global: the same in every profile
    assert any("[profiles.acme]: `snippets` belong at the top level" in w for w in acme.warnings)


# --- against the local server: the lead the app finds for a conversation -------------------------------------


async def test_a_snippet_is_filled_from_the_campaign_lead_found_on_the_server(demo_server):
    from unibox_tui.api.client import ReachkitClient
    from unibox_tui.api.lead_lookup import LeadFinder

    async with ReachkitClient(demo_server.key, demo_server.base_url) as client:
        page = await client.list_conversations(page_size=20)
        conversation = next(c for c in page.items if c.latest_incoming is not None)
        [match, *_] = await LeadFinder(client).find(conversation.lead_email)
        inbox = next(i for i in await client.list_inboxes() if i.email.lower() == conversation.inbox_email.lower())
    lead = match.lead
    filled = fill("Hi {first_name} {last_name} at {company} ({title}), {my_first_name} <{my_email}>", snippet_values(conversation, lead, inbox))
    assert filled.complete
    assert filled.text == (
        f"Hi {lead.first_name} {lead.last_name} at {lead.variables['company']} ({lead.variables['title']}), "
        f"{inbox.first_name} <{inbox.email}>"
    )
