"""Referrals in a reply: the addresses a lead points us to, with the names the text gives them.

"You should talk to Jane Doe <jane@acme.io>", "cc'ing Jane (jane@acme.io)", "I passed this on
to Jane Doe, ... Their email is jane.doe@acme.io", "reach out to jane.doe@acme.io": each yields
``jane…@acme.io`` with ``Jane``/``Doe`` where the words (or the address itself) say so. Pure
and Textual-free; everything returned has been through the sanitiser.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final

from ..render.sanitize import clean_line

__all__ = ["Candidate", "find_referrals", "name_matches_address", "names_from_address"]

MAX_SCAN_CHARS: Final = 100_000
MAX_CANDIDATES: Final = 8
#: How far before an address a name may stand and still be taken as its owner's.
NAME_WINDOW: Final = 160

_EMAIL = re.compile(r"(?<![\w.%+'-])([\w%+'-][\w.%+'-]{0,63}@[\w-]{1,63}(?:\.[\w-]{1,63})+)")
_QUOTED_NAME = re.compile(r'"([^"\n]{1,80})"$|“([^”\n]{1,80})”$|\'([^\'\n]{1,80})\'$')
_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
_PARTICLES: Final = frozenset({"van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "le", "la", "bin", "al"})
# Capitalised words that start sentences, greet, sign off or name a role: never a person's name.
_NOT_NAMES: Final = frozenset(
    """
    hi hello hey dear thanks thank best regards cheers kind warm sincerely yours i i'm i've i'll i'd
    we you they he she it our your their his her its the a an this that these those please reach
    talk contact email e-mail mail ping loop cc bcc re fwd fw sent from to subject date also and or
    but so sorry unfortunately actually yes no ok okay sure feel let maybe perhaps just not team
    sales support head vp ceo cto cfo coo cmo director manager ops operations marketing finance
    engineering hr legal procurement founder owner lead office admin info hr via at on in for with
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december good great happy hope looking note ps p.s
    there here everyone all folks guys everybody someone somebody colleague colleagues
    """.split()
)
_ROLE_LOCALS: Final = frozenset(
    """
    info sales office hello hi team support contact admin help billing accounts finance hr jobs
    careers marketing press media legal privacy security it ops operations service services
    enquiries inquiries mail email webmaster partners partnerships procurement purchasing
    """.split()
)
_SYSTEM_LOCALS: Final = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|notifications?|daemon)\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An address found in the text, with the name guessed for it (empty where unknown)."""

    email: str
    first_name: str = ""
    last_name: str = ""
    #: Where the name came from: "text" (written next to it), "address" (``jane.doe@``) or "".
    name_source: str = ""
    #: The sentence it was found in, one cleaned line, for the form to show.
    context: str = ""

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def find_referrals(
    text: str,
    *,
    own_addresses: Iterable[str] = (),
    lead_email: str = "",
) -> list[Candidate]:
    """Candidate referrals in ``text``, best first.

    Our own inboxes never appear; system senders (mailer-daemon, no-reply) and the lead's own
    address appear only when nothing else was found; role addresses (sales@, info@) and
    addresses at our own domains come after personal ones.
    """
    text = (text or "")[:MAX_SCAN_CHARS]
    own = {_fold(a) for a in own_addresses if a}
    own_domains = {a.rpartition("@")[2] for a in own if "@" in a}
    lead = _fold(lead_email)
    found: dict[str, Candidate] = {}
    for match in _EMAIL.finditer(text):
        email = match.group(1).strip(".-'")
        if "@" not in email or email.startswith("@"):
            continue
        key = _fold(email)
        if key in own:
            continue
        first, last, source = _name_for(text, match.start(1), match.end(1), email)
        candidate = Candidate(
            clean_line(email, max_chars=254),
            clean_line(first, max_chars=60),
            clean_line(last, max_chars=60),
            source,
            _sentence(text, match.start(1), match.end(1)),
        )
        previous = found.get(key)
        if previous is None:
            found[key] = candidate
        elif _better_name(candidate, previous):
            found[key] = replace(previous, first_name=candidate.first_name, last_name=candidate.last_name,
                                 name_source=candidate.name_source)
    ranked = sorted(
        found.values(),
        key=lambda c: _rank(c, lead=lead, own_domains=own_domains),
    )
    people = [c for c in ranked if not _fallback_only(c, lead)]
    return (people or ranked)[:MAX_CANDIDATES]


def _rank(candidate: Candidate, *, lead: str, own_domains: set[str]) -> int:
    key = _fold(candidate.email)
    local, _, domain = key.partition("@")
    if _fallback_only(candidate, lead):
        return 3
    if domain in own_domains or local in _ROLE_LOCALS:
        return 2
    return 0 if candidate.first_name else 1


def _fallback_only(candidate: Candidate, lead: str) -> bool:
    key = _fold(candidate.email)
    return key == lead or bool(_SYSTEM_LOCALS.match(key.partition("@")[0]))


def _better_name(new: Candidate, old: Candidate) -> bool:
    if not new.first_name:
        return False
    if not old.first_name:
        return True
    return old.name_source != "text" and new.name_source == "text" or (not old.last_name and bool(new.last_name))


# -- names ---------------------------------------------------------------------------------------


def _name_for(text: str, start: int, end: int, email: str) -> tuple[str, str, str]:
    """(first, last, source) for the address at ``text[start:end]``."""
    before = text[max(0, start - NAME_WINDOW) : start]
    after = text[end : end + 80]
    words = _adjacent_name(before, after)
    if not words:
        words = _nearby_name(before, email)
    if words:
        first, last = words[0], " ".join(words[1:])
        if not last:
            # "Jane (jane.doe@acme.io)": the address knows the surname the text left out.
            guessed = names_from_address(email)
            if guessed and _fold(guessed[0]) == _fold(first) and guessed[1]:
                last = guessed[1]
        return first, last, "text"
    guessed = names_from_address(email)
    if guessed:
        return guessed[0], guessed[1], "address"
    return "", "", ""


def _adjacent_name(before: str, after: str) -> list[str]:
    """A name written right against the address: ``Jane Doe <a>``, ``Jane (a)``, ``a (Jane Doe)``."""
    stripped = before.rstrip()
    if stripped.endswith(("<", "(", "[")):
        head = stripped[:-1].rstrip()
        quoted = _QUOTED_NAME.search(head)
        if quoted:
            words = _name_words(next(g for g in quoted.groups() if g), allow_lower=True)
            if words:
                return words
        words = _trailing_name(head)
        if words:
            return words
    for sep in (":", " at", " -", " –", " —"):
        if stripped.endswith(sep):
            words = _trailing_name(stripped[: -len(sep)])
            if words:
                return words
    paren = re.match(r"\s*[(\[]\s*([^()\[\]\n]{1,80})[)\]]", after)
    if paren:
        return _name_words(paren.group(1), allow_lower=False)
    return []


def _nearby_name(before: str, email: str) -> list[str]:
    """The closest capitalised name in the same paragraph that fits the address's local part."""
    paragraph = before.rsplit("\n\n", 1)[-1]
    runs = _capitalised_runs(paragraph)
    for words in reversed(runs):
        if name_matches_address(words, email):
            return words
    return []


def _capitalised_runs(text: str) -> list[list[str]]:
    runs: list[list[str]] = []
    current: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group(0).rstrip(".'’-")
        gap = text[position : match.start()]
        position = match.end()
        if current and (any(ch in gap for ch in ",;:!?()<>\n\"") or gap.count(".")):
            runs.append(current)
            current = []
        if _is_name_word(word):
            current.append(word)
        elif current and word.lower() in _PARTICLES:
            current.append(word)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    cleaned = []
    for run in runs:
        while run and run[-1].lower() in _PARTICLES:
            run = run[:-1]
        if run and len(run) <= 4:
            cleaned.append(run)
    return cleaned


def _trailing_name(text: str) -> list[str]:
    """The run of name words at the very end of ``text`` ("...talk to Jane Doe")."""
    tail = text[-NAME_WINDOW:]
    words: list[str] = []
    end = len(tail)
    for match in reversed(list(_WORD.finditer(tail))):
        if tail[match.end() : end].strip():
            break  # punctuation between: the name (if any) ended there
        word = match.group(0).rstrip(".'’-")
        if not (_is_name_word(word) or (words and word.lower() in _PARTICLES)):
            break
        words.insert(0, word)
        end = match.start()
        if len(words) == 4:
            break
    while words and words[0].lower() in _PARTICLES:
        words.pop(0)
    return words


def _name_words(text: str, *, allow_lower: bool) -> list[str]:
    words = [w.rstrip(".'’-") for w in _WORD.findall(text)]
    if not words or len(words) > 4:
        return []
    if not all(_is_name_word(w) or (allow_lower and w.isalpha() and w.lower() not in _NOT_NAMES) or
               w.lower() in _PARTICLES for w in words):
        return []
    if allow_lower:
        words = [w if w.lower() in _PARTICLES else w[:1].upper() + w[1:] for w in words]
    return words


def _is_name_word(word: str) -> bool:
    return (
        len(word) >= 2
        and word[0].isupper()
        and not word.isupper()  # "CEO", "VP", "EMEA"
        and word.lower() not in _NOT_NAMES
        and not any(ch.isdigit() for ch in word)
    )


def names_from_address(email: str) -> tuple[str, str] | None:
    """``jane.doe@`` -> ("Jane", "Doe"); a single word or a role address gives no guess."""
    local = email.partition("@")[0].split("+", 1)[0]
    parts = [p for p in re.split(r"[._-]", local) if p]
    if len(parts) != 2 or not all(p.isalpha() and len(p) >= 2 for p in parts):
        return None
    if parts[0].lower() in _ROLE_LOCALS or parts[1].lower() in _ROLE_LOCALS:
        return None
    return parts[0].capitalize(), parts[1].capitalize()


def name_matches_address(words: list[str], email: str) -> bool:
    """Whether a name could own the address: ``Jane Doe`` fits jane@, jane.doe@, jdoe@, doe.j@..."""
    if not words:
        return False
    local = _fold(email.partition("@")[0].split("+", 1)[0])
    tokens = [t for t in re.split(r"[._-]", local) if t]
    flat = "".join(tokens)
    names = [_fold(w) for w in words if w.lower() not in _PARTICLES]
    if not names:
        return False
    first, last = names[0], names[-1]
    if first in tokens or (len(names) > 1 and last in tokens):
        return True
    if len(names) > 1 and flat in (first[0] + last, first + last[0], first + last, last + first):
        return True
    return len(first) >= 3 and flat.startswith(first)


def _fold(text: str) -> str:
    """Lower case without accents: ``Zoë`` and ``zoe`` are the same person in an address."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(sep, 0, start) for sep in (". ", "\n", "! ", "? "))
    right_candidates = [i for i in (text.find(sep, end) for sep in (". ", "\n", "! ", "? ")) if i >= 0]
    right = min(right_candidates) if right_candidates else len(text)
    left = max(left + 1, start - 120)
    right = min(right + 1, end + 120)
    return clean_line(text[left:right], max_chars=200)
