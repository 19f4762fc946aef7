"""The ``hostile`` dataset: what a malicious server or a stranger's email can send, case by case.

Each ``HostileCase`` is one conversation served exactly as written here (through
``Workspace.add_raw_conversation``: wrong types, missing fields and control characters included),
with a stable id and a one-line description. The cases are listed first, in this order, in their
folder; the ``default`` workspace (``--conversations N``) follows them, so the app also has
ordinary mail around the traps. Every attachment that carries an id is downloadable: its bytes are
generated, and their real size is the one announced unless the case is about a lying size.

``visible`` and ``hidden`` say what a reader must and must not see on screen once the conversation
is open (tests walk the whole dataset with them); ``cases()`` is the manifest they iterate over.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from unibox_tui.demo.datasets import DatasetParams, get, register
from unibox_tui.demo.store import Attachment, Workspace

__all__ = ["HostileCase", "build", "cases"]

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"
RLO = "\u202e"

#: Escape sequences a terminal acts on: colours and screen clearing, a window title, a hyperlink,
#: the clipboard (OSC 52), a device-control string, and the 8-bit (C1) forms of CSI and OSC.
CSI_RED = f"{ESC}[31m"
CSI_CLEAR = f"{ESC}[2J{ESC}[H"
OSC_TITLE = f"{ESC}]0;PWNED-TITLE{BEL}"
OSC_TITLE_ST = f"{ESC}]2;PWNED-TITLE-ST{ST}"
OSC_LINK = f"{ESC}]8;;https://evil.example/osc8{ST}"
OSC_LINK_END = f"{ESC}]8;;{ST}"
OSC_CLIPBOARD = f"{ESC}]52;c;cm0gLXJmIH4vKg=={BEL}"
DCS = f"{ESC}P1$tPWNED-DCS{ST}"
C1_CSI = "\x9b31m"
C1_OSC = "\x9d0;PWNED-C1-TITLE\x9c"

#: The exact strings a terminal-level test looks for in the app's output: none may get through.
TERMINAL_PAYLOADS: tuple[str, ...] = (
    CSI_RED + "RED", CSI_CLEAR, OSC_TITLE, OSC_TITLE_ST, OSC_LINK, OSC_CLIPBOARD, DCS,
    "PWNED-TITLE", "PWNED-DCS", "PWNED-C1-TITLE", "evil.example/osc8", "cm0gLXJmIH4vKg",
)

MALLORY = "Mallory Reyes <mallory@evil.example>"
_HOUR = 3600
_UNSET: Any = object()  # "not given" where None is a hostile value of its own


@dataclass(frozen=True, slots=True)
class HostileCase:
    """One hostile conversation and what a reader must (not) see when it is open."""

    id: str
    description: str
    raw: Any
    folder: str = "primary"
    visible: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    #: attachment id -> the size of the bytes really served, where the JSON's ``size`` lies
    real_sizes: dict[str, int] = field(default_factory=dict)


class _Maker:
    """Builds the raw dicts with dates relative to the workspace's ``now``."""

    def __init__(self, now: float, inbox: str) -> None:
        self.now = now
        self.inbox = inbox

    def date(self, hours_ago: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(self.now - hours_ago * _HOUR)))

    def message(self, *, subject: Any = "A hostile message", text: Any = "", html: Any = "",
                sender: Any = MALLORY, to: Any = _UNSET, date: Any = _UNSET, hours_ago: float = 2,
                direction: Any = "incoming", is_read: Any = False, attachments: Any = None,
                **extra: Any) -> dict[str, Any]:
        message = {
            "direction": direction,
            "subject": subject,
            "text_body": text,
            "html_body": html,
            "from_email": sender,
            "to_email": self.inbox if to is _UNSET else to,
            "email_date": self.date(hours_ago) if date is _UNSET else date,
            "is_read": is_read,
            "attachments": [] if attachments is None else attachments,
        }
        message.update(extra)
        return message

    def conversation(self, ident: Any, messages: Any, *, status: Any = "open", label: Any = "question",
                     hours_ago: float = 2, **extra: Any) -> dict[str, Any]:
        conversation = {
            "id": ident,
            "status": status,
            "messages": messages,
            "created_at": self.date(hours_ago + 48),
            "updated_at": self.date(hours_ago),
            "label": label,
            "label_override": None,
        }
        conversation.update(extra)
        return conversation

    def single(self, case_id: str, **message: Any) -> dict[str, Any]:
        return self.conversation(f"hostile-{case_id}", [self.message(**message)])


def _attachment(ident: Any, filename: Any, content_type: Any = "application/pdf", size: Any = 2048) -> dict[str, Any]:
    return {"id": ident, "filename": filename, "content_type": content_type, "size": size}


# --- the cases ---------------------------------------------------------------------------------------

def _escape_cases(m: _Maker) -> list[HostileCase]:
    all_sequences = (
        f"Line one {CSI_RED}RED TEXT{ESC}[0m and {CSI_CLEAR}cleared\n"
        f"Title {OSC_TITLE}{OSC_TITLE_ST}change\n"
        f"A {OSC_LINK}hidden hyperlink{OSC_LINK_END} here\n"
        f"Clipboard {OSC_CLIPBOARD}write\n"
        f"Device control {DCS}string\n"
        f"APC {ESC}_PWNED-APC{ST} PM {ESC}^PWNED-PM{ST} SOS {ESC}XPWNED-SOS{ST} end\n"
        f"Reset {ESC}c and save {ESC}7 restore {ESC}8 keypad {ESC}= charset {ESC}(0 done\n"
        f"8-bit {C1_CSI}C1 CSI and {C1_OSC}C1 OSC and NEL\x85 here\n"
        f"Bell{BEL} backspace ab\bc vertical\x0btab form\x0cfeed nul\x00 del\x7f end\n"
        "Overwrite: safe text\rEVIL-OVERWRITE\n"
        "Query the terminal: \x1b[6n \x1b[c \x1b]11;?\x07 \x1bP+q544e\x1b\\ end"
    )
    entities = (
        "<p>Entity CSI: &#27;[31mENTITY-RED&#27;[0m</p>"
        "<p>Entity title: &#x1b;]0;PWNED-TITLE&#x07;after</p>"
        "<p>Entity hyperlink: &#27;]8;;https://evil.example/osc8&#27;\\link&#27;]8;;&#27;\\</p>"
        "<p>Entity bidi: &#8238;gnp.exe and &#x2066;isolate&#x2069; and &#8203;zero&#xfeff;width</p>"
        # The 8-bit OSC (U+009D) runs to the next BEL/ST/ESC, as in a terminal: the text up to
        # the &#7; below is removed with it.
        "<p>Entity C1: &#155;31m and &#x9d;0;PWNED-C1-TITLE&#x9c; and &#133;</p>"
        "<p>Entity NUL &#0; and DEL &#127; and BEL &#7; ENTITY-END</p>"
    )
    return [
        HostileCase("subject-csi", "CSI colour and clear-screen sequences in a subject",
                    m.single("subject-csi", subject=f"{CSI_RED}RED ALERT{ESC}[0m: invoice {CSI_CLEAR}overdue",
                             text="Pay now."),
                    visible=("RED ALERT: invoice overdue",), hidden=("[31m", "[2J", "[0m")),
        HostileCase("subject-osc-title", "OSC 0 and OSC 2 window-title changes in a subject",
                    m.single("subject-osc-title", subject=f"{OSC_TITLE}Quarterly {OSC_TITLE_ST}review",
                             text="See subject."),
                    visible=("Quarterly review",), hidden=("PWNED-TITLE", "]0;")),
        HostileCase("subject-osc8-link", "an OSC 8 hyperlink in a subject",
                    m.single("subject-osc8-link", subject=f"Click {OSC_LINK}HERE-LINK{OSC_LINK_END} now",
                             text="Link in subject."),
                    visible=("Click HERE-LINK now",), hidden=("evil.example/osc8", "]8;;")),
        HostileCase("subject-osc52-clipboard", "an OSC 52 clipboard write in a subject",
                    m.single("subject-osc52-clipboard", subject=f"Copy {OSC_CLIPBOARD}this",
                             text="Clipboard in subject."),
                    visible=("Copy this",), hidden=("cm0gLXJmIH4vKg", "]52;")),
        HostileCase("subject-dcs", "a DCS (device control string) in a subject",
                    m.single("subject-dcs", subject=f"Device {DCS}control", text="DCS in subject."),
                    visible=("Device control",), hidden=("PWNED-DCS",)),
        HostileCase("subject-c1", "8-bit C1 controls (CSI U+009B, OSC U+009D, NEL U+0085) in a subject",
                    m.single("subject-c1", subject=f"Eight {C1_CSI}bit {C1_OSC}controls\x85 here",
                             text="C1 in subject."),
                    visible=("Eight bit controls here",), hidden=("PWNED-C1-TITLE", "31m")),
        HostileCase("subject-entities", "escape sequences written as HTML entities in a (plain-text) subject",
                    m.single("subject-entities", subject="Entity &#27;[31mSUBJ&#x1b;]0;T&#7; end",
                             text="Entities in a subject are plain text."),
                    visible=("Entity &#27;[31mSUBJ&#x1b;]0;T&#7; end",)),
        HostileCase("body-text-escapes", "every kind of escape sequence and C0/C1 control in a text body",
                    m.single("body-text-escapes", subject="Escapes in the text body", text=all_sequences),
                    visible=("RED TEXT", "hidden hyperlink here", "Device control string",
                             "EVIL-OVERWRITE", "PM", "end"),
                    hidden=("PWNED", "evil.example/osc8", "cm0gLXJmIH4vKg", "[31m", "]0;")),
        HostileCase("body-html-escapes", "escape sequences inside an HTML body, raw and in <pre>",
                    m.single("body-html-escapes", subject="Escapes in the HTML body",
                             html=f"<p>Raw {CSI_RED}HTML-RED{ESC}[0m {OSC_TITLE}title</p>"
                                  f"<pre>pre {OSC_LINK}PRE-LINK{OSC_LINK_END} {DCS}</pre>"),
                    visible=("HTML-RED", "PRE-LINK"), hidden=("PWNED", "evil.example/osc8")),
        HostileCase("body-html-entities", "escape sequences as HTML entities (&#27; &#x1b; &#155;) in an HTML body",
                    m.single("body-html-entities", subject="Entities in the HTML body", html=entities),
                    visible=("ENTITY-RED", "gnp.exe", "ENTITY-END"),
                    hidden=("PWNED", "evil.example/osc8", "[31m")),
        HostileCase("body-unterminated-osc", "an OSC that never ends, followed by 10 KB of text",
                    m.single("body-unterminated-osc", subject="Unterminated OSC",
                             text=f"Before {ESC}]0;" + "x" * 5000 + " AFTER-THE-OSC " + "word " * 1000),
                    visible=("AFTER-THE-OSC",)),
        HostileCase("name-escapes", "escape sequences in a sender name and address",
                    m.single("name-escapes", subject="Escapes in the sender",
                             sender=f'"{OSC_TITLE}Dana{CSI_RED} Escape" <dana{ESC}[8m@esc.example>',
                             text="Escapes in the sender."),
                    visible=("Dana Escape",), hidden=("PWNED", "[8m")),
        HostileCase("filename-escapes", "escape sequences and HTML entities in attachment filenames",
                    m.single("filename-escapes", subject="Escapes in filenames", text="Two files.",
                             attachments=[_attachment("att-esc-1", f"{OSC_TITLE}report{CSI_RED}.pdf"),
                                          _attachment("att-esc-2", "entity&#27;]0;T&#7;.pdf")]),
                    visible=("report.pdf", "entity&#27;]0;T&#7;.pdf"), hidden=("PWNED",)),
    ]


def _markup_cases(m: _Maker) -> list[HostileCase]:
    body = (
        "Textual action: [@click=app.quit]quit[/]\n"
        "Rich link: [link=file:///etc/passwd]passwd[/link] and [link=https://evil.example]x[/]\n"
        "Unbalanced: [/] and [/bold] and [red]never closed\n"
        "Variables: $accent [$accent]accent[/] [on $error]x[/]\n"
        "Escaped: \\[not markup] and emoji code :smile: and [b]bold[/b]"
    )
    return [
        HostileCase("subject-markup-click", "a Textual action link [@click=app.quit] in a subject",
                    m.single("subject-markup-click", subject="[@click=app.quit]Free money[/]",
                             text="Click the subject."),
                    visible=("[@click=app.quit]Free money[/]",)),
        HostileCase("subject-markup-link", "a Rich [link=file:///etc/passwd] in a subject",
                    m.single("subject-markup-link", subject="[link=file:///etc/passwd]x[/] and [link=file:///etc/passwd]pw[/link]",
                             text="A link in the subject."),
                    visible=("[link=file:///etc/passwd]x[/] and [link=file:///etc/passwd]pw[/link]",)),
        HostileCase("subject-unbalanced", "an unbalanced closing tag [/] in a subject (once crashed Static)",
                    m.single("subject-unbalanced", subject="Re: invoice [/] total [/bold] [", text="Unbalanced."),
                    visible=("Re: invoice [/] total [/bold] [",)),
        HostileCase("name-markup", "markup in the sender name (from_email and from_name)",
                    m.conversation("hostile-name-markup", [
                        m.message(subject="Markup in names", sender="[b]Boss[/b] [@click=app.quit]x[/] <boss@markup.example>",
                                  text="First.", hours_ago=3, is_read=True),
                        m.message(subject="Markup in names", sender="boss@markup.example",
                                  from_name="[red]Boss Two[/red] [/]", text="Second."),
                    ]),
                    visible=("[red]Boss Two[/red] [/]", "[b]Boss[/b] [@click=app.quit]x[/]")),
        HostileCase("body-markup", "Textual/Rich markup, $variables and emoji codes in a body",
                    m.single("body-markup", subject="Markup in the body", text=body),
                    visible=("[@click=app.quit]quit[/]", "[link=file:///etc/passwd]passwd[/link]",
                             "[/] and [/bold] and [red]never closed", "$accent [$accent]accent[/] [on $error]x[/]",
                             "\\[not markup] and emoji code :smile: and [b]bold[/b]")),
        HostileCase("html-markup", "markup inside an HTML body and in a link target",
                    m.single("html-markup", subject="Markup in HTML",
                             html='<p>[@click=app.quit]html click[/]</p><p><a href="[@click=app.quit]">[b]anchor[/b]</a></p>'),
                    visible=("[@click=app.quit]html click[/]", "[b]anchor[/b]")),
        HostileCase("filename-markup", "markup in an attachment filename and content type",
                    m.single("filename-markup", subject="Markup in a filename", text="A file.",
                             attachments=[_attachment("att-markup", "[@click=app.quit]invoice[/].pdf", "[red]x[/]")]),
                    visible=("[@click=app.quit]invoice[/].pdf", "[red]x[/]")),
        HostileCase("label-markup", "a label that is markup and not one of Reachkit's labels",
                    m.conversation("hostile-label-markup", [m.message(subject="Markup label", text="Label.")],
                                   label="[@click=app.quit]hot[/]"),
                    visible=("[@click=app.quit]hot[/]",)),
        HostileCase("status-markup", "a status that is markup",
                    m.conversation("hostile-status-markup", [m.message(subject="Markup status", text="Status.")],
                                   status="[blink]closed[/]"),
                    visible=("[blink]closed[/]",)),
    ]


def _unicode_cases(m: _Maker) -> list[HostileCase]:
    return [
        HostileCase("name-bidi-override", "a right-to-left override (U+202E) in a name, subject and body",
                    m.single("name-bidi-override", subject=f"Invoice {RLO}fdp.exe", sender=f'"Acc{RLO}gnitnuo" <billing@bidi.example>',
                             text=f"Open {RLO}gnp.exe now"),
                    visible=("Invoice fdp.exe", "Accgnitnuo", "Open gnp.exe now"), hidden=(RLO,)),
        HostileCase("name-fake-address-zw", "a sender name that fakes an address with zero-width characters",
                    m.single("name-fake-address-zw", subject="Account notice",
                             sender='"support@bank\u200b.com\u200d" <attacker@evil.example>', text="Verify your account."),
                    visible=("attacker@evil.example",)),
        HostileCase("name-fake-address-field", "a from_name that is someone else's address (extra field)",
                    m.single("name-fake-address-field", subject="Password reset", sender="mallory@evil.example",
                             from_name="security@paypal.com", text="Reset your password."),
                    visible=("mallory@evil.example",)),
        HostileCase("name-fake-address-bidi", "a name that reads as an address only when bidi is applied",
                    m.single("name-fake-address-bidi", subject="Urgent", sender=f'"{RLO}moc.knab@troppus" <x@evil.example>',
                             text="Urgent."),
                    visible=("x@evil.example",), hidden=(RLO,)),
        HostileCase("zero-width", "zero-width spaces, joiners, BOM and invisible letters in a subject and name",
                    m.single("zero-width", subject="Pa\u200by\u200cP\u200da\u2060l\ufeff notice",
                             sender='"\u3164\u115f" <invisible@zw.example>', text="Zero\u200bwidth \u00adsoft hyphen"),
                    visible=("PayPal notice", "invisible@zw.example", "Zerowidth soft hyphen")),
        HostileCase("bidi-isolates", "bidi isolates, marks and the Arabic letter mark",
                    m.single("bidi-isolates", subject="Iso\u2066la\u2067te\u2068d\u2069 \u200emarks\u200f \u061cALM",
                             text="Body \u2066isolate\u2069 \u202aembed\u202c \u202bembed\u202c \u202doverride\u202c"),
                    visible=("Isolated marks ALM", "Body isolate embed embed override"),
                    hidden=("\u2066", "\u202a", "\u202d")),
        HostileCase("emoji", "emoji with ZWJ sequences, skin tones, flags and keycaps",
                    m.single("emoji", subject="👩‍👩‍👧‍👦 family 🏳️‍🌈 👍🏽 🇺🇦 1️⃣ 🏴󠁧󠁢󠁳󠁣󠁴󠁿 ok",
                             sender='"Emoji 😀 Person" <emoji@uni.example>', text="Thanks 🙏🏾 see you 🚀"),
                    visible=("family", "Emoji 😀 Person", "Thanks 🙏🏾 see you 🚀")),
        HostileCase("cjk", "wide CJK characters in a long subject, name and body (cropping splits them)",
                    m.single("cjk", subject="会議の件について、" * 30, sender='"山田太郎" <yamada@cjk.example>',
                             text="请确认一下。" * 200 + "\n한국어 텍스트"),
                    visible=("会議の件について", "山田太郎", "한국어 텍스트")),
        HostileCase("combining", "stacked combining characters (zalgo) in a subject and body",
                    m.single("combining", subject="Z\u0334\u0321\u031b\u0316\u034e\u0353a\u0337\u0327l\u0336g\u0338o subject",
                             text="e" + "\u0301" * 500 + " ZALGO-END"),
                    visible=("subject", "ZALGO-END")),
        HostileCase("rtl", "right-to-left Arabic and Hebrew text",
                    m.single("rtl", subject="مرحبا بكم في العرض", sender='"שלום עליכם" <rtl@rtl.example>',
                             text="هذه رسالة باللغة العربية.\nזוהי הודעה בעברית."),
                    visible=("مرحبا بكم في العرض", "שלום עליכם", "זוהי הודעה בעברית.")),
        HostileCase("lone-surrogate", "lone UTF-16 surrogates (\\ud800) in a subject, name, body and filename",
                    m.single("lone-surrogate", subject="Broken \ud800 surrogate", sender='"Sur\udfffrogate" <s@sur.example>',
                             text="Body \udc00 text", attachments=[_attachment("att-sur", "file\ud800.pdf")]),
                    visible=("Broken surrogate", "Surrogate", "Body text", "file.pdf")),
    ]


def _size_cases(m: _Maker) -> list[HostileCase]:
    paragraph = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 8 + "</p>\n"
    big = "<html><body><p>START-OF-5MB</p>" + paragraph * (5 * 1024 * 1024 // len(paragraph)) + "<p>END-OF-5MB</p></body></html>"
    nests = [
        ("div", "<div>" * 5000 + "DEEP-DIV" + "</div>" * 5000),
        ("blockquote", "<p>Above the quote.</p>" + "<blockquote>" * 5000 + "DEEP-QUOTE" + "</blockquote>" * 5000),
        ("list", "<ul><li>" * 5000 + "DEEP-LIST" + "</li></ul>" * 5000),
        ("table", "<table><tr><td>" * 5000 + "DEEP-TABLE" + "</td></tr></table>" * 5000),
        ("inline", "<b><i><a href='https://x.example'><span>" * 1250 + "DEEP-INLINE" + "</span></a></i></b>" * 1250),
        ("unclosed", "<div><p><span><b>" * 5000 + "DEEP-UNCLOSED"),
    ]
    thread = [m.message(subject="Re: the 2,000-message thread" if i else "The 2,000-message thread",
                        text=("FIRST-OF-2000 " if i == 0 else "LAST-OF-2000 " if i == 1999 else "") + f"Message number {i + 1}.",
                        sender=MALLORY if i % 2 == 0 else f"SDR <{m.inbox}>",
                        to=m.inbox if i % 2 == 0 else "mallory@evil.example",
                        direction="incoming" if i % 2 == 0 else "outgoing",
                        is_read=i < 1990, hours_ago=2000 - i)
              for i in range(2000)]
    return [
        HostileCase("subject-10k", "a 10,000-character subject",
                    m.single("subject-10k", subject="LONG-SUBJECT " + "x" * 9987, text="Long subject."),
                    visible=("LONG-SUBJECT xxxx",)),
        HostileCase("html-5mb", "a 5 MB HTML body",
                    m.single("html-5mb", subject="Five megabytes", html=big),
                    visible=("START-OF-5MB", "message cut"), hidden=("END-OF-5MB",)),
        HostileCase("html-nested-5000", "HTML nested 5,000 levels deep (div, blockquote, list, table, inline, unclosed)",
                    m.conversation("hostile-html-nested-5000", [
                        m.message(subject="Deep nesting", html=html, hours_ago=10 - i, is_read=True)
                        for i, (_, html) in enumerate(nests)]),
                    visible=("DEEP-UNCLOSED",)),
        HostileCase("thread-2000", "a thread of 2,000 messages",
                    m.conversation("hostile-thread-2000", thread), visible=("LAST-OF-2000",)),
        HostileCase("body-long-line", "a 200,000-character line without a space",
                    m.single("body-long-line", subject="One long line", text="LONGLINE" + "y" * 200_000 + " LONGLINE-END"),
                    visible=("LONGLINE-END",)),
        HostileCase("subject-re-100", "a subject with 100 'Re: ' prefixes",
                    m.conversation("hostile-subject-re-100", [
                        m.message(subject="Pricing question", text="Original.", hours_ago=5, is_read=True),
                        m.message(subject="Re: " * 100 + "Pricing question", text="Reply."),
                    ]),
                    visible=("Pricing question",)),
        HostileCase("many-attachments", "one message with 300 attachments",
                    m.single("many-attachments", subject="Three hundred files", text="Files.",
                             attachments=[_attachment(f"att-many-{i}", f"file-{i:03d}.txt", "text/plain", 100 + i)
                                          for i in range(300)]),
                    visible=("file-299.txt",)),
    ]


def _html_cases(m: _Maker) -> list[HostileCase]:
    active = (
        "<html><head><title>HIDDEN-TITLE</title><style>.x{color:red} /* HIDDEN-CSS */</style>"
        "<script>alert('HIDDEN-SCRIPT')</script></head><body>"
        "<p>VISIBLE-ACTIVE</p><noscript>noscript text</noscript>"
        "<iframe src='https://evil.example/frame'>HIDDEN-IFRAME</iframe>"
        "<object data='x.swf'>HIDDEN-OBJECT</object><svg><text>HIDDEN-SVG</text></svg>"
        "<form action='https://evil.example'><input value='HIDDEN-INPUT'></form></body></html>"
    )
    tracking = (
        "<div style='display:none'>HIDDEN-PREHEADER</div>"
        "<span style='visibility:hidden'>HIDDEN-VIS</span><div style='mso-hide:all'>HIDDEN-MSO</div>"
        "<div style='opacity:0'>HIDDEN-OPACITY</div><p hidden>HIDDEN-ATTR</p>"
        "<p>VISIBLE-TRACKED</p><img src='https://track.evil.example/p.gif?id=1' width='1' height='1' alt='HIDDEN-PIXEL'>"
        "<img src='https://track.evil.example/q.gif' style='width:0;height:0' alt='HIDDEN-PIXEL2'>"
        "<img src='https://cdn.example/logo.png'>"
    )
    links = (
        '<p>Deceptive: <a href="http://evil.example/login">https://bank.com</a></p>'
        '<p>Deceptive bare: <a href="https://evil.example">www.paypal.com</a></p>'
        '<p>Honest: <a href="https://bank.com/help">https://bank.com/help</a></p>'
        '<p>Script: <a href="javascript:alert(document.cookie)">JS-LINK</a> '
        '<a href="jav&#x09;ascript:alert(1)">JS-TAB</a> <a href="data:text/html,<script>x</script>">DATA-LINK</a> '
        '<a href="vbscript:msgbox">VB-LINK</a> <a href="file:///etc/passwd">FILE-LINK</a></p>'
        f'<p>Escape in href: <a href="https://a.example/{ESC}]0;PWNED-TITLE{BEL}">ESC-HREF</a></p>'
        '<p>Mail: <a href="mailto:mallory@evil.example">ceo@bank.com</a></p>'
    )
    return [
        HostileCase("html-active-content", "<script>, <style>, <title>, <iframe>, <object>, <svg> and forms",
                    m.single("html-active-content", subject="Active content", html=active),
                    visible=("VISIBLE-ACTIVE",), hidden=("HIDDEN-",)),
        HostileCase("html-tracking-hidden", "tracking pixels and display:none / hidden preheader text",
                    m.single("html-tracking-hidden", subject="Tracked", html=tracking),
                    visible=("VISIBLE-TRACKED",), hidden=("HIDDEN-", "track.evil.example")),
        HostileCase("html-links", "a deceptive link (https://bank.com -> http://evil.example), javascript: and data: links",
                    m.single("html-links", subject="Links", html=links),
                    visible=("https://bank.com (→ http://evil.example/login)", "www.paypal.com (→ https://evil.example)",
                             "JS-LINK", "DATA-LINK", "ceo@bank.com (→ mallory@evil.example)"),
                    hidden=("javascript:", "data:text")),
        HostileCase("html-malformed", "malformed HTML: stray end tags, unterminated comment and CDATA",
                    m.single("html-malformed", subject="Malformed HTML",
                             html="</div></div></p><p>MALFORMED-START<b><i></b></i><![CDATA[ cdata ]]>"
                                  "<p>MALFORMED-MIDDLE<table><td>cell</tr></p><!-- never closed comment HIDDEN-COMMENT"),
                    visible=("MALFORMED-START", "MALFORMED-MIDDLE")),
        HostileCase("body-only-quote", "a body that is nothing but a quote",
                    m.single("body-only-quote", subject="Only a quote",
                             text="> ONLY-QUOTE line one\n> line two\n> line three\n> line four"),
                    visible=("ONLY-QUOTE line one",)),
        HostileCase("html-only-quote", "an HTML body that is only a Gmail quote block",
                    m.single("html-only-quote", subject="Only an HTML quote",
                             html='<div class="gmail_quote"><div>On Mon, 3 Nov 2025 at 10:00, Dana &lt;d@x.example&gt; wrote:</div>'
                                  '<blockquote class="gmail_quote">HTML-ONLY-QUOTE<br>two<br>three<br>four</blockquote></div>'),
                    visible=("HTML-ONLY-QUOTE",)),
        HostileCase("text-is-html", "a text_body that is really HTML, and an empty html_body",
                    m.single("text-is-html", subject="HTML in the text part",
                             text="<html><body><p>TEXT-AS-HTML</p><script>HIDDEN-SCRIPT</script></body></html>"),
                    visible=("TEXT-AS-HTML",), hidden=("HIDDEN-SCRIPT", "<p>")),
    ]


def _date_cases(m: _Maker) -> list[HostileCase]:
    def dated(case_id: str, dates: list[Any], description: str, visible: tuple[str, ...] = ()) -> HostileCase:
        messages = [m.message(subject=f"Dates: {case_id}", text=f"Date {i}: {d!r}"[:80], date=d, is_read=True)
                    for i, d in enumerate(dates)]
        return HostileCase(case_id, description, m.conversation(f"hostile-{case_id}", messages), visible=visible)

    return [
        dated("date-invalid", ["not a date", "2026-13-45T99:99:99Z", "yesterday", "2026-02-30T10:00:00Z"],
              "unparsable email dates", ("invalid date",)),
        dated("date-empty", ["", " "], "empty email dates"),
        dated("date-null", [None, None], "null email dates", ("date unknown",)),
        dated("date-far-future", ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00", "3000-01-01T00:00:00Z"],
              "dates in the far future (year 9999, beyond UTC's range with an offset)"),
        dated("date-before-1970", ["1969-07-20T20:17:40Z", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z"],
              "dates before 1970, down to year 1 with an offset below UTC's range"),
        dated("date-numbers", [1700000000, 1700000000000, 1e20, -1e15, True, {"date": "x"}],
              "dates as epoch numbers (seconds, milliseconds, absurd), a boolean and an object"),
        dated("date-huge-string", ["2026-01-01" + "9" * 100_000], "a 100,000-character date"),
        HostileCase("conversation-dates-wrong", "conversation created_at/updated_at wrong (null, number, garbage)",
                    m.conversation("hostile-conversation-dates-wrong", [m.message(subject="Conversation dates", text="x")],
                                   created_at=None, updated_at="last tuesday")),
    ]


def _shape_cases(m: _Maker) -> list[HostileCase]:
    wrong_types = m.conversation("hostile-wrong-types", [
        m.message(subject=42, text=12.5, html=["not", "html"], sender={"email": "obj@x.example"}, to=None,
                  is_read="yes", direction=1, attachments={"id": "not-a-list"}),
        m.message(subject="Wrong types", text="TYPES-OK", is_read="yes",
                  attachments=[_attachment(1234, 5678, 42, "2048"), _attachment("att-str-size", "string-size.pdf", size="12345")]),
    ], status=7, label=42)
    return [
        HostileCase("messages-null", "messages is null", m.conversation("hostile-messages-null", None),
                    visible=("no messages",)),
        HostileCase("messages-empty", "messages is an empty list", m.conversation("hostile-messages-empty", []),
                    visible=("no messages",)),
        HostileCase("messages-missing", "no messages field at all",
                    {"id": "hostile-messages-missing", "status": "open", "created_at": m.date(2), "updated_at": m.date(2)},
                    visible=("no messages",)),
        HostileCase("messages-not-list", "messages is a string", m.conversation("hostile-messages-not-list", "lol"),
                    visible=("could not be read",)),
        HostileCase("messages-junk-items", "messages holds null, numbers, strings and lists around one real message",
                    m.conversation("hostile-messages-junk-items", [None, 42, "x", [], m.message(subject="Junk around", text="JUNK-OK")]),
                    visible=("JUNK-OK",)),
        HostileCase("wrong-types", "wrong types: numbers for strings, 'yes' for a bool, a string size, objects for lists",
                    wrong_types, visible=("TYPES-OK", "string-size.pdf", "12 KB"),
                    real_sizes={"1234": 2048, "att-str-size": 12345}),
        HostileCase("is-read-variants", "is_read as 'yes', 'no', 1, 0, null and 'maybe'",
                    m.conversation("hostile-is-read-variants", [
                        m.message(subject="Read flags", text=f"flag {v!r}", is_read=v, hours_ago=10 - i)
                        for i, v in enumerate(["yes", "no", 1, 0, None, "maybe"])])),
        HostileCase("status-unknown", "unknown, empty and upper-case status values",
                    m.conversation("hostile-status-unknown", [m.message(subject="Status archived", text="x")], status="archived"),
                    visible=("archived",)),
        HostileCase("status-null", "status null", m.conversation("hostile-status-null", [m.message(subject="Status null", text="x")],
                                                               status=None)),
        HostileCase("direction-unknown", "unknown direction values (sideways, null, 7, INBOUND)",
                    m.conversation("hostile-direction-unknown", [
                        m.message(subject="Directions", text=f"direction {d!r}", direction=d, hours_ago=5 - i, is_read=True)
                        for i, d in enumerate(["sideways", None, 7, "INBOUND"])]),
                    visible=("direction unknown",)),
        HostileCase("unknown-fields", "unknown extra fields everywhere, deeply nested",
                    m.conversation("hostile-unknown-fields", [
                        m.message(subject="Extra fields", text="EXTRA-OK", x_tracking={"a": [1, {"b": None}] * 50},
                                  __proto__={"polluted": True}, cc=[{"email": "cc@x.example"}], headers="X-Evil: 1",
                                  attachments=[dict(_attachment("att-extra", "extra.pdf"), sha256="0" * 64, url="file:///etc/passwd")])],
                        constructor={"prototype": {}}, unibox_version="9.9", nested={"a": {"b": {"c": {"d": [1] * 100}}}}),
                    visible=("EXTRA-OK",)),
        HostileCase("label-unknown", "a label and a label override that are not Reachkit labels",
                    m.conversation("hostile-label-unknown", [m.message(subject="Unknown label", text="x")],
                                   label="super_hot_lead", label_override="vip_🔥"),
                    visible=("Vip 🔥",)),
        HostileCase("label-wrong-type", "labels as an object and a list",
                    m.conversation("hostile-label-wrong-type", [m.message(subject="Label types", text="x")],
                                   label={"name": "interested"}, label_override=["x"])),
    ]


def _id_cases(m: _Maker) -> list[HostileCase]:
    def with_id(case_id: str, ident: Any, description: str) -> HostileCase:
        return HostileCase(case_id, description,
                           m.conversation(ident, [m.message(subject=f"Id case {case_id}", text=f"ID-{case_id}")]),
                           visible=(f"ID-{case_id}",))

    return [
        with_id("id-number", 12345, "a numeric conversation id"),
        with_id("id-float", 1.5, "a float conversation id"),
        with_id("id-slash", "a/b/../../../inboxes", "a conversation id with / and .. (the client must quote it)"),
        with_id("id-dotdot", "..", "the conversation id '..' (a dot segment)"),
        with_id("id-dot", ".", "the conversation id '.'"),
        with_id("id-query", "x?page=2&folder=others#frag", "a conversation id with ? & and #"),
        with_id("id-percent", "100%25%2F%2e%2e", "a conversation id holding percent-escapes"),
        with_id("id-unicode", "конв 1 ✉", "a conversation id with spaces and non-ASCII"),
        with_id("id-empty", "", "an empty conversation id"),
        with_id("id-null", None, "a null conversation id"),
        with_id("id-object", {"id": 1}, "a conversation id that is an object"),
        with_id("id-surrogate", "sur\ud800rogate", "a conversation id with a lone surrogate"),
        with_id("id-huge", "H" * 5000, "a 5,000-character conversation id"),
        HostileCase("id-duplicate-a", "two conversations with the same id (first)",
                    m.conversation("hostile-duplicate", [m.message(subject="Duplicate id A", text="DUP-A")]),
                    visible=("Duplicate id",)),
        HostileCase("id-duplicate-b", "two conversations with the same id (second)",
                    m.conversation("hostile-duplicate", [m.message(subject="Duplicate id B", text="DUP-B")]),
                    visible=("Duplicate id",)),
    ]


def _attachment_cases(m: _Maker) -> list[HostileCase]:
    names = [
        "../../x.sh", "/etc/passwd", "..\\..\\win.ini", "C:\\Windows\\system32\\evil.dll", "~/.bashrc", ".bashrc",
        "CON", "aux.txt", "NUL", "COM1.pdf", "LPT9", ".", "..", "", "   ", "a/b/c.txt", "%2e%2e%2fetc%2fpasswd",
        "nul\x00byte.pdf", "new\nline.txt", "carriage\rreturn.txt", f"{ESC}]0;PWNED-TITLE{BEL}esc.pdf",
        f"invoice{RLO}fdp.exe", "N" * 300 + ".pdf", "trailing.pdf. ", "résumé 😀.pdf", "file:///etc/passwd",
        "$(rm -rf ~).sh", "`id`.txt", "a;b|c&d>e.txt", "<script>x</script>.html", "x." + "e" * 250,
        "-rf", "*", "?.txt", ":stream.txt", "\u3164", "..\u2215..\u2215slash.txt",
    ]
    traversal = [_attachment(f"att-name-{i}", name, "application/octet-stream", 64 + i) for i, name in enumerate(names)]
    traversal.append(_attachment("att-name-null", None))
    traversal.append(_attachment("att-name-number", 42))
    duplicates = [
        _attachment("att-dup-1", "report.pdf", size=1000),
        _attachment("att-dup-2", "report.pdf", size=2000),
        _attachment("att-dup-3", "Report.pdf", size=3000),
        _attachment("att-dup-4", "report.pdf ", size=4000),
        _attachment("att-dup-1", "same-id-again.pdf", size=1000),
    ]
    weird_ids = [
        _attachment("../../../etc/passwd", "id-traversal.txt", "text/plain", 10),
        _attachment("a/b", "id-slash.txt", "text/plain", 11),
        _attachment("?x=1#f", "id-query.txt", "text/plain", 12),
        _attachment("", "id-empty.txt", "text/plain", 13),
        _attachment(None, "id-null.txt", "text/plain", 14),
        _attachment(7, "id-number.txt", "text/plain", 15),
        {"filename": "no-id-at-all.txt", "content_type": "text/plain", "size": 16},
    ]
    sizes = [
        _attachment("att-size-huge", "huge-float.bin", size=1e308),
        _attachment("att-size-big", "big-int.bin", size=2**70),
        _attachment("att-size-digits", "400-digits.bin", size=10**400),
        _attachment("att-size-inf", "infinite.bin", size=float("inf")),
        _attachment("att-size-nan", "nan.bin", size=float("nan")),
        _attachment("att-size-neg", "negative.bin", size=-1),
        _attachment("att-size-words", "twelve-mb.bin", size="12 MB"),
        _attachment("att-size-bool", "bool.bin", size=True),
        _attachment("att-size-null", "null.bin", size=None),
        _attachment("att-size-lie-small", "says-10-bytes.bin", size=10),
        _attachment("att-size-lie-big", "says-5-mb.bin", size=5_000_000),
    ]
    types = [
        _attachment("att-type-crlf", "crlf-type.txt", "text/html\r\nX-Evil: 1", 20),
        _attachment("att-type-exe", "setup.pdf", "application/x-msdownload", 21),
        _attachment("att-type-empty", "no-type", "", 22),
        _attachment("att-type-null", "null-type", None, 23),
        _attachment("att-type-esc", "esc-type.txt", f"{CSI_RED}text/plain", 24),
    ]
    dishonest = {"att-size-huge": 3000, "att-size-big": 3001, "att-size-digits": 3010, "att-size-inf": 3002, "att-size-nan": 3003,
                 "att-size-neg": 3004, "att-size-words": 12_000_000 // 1000, "att-size-bool": 1,
                 "att-size-null": 3007, "att-size-lie-small": 50_000, "att-size-lie-big": 1234}
    return [
        HostileCase("attachment-names", "traversal, absolute, reserved, hidden, control-character, bidi and 300-char filenames",
                    m.single("attachment-names", subject="Dangerous filenames", text="Many files.", attachments=traversal),
                    visible=("../../x.sh", "/etc/passwd", "..\\..\\win.ini", "invoicefdp.exe", "new line.txt"),
                    hidden=("PWNED",)),
        HostileCase("attachment-duplicates", "duplicate filenames and a duplicate attachment id",
                    m.single("attachment-duplicates", subject="Duplicate files", text="Same names.", attachments=duplicates),
                    visible=("report.pdf", "Report.pdf", "same-id-again.pdf")),
        HostileCase("attachment-ids", "attachment ids with traversal, slashes, queries, empty, null, a number, none",
                    m.single("attachment-ids", subject="Strange attachment ids", text="Ids.", attachments=weird_ids),
                    visible=("id-traversal.txt", "no-id-at-all.txt")),
        HostileCase("attachment-sizes", "attachment sizes that lie or are absurd: 1e308, 2**70, a 400-digit int, Infinity, NaN, -1, '12 MB', true",
                    m.single("attachment-sizes", subject="Lying sizes", text="Sizes.", attachments=sizes),
                    visible=("huge-float.bin", "400-digits.bin · PDF · over 999 PB", "negative.bin", "says-5-mb.bin"),
                    real_sizes=dishonest),
        HostileCase("attachment-types", "content types with CR/LF, escapes, an executable, empty and null",
                    m.single("attachment-types", subject="Strange content types", text="Types.", attachments=types),
                    visible=("crlf-type.txt", "setup.pdf")),
    ]


def _others_cases(m: _Maker) -> list[HostileCase]:
    """A few traps in Others, which holds mail that is not about a campaign."""
    return [
        HostileCase("others-spam-escapes", "non-campaign spam with a title change and markup",
                    m.single("others-spam-escapes", subject=f"{OSC_TITLE}[@click=app.quit]WIN[/] a prize",
                             sender='"Lottery\u202e" <win@spam.example>', text=f"{CSI_CLEAR}Claim it now"),
                    folder="others", visible=("[@click=app.quit]WIN[/] a prize", "Claim it now"), hidden=("PWNED",)),
        HostileCase("others-messages-null", "an Others conversation with null messages",
                    m.conversation("hostile-others-messages-null", None), folder="others", visible=("no messages",)),
        HostileCase("others-notification", "an automated notice with a deceptive link and a pixel",
                    m.single("others-notification", subject="Your invoice", sender="noreply@billing.example",
                             html='<p>Pay at <a href="http://evil.example/pay">https://billing.example/pay</a></p>'
                                  '<img src="https://t.evil.example/p.gif" width="1" height="1">'),
                    folder="others", visible=("https://billing.example/pay (→ http://evil.example/pay)",)),
    ]


_GROUPS: tuple[Callable[[_Maker], list[HostileCase]], ...] = (
    _escape_cases, _markup_cases, _unicode_cases, _html_cases, _date_cases, _shape_cases, _id_cases,
    _attachment_cases, _size_cases, _others_cases,
)


def cases(now: float | None = None, inbox: str = "sdr@lanternfish.example") -> list[HostileCase]:
    """The manifest: every hostile case, in the order it is listed in its folder."""
    maker = _Maker(time.time() if now is None else now, inbox)
    out = [case for group in _GROUPS for case in group(maker)]
    ids = [case.id for case in out]
    if len(ids) != len(set(ids)):
        raise AssertionError("hostile case ids must be unique")
    return out


def _real_size(size: Any, override: int | None) -> int:
    """The number of bytes served for an attachment: honest unless the case says otherwise."""
    if override is not None:
        return override
    if isinstance(size, bool) or size is None:
        return 1024
    if isinstance(size, int) and 0 <= size <= 50_000_000:
        return size
    if isinstance(size, str) and size.strip().isdigit():
        return int(size)
    return 1024


def _register_files(ws: Workspace, case: HostileCase) -> None:
    """Make every attachment with an id downloadable, at its real size."""
    raw = case.raw
    key = raw.get("id") if isinstance(raw, dict) else None
    messages = raw.get("messages") if isinstance(raw, dict) else None
    if key is None or not isinstance(messages, list):
        return
    for message in messages:
        attachments = message.get("attachments") if isinstance(message, dict) else None
        for att in attachments if isinstance(attachments, list) else ():
            if not isinstance(att, dict) or att.get("id") is None:
                continue
            ident = str(att["id"])
            name, ctype = att.get("filename"), att.get("content_type")
            ws.add_attachment(str(key), Attachment(
                ident, name if isinstance(name, str) else "attachment",
                ctype if isinstance(ctype, str) else "application/octet-stream",
                _real_size(att.get("size"), case.real_sizes.get(ident))))


@register("hostile")
def build(params: DatasetParams) -> Workspace:
    """The default workspace with every hostile case listed first in its folder."""
    ws = get("default")(params)
    inbox = ws.inboxes[0].email if ws.inboxes else "sdr@lanternfish.example"
    positions = {"primary": 0, "others": 0}
    for case in cases(params.now, inbox):
        ws.add_raw_conversation(case.raw, folder=case.folder, position=positions[case.folder])
        positions[case.folder] += 1
        _register_files(ws, case)
    return ws
