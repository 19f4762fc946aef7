"""How real mail clients wrap, sign and quote a message, so demo bodies look like the ones the app meets.

Every renderer returns a ``Rendered``: the full ``html`` and ``text`` bodies plus the message's own
fragment without its quote (quoting the full previous body nests quotes the way Gmail does; the
depth is capped so a 25-message thread stays a few hundred kilobytes, as trimmed replies do).
"""

from __future__ import annotations

import html as _html
import re
import time
from html.parser import HTMLParser
from typing import NamedTuple

MAX_QUOTE_DEPTH = 3

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def esc(text: str) -> str:
    return _html.escape(text, quote=True)


class Person(NamedTuple):
    name: str
    email: str


class Rendered(NamedTuple):
    html: str
    text: str
    fragment: str  # the body's HTML inside <body>, quote included
    depth: int  # how many quote levels the fragment holds


class Quote(NamedTuple):
    """The previous message as the replying client sees it."""

    sender: Person
    to: Person
    subject: str
    ts: int
    prev: Rendered


# --- dates as clients print them ---------------------------------------------------------------------

def _clock12(t: time.struct_time) -> str:
    hour = t.tm_hour % 12 or 12
    return f"{hour}:{t.tm_min:02d} {'AM' if t.tm_hour < 12 else 'PM'}"


def date_gmail_us(ts: int) -> str:
    t = time.gmtime(ts)
    return f"{_DAYS[t.tm_wday][:3]}, {_MONTHS[t.tm_mon - 1][:3]} {t.tm_mday}, {t.tm_year} at {_clock12(t)}"


def date_gmail_eu(ts: int) -> str:
    t = time.gmtime(ts)
    return (f"{_DAYS[t.tm_wday][:3]}, {t.tm_mday} {_MONTHS[t.tm_mon - 1][:3]} {t.tm_year} "
            f"at {t.tm_hour:02d}:{t.tm_min:02d}")


def date_outlook(ts: int) -> str:
    t = time.gmtime(ts)
    return f"{_DAYS[t.tm_wday]}, {_MONTHS[t.tm_mon - 1]} {t.tm_mday}, {t.tm_year} {_clock12(t)}"


def date_apple(ts: int) -> str:
    t = time.gmtime(ts)
    return f"{_MONTHS[t.tm_mon - 1][:3]} {t.tm_mday}, {t.tm_year}, at {t.tm_hour:02d}:{t.tm_min:02d}"


def date_rfc(ts: int) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ts))


def quote_text(text: str) -> str:
    return "\n".join(("> " + line) if line and not line.startswith(">") else (">" + line)
                     for line in text.split("\n"))


def _addr_html(p: Person) -> str:
    return f'{esc(p.name)} &lt;<a href="mailto:{esc(p.email)}">{esc(p.email)}</a>&gt;'


def _quoted_fragment(q: Quote) -> tuple[str, int]:
    """The previous body as it will be quoted: full, or only its own part once quotes are deep."""
    if q.prev.depth >= MAX_QUOTE_DEPTH:
        return q.prev.fragment.split("<!--q-->", 1)[0], 1
    return q.prev.fragment, q.prev.depth + 1


def _quoted_text(q: Quote) -> str:
    text = q.prev.text
    if q.prev.depth >= MAX_QUOTE_DEPTH:
        text = text.split("\n\nOn ", 1)[0].split("\n\n____", 1)[0]
    return text


# --- signatures ------------------------------------------------------------------------------------------

class Signature(NamedTuple):
    name: str
    title: str
    company: str
    phone: str
    website: str
    logo: str  # image URL, "" for none


def sig_text(sig: Signature | None) -> str:
    if sig is None:
        return ""
    lines = [sig.name, f"{sig.title} | {sig.company}" if sig.title else sig.company]
    if sig.phone:
        lines.append(sig.phone)
    if sig.website:
        lines.append(sig.website)
    return "\n".join(lines)


def sig_html(sig: Signature | None, gmail: bool = False) -> str:
    if sig is None:
        return ""
    parts = [f'<b>{esc(sig.name)}</b>', esc(f"{sig.title} | {sig.company}" if sig.title else sig.company)]
    if sig.phone:
        parts.append(f'<a href="tel:{esc(sig.phone.replace(" ", ""))}">{esc(sig.phone)}</a>')
    if sig.website:
        parts.append(f'<a href="https://{esc(sig.website)}" target="_blank">{esc(sig.website)}</a>')
    logo = (f'<br><img src="{esc(sig.logo)}" alt="{esc(sig.company)}" width="120" height="32" '
            f'style="display:block;border:0">' if sig.logo else "")
    inner = '<br>'.join(parts) + logo
    if gmail:
        return (f'<div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature">'
                f'<div dir="ltr"><span style="color:rgb(102,102,102)">{inner}</span></div></div>')
    return f'<div style="font-size:10pt;color:#555555">{inner}</div>'


# --- the clients ---------------------------------------------------------------------------------------

def gmail(paras: tuple[str, ...], sig: Signature | None, quote: Quote | None, us_dates: bool) -> Rendered:
    body = "".join(f"<div>{esc(p)}</div><div><br></div>" for p in paras[:-1])
    body += f"<div>{esc(paras[-1])}</div>" if paras else ""
    if sig is not None:
        body += f"<div><br></div>-- <br>{sig_html(sig, gmail=True)}"
    own = f'<div dir="ltr">{body}</div>'
    text = "\n\n".join(paras) + (f"\n\n-- \n{sig_text(sig)}" if sig else "")
    depth = 0
    if quote is not None:
        when = date_gmail_us(quote.ts) if us_dates else date_gmail_eu(quote.ts)
        line = f"On {when}{'' if us_dates else ','} {quote.sender.name} <{quote.sender.email}> wrote:"
        inner, depth = _quoted_fragment(quote)
        own += (f'<!--q--><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" '
                f'class="gmail_attr">On {esc(when)}{"" if us_dates else ","} '
                f'{_addr_html(quote.sender)} wrote:<br></div><blockquote class="gmail_quote" '
                f'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);'
                f'padding-left:1ex">{inner}</blockquote></div>')
        text += f"\n\n{line}\n\n{quote_text(_quoted_text(quote))}"
    return Rendered(own, text + "\n", own, depth)


_OUTLOOK_HEAD = ('<html><head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                 '\r\n<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} '
                 '</style>\r\n</head>\r\n<body dir="ltr">\r\n')
_OUTLOOK_DIV = ('<div class="elementToProof" style="font-family: Aptos, Aptos_EmbeddedFont, '
                'Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; '
                'color: rgb(0, 0, 0);">')


def outlook(paras: tuple[str, ...], sig: Signature | None, quote: Quote | None,
            to: Person | None = None) -> Rendered:
    body = "".join(f"{_OUTLOOK_DIV}{esc(p)}</div>{_OUTLOOK_DIV}<br></div>" for p in paras)
    if sig is not None:
        body += f'<div id="Signature">{sig_html(sig)}</div>'
    text = "\n\n".join(paras) + (f"\n\n{sig_text(sig)}" if sig else "")
    depth = 0
    if quote is not None:
        inner, depth = _quoted_fragment(quote)
        body += ('<!--q--><div id="appendonsend"></div>\r\n<hr style="display:inline-block;width:98%" '
                 'tabindex="-1">\r\n<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" '
                 'style="font-size:11pt" color="#000000"><b>From:</b> '
                 f'{esc(quote.sender.name)} &lt;{esc(quote.sender.email)}&gt;<br>'
                 f'<b>Sent:</b> {esc(date_outlook(quote.ts))}<br>'
                 f'<b>To:</b> {esc(quote.to.name)} &lt;{esc(quote.to.email)}&gt;<br>'
                 f'<b>Subject:</b> {esc(quote.subject)}</font>\r\n<div>&nbsp;</div>\r\n</div>'
                 f'<div>{inner}</div>')
        text += (f"\n\n________________________________\nFrom: {quote.sender.name} "
                 f"<{quote.sender.email}>\nSent: {date_outlook(quote.ts)}\nTo: {quote.to.name} "
                 f"<{quote.to.email}>\nSubject: {quote.subject}\n\n{_quoted_text(quote)}")
    return Rendered(f"{_OUTLOOK_HEAD}{body}\r\n</body>\r\n</html>\r\n", text + "\n", body, depth)


def apple(paras: tuple[str, ...], sig: Signature | None, quote: Quote | None, mobile: bool) -> Rendered:
    body = '<div dir="ltr">' + "<br><br>".join(esc(p) for p in paras) + "</div>"
    text = "\n\n".join(paras)
    if mobile:
        body += '<div dir="ltr"><br></div><div dir="ltr">Sent from my iPhone</div>'
        text += "\n\nSent from my iPhone"
    elif sig is not None:
        body += f"<div><br></div>{sig_html(sig)}"
        text += f"\n\n{sig_text(sig)}"
    depth = 0
    if quote is not None:
        inner, depth = _quoted_fragment(quote)
        when = date_apple(quote.ts)
        body += (f'<!--q--><div dir="ltr"><br><blockquote type="cite">On {esc(when)}, '
                 f'{esc(quote.sender.name)} &lt;{esc(quote.sender.email)}&gt; wrote:<br><br>'
                 f'</blockquote></div><blockquote type="cite"><div dir="ltr">{inner}</div></blockquote>')
        text += (f"\n\n> On {when}, {quote.sender.name} <{quote.sender.email}> wrote:\n>\n"
                 f"{quote_text(_quoted_text(quote))}")
    doc = ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
           f'<body dir="auto">{body}</body></html>')
    return Rendered(doc, text + "\n", body, depth)


def plain(paras: tuple[str, ...], sig: Signature | None, quote: Quote | None) -> Rendered:
    """A text-only client (mutt, a phone's basic mail app): no HTML part at all."""
    text = "\n\n".join(paras) + (f"\n\n-- \n{sig_text(sig)}" if sig else "")
    depth = 0
    if quote is not None:
        text += (f"\n\nOn {date_rfc(quote.ts)}, {quote.sender.name} wrote:\n"
                 f"{quote_text(_quoted_text(quote))}")
        depth = quote.prev.depth + 1
    fragment = "<pre>" + esc(text) + "</pre>"
    return Rendered("", text + "\n", fragment, depth)


def sequence(paras: tuple[str, ...], sig_html_: str, sig_text_: str, quote: Quote | None,
             pixel: str) -> Rendered:
    """A step sent by Reachkit's sequencer: plain editor HTML, follow-ups quote the previous step."""
    body = "".join(f"<div>{esc(p)}</div><div><br></div>" for p in paras) + f"<div>{sig_html_}</div>"
    text = "\n\n".join(paras) + f"\n\n{sig_text_}"
    depth = 0
    if quote is not None:
        inner, depth = _quoted_fragment(quote)
        when = date_gmail_us(quote.ts)
        body += (f'<!--q--><br><div class="rk_quote"><div>On {esc(when)} {_addr_html(quote.sender)} '
                 f'wrote:</div><blockquote style="margin:0 0 0 .8ex;border-left:1px #ccc solid;'
                 f'padding-left:1ex">{inner}</blockquote></div>')
        text += f"\n\nOn {when} {quote.sender.name} <{quote.sender.email}> wrote:\n\n{quote_text(_quoted_text(quote))}"
    if pixel:
        body += (f'<img src="{esc(pixel)}" width="1" height="1" alt="" '
                 f'style="display:none;width:1px;height:1px;border:0">')
    return Rendered(body, text + "\n", body, depth)


def editor(paras: tuple[str, ...], sig_html_: str, sig_text_: str) -> Rendered:
    """A manual reply typed in Reachkit's Unibox editor: paragraphs and the inbox signature, no quote."""
    body = "".join(f"<p>{esc(p)}</p>" for p in paras) + f"<p>{sig_html_}</p>"
    text = "\n\n".join(paras) + f"\n\n{sig_text_}"
    return Rendered(body, text + "\n", body, 0)


# --- machines ------------------------------------------------------------------------------------------

def bounce(kind: str, recipient: str, original: Rendered, subject: str, ts: int, host: str,
           sender: Person) -> Rendered:
    """A non-delivery report of one of three common shapes, the original message attached below."""
    orig_text = original.text.split("\n\nOn ", 1)[0]
    if kind == "google":
        text = (f"** Address not found **\n\nYour message wasn't delivered to {recipient} because the "
                "address couldn't be found, or is unable to receive mail.\n\nThe response from the "
                f"remote server was:\n550 5.1.1 The email account that you tried to reach does not "
                f"exist.\n\n----- Original message -----\n\nFrom: {sender.name} <{sender.email}>\n"
                f"To: {recipient}\nSubject: {subject}\nDate: {date_rfc(ts)}\n\n{orig_text}")
        html = ('<html><head></head><body><table cellpadding="0" cellspacing="0" class="email-wrapper" '
                'style="padding-top:32px;background-color:#ffffff"><tbody><tr><td><table '
                'cellpadding="0" cellspacing="0"><tbody><tr><td style="max-width:560px;padding:24px '
                '24px 32px;background-color:#fafafa;border:1px solid #e0e0e0;border-radius:2px">'
                '<img style="padding:0 24px 16px 0;float:left" width="72" height="72" alt="Error '
                'Icon" src="https://mail.example.invalid/icons/error.png"><table style="min-width:272px;'
                'padding-top:8px"><tbody><tr><td><h2 style="font-size:20px;color:#212121;font-weight:'
                'bold;margin:0">Address not found</h2></td></tr><tr><td style="padding-top:20px;color:'
                f'#757575;font-size:16px">Your message wasn\'t delivered to <a style="color:#212121;'
                f'text-decoration:none"><b>{esc(recipient)}</b></a> because the address couldn\'t be '
                'found, or is unable to receive mail.</td></tr></tbody></table></td></tr></tbody>'
                '</table></td></tr><tr style="border:none;background-color:#fff;font-size:12.8px;'
                'width:90%"><td align="left" style="padding:48px 10px">The response from the remote '
                'server was:<br><p style="font-family:monospace">550 5.1.1 The email account that you '
                'tried to reach does not exist.</p></td></tr></tbody></table>'
                f'<br>----- Original message -----<br><br>{original.fragment}</body></html>')
        return Rendered(html, text + "\n", html, 1)
    if kind == "microsoft":
        text = (f"Your message to {recipient} couldn't be delivered.\n\n{recipient.split('@')[0]} "
                f"wasn't found at {recipient.split('@')[-1]}.\n\nAction Required\nUnknown To "
                "address\n\nHow to Fix It\nThe address may be misspelled or may not exist. Try "
                "sending the message again, checking the address carefully.\n\nDiagnostic information "
                f"for administrators:\n\nGenerating server: {host}\n\n{recipient}\nRemote Server "
                "returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP "
                f"address lookup'\n\nOriginal message headers:\n\nFrom: {sender.name} "
                f"<{sender.email}>\nTo: {recipient}\nSubject: {subject}\nDate: {date_rfc(ts)}\n")
        html = ('<html><head><style>.rfc822{font-family:Consolas,monospace}</style></head><body>'
                '<div style="font-family:\'Segoe UI\',Frutiger,Arial,sans-serif;font-size:16px">'
                '<table style="width:100%;border-collapse:collapse" role="presentation"><tr><td '
                f'style="padding:10px 0"><b>Your message to {esc(recipient)} couldn\'t be delivered.'
                f'</b></td></tr><tr><td style="color:#c00000;font-size:17px"><b>'
                f'{esc(recipient.split("@")[0])}</b> wasn\'t found at <b>'
                f'{esc(recipient.split("@")[-1])}</b>.</td></tr></table><br><table role='
                '"presentation"><tr><td style="font-size:14px;color:#595959">Action Required</td>'
                '</tr><tr><td>Unknown To address</td></tr></table></div><br><div class="rfc822">'
                'Diagnostic information for administrators:<br><br>Generating server: '
                f'{esc(host)}<br><br>{esc(recipient)}<br>Remote Server returned \'550 5.1.10 '
                'RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\'</div>'
                '</body></html>')
        return Rendered(html, text, html, 1)
    text = (f"This is the mail system at host {host}.\n\nI'm sorry to have to inform you that your "
            "message could not\nbe delivered to one or more recipients. It's attached below.\n\n"
            "For further assistance, please send mail to postmaster.\n\n                   "
            f"The mail system\n\n<{recipient}>: host mx.{recipient.split('@')[-1]} said: 550 5.1.1 "
            f"<{recipient}>:\n    Recipient address rejected: User unknown in virtual mailbox "
            f"table (in reply to RCPT TO command)\n\n--- Original message ---\n\nFrom: "
            f"{sender.name} <{sender.email}>\nTo: {recipient}\nSubject: {subject}\nDate: "
            f"{date_rfc(ts)}\n\n{orig_text}")
    return Rendered("", text + "\n", f"<pre>{esc(text)}</pre>", 1)


def newsletter(brand: str, sections: tuple[str, ...], preheader: str, unsubscribe: str,
               pixel: str, accent: str) -> Rendered:
    """A marketing email: <style> block, hidden preheader, layout tables, tracking pixel."""
    title, intro, rest = sections[0], sections[1], sections[2:]
    rows = [f'<tr><td style="padding:0 32px 16px;font-size:16px;line-height:24px;color:#333333">'
            f'{esc(intro)}</td></tr>']
    text_parts = [brand.upper(), "", title, "", intro, ""]
    for i in range(0, len(rest) - 1, 2):
        head, para = rest[i], rest[i + 1]
        rows.append(f'<tr><td class="card" style="padding:24px 32px;border-bottom:1px solid #eeeeee">'
                    f'<h2 style="margin:0 0 8px;font-size:20px;color:#111111">{esc(head)}</h2>'
                    f'<p style="margin:0 0 12px;font-size:15px;line-height:22px;color:#444444">'
                    f'{esc(para)}</p><a href="https://{esc(brand.lower().replace(" ", ""))}.example/'
                    f'r/{i}" class="button" style="background:{accent};color:#ffffff;padding:10px 18px;'
                    f'border-radius:4px;text-decoration:none;display:inline-block">Read more</a></td></tr>')
        link = f"https://{brand.lower().replace(' ', '')}.example/r/{i}"
        text_parts += [head, "-" * len(head), para, f"Read more: {link}", ""]
    if len(rest) % 2:
        rows.append(f'<tr><td style="padding:16px 32px;font-size:14px;color:#666666">{esc(rest[-1])}</td></tr>')
        text_parts += [rest[-1], ""]
    text_parts += ["You are receiving this because you subscribed.", f"Unsubscribe: {unsubscribe}"]
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width,initial-scale=1"><meta name="x-apple-disable-message-reformatting">'
        f'<title>{esc(title)}</title><style type="text/css">body{{margin:0;padding:0;background:#f4f4f4}}'
        'table{border-collapse:collapse}img{border:0;outline:none}.wrapper{width:100%;background:#f4f4f4}'
        '.container{width:600px;max-width:600px;background:#ffffff}'
        '@media only screen and (max-width:620px){.container{width:100%!important}.card{padding:16px!important}}'
        '.preheader{display:none!important;visibility:hidden;opacity:0;color:transparent;height:0;width:0}'
        '</style></head><body>'
        f'<div class="preheader" style="display:none;font-size:1px;line-height:1px;max-height:0;'
        f'max-width:0;opacity:0;overflow:hidden;mso-hide:all">{esc(preheader)}'
        + "&#847; &zwnj; &nbsp; " * 12 + '</div>'
        '<table role="presentation" class="wrapper" width="100%" cellpadding="0" cellspacing="0"><tr>'
        '<td align="center" style="padding:24px 0"><table role="presentation" class="container" '
        'width="600" cellpadding="0" cellspacing="0">'
        f'<tr><td style="background:{accent};padding:20px 32px;color:#ffffff;font-family:Helvetica,'
        f'Arial,sans-serif;font-size:22px;font-weight:bold">{esc(brand)}</td></tr>'
        f'<tr><td style="padding:28px 32px 8px"><h1 style="margin:0;font-family:Georgia,serif;'
        f'font-size:28px;color:#111111">{esc(title)}</h1></td></tr>'
        + "".join(rows) +
        '<tr><td style="padding:24px 32px;font-size:12px;color:#999999;text-align:center">'
        'You are receiving this because you subscribed.<br>'
        f'<a href="{esc(unsubscribe)}" style="color:#999999">Unsubscribe</a> &middot; '
        '<a href="https://example.invalid/preferences" style="color:#999999">Preferences</a></td></tr>'
        '</table></td></tr></table>'
        f'<img src="{esc(pixel)}" width="1" height="1" alt="" style="display:block;height:1px;width:1px;border:0">'
        '</body></html>')
    return Rendered(html, "\n".join(text_parts) + "\n", html, 0)


def receipt(brand: str, item: str, amount: float, number: str, ts: int, card: str) -> Rendered:
    t = time.gmtime(ts)
    when = f"{_MONTHS[t.tm_mon - 1]} {t.tm_mday}, {t.tm_year}"
    tax = round(amount * 0.0, 2)
    html = ('<html><head><style>td{font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif}'
            '.amount{text-align:right}</style></head><body style="background:#f6f9fc">'
            '<table width="100%" cellpadding="0" cellspacing="0" role="presentation"><tr><td align="center">'
            '<table width="480" cellpadding="0" cellspacing="0" role="presentation" style="background:#fff;'
            'margin:32px 0;border-radius:8px"><tr><td style="padding:32px 32px 0;font-size:20px">'
            f'Receipt from {esc(brand)}</td></tr><tr><td style="padding:8px 32px;color:#8898aa;font-size:'
            f'14px">Receipt #{esc(number)} &middot; {esc(when)}</td></tr><tr><td style="padding:16px 32px">'
            '<table width="100%" role="presentation"><tr><td>' + esc(item) + '</td><td class="amount">'
            f'${amount:,.2f}</td></tr><tr><td style="border-top:1px solid #e6ebf1;padding-top:8px">'
            f'<b>Amount paid</b></td><td class="amount" style="border-top:1px solid #e6ebf1;padding-top:'
            f'8px"><b>${amount + tax:,.2f}</b></td></tr></table></td></tr><tr><td style="padding:0 32px '
            f'32px;color:#8898aa;font-size:12px">Paid with Visa ending in {esc(card)}. Questions? '
            'Reply to this email.</td></tr></table></td></tr></table></body></html>')
    text = (f"Receipt from {brand}\nReceipt #{number} - {when}\n\n{item}    ${amount:,.2f}\n"
            f"Amount paid    ${amount + tax:,.2f}\n\nPaid with Visa ending in {card}.\n")
    return Rendered(html, text, html, 0)


def invite(title: str, organizer: Person, start: int, minutes: int, attendees: tuple[Person, ...],
           link: str) -> Rendered:
    t = time.gmtime(start)
    end = time.gmtime(start + minutes * 60)
    when = (f"{_DAYS[t.tm_wday][:3]} {_MONTHS[t.tm_mon - 1][:3]} {t.tm_mday}, {t.tm_year} "
            f"{_clock12(t).lower().replace(' ', '')} - {_clock12(end).lower().replace(' ', '')} (UTC)")
    guests = "".join(f"<li>{esc(p.name)} &lt;{esc(p.email)}&gt;</li>" for p in attendees)
    html = ('<html><head></head><body><div itemscope itemtype="http://schema.org/InformAction">'
            '<span itemprop="name" style="display:none">View event</span></div>'
            '<table cellspacing="0" cellpadding="8" border="0" summary="" style="width:100%;'
            'font-family:Arial,Sans-serif;border:1px Solid #ccc;border-width:1px 2px 2px 1px;'
            f'background-color:#fff"><tr><td><h3 style="margin:0;font-size:16px">{esc(title)}</h3>'
            f'<table cellpadding="0" cellspacing="0"><tr><td style="padding:0 1em 10px 0;color:#888">'
            f'<b>When</b></td><td style="padding-bottom:10px">{esc(when)}</td></tr><tr><td style="'
            f'padding:0 1em 10px 0;color:#888"><b>Joining info</b></td><td><a href="{esc(link)}">'
            f'{esc(link)}</a></td></tr><tr><td style="padding:0 1em 10px 0;color:#888"><b>Organizer'
            f'</b></td><td>{esc(organizer.name)} &lt;{esc(organizer.email)}&gt;</td></tr><tr><td '
            f'style="padding:0 1em 10px 0;color:#888"><b>Guests</b></td><td><ul style="margin:0;'
            f'padding-left:16px">{guests}</ul></td></tr></table><p style="color:#888;font-size:11px">'
            'Going? <a href="https://calendar.example.invalid/rsvp?r=1">Yes</a> - <a href="https://'
            'calendar.example.invalid/rsvp?r=2">No</a> - <a href="https://calendar.example.invalid/'
            'rsvp?r=3">Maybe</a></p></td></tr></table></body></html>')
    text = (f"{title}\nWhen: {when}\nJoining info: {link}\nOrganizer: {organizer.name} "
            f"<{organizer.email}>\nGuests:\n" + "".join(f"- {p.name} <{p.email}>\n" for p in attendees)
            + "\nGoing? Yes - No - Maybe\n")
    return Rendered(html, text, html, 0)


def notice(brand: str, paras: tuple[str, ...], accent: str) -> Rendered:
    html = ('<html><head><meta charset="utf-8"><style>p{margin:0 0 12px}</style></head><body '
            'style="font-family:Roboto,Helvetica,Arial,sans-serif;color:#202124"><table width="100%" '
            'role="presentation"><tr><td align="center"><table width="520" role="presentation" '
            f'style="border:1px solid #dadce0;border-radius:8px"><tr><td style="padding:24px;'
            f'border-bottom:4px solid {accent};font-size:18px">{esc(brand)}</td></tr><tr><td '
            'style="padding:24px">' + "".join(f"<p>{esc(p)}</p>" for p in paras) +
            '</td></tr><tr><td style="padding:12px 24px;font-size:11px;color:#5f6368">This is an '
            'automated message. Please do not reply.</td></tr></table></td></tr></table></body></html>')
    text = f"{brand}\n\n" + "\n\n".join(paras) + "\n\nThis is an automated message. Please do not reply.\n"
    return Rendered(html, text, html, 0)


# --- HTML to plain text ---------------------------------------------------------------------------------

_BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table",
                    "ul", "ol", "hr", "pre", "section", "article", "header", "footer", "blockquote"})
_SKIP = frozenset({"style", "script", "head", "title", "template"})
_SPACES = re.compile(r"[ \t\r\n\f]+")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.depth = 0  # blockquote nesting
        self.skip = 0
        self.href: str | None = None

    def end_line(self) -> None:
        line = _SPACES.sub(" ", "".join(self.current)).strip()
        self.current = []
        prefix = "> " * self.depth
        if line or (self.lines and self.lines[-1].replace(">", "").strip()):
            self.lines.append((prefix + line).rstrip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self.end_line()
            if tag == "blockquote":
                self.depth += 1
            elif tag == "li":
                self.current.append("- ")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.end_line()
            if tag == "blockquote":
                self.depth = max(0, self.depth - 1)
        elif tag == "a":
            self.href = None

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body (what a client would put in the text/plain part)."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    parser.end_line()
    text = "\n".join(parser.lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)
