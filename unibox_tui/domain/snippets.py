"""Snippets: canned replies with the lead's variables filled in, never sent with a hole in them.

Syntax of a snippet's ``text`` (``[snippets.NAME]`` in config.toml):

- ``{first_name}`` ``{last_name}`` ``{company}`` ``{email}`` ``{title}`` ``{my_first_name}``
  ``{my_email}`` and ``{custom.NAME}`` (one of the lead's custom variables) are variables.
  Built-in names are matched case-insensitively (``{First_Name}`` works); spaces inside the braces
  are allowed (``{ first_name }``).
- ``{{`` and ``}}`` write a literal brace. Any other brace that does not make a ``{word}`` is kept
  as written (``a { b``, ``{see below}``), so prose and code survive.
- An unknown name (``{frist_name}``) is not a literal: it is an unfilled variable, with a "did
  you mean {first_name}?" hint, since a typo in a template is far likelier than a wish to mail
  the word in braces.

The rule that matters: **a variable that cannot be filled is never sent**. ``fill`` keeps every
unfilled variable in the text, as written, and lists where it is; ``unfilled_placeholders`` is the
final guard the send path runs on the exact text about to go out. It flags every ``{word}`` left,
whatever produced it (a snippet, a paste from a web template, ``{{word}}``, a value from the lead
that itself holds braces). So a literal ``{word}`` cannot be mailed; ``{ two words }`` can.

Values come from strangers (the lead record, the thread): each is sanitised with ``clean_line``
before insertion and inserted once, never expanded again.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from ..api.models import Conversation, Inbox, Lead
from ..render.sanitize import clean_line
from .names import company_from_address, name_from_address, split_display_name

__all__ = [
    "VARIABLES",
    "Filled",
    "Placeholder",
    "Snippet",
    "SnippetValues",
    "fill",
    "fuzzy_filter",
    "location",
    "snippet_for_label",
    "snippet_values",
    "snippets_from_config",
    "unfilled_placeholders",
    "valid_snippet_name",
]

#: The built-in variables, in the order the picker's help lists them.
VARIABLES: Final = ("first_name", "last_name", "company", "email", "title", "my_first_name", "my_email")
CUSTOM_PREFIX: Final = "custom."
#: A filled value is one line of at most this many characters.
MAX_VALUE_CHARS: Final = 200

#: Lead custom variables that hold the company or the title, first found wins (case-insensitive).
_COMPANY_KEYS: Final = ("company", "company_name", "companyname", "organization", "organisation", "account")
_TITLE_KEYS: Final = ("title", "job_title", "jobtitle", "position", "role")
#: Names other tools use, for the "did you mean" hint (never filled silently: explicit is safer).
_ALIASES: Final = {
    "firstname": "first_name", "first": "first_name", "name": "first_name", "fname": "first_name",
    "lastname": "last_name", "last": "last_name", "surname": "last_name", "lname": "last_name",
    "company_name": "company", "companyname": "company", "organization": "company",
    "job_title": "title", "jobtitle": "title", "position": "title", "email_address": "email",
    "my_name": "my_first_name", "sender_name": "my_first_name", "sender_first_name": "my_first_name",
    "sender_email": "my_email",
}

# In a template: an escaped brace, or braces around something shaped like a variable name.
_NAME = r"\s*(?:(?i:custom)\.[^{}\n]*?|[^\W\d]\w*)\s*"
_TEMPLATE = re.compile(r"\{\{|\}\}|\{(" + _NAME + r")\}")
# In a text about to be sent: any brace-word left (inside ``{{word}}`` too).
_LEFTOVER = re.compile(r"\{(" + _NAME + r")\}")


@dataclass(frozen=True, slots=True)
class Snippet:
    """One canned reply from config.toml; ``labels`` tie it to labels (``r`` prefills it)."""

    name: str
    text: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A variable left unfilled in a text: where it is (offsets), why, and a hint when we have one."""

    written: str  # exactly as in the text, braces included: "{frist_name}"
    name: str  # the name inside, stripped: "frist_name"
    start: int
    end: int
    reason: str = ""
    hint: str = ""  # "did you mean {first_name}?"

    @property
    def message(self) -> str:
        """One sentence for the composer: "{frist_name}: unknown variable (did you mean {first_name}?)"."""
        why = self.reason or "not filled"
        return f"{self.written}: {why}" + (f" ({self.hint})" if self.hint else "")


@dataclass(frozen=True, slots=True)
class Filled:
    """A snippet's text with what could be filled filled, and every variable left (in order)."""

    text: str
    unfilled: tuple[Placeholder, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.unfilled


@dataclass(frozen=True, slots=True)
class SnippetValues:
    """What fills the variables for one conversation; ``""`` means unknown.

    ``sources`` says where each value came from ("lead", "thread name", "address", "domain",
    "inbox"), so the picker's preview can say how sure it is; ``custom`` holds the lead's custom
    variables (already sanitised, non-text values left out).
    """

    values: Mapping[str, str] = field(default_factory=dict)
    custom: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        """The value for a variable name as written (``First_Name``, ``custom.plan``), or ``""``."""
        if name[: len(CUSTOM_PREFIX)].lower() == CUSTOM_PREFIX:
            return _custom_value(self.custom, name[len(CUSTOM_PREFIX) :].strip())
        return self.values.get(name.lower(), "")


# --- where the values come from ---------------------------------------------------------------------


def snippet_values(conversation: Conversation | None, lead: Lead | None = None, inbox: Inbox | None = None) -> SnippetValues:
    """The variables for a reply in ``conversation``: the campaign lead first, then the thread.

    ``lead`` is the conversation's lead record when known (``LeadFinder``), ``inbox`` our inbox
    the conversation belongs to (``my_*``; else the thread's inbox address for ``my_email``).
    """
    values: dict[str, str] = {}
    sources: dict[str, str] = {}

    def offer(name: str, value: Any, source: str) -> None:
        text = clean_line(value, max_chars=MAX_VALUE_CHARS) if isinstance(value, str) else ""
        if text and name not in values:
            values[name], sources[name] = text, source

    variables = dict(lead.variables) if lead is not None else {}
    if lead is not None:
        offer("first_name", lead.first_name, "lead")
        offer("last_name", lead.last_name, "lead")
        offer("email", lead.email, "lead")
        offer("company", _lookup(variables, _COMPANY_KEYS), "lead")
        offer("title", _lookup(variables, _TITLE_KEYS), "lead")
    if conversation is not None:
        _offer_thread(conversation, offer)
    if inbox is not None:
        offer("my_first_name", inbox.first_name, "inbox")
        offer("my_email", inbox.email, "inbox")
    if conversation is not None:
        offer("my_email", conversation.inbox_email, "thread")
    return SnippetValues(values, _custom_texts(variables), sources)


def _offer_thread(conversation: Conversation, offer: Any) -> None:
    """What the thread tells: the display name, else the address's local part; the domain."""
    address = conversation.lead_email
    first, last = split_display_name(conversation.lead_name)
    offer("first_name", first, "thread name")
    offer("last_name", last, "thread name")
    first, last = name_from_address(address)
    offer("first_name", first, "address")
    offer("last_name", last, "address")
    offer("email", address, "thread")
    offer("company", company_from_address(address), "domain")


def _lookup(variables: Mapping[str, Any], keys: Sequence[str]) -> Any:
    folded = {str(key).strip().lower(): value for key, value in variables.items()}
    return next((folded[key] for key in keys if isinstance(folded.get(key), str) and folded[key].strip()), "")


def _custom_texts(variables: Mapping[str, Any]) -> dict[str, str]:
    """The lead's custom variables that are text or numbers, sanitised; others cannot be filled."""
    texts = {}
    for key, value in variables.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        text = clean_line(str(value), max_chars=MAX_VALUE_CHARS)
        if text:
            texts[clean_line(str(key), max_chars=100)] = text
    return texts


def _custom_key(name: str) -> str:
    return re.sub(r"[\s_-]+", "_", name.strip().casefold())


def _custom_value(custom: Mapping[str, str], name: str) -> str:
    """Exact name first, then ignoring case and ``_``/``-``/space differences (``Job Title``)."""
    if name in custom:
        return custom[name]
    wanted = _custom_key(name)
    return next((value for key, value in custom.items() if _custom_key(key) == wanted), "")


# --- filling and the final guard ------------------------------------------------------------------------


def fill(text: str, values: SnippetValues) -> Filled:
    """``text`` with its variables filled from ``values``; the rest kept as written and listed.

    One pass: a value is inserted as is and never looked at again, so a lead named
    ``{last_name}`` stays ``{last_name}`` (and is then flagged like any leftover).
    """
    pieces: list[str] = []
    reasons: dict[int, str] = {}
    position, length = 0, 0
    for match in _TEMPLATE.finditer(text):
        pieces.append(text[position : match.start()])
        length += match.start() - position
        token = match.group(0)
        if token in ("{{", "}}"):
            replacement = token[0]
        else:
            replacement = values.get(match.group(1).strip()) or token
            if replacement == token:
                reasons[length] = _why_unfilled(match.group(1).strip(), values)
        pieces.append(replacement)
        length += len(replacement)
        position = match.end()
    pieces.append(text[position:])
    filled = "".join(pieces)
    placeholders = unfilled_placeholders(filled, values)
    return Filled(filled, tuple(_with_reason(p, reasons) for p in placeholders))


def unfilled_placeholders(text: str, values: SnippetValues | None = None) -> tuple[Placeholder, ...]:
    """Every ``{word}`` in ``text`` (offsets into it): the send path refuses while any is left.

    Run it on the exact text about to be sent. ``values`` only improves the hints (the lead's
    custom variable names).
    """
    found = []
    for match in _LEFTOVER.finditer(text):
        name = match.group(1).strip()
        found.append(
            Placeholder(
                written=match.group(0),
                name=name,
                start=match.start(),
                end=match.end(),
                reason=_leftover_reason(name),
                hint=_hint(name, values),
            )
        )
    return tuple(found)


def location(text: str, offset: int) -> tuple[int, int]:
    """(row, column), both from 0, of ``offset`` in ``text``: what a TextArea selection takes."""
    before = text[:offset]
    row = before.count("\n")
    return row, offset - (before.rfind("\n") + 1)


def _with_reason(placeholder: Placeholder, reasons: Mapping[int, str]) -> Placeholder:
    reason = reasons.get(placeholder.start)
    if reason is None:  # not one of the snippet's own variables: an escape or a value's braces
        reason = "left in the text: fill it in or remove it"
    return Placeholder(placeholder.written, placeholder.name, placeholder.start, placeholder.end, reason, placeholder.hint)


def _known(name: str) -> bool:
    return name.lower() in VARIABLES or name[: len(CUSTOM_PREFIX)].lower() == CUSTOM_PREFIX


def _why_unfilled(name: str, values: SnippetValues) -> str:
    lowered = name.lower()
    if lowered.startswith(CUSTOM_PREFIX):
        custom = name[len(CUSTOM_PREFIX) :].strip()
        return f"the lead has no custom variable {custom!r}" if custom else "no custom variable named"
    if lowered in VARIABLES:
        return f"no {lowered.replace('_', ' ')} known for this conversation"
    return "unknown variable"


def _leftover_reason(name: str) -> str:
    return "not filled" if _known(name) else "unknown variable"


def _hint(name: str, values: SnippetValues | None) -> str:
    """"did you mean {first_name}?" for typos, other tools' names and bare custom names."""
    lowered = name.lower()
    customs = list(values.custom) if values is not None else []
    if lowered in VARIABLES or lowered.startswith(CUSTOM_PREFIX):
        if lowered.startswith(CUSTOM_PREFIX) and customs:
            close = difflib.get_close_matches(name[len(CUSTOM_PREFIX) :].strip(), customs, n=1, cutoff=0.6)
            return f"did you mean {{custom.{close[0]}}}?" if close else ""
        return ""
    if lowered in _ALIASES:
        return f"did you mean {{{_ALIASES[lowered]}}}?"
    custom = next((key for key in customs if _custom_key(key) == _custom_key(name)), None)
    if custom is not None:
        return f"did you mean {{custom.{custom}}}?"
    close = difflib.get_close_matches(lowered, VARIABLES, n=1, cutoff=0.7)
    return f"did you mean {{{close[0]}}}?" if close else ""


# --- choosing a snippet -------------------------------------------------------------------------------


def snippet_for_label(snippets: Iterable[Snippet], label: str | None) -> Snippet | None:
    """The first snippet (config order) tied to ``label``: what ``r`` prefills the composer with."""
    if not label:
        return None
    wanted = label.strip().lower()
    return next((snippet for snippet in snippets if wanted in snippet.labels), None)


def fuzzy_filter(snippets: Sequence[Snippet], query: str) -> list[Snippet]:
    """The snippets matching ``query``, best first (ties keep config order).

    Each word of the query must match the name as a subsequence (``cl`` finds "calendar") or
    appear in the text as is (case-insensitive); a name match ranks above a text match, and a
    tighter, earlier name match above a looser one. An empty query keeps every snippet in order.
    """
    words = query.casefold().split()
    if not words:
        return list(snippets)
    scored = []
    for index, snippet in enumerate(snippets):
        score = _score(snippet, words)
        if score is not None:
            scored.append((score, index, snippet))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [snippet for _, _, snippet in scored]


def _score(snippet: Snippet, words: Sequence[str]) -> float | None:
    """Lower is better; ``None`` when a word matches neither the name nor the text."""
    name, text = snippet.name.casefold(), snippet.text.casefold()
    total = 0.0
    for word in words:
        in_name = _subsequence_cost(name, word)
        if in_name is not None:
            total += in_name
        elif word in text:
            total += 1000 + text.index(word) / max(1, len(text))
        else:
            return None
    return total


def _subsequence_cost(haystack: str, needle: str) -> float | None:
    """How spread out ``needle``'s letters are in ``haystack`` (0: a prefix), or None if absent."""
    start = haystack.find(needle[0])
    if start < 0:
        return None
    best: float | None = None
    while start >= 0:
        position, gaps = start, 0
        for char in needle[1:]:
            found = haystack.find(char, position + 1)
            if found < 0:
                break
            gaps += found - position - 1
            position = found
        else:
            cost = start * 0.5 + gaps
            best = cost if best is None else min(best, cost)
        start = haystack.find(needle[0], start + 1)
    return best


# --- reading [snippets.NAME] from config.toml -------------------------------------------------------

#: Reports a problem at a place in the settings file: (table path, key or None, sentence).
Warn = Callable[[tuple[str, ...], "str | None", str], None]
MAX_NAME_CHARS: Final = 64
_SNIPPET_KEYS: Final = ("text", "labels")


def valid_snippet_name(name: str) -> bool:
    """A name the picker can show and the settings file can hold: one clean line, not too long."""
    return bool(name.strip()) and len(name) <= MAX_NAME_CHARS and clean_line(name) == name


def snippets_from_config(table: Any, warn: Warn) -> tuple[Snippet, ...]:
    """The ``[snippets]`` table as snippets, in file order; every problem reported, then skipped."""
    from ..api.models import LABELS

    if not isinstance(table, dict):
        warn((), "snippets", "`snippets` should be tables like [snippets.calendar]; ignored.")
        return ()
    snippets = []
    for name, entry in table.items():
        where = ("snippets", name)
        if not isinstance(entry, dict):
            warn(("snippets",), name, f"snippet {name!r} should be a table with `text`; ignored.")
            continue
        if not valid_snippet_name(name):
            warn(where, None, f"snippet name {clean_line(name, max_chars=40)!r} should be one line of at most {MAX_NAME_CHARS} characters; ignored.")
            continue
        for key in entry:
            if key not in _SNIPPET_KEYS:
                warn(where, key, f"unknown snippet setting `{key}` (a snippet has `text` and `labels`); ignored.")
        text = entry.get("text")
        if not isinstance(text, str) or not text.strip():
            warn(where, "text" if "text" in entry else None, f"snippet {name!r} needs `text`, a string; ignored.")
            continue
        snippets.append(Snippet(name, text, _labels(entry.get("labels", []), LABELS, where, warn)))
    return tuple(snippets)


def _labels(value: Any, known: Sequence[str], where: tuple[str, ...], warn: Warn) -> tuple[str, ...]:
    """The snippet's valid labels (lower-cased); unknown names are reported, with the close one."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        warn(where, "labels", '`labels` should be a list of label names, like ["interested"]; ignored.')
        return ()
    labels: list[str] = []
    for item in value:
        label = item.strip().lower().replace(" ", "_")
        if label in known:
            if label not in labels:
                labels.append(label)
            continue
        close = difflib.get_close_matches(label, known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (labels: {', '.join(known)})"
        warn(where, "labels", f"unknown label {clean_line(item, max_chars=40)!r}{hint}; ignored.")
    return tuple(labels)
