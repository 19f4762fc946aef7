"""A person's first and last name and their company, guessed from what an email thread tells.

Snippets fall back to these guesses when the campaign lead does not say (``domain/snippets.py``).
A wrong guess lands in a real email ("Hi Dsmith,"), so every rule here prefers "unknown" to a
coin flip: an unknown name stays an unfilled variable the SDR must fill by hand.

How far the guessing goes (each rule has a test):

- Display names: ``Dana O'Neil`` -> Dana / O'Neil; ``Müller, Hans`` -> Hans / Müller;
  honorifics (``Dr.``), suffixes (``Jr.``, ``PhD``), a bracketed note (``(Acme)``) and a tail
  after `` | `` or `` - `` are dropped; ``Ludwig van Beethoven`` keeps ``van Beethoven``; all-lower
  or ALL-UPPER names are capitalised, mixed case is kept as written. A name holding digits, ``@``
  or a role word (``Sales Team``, ``Mail Delivery Subsystem``) is not a person's name. Names in
  Chinese, Japanese or Korean script are not split: which part is the given name varies.
- Address local parts: ``dana.smith@`` -> Dana / Smith (also ``_`` and ``-``, ``+tags`` dropped);
  ``j.smith@`` -> only Smith. A single word (``dana@``, ``dsmith@``, ``info@``) is no name: the
  two cannot be told apart.
- Companies: the registrable part of the domain, ``mail.acme-corp.co.uk`` -> "Acme Corp"
  (``co.uk``-style suffixes are recognised by shape, no suffix list); ``ibm.com`` -> "IBM"
  (three letters or fewer read as an acronym); free mail providers (gmail.com...) are no company.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from ..render.sanitize import clean_line

__all__ = ["company_from_address", "name_from_address", "split_display_name"]

_HONORIFICS: Final = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "herr", "frau", "mme", "mlle", "sr", "sra", "dott"}
)
_SUFFIXES: Final = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "esq", "cpa", "msc", "bsc"})
_PARTICLES: Final = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "des", "la", "le", "ter", "ten", "bin", "al", "dos"}
)
#: Words that make a display name a mailbox's, not a person's.
_ROLE_WORDS: Final = frozenset(
    {
        "team", "support", "info", "sales", "noreply", "no-reply", "donotreply", "admin", "office",
        "hello", "contact", "billing", "accounts", "marketing", "mailer-daemon", "postmaster",
        "delivery", "subsystem", "notifications", "notification", "newsletter", "help", "service",
        "services", "hr", "jobs", "careers", "partners", "reception", "inbox", "mailer",
    }
)
#: Mail providers whose domain says nothing about where the person works.
_FREE_MAIL: Final = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "proton.me",
        "protonmail.com", "pm.me", "gmx.com", "gmx.de", "gmx.net", "web.de", "t-online.de",
        "yandex.com", "yandex.ru", "mail.ru", "qq.com", "163.com", "126.com", "zoho.com",
        "fastmail.com", "hey.com", "tutanota.com", "orange.fr", "free.fr", "libero.it",
        "btinternet.com", "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "naver.com",
    }
)
_FREE_MAIL_PREFIXES: Final = ("yahoo.", "hotmail.", "outlook.", "live.", "gmx.", "yandex.")
#: Second-level labels that, under a two-letter country code, form a public suffix (``co.uk``).
_SECOND_LEVEL: Final = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc", "ne", "or", "gob", "gouv", "nom"})

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|<[^<>]*>")
_TAIL = re.compile(r"\s+(?:[|/•·–—-]|at|from|@)\s+.*$", re.IGNORECASE)
_NAME_TOKEN = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’.-])*$")
_LOCAL_PART = re.compile(r"^[A-Za-z]+$")


def split_display_name(name: str) -> tuple[str, str]:
    """(first, last) from a display name, each ``""`` when the name does not tell."""
    text = clean_line(name, max_chars=200).strip().strip("\"'")
    if not text or "@" in text or any(ch.isdigit() for ch in text):
        return "", ""
    text = _TAIL.sub("", _BRACKETED.sub(" ", text)).strip(" ,")
    if _is_cjk(text):
        return "", ""
    first_part, comma, rest = text.partition(",")
    if comma and _words(rest) and not all(_bare(word) in _SUFFIXES for word in _words(rest)):
        given, family = _words(rest), _words(first_part)  # "Müller, Hans"
    else:
        words = _words(first_part)
        given, family = words[:1], words[1:]
    given = [w for w in given if _bare(w) not in _HONORIFICS]
    if not given and family:
        given, family = family[:1], family[1:]
    if not given or not all(_NAME_TOKEN.match(w) for w in given + family):
        return "", ""
    if any(_bare(w) in _ROLE_WORDS for w in given + family):
        return "", ""
    return _capitalised(given[0]), _capitalised(_family_name(family))


def name_from_address(address: str) -> tuple[str, str]:
    """(first, last) from an address's local part: ``dana.smith@`` says both, ``dana@`` neither."""
    local = clean_line(address, max_chars=320).rpartition("@")[0].split("+", 1)[0]
    parts = [part for part in re.split(r"[._-]+", local) if part]
    if not 2 <= len(parts) <= 3 or not all(_LOCAL_PART.match(part) for part in parts):
        return "", ""
    if any(part.lower() in _ROLE_WORDS for part in parts):
        return "", ""
    first = parts[0] if len(parts[0]) >= 2 else ""
    last = parts[-1] if len(parts[-1]) >= 2 else ""
    return first.capitalize(), last.capitalize()


def company_from_address(address: str) -> str:
    """A company name from the address's domain; ``""`` for free mail and unusable domains."""
    domain = clean_line(address, max_chars=320).rpartition("@")[2].strip().rstrip(".").lower()
    labels = [_from_punycode(label) for label in domain.split(".")]
    if len(labels) < 2 or not all(labels) or _is_free_mail(domain):
        return ""
    suffix = 2 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 1
    name = labels[-suffix - 1]
    words = [word for word in re.split(r"[-_]+", name) if word]
    if not words:
        return ""
    if len(words) == 1 and len(name) <= 3 and name.isalpha():
        return name.upper()
    return " ".join(word[:1].upper() + word[1:] for word in words)


# --- helpers -------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    words = [w.strip(",") for w in text.split()]
    return [w for w in words if w and _bare(w) not in _SUFFIXES]


def _bare(word: str) -> str:
    return word.strip(".,").lower()


def _family_name(words: list[str]) -> str:
    """The family name among the words after the given name: from a particle on, else the last."""
    words = [w for w in words if len(w.rstrip(".")) > 1]  # middle initials ("J.")
    if not words:
        return ""
    for index, word in enumerate(words):
        if word.lower() in _PARTICLES and index < len(words) - 1:
            return " ".join(words[index:])
    return words[-1]


def _capitalised(name: str) -> str:
    """``DANA`` / ``dana`` -> ``Dana``; a name written in mixed case is kept as its owner wrote it."""
    if name.islower() or name.isupper():
        words = name.split()
        return " ".join(w if w.lower() in _PARTICLES and len(words) > 1 else w.title() for w in words)
    return name


def _is_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA")) for ch in text)


def _is_free_mail(domain: str) -> bool:
    return domain in _FREE_MAIL or domain.startswith(_FREE_MAIL_PREFIXES)


def _from_punycode(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except (UnicodeError, ValueError):
            return ""
    return label
