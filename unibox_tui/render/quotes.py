"""Split a message's text into what is new and the quoted history, so the UI can fold it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from unibox_tui.render.html import TRUNCATED_NOTE
from unibox_tui.render.sanitize import TRUNCATION_MARKER, clean_line

__all__ = ["Segment", "split_quoted"]

MIN_FOLDED_QUOTE_LINES: Final = 3
_SUMMARY_CHARS: Final = 160
_MAX_ATTRIBUTION_LINES: Final = 3
_MAX_ATTRIBUTION_CHARS: Final = 400


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of lines of one message.

    `quoted` marks history (quoted text, an earlier message); `fold` says whether the UI
    should fold it by default. It is False for a message that is nothing but a quote, so it
    never folds into nothing. `summary` is a one-line stand-in for a folded segment.
    """

    text: str
    quoted: bool
    summary: str = ""
    fold: bool = False


_QUOTE_LINE = re.compile(r" {0,3}>")
_EMPHASIS_MARKS = re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)")
_SPACES = re.compile(r"\s+")

# "On <date>, <name> <addr> wrote:" and its siblings, matched on one line after emphasis
# marks are removed and wrapped lines are joined. Non-quoted lines only. Every client puts a
# date in it: requiring a digit keeps "On Monday the CEO wrote:" in a reply unfolded.
_ATTRIBUTION = re.compile(
    r"(?=.{0,400}\d)(?:-+ ?)?(?:"
    r"On\b.{4,300}\b(?:wrote|writes)\s*:?"  # Gmail, Apple Mail, Thunderbird, Zoho
    r"|Le\b.{4,300}\ba\s+écrit\s*:?"  # French
    r"|Am\b.{4,300}\bschrieb\b.{0,200}:"  # German
    r"|El\b.{4,300}\bescribió\s*:?"  # Spanish
    r"|Il\b.{4,300}\bha\s+scritto\s*:?"  # Italian
    r"|Op\b.{4,300}\bschreef\b.{0,200}:"  # Dutch
    r"|(?:Em|No\s+dia)\b.{4,300}\bescreveu\s*:?"  # Portuguese
    r"|(?:W\s+dniu|Dnia)\b.{4,300}\b(?:pisze|napisał|napisała)\s*:?"  # Polish
    r"|(?=.{0,80}\d).{4,300}\bskrev\b.{0,200}:"  # Norwegian, Danish, Swedish
    r"|.{4,300}\s(?:написал|написала|пишет)\s*:?"  # Russian
    r"|.{2,300}写道\s*[:：]"  # Chinese
    # Anything with a time and an address in angle brackets, ending with a colon:
    # Mail.ru, Yandex, localised Gmail ("вт, 30 апр. 2025 г. в 15:19, John <j@x.com>:").
    r"|(?=.{0,300}\d{1,2}:\d{2}).{0,300}<[^<>\s@]{1,64}@[^<>\s]{1,253}>\s*:"
    r")(?: ?-+)?",
    re.IGNORECASE,
)
_ATTRIBUTION_END = re.compile(r"(?:[:：]|wrote|-)\s*$", re.IGNORECASE)

# Header lines of an Outlook-style quoted message ("From: ...", "**Sent:** ..."), by language.
_FROM_KEYS: Final = frozenset("from von de van från fra da od от".split())
_DATE_KEYS: Final = frozenset(
    "sent date gesendet datum envoyé enviado fecha verzonden datum skickat sendt inviato data "
    "wysłane отправлено дата".split()
)
_OTHER_KEYS: Final = frozenset(
    "to cc bcc subject reply-to an betreff à objet para asunto aan onderwerp till ämne til emne "
    "a oggetto do temat кому тема копия".split()
)
_SUBJECT_KEYS: Final = frozenset(
    "subject betreff objet asunto onderwerp ämne emne oggetto temat тема".split()
)
_HEADER_LINE = re.compile(r"\s{0,3}[*_]*\s*([^\W\d_][\w-]{0,14})\s*[*_]*\s*:\s*[*_]*\s*(.*)")
_SEPARATOR = re.compile(r"\s*(?:_{5,}|-{5,}|={5,}|\* \* \*|─{5,})\s*")
_ORIGINAL_MESSAGE = re.compile(
    r"\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original"
    r"|Messaggio originale|Oorspronkelijk bericht|Ursprungligt meddelande|Opprinnelig melding"
    r"|Oprindelig meddelelse|Исходное сообщение|Wiadomość oryginalna|Mensagem original)"
    r"\s*-{2,}\s*",
    re.IGNORECASE,
)
_FORWARD_MARKER = re.compile(
    r"\s*(?:-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht|Message transféré"
    r"|Mensaje reenviado|Messaggio inoltrato|Doorgestuurd bericht|Mensagem encaminhada"
    r"|Videresendt melding|Vidarebefordrat meddelande|Пересылаемое сообщение)\s*-{2,}"
    r"|Begin forwarded message\s*:|-{2,}\s*Forwarded by\b.*)\s*",
    re.IGNORECASE,
)
_LINK_REFERENCE = re.compile(r"\[\d+\]: \S+")
_CUT_NOTES: Final = (TRUNCATED_NOTE, TRUNCATION_MARKER.strip())


def _is_quote(line: str) -> bool:
    return _QUOTE_LINE.match(line) is not None


def _is_blank(line: str) -> bool:
    return not line.strip()


def _plain(line: str) -> str:
    """A line without emphasis marks and with single spaces, for matching and summaries."""
    return _SPACES.sub(" ", _EMPHASIS_MARKS.sub("", line)).strip()


def _attribution_at(lines: list[str], end: int) -> int:
    """If lines[start:end+1] is an attribution for some start, return start; else -1.

    Mail clients wrap long attributions, sometimes right inside the address
    ("... <alex@example.com\\n>:"), so up to three lines are joined.
    """
    if not _ATTRIBUTION_END.search(lines[end]):
        return -1
    parts: list[str] = []
    for start in range(end, max(-1, end - _MAX_ATTRIBUTION_LINES), -1):
        line = lines[start]
        if _is_blank(line) or (start != end and _is_quote(line)):
            break
        parts.insert(0, line)
        joined = _plain(" ".join(parts)).replace("< ", "<").replace(" >", ">")
        if len(joined) > _MAX_ATTRIBUTION_CHARS:
            break
        if _ATTRIBUTION.fullmatch(joined):
            return start  # the fewest lines: never swallow the sign-off above it
    return -1


def _header_key(line: str) -> str | None:
    """The lower-case key of a "Key: value" header line, if it is one we know."""
    if ":" not in line[:40]:
        return None
    m = _HEADER_LINE.match(line)
    if not m:
        return None
    key = m.group(1).lower()
    if key in _FROM_KEYS or key in _DATE_KEYS or key in _OTHER_KEYS:
        return key
    return None


def _header_block(lines: list[str], start: int) -> int:
    """End (exclusive) of an Outlook-style header block starting at `start`, or -1.

    A block is 3+ known header lines (single blank lines allowed between them, as Outlook for
    Mac writes them) with a sender and either a date or a subject.
    """
    keys: list[str] = []
    i = start
    end = start
    while i < len(lines) and len(keys) < 12:
        key = _header_key(lines[i])
        if key is None:
            if _is_blank(lines[i]) and i + 1 < len(lines) and _header_key(lines[i + 1]):
                i += 1
                continue
            break
        keys.append(key)
        i += 1
        end = i
    if len(keys) < 3 or not any(k in _FROM_KEYS for k in keys):
        return -1
    if not any(k in _DATE_KEYS or k in _SUBJECT_KEYS for k in keys):
        return -1
    return end


def _header_summary(lines: list[str], start: int, end: int) -> str:
    """ "From: Alex <a@x>, Sent: Monday ..." from a header block."""
    fields: dict[str, str] = {}
    for line in lines[start:end]:
        m = _HEADER_LINE.match(line)
        if m:
            key = m.group(1).lower()
            fields.setdefault(key, f"{m.group(1)}: {_plain(m.group(2))}")
    picked = [v for k, v in fields.items() if k in _FROM_KEYS][:1]
    picked += [v for k, v in fields.items() if k in _DATE_KEYS][:1]
    return ", ".join(picked)


@dataclass(slots=True)
class _Boundary:
    start: int
    summary: str
    content: int  # first line after the attribution or headers: what the summary stands for
    is_attribution: bool = False


def _previous_nonblank(lines: list[str], i: int) -> int:
    i -= 1
    while i >= 0 and _is_blank(lines[i]):
        i -= 1
    return i


def _find_boundary(lines: list[str]) -> _Boundary | None:
    """The first line where an earlier message starts (attribution, header block, marker)."""
    forward_until = -1
    for i, line in enumerate(lines):
        if _is_blank(line):
            continue
        # Checked before skipping quoted lines: an attribution can end on one ("<a@x.com\n>:").
        start = _attribution_at(lines, i)
        if start >= 0 and not _is_quote(lines[start]):
            summary = _plain(" ".join(lines[start : i + 1])).replace("< ", "<").replace(" >", ">")
            return _Boundary(start, summary, i + 1, is_attribution=True)
        if _is_quote(line):
            continue
        if _FORWARD_MARKER.fullmatch(line):
            forward_until = i + 3  # the forwarded message's own headers are content
            continue
        if _ORIGINAL_MESSAGE.fullmatch(line):
            nxt = i + 1
            while nxt < len(lines) and _is_blank(lines[nxt]):
                nxt += 1
            end = _header_block(lines, nxt)
            if end > 0:
                return _Boundary(i, _header_summary(lines, nxt, end), end)
            return _Boundary(i, _plain(line), i + 1)
        if i > forward_until and (end := _header_block(lines, i)) > 0:
            start = i
            prev = _previous_nonblank(lines, i)
            if prev >= 0 and _SEPARATOR.fullmatch(lines[prev]):
                start = prev  # the rule Outlook draws above the headers goes with them
            return _Boundary(start, _header_summary(lines, i, end), end)
    return None


def _count_lines(lines: list[str]) -> int:
    return sum(1 for line in lines if line.strip(" >"))


def _summary(head: str, lines: list[str]) -> str:
    n = _count_lines(lines)
    noun = "line" if n == 1 else "lines"
    return clean_line(f"{head} ({n} {noun})" if head else f"({n} {noun})", max_chars=_SUMMARY_CHARS)


def _quote_runs(lines: list[str]) -> list[tuple[int, int, int]]:
    """(start, first quoted line, end) of each run of `>` lines, with the attribution above it."""
    runs: list[tuple[int, int, int]] = []
    i = 0
    n = len(lines)
    while i < n:
        if not _is_quote(lines[i]):
            i += 1
            continue
        first = i
        end = j = i + 1
        while j < n:  # blank lines inside a run belong to it; trailing ones do not
            if _is_quote(lines[j]):
                end = j + 1
            elif not _is_blank(lines[j]):
                break
            j += 1
        start = first
        if (attribution := _attribution_at(lines, first)) >= 0 and attribution < first:
            start, first = attribution, first + 1  # "<a@x.com\n>:" ends on the run's first line
        elif (prev := _previous_nonblank(lines, first)) >= 0:
            if (attribution := _attribution_at(lines, prev)) >= 0:
                start = attribution
        runs.append((start, first, end))
        i = end
    return runs


def _split_lines(lines: list[str], history: _Boundary | None) -> list[tuple[int, int, bool, str]]:
    """Line ranges (start, end, quoted, summary) covering `lines`, in order.

    With `history`, everything from it to the end is one quoted range.
    """
    limit = len(lines) if history is None else history.start
    ranges: list[tuple[int, int, bool, str]] = []
    cursor = 0
    for start, first, end in _quote_runs(lines[:limit]):
        quoted_lines = lines[first:end]
        if _count_lines(quoted_lines) < MIN_FOLDED_QUOTE_LINES:
            continue  # a line or two of context for the answer below: leave it in view
        if start > cursor:
            ranges.append((cursor, start, False, ""))
        head = _plain(" ".join(lines[start:first]))
        if not head:
            snippet = next((_plain(q.lstrip(" >")) for q in quoted_lines if q.strip(" >")), "")
            head = f"> {snippet[:60]}…" if len(snippet) > 60 else f"> {snippet}"
        ranges.append((start, end, True, _summary(head, quoted_lines)))
        cursor = end
    if cursor < limit:
        ranges.append((cursor, limit, False, ""))
    if history is not None:
        summary = _summary(history.summary, lines[history.content :])
        ranges.append((history.start, len(lines), True, summary))
    return ranges


def _is_tail_line(line: str) -> bool:
    return _is_blank(line) or _LINK_REFERENCE.fullmatch(line) is not None or line in _CUT_NOTES


def _tail_start(lines: list[str]) -> int:
    """Start of the trailing link references / "message cut" note, kept visible; else len."""
    i = len(lines)
    while i > 0 and _is_tail_line(lines[i - 1]):
        i -= 1
    while i < len(lines) and _is_blank(lines[i]):
        i += 1
    if i == len(lines) or (i > 0 and not _is_blank(lines[i - 1])):
        return len(lines)  # no tail, or a list glued to the text: part of the text
    return i


def split_quoted(text: str) -> list[Segment]:
    """Split text into new and quoted segments, in order; together they hold every non-blank line.

    A top-posted reply's history (from the attribution or header block to the end) is one
    quoted segment; in an inline reply each run of 3+ quoted lines is its own segment and the
    answers between them stay visible. Forwarded messages are content. If nothing is new, the
    quoted segments are not marked for folding.
    """
    if not text.strip():
        return []
    lines = text.split("\n")
    tail = _tail_start(lines)
    body = lines[:tail]

    history = _find_boundary(body)
    if history is not None and history.is_attribution and _interleaved(body[history.content :]):
        history = None  # an inline reply: fold its quote runs, not everything after the first

    segments: list[Segment] = []
    for start, end, quoted, seg_summary in _split_lines(body, history):
        chunk = "\n".join(body[start:end]).strip("\n")
        if chunk.strip():
            segments.append(Segment(chunk, quoted, seg_summary, fold=quoted))
    if all(seg.quoted for seg in segments):
        # Nothing new (a bare forward of a quote, a client that quoted everything): show it.
        segments = [Segment(seg.text, seg.quoted, seg.summary) for seg in segments]
    tail_text = "\n".join(lines[tail:]).strip("\n")
    if tail_text:
        segments.append(Segment(tail_text, False))
    return _merge(segments)


def _interleaved(after: list[str]) -> bool:
    """True if quoted lines and new text alternate after an attribution (an inline reply)."""
    seen_quote = False
    for line in after:
        if _is_blank(line):
            continue
        if _is_quote(line):
            seen_quote = True
        elif seen_quote:
            return True
        else:
            return False  # text right after the attribution: the quote is not `>`-marked
    return False


def _merge(segments: list[Segment]) -> list[Segment]:
    """Join neighbouring unquoted segments (left apart by runs too short to fold)."""
    merged: list[Segment] = []
    for seg in segments:
        if merged and not seg.quoted and not merged[-1].quoted:
            merged[-1] = Segment(merged[-1].text + "\n\n" + seg.text, False)
        else:
            merged.append(seg)
    return merged
