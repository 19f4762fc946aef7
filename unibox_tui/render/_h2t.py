"""html2text tuned for reading mail in a terminal (a separate module: html2text loads slowly)."""

# Everything happens in one parse, inside the parser's own callbacks, so the cost stays close to
# html2text's own: hidden subtrees (`display:none` preheaders, <script>, <title>, classes a
# <style> block hides), links (numbered references, deceptive targets shown inline), images
# (alt text only, tracking pixels dropped), emphasis (no empty `** **`), table cells (a gap
# instead of glued words).
#
# html2text internals relied on, the same in 2025.4.15 and its development branch at the time
# of writing (tests/test_render_html.py checks they exist): `handle_data(data, entity_char)`,
# `o()`, `pbr()`, `outtextf()`, the attributes `astack`, `space`, `p_p`, `lastWasNL`,
# `outtextlist`, `blockquote`, `pre`, `list`, and the "```" fences it writes around <pre> in
# backquote style. The rest is its public configuration.

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import unquote

import html2text

# html2text's stand-in for &nbsp; until `finish()` (an implementation detail; only used to
# recognise spacer cells, so a rename would cost a little spacing, not correctness).
_NBSP_PLACEHOLDER: Final = "&nbsp_place_holder;"

# Emphasis we write ourselves (see `_open_emphasis`). Bold and italic are dropped: in a
# terminal `**Dana Lee**` in every signature is noise, not emphasis. Strike-through stays (it
# changes the meaning); <u> is dropped: in mail it mostly just underlines links.
_EMPHASIS: Final = {
    "b": "",
    "strong": "",
    "i": "",
    "em": "",
    "del": "~~",
    "s": "~~",
    "strike": "~~",
    "u": "",
}

_NO_BORDER = re.compile(r"(?<![-\w])border\s*:\s*(?:none|0)\b", re.IGNORECASE)
_TRAILING_SPACE = re.compile(rf"(?:[ \t]|{re.escape(_NBSP_PLACEHOLDER)})+$")

_VOID: Final = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
# Elements whose content is never shown to a reader of the mail.
_SKIP_CONTENT: Final = frozenset("script style title template xml svg object applet iframe".split())
# Inline elements: a stray end tag of these inside a hidden subtree does not end it.
_INLINE: Final = frozenset(
    "a abbr b big cite code em font i kbd mark q s small span strike strong sub sup tt u".split()
)
# Start tags that implicitly close an open <p> (so a hidden <p> that is never closed ends there).
_CLOSES_P: Final = frozenset(
    "address article aside blockquote div dl fieldset footer form h1 h2 h3 h4 h5 h6 header hr "
    "main nav ol p pre section table ul".split()
)
# Elements that end when a sibling of the same name starts.
_SIBLING_CLOSED: Final = frozenset("li dt dd option tr td th p".split())

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all"
    r"|opacity\s*:\s*(?:0+\.?0*|\.0+)\s*(?:!\s*important\s*)?(?:;|$)",
    re.IGNORECASE,
)
_ZERO_MAX_HEIGHT = re.compile(r"max-height\s*:\s*0+(?:\.0*)?(?:px|em|rem|%)?\s*(?:!|;|$)", re.I)
_OVERFLOW_HIDDEN = re.compile(r"overflow\s*:\s*hidden", re.IGNORECASE)
_STYLE_SIZE = re.compile(r"(?<![-\w])(width|height)\s*:\s*(\d+(?:\.\d+)?)", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"\s*(\d+)")

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_BRACE = re.compile(r"[{}]")
_CSS_SIMPLE_SELECTOR = re.compile(r"\s*[a-z0-9]*([.#])([\w-]+)\s*$", re.IGNORECASE)
_CSS_HIDES = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAX_CSS_CHARS: Final = 200_000

# What html2text writes around <pre> content in backquote style, and nothing else does.
_FENCE = re.compile(r"\n[> ]*```")

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
# Browsers drop ASCII whitespace and controls inside URLs; so do we before judging one.
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")
_AUTHORITY = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#\\]*)")
# Link text that a reader would take for an address: a URL, a bare domain, or an email address.
# Bounded repetitions keep these linear on hostile link text.
_URLISH_TEXT = re.compile(
    r"(?:[a-z][a-z0-9+.-]{0,30}://)?(?:www\.)?"
    r"([^\s/?#:@<>()\[\]]{1,253}\.(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59}))"
    r"(?::\d{1,5})?(?:[/?#]\S*)?",
    re.IGNORECASE,
)
# A URL with a scheme or www. anywhere inside longer link text ("Log in at https://bank.com").
_EMBEDDED_URL = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]{0,30}://|\bwww\.)([^\s/?#:@<>()\[\]]{1,253})", re.I
)
_EMAIL_TEXT = re.compile(
    r"(?:mailto:)?[^\s@<>()\[\]]{1,64}@([^\s@<>()\[\]]{1,253}\.[^\s@<>()\[\]]{1,63})", re.I
)
_SCHEME_PREFIX = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_MAX_LINK_TEXT: Final = 2_000
# Deeper list and quote nesting is flattened: html2text indents every line by the depth, so
# 5,000 nested lists would turn a few KB into tens of MB of spaces.
_MAX_NESTING: Final = 16
_MAX_SHOWN_URL: Final = 2_000


@dataclass(slots=True)
class _Emphasis:
    mark: str  # "**", "_", "~~", or "" for tags we track but do not mark (<u>)
    write: bool  # False for a nested repeat (<b><b>) or inside <pre>
    opened: bool = False  # the opening mark was written (there was text inside)


@dataclass(slots=True)
class _Anchor:
    href: str
    parts: list[str] = field(default_factory=list)
    size: int = 0


def _hidden_by_style(style: str) -> bool:
    """True for the inline styles that preheaders and mobile-only blocks use to hide text."""
    if _HIDDEN_STYLE.search(style) is not None:
        return True
    return _ZERO_MAX_HEIGHT.search(style) is not None and _OVERFLOW_HIDDEN.search(style) is not None


def _is_line_paragraph(attrs: list[tuple[str, str | None]]) -> bool:
    """Outlook writes every line as <p class=MsoNormal> with no margin: a line, not a paragraph."""
    for name, value in attrs:
        if name == "class" and value and "MsoNormal" in value:
            return True
    return False


def _pixel_size(value: str | None) -> int | None:
    """The leading integer of a width/height attribute ("1", "1px"), if any."""
    if not value:
        return None
    m = _LEADING_NUMBER.match(value)
    return int(m.group(1)) if m else None


def _is_tracking_pixel(attrs: dict[str, str | None]) -> bool:
    """Width or height of 0 or 1 (as attribute or inline style): a beacon, not a picture."""
    sizes = [_pixel_size(attrs.get("width")), _pixel_size(attrs.get("height"))]
    style = attrs.get("style")
    if style:
        sizes.extend(int(float(m.group(2))) for m in _STYLE_SIZE.finditer(style))
    return any(size is not None and size <= 1 for size in sizes)


def hidden_selectors(css: str) -> tuple[set[str], set[str]]:
    """Classes and ids that a stylesheet hides outside any @media/@supports block.

    Only simple selectors (`.preheader`, `span.x`, `#id`) count: enough for the usual
    preheader and mobile-only patterns, and no risk of hiding content on a guess.
    """
    classes: set[str] = set()
    ids: set[str] = set()
    css = _CSS_COMMENT.sub("", css[:_MAX_CSS_CHARS])
    depth = 0
    selector_start = 0
    selectors = ""
    skip_block = False
    for m in _CSS_BRACE.finditer(css):
        if m.group() == "{":
            if depth == 0:
                selectors = css[selector_start : m.start()]
                skip_block = selectors.lstrip().startswith("@")
            depth += 1
            body_start = m.end()
        else:
            if depth == 0:
                selector_start = m.end()
                continue
            depth -= 1
            if depth == 0:
                if not skip_block and _CSS_HIDES.search(css[body_start : m.start()]):
                    for selector in selectors.split(","):
                        sm = _CSS_SIMPLE_SELECTOR.match(selector)
                        if sm:
                            (classes if sm.group(1) == "." else ids).add(sm.group(2))
                selector_start = m.end()
    return classes, ids


def _host(url: str) -> str:
    """Lower-case host of an absolute URL (userinfo and port removed), or ''."""
    m = _AUTHORITY.match(url)
    if not m:
        return ""
    host = m.group(1).rpartition("@")[2]
    if host.startswith("["):
        return host.partition("]")[0].lower() + "]"
    return host.partition(":")[0].lower().rstrip(".")


def _same_site(shown: str, real: str) -> bool:
    """True if the two hosts are equal or one is a subdomain of the other (www. ignored)."""
    shown = shown.lower().rstrip(".").removeprefix("www.")
    real = real.lower().rstrip(".").removeprefix("www.")
    if shown == real:
        return True
    shorter, longer = sorted((shown, real), key=len)
    return "." in shorter and longer.endswith("." + shorter)


def _bare(url: str) -> str:
    """A URL without scheme, leading www. and trailing slash, for "is the text the link?"."""
    url = _SCHEME_PREFIX.sub("", url).removeprefix("www.")
    return url.rstrip("/").lower()


class TerminalHTML2Text(html2text.HTML2Text):
    """An html2text parser whose output reads well as plain text in a terminal."""

    def __init__(self) -> None:
        super().__init__(bodywidth=0)  # the widget wraps, not us
        self.unicode_snob = True  # keep é and ’ (the default turns &eacute; into "e")
        self.ignore_tables = True  # layout tables would otherwise become pipes and dashes
        self.ul_item_mark = "-"
        self.single_line_break = False
        self.mark_code = False
        # <pre> in mail is mostly plain text in disguise: keep its lines, without the 4-space
        # Markdown indent. Fenced style has no indent; `_out` drops the fences themselves.
        self.backquote_code_style = True
        self.out = self._out
        # Our own state: see the handlers below.
        self._hidden_root: str | None = None
        self._hidden_open: dict[str, int] = {}
        self._css: list[str] | None = None
        self._css_size = 0
        self._hidden_classes: set[str] = set()
        self._hidden_ids: set[str] = set()
        self._anchor: _Anchor | None = None
        self._row_cells = 0
        self._in_line_p = False
        self._emphasis: list[_Emphasis] = []
        self._open_marks: dict[str, int] = {}  # mark -> how many open entries write it
        self._deep_lists = 0  # list levels past _MAX_NESTING, ignored
        self._blockquotes: list[bool] = []  # per open <blockquote>: a real quote?
        self._text_end = 0  # len(outtextlist) right after the last real text written
        self._ref_numbers: dict[str, int] = {}
        self.references: list[str] = []
        self._cell_gap = False
        self.text_chars = 0
        self.alt_chars = 0

    # -- tags -------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._hidden_root is not None:
            if not self._hidden_start(tag):
                return
        if tag in _SKIP_CONTENT:
            if tag == "style":
                self._css = []
                self._css_size = 0
            if tag not in _VOID:
                self._hide(tag)
            return
        if attrs and self._attrs_hide(attrs):
            if tag not in _VOID:
                self._hide(tag)
            return
        if tag == "a":
            self._start_anchor(dict(attrs).get("href"))
        elif tag == "img":
            self._image(dict(attrs))
        elif tag in _EMPHASIS:
            self._push_emphasis(_EMPHASIS[tag])
        elif tag in ("ul", "ol") and (self._deep_lists or len(self.list) >= _MAX_NESTING):
            self._deep_lists += 1  # past this, indentation costs more than it tells
        elif tag in ("td", "th"):
            self._cell_gap = self._row_cells > 0
            self._row_cells += 1
            if self._cell_gap and self.p_p == 1:
                self.p_p = 0  # a line break that only ended the last cell: keep the row on one line
        elif tag == "tr":
            self._row_cells = 0
            self._cell_gap = False
            super().handle_starttag(tag, attrs)
        elif tag == "table":
            self.pbr()  # html2text (ignore_tables) would glue a table to the text before it
        elif tag == "div":
            if not self._cell_gap:  # a cell's content starts with a <div>: stay on the row
                self._line_block()
        elif tag == "p" and _is_line_paragraph(attrs):
            self._in_line_p = True
            self._line_block()
        elif tag == "blockquote":
            # Gmail's "indent" button makes a borderless blockquote: layout, not a quote.
            style = dict(attrs).get("style") or ""
            is_quote = _NO_BORDER.search(style) is None and self.blockquote < _MAX_NESTING
            self._blockquotes.append(is_quote)
            if is_quote:
                super().handle_starttag(tag, attrs)
            else:
                self._line_block()
        elif tag == "br" and self.blockquote and not self.pre:
            # html2text continues every quote level with a single "> "; keep the real depth.
            self.o("  \n" + ">" * self.blockquote + " ")
            self.lastWasNL = True  # as after a plain <br>: no space before the next word
        else:
            if tag == "p":
                self._in_line_p = False
            super().handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden_root is not None and not self._hidden_end(tag):
            return
        if tag == "a":
            self._end_anchor()
        elif tag in _EMPHASIS:
            self._close_emphasis(_EMPHASIS[tag])
        elif tag in ("ul", "ol") and self._deep_lists:
            self._deep_lists -= 1
        elif tag == "blockquote":
            if not self._blockquotes or self._blockquotes.pop():
                super().handle_endtag(tag)
            else:
                self._line_block()
        elif tag in ("td", "th", "img"):
            pass
        elif tag in ("table", "div") or (tag == "p" and self._in_line_p):
            self._in_line_p = False
            self._line_block()
        else:
            super().handle_endtag(tag)

    def _attrs_hide(self, attrs: list[tuple[str, str | None]]) -> bool:
        """True if this element's own attributes hide it."""
        for name, value in attrs:
            if name == "style":
                if value and _hidden_by_style(value):
                    return True
            elif name == "hidden":
                return True
            elif name == "class":
                if (
                    value
                    and self._hidden_classes
                    and not self._hidden_classes.isdisjoint(value.split())
                ):
                    return True
            elif name == "id":
                if value and value in self._hidden_ids:
                    return True
        return False

    def _out(self, s: str) -> None:
        # A fence stands for its line break: html2text counts on it to separate the block.
        self.outtextf("\n" if _FENCE.fullmatch(s) else s)

    def _line_block(self) -> None:
        """End the line, not the paragraph: mail clients write one <div> per line."""
        if not self.astack:  # html2text keeps blocks inside a link inline; so do we
            self.pbr()

    # -- hidden subtrees --------------------------------------------------------------------

    def _hide(self, tag: str) -> None:
        self._hidden_root = tag
        self._hidden_open = {tag: 1}

    def _unhide(self) -> None:
        if self._css is not None:
            classes, ids = hidden_selectors("".join(self._css))
            self._hidden_classes |= classes
            self._hidden_ids |= ids
            self._css = None
        self._hidden_root = None
        self._hidden_open = {}

    def _hidden_start(self, tag: str) -> bool:
        """Track a start tag inside a hidden subtree; True if it ended the subtree."""
        root = self._hidden_root
        if (root == "p" and tag in _CLOSES_P) or (tag == root and tag in _SIBLING_CLOSED):
            self._unhide()  # the browser closes the hidden element here
            return True
        if tag not in _VOID:
            self._hidden_open[tag] = self._hidden_open.get(tag, 0) + 1
        return False

    def _hidden_end(self, tag: str) -> bool:
        """Track an end tag inside a hidden subtree; True if the tag must still be handled.

        HTML in the wild is unbalanced: an end tag for an element opened *outside* the hidden
        subtree closes the subtree too (as in a browser), so a lost `</div>` cannot hide the
        rest of the message.
        """
        count = self._hidden_open.get(tag, 0)
        if count:
            if count == 1 and tag == self._hidden_root:
                self._unhide()
            else:
                self._hidden_open[tag] = count - 1
            return False
        if tag in _INLINE or tag in _VOID:
            return False
        self._unhide()
        return True

    # -- text -------------------------------------------------------------------------------

    def handle_data(self, data: str, entity_char: bool = False) -> None:
        if self._hidden_root is not None:
            if self._css is not None and self._css_size < _MAX_CSS_CHARS:
                self._css.append(data)
                self._css_size += len(data)
            return
        self._visible_data(data)

    def _visible_data(self, data: str, *, alt: bool = False) -> None:
        if not data:
            return
        solid = data.replace(_NBSP_PLACEHOLDER, "").strip()
        if solid:
            if self._emphasis:
                data = self._open_emphasis(data)
            if alt:
                self.alt_chars += len(solid)
            else:
                self.text_chars += len(solid)
            if self._cell_gap:
                self._cell_gap = False
                if not self.p_p and not self.lastWasNL and self.outtextlist:
                    data = data.lstrip()
                    self.space = False
                    self.o("  ")
        anchor = self._anchor
        if anchor is not None and anchor.size < _MAX_LINK_TEXT:
            anchor.parts.append(data)
            anchor.size += len(data)
        # entity_char=True: no Markdown escaping ("\-", "1\."): nobody renders this as Markdown.
        super().handle_data(data, True)
        if solid:
            self._text_end = len(self.outtextlist)

    def _push_emphasis(self, mark: str) -> None:
        # Nested <b><b> or emphasis inside <pre> writes nothing, but is tracked so that its
        # end tag closes the right element.
        write = bool(mark) and not self.pre and not self._open_marks.get(mark)
        self._emphasis.append(_Emphasis(mark, write))
        if write:
            self._open_marks[mark] = 1

    def _open_emphasis(self, data: str) -> str:
        """Write the pending emphasis marks before the first real text they apply to.

        Done lazily so that `<b> </b>` and `<i><br></i>` leave no `** **` debris behind.
        """
        stack = self._emphasis
        first = len(stack)
        while first > 0 and not stack[first - 1].opened:
            first -= 1  # opened entries always form a prefix of the stack
        if first == len(stack):
            return data
        if data[:1].isspace():
            data = data.lstrip()
            self.space = True
        for entry in stack[first:]:
            entry.opened = True
            if entry.write:
                self.o(entry.mark)
        return data

    def _close_emphasis(self, mark: str) -> None:
        """Write the closing mark right after the last text it covers.

        Not at the current position: by then a `<br>` or the next quote prefix may have been
        written, and `**text\n> **` would not read as bold. Trailing spaces move outside.
        """
        stack = self._emphasis
        for i in range(len(stack) - 1, -1, -1):
            if stack[i].mark == mark:
                entry = stack.pop(i)
                break
        else:
            return
        if not entry.write:
            return
        self._open_marks[mark] = 0
        out = self.outtextlist
        end = self._text_end
        if not entry.opened or not 0 < end <= len(out):
            return
        chunk = out[end - 1]
        stripped = _TRAILING_SPACE.sub("", chunk)
        out[end - 1] = stripped
        out.insert(end, mark + (" " if stripped != chunk else ""))
        if end == len(out) - 1:
            self.lastWasNL = False
        self._text_end = end + 1

    def close(self) -> None:
        """At the end of input, finish what unbalanced HTML left open."""
        super().close()
        self._end_anchor()
        while self._emphasis:
            self._close_emphasis(self._emphasis[-1].mark)

    def _image(self, attrs: dict[str, str | None]) -> None:
        """Show an image as its alt text; drop beacons and images without alt."""
        alt = " ".join((attrs.get("alt") or "").split())
        if not alt or _is_tracking_pixel(attrs):
            return
        last = self.outtextlist[-1][-1:] if self.outtextlist else "\n"
        self._visible_data(alt if last.isspace() or not last else " " + alt, alt=True)
        self.space = True

    # -- links ------------------------------------------------------------------------------

    def _start_anchor(self, href: str | None) -> None:
        # Links do not nest: like a browser, a new <a> ends the open one.
        self._end_anchor()
        self._anchor = _Anchor(href or "")
        # Tells html2text we are inside a link: it then keeps <p>/<div> in link text inline.
        self.astack.append(None)

    def _end_anchor(self) -> None:
        anchor = self._anchor
        if anchor is None:
            return
        self._anchor = None
        if self.astack:
            self.astack.pop()
        text = " ".join("".join(anchor.parts).replace(_NBSP_PLACEHOLDER, " ").split())
        suffix = self._link_suffix(anchor.href, text)
        if suffix:
            if self.outtextlist and self.outtextlist[-1].endswith(" "):
                suffix = suffix.lstrip(" ")  # the link text ended with a space already
            # Put the reference right after the text, before any pending line break.
            pending, space = self.p_p, self.space
            self.p_p, self.space = 0, False
            self.o(suffix)
            self.p_p, self.space = pending, space

    def _link_suffix(self, href: str, text: str) -> str:
        """What to print after a link's text so the reader can see where it really goes."""
        if not text:
            return ""
        url = _URL_JUNK.sub("", href)
        m = _SCHEME.match(url)
        scheme = m.group(1).lower() if m else ""
        if scheme in ("http", "https"):
            return self._web_link_suffix(url, text)
        if scheme == "mailto":
            address = unquote(url[len("mailto:") :].partition("?")[0]).strip()
            if not address or address.lower() in text.lower():
                return ""
            if _EMAIL_TEXT.fullmatch(text) or _URLISH_TEXT.fullmatch(text):
                return f" (→ {address})"
            return f" <{address}>"
        if scheme == "tel":
            number = unquote(url[len("tel:") :])
            return "" if number in text else f" <{number}>"
        # javascript:, data:, vbscript:, file:, relative links: text only, nothing to open.
        return ""

    def _web_link_suffix(self, url: str, text: str) -> str:
        if _bare(text) == _bare(url):
            return ""  # the text is the link: showing it twice helps nobody
        real_host = _host(url)
        if m := _URLISH_TEXT.fullmatch(text):
            deceptive = not _same_site(m.group(1), real_host)
        elif _EMAIL_TEXT.fullmatch(text):
            deceptive = True  # an address in the text, a web page behind it
        else:
            deceptive = any(
                not _same_site(m.group(1), real_host) for m in _EMBEDDED_URL.finditer(text, 0, 500)
            )
        if deceptive:
            shown = url if len(url) <= _MAX_SHOWN_URL else url[:_MAX_SHOWN_URL] + "…"
            return f" (→ {shown})"
        number = self._ref_numbers.get(url)
        if number is None:
            self.references.append(url)
            number = self._ref_numbers[url] = len(self.references)
        return f" [{number}]"
