"""When is the lead back? The return date in an out-of-office reply, in en, de, fr and es.

Built on focused regular expressions and month/weekday tables rather than ``dateparser``:
the hard part of an auto-reply is not reading "14 December" but knowing *which* date is the
return ("from 1 Dec to 12 Dec": the second; "until the 11th": the working day after; "ab dem
14.12. wieder": that one), which no general date parser answers. ``dateparser`` would still
need all of that around it, costs ~55 ms to import plus ~40 ms for its search module and
~90 ms of language data on first use (measured here), brings four more packages (regex, pytz,
tzlocal, dateutil) and misreads "14.12." as 14:12 and "Je" as a date. This module costs ~12 ms
to import (compiling its patterns) and ~12 ms more on first use (the quote splitter); the app
imports it only when it first reads an auto-reply, never at start-up.

How a date is read:

1. Only the fresh part counts: quoted history (an older auto-reply below) is cut off first.
2. Date mentions are found: ``14.12.``, ``12/14``, ``2026-12-14``, ``14 December``,
   ``December 14th``, ``the 14th``, ``lundi 14``, ``el 14``, ``Monday``, ``tomorrow``...
3. Each mention gets a role from the words around it: *back* ("back on", "de retour le",
   "ab dem ... wieder"), *until* ("until", "bis einschließlich", "jusqu'au", "hasta", the end
   of a from-to range) or nothing (a start date, an order number, a phone number).
4. The year, and day-first vs month-first, are resolved relative to the message's own date
   (not today): the reading nearest to the message wins, so an OOO written on 20 Dec saying
   "back 5 Jan" means next year, and "12/11" in November is the 12th. German, French and
   Spanish texts, and anything written with dots, are day-first.
5. "back on X" returns X; "until X" returns the next working day after X. A date before the
   message, a vague one ("back in 2 weeks", "next week": we do not invent a day) or none at
   all returns ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Final

from .workdays import next_working_day, next_working_morning

__all__ = ["looks_like_auto_reply", "next_working_day", "next_working_morning", "return_date"]

#: Only the start of a reply is read: an auto-reply says its dates in the first lines.
MAX_CHARS: Final = 4000

_MONTHS: Final[dict[str, int]] = {}
for _number, _names in enumerate(
    (
        "january jan januar janner janvier janv enero ene",
        "february feb februar fevrier fevr fev febrero",
        "march mar marz maerz mrz mars marzo",
        "april apr avril avr abril abr",
        "may mai mayo",
        "june jun juni juin junio",
        "july jul juli juillet juil julio",
        "august aug aout agosto ago",
        "september sep sept septembre septiembre setiembre",
        "october oct oktober okt octobre octubre",
        "november nov novembre noviembre",
        "december dec dezember dez decembre diciembre dic",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_WEEKDAYS: Final[dict[str, int]] = {}
for _number, _names in enumerate(
    (
        "monday montag lundi lunes",
        "tuesday dienstag mardi martes",
        "wednesday mittwoch mercredi miercoles",
        "thursday donnerstag jeudi jueves",
        "friday freitag vendredi viernes",
        "saturday samstag sonnabend samedi sabado",
        "sunday sonntag dimanche domingo",
    )
):
    for _name in _names.split():
        _WEEKDAYS[_name] = _number
#: English abbreviations only where a day number follows ("Mon 14th"): "mon retour" is French.
_WEEKDAY_ABBREVIATIONS: Final = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4}

_TOMORROW: Final = ("tomorrow", "morgen", "demain", "manana")


def _alternation(words: object) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))  # type: ignore[call-overload]


_MONTH = _alternation(_MONTHS)
_WEEKDAY = _alternation(_WEEKDAYS)
_ANY_WEEKDAY = _alternation({**_WEEKDAYS, **_WEEKDAY_ABBREVIATIONS})
_WD_PREFIX = rf"(?:(?P<wd>{_ANY_WEEKDAY})\.?,?\s+(?:(?:the|den|le|el)\s+)?)?"
_ORDINAL = r"(?:st|nd|rd|th|er|o)?"
# A number that is a time, an amount or a count, not a day.
_NOT_A_DAY = r"(?!\d|[:.,]\d|\s*(?:h\b|uhr|am\b|pm\b|%|€|\$|eur|ans\b|anos\b|jahre|jours|dias|tage|days|weeks|wochen|semaines|semanas))"

_PATTERNS: Final = (
    ("iso", re.compile(r"(?<![\w.-])(?P<y>20\d\d)[-/](?P<m>[01]?\d)[-/](?P<d>[0-3]?\d)(?![\w-])")),
    (
        "day_month",
        re.compile(
            rf"\b{_WD_PREFIX}(?:the\s+)?(?P<d>[0-3]?\d){_ORDINAL}\.?\s*(?:of\s+|de\s+)?(?P<mon>{_MONTH})\b\.?"
            r"(?:,?\s*(?:de\s+)?(?P<y>(?:19|20)\d\d)\b)?"
        ),
    ),
    (
        "month_day",
        re.compile(
            rf"\b{_WD_PREFIX}(?P<mon>{_MONTH})\.?\s+(?:the\s+)?(?P<d>[0-3]?\d){_ORDINAL}(?!\d|:\d)\b"
            r"(?:,?\s*(?P<y>(?:19|20)\d\d)\b)?"
        ),
    ),
    (
        "numeric",
        re.compile(
            rf"(?:\b{_WD_PREFIX})?(?<![\w./])(?<!\d-)(?P<a>\d{{1,2}})(?P<sep>[./-])(?P<b>\d{{1,2}})"
            r"(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?P<dot>\.)?(?![\w/-]|[.:,]\d)"
        ),
    ),
    ("weekday_day", re.compile(rf"\b(?P<wd>{_ANY_WEEKDAY})\.?,?\s+(?:(?:the|den|le|el)\s+)?(?P<d>[0-3]?\d){_ORDINAL}\.?{_NOT_A_DAY}")),
    ("ordinal", re.compile(rf"\b(?:the\s+)?(?P<d>[0-3]?\d)(?:st|nd|rd|th)\b{_NOT_A_DAY}")),
    # A bare number is a day only right after an article: "le 14", "el 14", "am 14.", "au 11".
    (
        "article_day",
        re.compile(
            r"(?:(?<=\ble )|(?<=\bel )|(?<=\bau )|(?<=\bal )|(?<=\bdu )|(?<=\bdel )|(?<=\bdia ))"
            rf"(?P<d>[0-3]?\d){_ORDINAL}{_NOT_A_DAY}(?![.,]?\s*(?:de\s+)?(?:{_MONTH})\b)"
            r"|(?:(?<=\bden )|(?<=\bdem )|(?<=\bam )|(?<=\bzum )|(?<=\bvom ))(?P<d2>[0-3]?\d)\.(?!\d)"
        ),
    ),
    ("weekday", re.compile(rf"\b(?P<wd>{_WEEKDAY})\b")),
    ("tomorrow", re.compile(rf"\b(?:{'|'.join(_TOMORROW)})\b")),
)

_FILLER = (
    r"(?:(?:and|und|et|y|including|inclusive|incl|einschliesslich|inklusive|inkl|zum|zur|dem|den|am|"
    r"the|on|le|la|el|dia|inclus|compris|incluido|incluso|a|of|end)[\s,]+)*"
)
_UNTIL_END = re.compile(
    rf"(?:\buntil|\btill|\btil|\bthrough|\bthru|\bup to|\bbis|\bjusqu'?\s?(?:au|a|en)|\bhasta)[\s,]+{_FILLER}$"
)
_RANGE_GAP = re.compile(
    rf"^\s*(?:-|–|—|to|au|al|a|bis|through|till|until|jusqu'?\s?au|hasta)[\s,]+{_FILLER}$|^\s*[-–—]\s*$"
)
_FROM_END = re.compile(
    rf"(?:\bfrom|\bstarting|\bsince|\bab|\bvom|\bvon|\bseit|\bdu|\bdepuis|\bpartir du|\bpartir de|\bdes le|\bdel|"
    rf"\bdesde|\bpartir del)[\s,]+{_FILLER}$"
)
_BACK_WORD = (
    r"\b(?:back|return|returning|returns|resume|resuming|zuruck|zurueck|wieder|ruckkehr|retour|rentre|"
    r"rentrerai|reprendrai|reprends|nouveau|vuelta|regreso|regresare|regresa|volvere|vuelvo|reincorporo|"
    r"reincorporare|nuevo|again)\b"
)
_BACK_LEAD = re.compile(_BACK_WORD)
_BACK_TAIL = re.compile(rf"^[^!?;]{{0,30}}?{_BACK_WORD}")
#: "won't be back until Monday": back *on* Monday, whatever "until" usually means.
_NEGATED_BACK = re.compile(r"(?:\bnot|n't|\bnicht|\bpas|\bno)\b.{0,25}" + _BACK_WORD)
_SENTENCE_BREAK = re.compile(r"(?<=[a-z]{2})\.\s|[!?;]|\n\s*\n")
_RELATIVE_WORD = re.compile(r"\b(?:next|nachsten|kommenden|prochain|proximo)\s+$")

_LANGUAGE_WORDS: Final = {
    "en": "i am the and will be back until office out of my with you your thank",
    "de": "ich bin und der die das nicht im buro buero wieder bis mit sie ihre vielen dank",
    "fr": "je suis le la et les de retour jusqu au bureau vous votre merci absent",
    "es": "estoy el la y los de vuelta hasta oficina su gracias regreso fuera",
}


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    kind: str
    day: int | None = None
    month: int | None = None
    year: int | None = None
    weekday: int | None = None
    #: For ``a.b`` / ``a/b``: the two numbers, and whether the order is known (dots: day first).
    pair: tuple[int, int] | None = None
    day_first: bool | None = None


def return_date(text: str, sent: datetime, tz: tzinfo | None = None, *, subject: str = "") -> date | None:
    """The first day the writer of an out-of-office ``text`` is back, or ``None``.

    ``sent`` is the auto-reply's own date (aware); ``tz`` the zone its calendar day is taken in
    (the viewer's by default). ``subject`` is read when the body names no date.
    """
    zone = tz or _local_zone()
    day = sent.astimezone(zone).date()
    found = _from_text(_fresh_part(text), day)
    if found is None and subject:
        found = _from_text(subject, day)
    return found


# --- reading ------------------------------------------------------------------------------------


def _local_zone() -> tzinfo:
    from ..clock import local_zone

    return local_zone()


def _fresh_part(text: str) -> str:
    """The reply without quoted history: an older auto-reply quoted below must not answer."""
    from ..render.quotes import split_quoted

    text = text[: MAX_CHARS * 2]
    fresh = []
    for segment in split_quoted(text):
        if segment.quoted:
            break
        fresh.append(segment.text)
    return "\n".join(fresh)[:MAX_CHARS]


_ABBREVIATIONS = (("einschl.", "einschliesslich"), ("inkl.", "inklusive"), ("incl.", "including"))


def _fold(text: str) -> str:
    """Lower case, without accents or emphasis marks ("Büro" reads "buro"; the tables also hold
    the "ue" spellings), wrapped lines joined, blank lines kept as paragraph breaks."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("’", "'").replace("*", "").replace("_", " ")
    for short, long in _ABBREVIATIONS:
        text = text.replace(short, long)
    text = re.sub(r"[ \t\r\f\v]+(?=\n)", "", text)
    return re.sub(r"[ \t\r\f\v]+", " ", re.sub(r"(?<!\n)\n(?!\n)", " ", text))


def _from_text(text: str, sent_day: date) -> date | None:
    folded = _fold(text)
    if not folded.strip():
        return None
    mentions = _drop_weekday_ranges(folded, _mentions(folded))
    language = _language(folded)
    backs: list[date] = []
    untils: list[date] = []
    previous: _Mention | None = None
    previous_role = ""
    for index, mention in enumerate(mentions):
        following = mentions[index + 1].start if index + 1 < len(mentions) else len(folded)
        role = _role(folded, mention, previous, previous_role, following)
        previous, previous_role = mention, role
        if role not in ("back", "until"):
            continue
        resolved = _resolve(mention, sent_day, language, folded)
        if resolved is None or resolved < sent_day:
            continue
        if role == "back":
            backs.append(resolved)
        else:
            untils.append(next_working_day(resolved))
    if backs:
        return backs[0]
    return untils[0] if untils else None


def _mentions(text: str) -> list[_Mention]:
    """Every date mention, the longest reading winning where two overlap."""
    found = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            mention = _mention(kind, match)
            if mention is not None:
                found.append(mention)
    found.sort(key=lambda m: (m.end - m.start), reverse=True)
    kept: list[_Mention] = []
    for mention in found:
        if all(mention.end <= other.start or mention.start >= other.end for other in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def _mention(kind: str, match: re.Match[str]) -> _Mention | None:
    groups = match.groupdict()
    weekday = _WEEKDAYS.get(groups.get("wd") or "", _WEEKDAY_ABBREVIATIONS.get(groups.get("wd") or ""))
    year = _year(groups.get("y"))
    start, end = match.span()
    if kind == "iso":
        return _Mention(start, end, kind, int(groups["d"]), int(groups["m"]), year)
    if kind in ("day_month", "month_day"):
        return _Mention(start, end, kind, int(groups["d"]), _MONTHS[groups["mon"]], year, weekday)
    if kind == "numeric":
        a, b = int(groups["a"]), int(groups["b"])
        if groups["sep"] == "." and groups["y"] is None and groups["dot"] is None and weekday is None:
            return None  # "9.30", "3.5": a time or a number, not "14.12."
        return _Mention(start, end, kind, year=year, weekday=weekday, pair=(a, b), day_first=groups["sep"] == "." or None)
    if kind in ("weekday_day", "ordinal", "article_day"):
        return _Mention(start, end, "day", int(groups.get("d") or groups.get("d2")), weekday=weekday)
    if kind == "weekday":
        return _Mention(start, end, kind, weekday=weekday)
    return _Mention(start, end, kind)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value


def _drop_weekday_ranges(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """"Monday to Friday", "Montag bis Freitag": office hours in a signature, not a return."""
    dropped: set[int] = set()
    for index in range(len(mentions) - 1):
        first, second = mentions[index], mentions[index + 1]
        if first.kind == second.kind == "weekday" and _RANGE_GAP.match(text[first.end : second.start]):
            dropped.update((index, index + 1))
    return [m for i, m in enumerate(mentions) if i not in dropped]


def _lead_in(text: str, mention: _Mention, previous: _Mention | None) -> str:
    start = max(previous.end if previous else 0, mention.start - 80)
    lead = text[start : mention.start]
    breaks = list(_SENTENCE_BREAK.finditer(lead))
    return lead[breaks[-1].end() :] if breaks else lead


def _tail(text: str, mention: _Mention, following: int) -> str:
    """The words after a mention, up to the sentence's end or the next mention."""
    tail = text[mention.end : min(following, mention.end + 60)]
    cut = _SENTENCE_BREAK.search(tail)
    return tail[: cut.start()] if cut else tail


def _role(text: str, mention: _Mention, previous: _Mention | None, previous_role: str, following: int) -> str:
    """``back``, ``until``, ``from`` or ``""`` (a date that says nothing about the return)."""
    lead = _lead_in(text, mention, previous)
    if mention.kind == "weekday" and _RELATIVE_WORD.search(lead):
        lead = _RELATIVE_WORD.sub("", lead)
    if _UNTIL_END.search(lead):
        return "back" if _NEGATED_BACK.search(lead) else "until"
    gap = text[previous.end : mention.start] if previous is not None else ""
    if previous is not None and previous_role == "from" and len(gap) < 20 and _RANGE_GAP.match(gap):
        return "until"
    if _BACK_LEAD.search(lead):
        return "back"
    if _BACK_TAIL.match(_tail(text, mention, following)):
        return "back"
    if _FROM_END.search(lead):
        return "from"
    return ""


def _language(text: str) -> str:
    words = re.findall(r"[a-z']+", text[:1500])
    scores = {lang: sum(1 for w in words if w in set(vocabulary.split())) for lang, vocabulary in _LANGUAGE_WORDS.items()}
    return max(scores, key=lambda lang: scores[lang])


# --- resolving a mention to a calendar day -------------------------------------------------------


def _resolve(mention: _Mention, sent_day: date, language: str, text: str) -> date | None:
    if mention.kind == "tomorrow":
        return sent_day + timedelta(days=1)
    if mention.kind == "weekday":
        ahead = (mention.weekday - sent_day.weekday()) % 7 or 7  # type: ignore[operator]
        return sent_day + timedelta(days=ahead)
    if mention.kind == "day":
        return _next_day_numbered(mention.day, mention.weekday, sent_day)  # type: ignore[arg-type]
    if mention.pair is not None:
        return _nearest(_numeric_readings(mention, language), mention, sent_day)
    return _nearest([(mention.day, mention.month)], mention, sent_day)  # type: ignore[list-item]


def _numeric_readings(mention: _Mention, language: str) -> list[tuple[int, int]]:
    """(day, month) readings of ``a.b``/``a/b``: dots and non-English texts are day-first."""
    a, b = mention.pair  # type: ignore[misc]
    day_first = (a, b)
    month_first = (b, a)
    if mention.day_first or language != "en":
        return [day_first] if b <= 12 else [month_first]
    return [day_first, month_first]


def _nearest(readings: list[tuple[int, int]], mention: _Mention, sent_day: date) -> date | None:
    """The valid reading closest to the message's day.

    The year is the one nearest to the message; a weekday written next to the date only
    chooses between day-first and month-first ("Friday 11/12"): people get weekdays wrong,
    and a wrong one must not move the date a year away.
    """
    years = [mention.year] if mention.year else [sent_day.year - 1, sent_day.year, sent_day.year + 1]
    candidates = []
    for day, month in readings:
        valid = []
        for year in years:
            try:
                valid.append(date(year, month, day))
            except ValueError:
                continue
        if valid:
            candidates.append(min(valid, key=lambda c: (abs((c - sent_day).days), c < sent_day)))
    if mention.weekday is not None:
        matching = [c for c in candidates if c.weekday() == mention.weekday]
        candidates = matching or candidates
    if not candidates:
        return None
    return min(candidates, key=lambda c: (abs((c - sent_day).days), c < sent_day))


def _next_day_numbered(day: int, weekday: int | None, sent_day: date) -> date | None:
    """"the 14th": the next 14th on or after the message (with "lunes 14", the next Monday 14th)."""
    year, month = sent_day.year, sent_day.month
    first_fit: date | None = None
    for _ in range(14):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= sent_day:
            if weekday is None or candidate.weekday() == weekday:
                return candidate
            first_fit = first_fit or candidate
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return first_fit


# --- is it an auto-reply at all? ------------------------------------------------------------------

_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|auto:|autoreply|out of (?:the )?office|ooo\b|"
    r"abwesenheitsnotiz|automatische antwort|abwesend|reponse automatique|absence|absent|"
    r"respuesta automatica|fuera de la oficina|ausencia)",
)
_AUTO_STATEMENT = re.compile(
    r"\b(?:this is an? auto(?:matic|mated)(?:ally generated)? (?:reply|response|message)|"
    r"automatically generated|dies ist eine automatische|automatisch generierte|automatische antwort|"
    r"ceci est un(?:e)? (?:reponse|message) automatique|reponse automatique|"
    r"esta es una respuesta automatica|respuesta automatica|mensaje automatico)"
)
_AWAY_OPENING = re.compile(
    r"^(?:(?:hello|hi|hallo|bonjour|hola|dear\b.{0,40}?|guten tag)[ ,!.]*)?"
    r"(?:(?:thank you|thanks|vielen dank|danke|merci|gracias)\b.{0,80}?[.!]\s*)?"
    r"(?:i am|i'm|i will be|ich bin|je suis|je serai|estoy|estare)\s+(?:currently\s+|derzeit\s+|zurzeit\s+|"
    r"actuellement\s+|actualmente\s+)?"
    r"(?:out of (?:the )?office|away|on (?:annual |parental |sick )?(?:leave|holiday|vacation)|"
    r"nicht im buro|abwesend|im urlaub|absent|en conges|en vacances|fuera de la oficina|de vacaciones|ausente)"
)


def looks_like_auto_reply(subject: str, text: str) -> bool:
    """Whether a message is an automatic out-of-office answer rather than a person writing.

    Strict on purpose (alerts skip these): an auto-reply subject, an explicit "this is an
    automatic reply", or a short message that *opens* with "I am out of the office". A person
    who mentions being away in the middle of a real answer is still a person.
    """
    if _AUTO_SUBJECT.match(_fold(subject)):
        return True
    fresh = _fold(_fresh_part(text)).strip()
    if _AUTO_STATEMENT.search(fresh[:1500]):
        return True
    return len(fresh) < 700 and _AWAY_OPENING.match(fresh) is not None
