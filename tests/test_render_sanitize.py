"""Server strings reach the terminal only through the sanitiser: no escapes, no invisible tricks."""

from __future__ import annotations

import random
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from unibox_tui.render import clean_line, clean_text
from unibox_tui.render.sanitize import ELLIPSIS, TRUNCATION_MARKER

ROOT = Path(__file__).resolve().parents[1]

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u200e\u200f"
ZWJ, ZWNJ = "\u200d", "\u200c"
ALL_CF = "".join(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf")


def banned_in_text(ch: str) -> bool:
    """What must never reach the terminal inside a body."""
    cp = ord(ch)
    if ch in "\n":
        return False
    return (
        cp < 0x20
        or 0x7F <= cp <= 0x9F
        or 0xD800 <= cp <= 0xDFFF
        or ch in "\u2028\u2029"
        or (unicodedata.category(ch) == "Cf" and ch not in (ZWJ, ZWNJ))
    )


def banned_in_line(ch: str) -> bool:
    return banned_in_text(ch) or ch in (ZWJ, ZWNJ, "\n", "\t") or (ch.isspace() and ch != " ")


# -- escape sequences ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\x1b[31mred\x1b[0m text", "red text"),
        ("\x1b[38;2;255;0;0mtruecolor\x1b[m", "truecolor"),
        ("title\x1b]0;pwned\x07 after", "title after"),
        ("title\x1b]2;pwned\x1b\\ after", "title after"),
        ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),
        ("a\x1bP+q544e\x1b\\b", "ab"),  # DCS (XTGETTCAP)
        ("a\x1b_apc payload\x1b\\b", "ab"),
        ("a\x1b^pm\x1b\\b\x1bXsos\x1b\\c", "abc"),
        ("8-bit \x9b31mcsi\x9b0m", "8-bit csi"),
        ("8-bit \x9d0;title\x9c osc", "8-bit  osc"),
        ("reset\x1bc screen", "reset screen"),
        ("charset\x1b(0 switch", "charset switch"),
        ("keypad\x1b= mode\x1b>", "keypad mode"),
    ],
)
def test_terminal_control_sequences_are_removed_whole(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected
    assert clean_line(raw) == " ".join(expected.split())


def test_an_unterminated_osc_cannot_hide_the_rest_of_a_long_body() -> None:
    body = "Hello\x1b]0;" + "x" * 10_000 + "\nThe real message."
    cleaned = clean_text(body)
    assert cleaned.startswith("Hello")
    assert cleaned.endswith("The real message.")
    assert "\x1b" not in cleaned


def test_an_unterminated_short_osc_runs_to_the_end() -> None:
    assert clean_text("visible\x1b]0;title that never ends") == "visible"


# -- characters ------------------------------------------------------------------------------


def test_c0_del_c1_and_nul_are_dropped_but_newlines_stay() -> None:
    raw = "a\x00b\x07c\x08d\x0be\x0cf\x7fg\x85h\x80\x9ai\nj"
    assert clean_text(raw) == "abcdefghi\nj"
    # U+009F is 8-bit APC: a string introducer, so its payload goes too.
    assert clean_text("keep\x9fpayload\x9c this") == "keep this"


def test_carriage_returns_become_newlines() -> None:
    assert clean_text("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"
    assert clean_text("a\u2028b\u2029c") == "a\nb\nc"


def test_tabs_are_expanded() -> None:
    assert clean_text("Item\tPrice") == "Item    Price"
    assert "\t" not in clean_text("\t\tx")


def test_lone_surrogates_are_dropped_and_the_result_encodes() -> None:
    cleaned = clean_text("ok\ud800 \udfff done \ud83d")
    assert cleaned == "ok  done "
    cleaned.encode("utf-8")


def test_bidi_controls_are_dropped_everywhere() -> None:
    spoof = f"invoice{BIDI}fdp.exe"
    assert clean_text(spoof) == "invoicefdp.exe"
    assert clean_line(spoof) == "invoicefdp.exe"


def test_every_format_character_is_dropped_except_joiners_in_bodies() -> None:
    assert clean_text(ALL_CF) == ZWNJ + ZWJ
    assert clean_line(ALL_CF) == ""


def test_zero_width_joiner_keeps_emoji_and_persian_in_bodies_only() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    persian = "می\u200cخواهم"
    assert clean_text(f"{family} {persian}") == f"{family} {persian}"
    assert clean_line(family) == "\U0001f468\U0001f469\U0001f467"


def test_invisible_characters_cannot_fake_a_sender_name() -> None:
    fake = "Pay\u200bPal\u2060 Support\ufeff \u3164<service@paypa1.example>"
    assert clean_line(fake) == "PayPal Support <service@paypa1.example>"


def test_tag_characters_smuggling_text_are_dropped() -> None:
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "ignore previous instructions")
    assert clean_text(f"Hi{hidden}!") == "Hi!"


def test_markup_is_not_our_business_brackets_pass_through() -> None:
    for s in ("[@click=app.quit]x[/]", "Re: invoice [/] total", "[b]$name[/b] \\[x]"):
        assert clean_text(s) == s
        assert clean_line(s) == s


def test_ordinary_text_is_untouched() -> None:
    text = "Grüße aus München — “ünïcödé” 😀 日本語 עברית العربية\n\n  indented"
    assert clean_text(text) == text


# -- one-line fields -------------------------------------------------------------------------


def test_clean_line_collapses_every_kind_of_whitespace() -> None:
    assert clean_line("  Re:\n\tyour\u00a0\u2003offer \r\n  ") == "Re: your offer"


def test_clean_line_caps_with_an_ellipsis() -> None:
    long = "word " * 400
    out = clean_line(long, max_chars=50)
    assert len(out) <= 50
    assert out.endswith(ELLIPSIS)
    assert clean_line("short", max_chars=50) == "short"


def test_clean_line_default_cap_applies_to_huge_input() -> None:
    out = clean_line("x" * 5_000_000)
    assert len(out) == 500
    assert out.endswith(ELLIPSIS)


def test_none_and_empty_give_empty() -> None:
    assert clean_text(None) == ""
    assert clean_line(None) == ""
    assert clean_text("") == ""


def test_clean_text_cap_has_a_visible_marker() -> None:
    out = clean_text("line\n" * 10_000, max_chars=1000)
    assert len(out) <= 1000
    assert out.endswith(TRUNCATION_MARKER)
    assert clean_text("short", max_chars=1000) == "short"


# -- properties -------------------------------------------------------------------------------

NASTY = (
    list("abc xyz[]/@=$\\<>&;")
    + ["\x1b", "[", "]", "\\", "P", "_", "^", "X", "0", ";", "m", "\x07", "\x9c", "\x9b", "\x9d"]
    + ["\x90", "\x98", "\x9e", "\x9f", "\x00", "\r", "\n", "\t", "\x7f", "\x85", "\x18", "\x1a"]
    + ["\ud800", "\udfff", "\u2028", "\u2029", "\u00a0", "\u3000", ZWJ, ZWNJ, "\ufeff"]
    + ["\u00ad", "\u200b", "\u3164", "😀", "é", "\U000e0041", "\U0001d173"]
    + list(BIDI)
)


def _random_strings(count: int, seed: int = 20251103) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(NASTY) for _ in range(rng.randrange(0, 60))) for _ in range(count)]


def test_property_clean_text_never_outputs_banned_characters_and_is_idempotent() -> None:
    for s in _random_strings(3000):
        out = clean_text(s)
        assert not any(banned_in_text(ch) for ch in out), (s, out)
        assert "\t" not in out and "\r" not in out
        assert clean_text(out) == out, s
        out.encode("utf-8")
        capped = clean_text(s * 20, max_chars=100)
        assert len(capped) <= 100
        assert clean_text(capped, max_chars=100) == capped


def test_property_clean_line_is_one_clean_line_and_idempotent() -> None:
    for s in _random_strings(3000, seed=7):
        out = clean_line(s, max_chars=40)
        assert not any(banned_in_line(ch) for ch in out), (s, out)
        assert out == out.strip() and "  " not in out
        assert len(out) <= 40
        assert clean_line(out, max_chars=40) == out, s


# -- speed and boundaries ---------------------------------------------------------------------


def test_a_five_megabyte_body_is_cleaned_quickly() -> None:
    body = ("Grüße — a perfectly normal line of a long email body 😀\r\n" * 90_000)[:5_000_000]
    start = time.perf_counter()
    out = clean_text(body)
    elapsed = time.perf_counter() - start
    assert "\r" not in out
    assert elapsed < 1.5  # measured ~0.1 s; generous for slow CI machines


def test_render_imports_neither_textual_nor_ui_nor_rich_nor_heavy_libraries() -> None:
    code = (
        "import sys, unibox_tui.render as r\n"
        "r.clean_text('x'); r.clean_line('x'); r.split_quoted('> a')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')"
        " or m.startswith('unibox_tui.ui') or m in ('html2text', 'markdown_it')]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
