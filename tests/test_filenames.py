"""Attachment names from strangers become safe file names (render/filenames.py)."""

from __future__ import annotations

import os
import random
import unicodedata

import pytest

from unibox_tui.render.filenames import extension_for, safe_filename, short_type, split_extension


def safe(name: str | None, **kwargs) -> str:
    kwargs.setdefault("attachment_id", "att_1")
    return safe_filename(name, **kwargs)


@pytest.mark.parametrize(
    ("hostile", "expected"),
    [
        ("../../x.sh", "x.sh"),
        ("/etc/passwd", "passwd"),
        ("..\\..\\win.ini", "win.ini"),
        ("C:\\Users\\me\\evil.exe", "evil.exe"),
        ("CON", "CON_"),
        ("con.tar.gz", "con_.tar.gz"),
        ("CON .txt", "CON_.txt"),
        ("COM1.pdf", "COM1_.pdf"),
        ("lpt¹", "lpt¹_"),
        ("CONIN$", "CONIN$_"),
        (".bashrc", "bashrc"),
        ("...hidden", "hidden"),
        ("-rf", "rf"),
        ("report.pdf. . .", "report.pdf"),
        ("a\x00b.txt", "ab.txt"),
        ("line\nbreak.txt", "line break.txt"),
        ("\x1b[31mred\x1b[0m.txt", "red.txt"),
        ("\x1b]0;pwned\x07deck.pdf", "deck.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("zero\u200bwidth\ufeff.pdf", "zerowidth.pdf"),
        ("report\u2215final.pdf", "report_final.pdf"),
        ("Q3: final?.pptx", "Q3_ final_.pptx"),
        ("Angebot Müller.pdf", "Angebot Müller.pdf"),
        ("Lanternfish – Overview 2026.pdf", "Lanternfish – Overview 2026.pdf"),
    ],
)
def test_hostile_names_become_plain_names(hostile, expected):
    assert safe(hostile) == expected


@pytest.mark.parametrize("empty", ["", None, ".", "..", "/", "\\", "../..", " . ", "\x00\x1b", "\u202e\u200b", "///"])
def test_nothing_usable_falls_back_to_the_attachment_id(empty):
    assert safe(empty, attachment_id="att_9", content_type="application/pdf") == "attachment-att_9.pdf"


def test_the_fallback_cleans_the_id_and_guesses_the_extension_only_when_it_means_something():
    assert safe("", attachment_id="../../../etc", content_type="image/jpeg") == "attachment-etc.jpg"
    assert safe("", attachment_id="x", content_type="application/octet-stream") == "attachment-x"
    assert safe("", attachment_id="", content_type="") == "attachment"
    assert safe("", attachment_id="\x1b[2J", content_type="text/plain; charset=utf-8") == "attachment.txt"


def test_long_names_are_capped_in_utf8_bytes_keeping_the_extension():
    name = safe("x" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) == 200
    wide = safe("é" * 300 + ".docx")
    assert wide.endswith(".docx") and len(wide.encode()) <= 200
    emoji = safe("📎" * 100 + ".tar.gz", max_bytes=64)
    assert emoji.endswith(".tar.gz") and len(emoji.encode()) <= 64
    assert safe("y" * 300).startswith("yyy") and len(safe("y" * 300).encode()) == 200


def test_extensions_and_types():
    assert split_extension("deck.pdf") == ("deck", ".pdf")
    assert split_extension("backup.tar.gz") == ("backup", ".tar.gz")
    assert split_extension("README") == ("README", "")
    assert split_extension(".pdf") == (".pdf", "")
    assert extension_for("application/pdf") == ".pdf"
    assert extension_for("nonsense") == ""
    assert short_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") == "Excel spreadsheet"
    assert short_type("image/PNG") == "image/png"
    assert short_type("\x1b[31mtext/evil") == "text/evil"
    assert short_type("") == "unknown type"


# -- property test: a nasty alphabet, a fixed seed ---------------------------------------------------------

NASTY = [
    "/", "\\", ".", "..", " ", "\x00", "\n", "\r", "\t", "\x1b", "\x1b[31m", "\x1b]0;t\x07", "\x7f", "\x85",
    "\x9b", "\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u2028",
    "\u3164", "\u2215", "\uff0f", ":", "*", "?", '"', "<", ">", "|", "~", "-", "CON", "nul", "COM1",
    "LPT9", ".part", ".pdf", ".tar.gz", "a", "Z", "é", "ß", "e\u0301", "📎", "中", "$", "%", "'", "[", "]",
]


def _random_name(rng: random.Random) -> str:
    return "".join(rng.choice(NASTY) for _ in range(rng.randint(0, 120)))


def test_no_name_escapes_the_folder_or_hides_in_it(tmp_path):
    rng = random.Random(20260528)
    folder = str(tmp_path / "downloads")
    banned_categories = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    for _ in range(4000):
        raw = _random_name(rng)
        name = safe(raw, attachment_id=_random_name(rng)[:20], content_type=rng.choice(["", "application/pdf", "x"]))
        assert name, raw
        assert name not in (".", "..")
        assert not name.startswith((".", "-", " ")), (raw, name)
        assert not name.endswith((".", " ")), (raw, name)
        assert "/" not in name and "\\" not in name and "\x00" not in name, (raw, name)
        assert not any(unicodedata.category(c) in banned_categories for c in name), (raw, name)
        assert len(name.encode("utf-8")) <= 200
        assert name.split(".", 1)[0].rstrip(" ").upper() not in {"CON", "NUL", "PRN", "AUX", "COM1", "LPT9"}
        joined = os.path.realpath(os.path.join(folder, name))
        assert os.path.dirname(joined) == os.path.realpath(folder), (raw, name)
        assert safe(name, attachment_id="other") == name, (raw, name)  # idempotent


def test_display_names_are_shortened_in_the_middle():
    from unibox_tui.render.filenames import display_name

    assert display_name("deck.pdf") == "deck.pdf"
    long = display_name("A" * 200 + ".pdf", 40)
    assert len(long) == 40 and long.endswith("AAAA.pdf") and "…" in long
