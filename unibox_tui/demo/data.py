"""The ``default`` dataset: a seeded, believable SDR workspace (inboxes, campaigns, leads, threads).

Generation decides everything about a conversation (who, when, which template, which client) and
keeps only that recipe; bodies are rendered when first served (``render``), from the same recipe
and a per-conversation seed, so they are identical every time. The same seed, conversation count
and ``now`` always give the same workspace.
"""

from __future__ import annotations

import bisect
import functools
import gc
import random
import time
import unicodedata
from typing import Any

from unibox_tui.demo import content as C
from unibox_tui.demo import mailers as M
from unibox_tui.demo.datasets import DatasetParams, register
from unibox_tui.demo.store import (
    Attachment,
    BlockEntry,
    Campaign,
    Conversation,
    Inbox,
    Lead,
    Message,
    Step,
    Variant,
    Workspace,
    reply_subject,
)

DAY = 86400
HOUR = 3600

# Message.body recipes are tuples: (style, template paragraphs or payload, signature, flags).
SIG_NONE, SIG_PLAIN, SIG_LOGO = 0, 1, 2
PIXEL = 1  # flags bit: our sequence step carries a tracking pixel
# flags >> 1: which body is missing, as some clients and machines send only one part
OMIT_NONE, TEXT_EMPTY, TEXT_NULL, HTML_EMPTY, HTML_NULL = 0, 1, 2, 3, 4

CLIENTS_BY_PROVIDER = {
    "google": (("gmail_us", 50), ("gmail_eu", 25), ("apple_mobile", 12), ("plain", 8), ("apple", 5)),
    "microsoft": (("outlook", 85), ("apple_mobile", 10), ("plain", 5)),
    "other": (("gmail_us", 20), ("outlook", 35), ("apple", 15), ("apple_mobile", 10), ("plain", 20)),
}
ONBOARDING = ("Hana Kovač", "Tom Ellery", "Ifeoma Obi", "Mateus Rocha")

# Attachments a turn carries: TURNS index -> (ours, theirs) lists of attachment kinds.
TURN_FILES: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    1: (("overview_pdf",), ()),
    2: (("pricing_xlsx",), ()),
    3: (("soc2_pdf", "dpa_pdf", "questionnaire_xlsx"), ()),
    4: ((), ("msa_docx",)),
    5: (("order_form_pdf",), ("signed_pdf",)),
    7: (("invite_ics",), ()),
    8: (("recording_mp4", "screenshot_png", "screenshot_png"), ()),
    9: (("export_csv",), ()),
    10: ((), ("screenshot_jpg",)),
}
# kind -> (filename pattern, content type, min size, max size)
FILE_KINDS: dict[str, tuple[str, str, int, int]] = {
    "overview_pdf": ("Lanternfish – Overview {year}.pdf", "application/pdf", 800_000, 6_000_000),
    "deck_pptx": ("Lanternfish pitch deck.pptx",
                  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                  2_000_000, 12_000_000),
    "pricing_xlsx": ("Pricing calculator ({company}).xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 20_000, 300_000),
    "soc2_pdf": ("SOC2_Type_II_Report_{year}.pdf", "application/pdf", 1_200_000, 4_000_000),
    "dpa_pdf": ("Lanternfish DPA v4.pdf", "application/pdf", 150_000, 400_000),
    "questionnaire_xlsx": ("Security Questionnaire (completed).xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           60_000, 250_000),
    "msa_docx": ("MSA_redlines_{company_file}.docx",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 30_000, 200_000),
    "order_form_pdf": ("Order Form - {company}.pdf", "application/pdf", 120_000, 400_000),
    "signed_pdf": ("Signed_Order_Form_{company_file}.pdf", "application/pdf", 180_000, 900_000),
    "invite_ics": ("invite.ics", "text/calendar", 0, 0),
    "recording_mp4": ("Session recording.mp4", "video/mp4", 8_000_000, 60_000_000),
    "screenshot_png": ("Screenshot {stamp}.png", "image/png", 40_000, 2_000_000),
    "screenshot_jpg": ("IMG_{img}.JPG", "image/jpeg", 80_000, 3_000_000),
    "export_csv": ("weekly_digest_export.csv", "text/csv", 0, 0),
    "invoice_pdf": ("Invoice-{number}.pdf", "application/pdf", 30_000, 90_000),
    "dmarc_zip": ("{domain}!reports.example.net!{t0}!{t1}.zip", "application/zip", 900, 4_000),
    "rates_pdf": ("Sponsorship rates 2026.pdf", "application/pdf", 300_000, 1_500_000),
    "sample_csv": ("sample_50_rows.csv", "text/csv", 0, 0),
    "assets_zip": ("brand-assets.zip", "application/zip", 1_000_000, 25_000_000),
}
HUGE_VIDEO = ("Product demo – full recording.mp4", "video/mp4", 200 * 1024 * 1024)


def _pick(rng: random.Random, seq: Any) -> Any:
    """``rng.choice`` without its slow rejection sampling (bias is irrelevant here)."""
    return seq[int(rng.random() * len(seq))]


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _randint(rng: random.Random, lo: int, hi: int) -> int:
    return lo + int(rng.random() * (hi - lo + 1))


def _uid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


@functools.lru_cache(maxsize=8192)
def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(C.TRANSLIT))
    return "".join(ch for ch in text if ch.isascii() and (ch.isalnum() or ch in ".-")).lower()


_CUMULATIVE: dict[tuple[tuple[str, int], ...], tuple[tuple[str, ...], list[float]]] = {}


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    table = _CUMULATIVE.get(pairs)
    if table is None:
        total = 0.0
        cum = []
        for _, weight in pairs:
            total += weight
            cum.append(total)
        table = _CUMULATIVE[pairs] = (tuple(v for v, _ in pairs), cum)
    values, cum = table
    return values[bisect.bisect_right(cum, rng.random() * cum[-1])]


def _return_day(ts: float) -> time.struct_time:
    """The working day someone is back: a weekend date moves to the Monday after it (so the weekday
    printed always matches the date)."""
    t = time.gmtime(ts)
    return t if t.tm_wday < 5 else time.gmtime(ts + (7 - t.tm_wday) * DAY)


def _day_name(ts: float) -> str:
    t = _return_day(ts)
    return f"{C.WEEKDAYS[t.tm_wday]} {t.tm_mday} {C.MONTHS[t.tm_mon - 1]}"


def _day_name_de(ts: float) -> str:
    """The same day as a German out-of-office writes it: "Montag, 14. Dezember"."""
    t = _return_day(ts)
    return f"{C.WEEKDAYS_DE[t.tm_wday]}, {t.tm_mday}. {C.MONTHS_DE[t.tm_mon - 1]}"


# --- per-conversation values, derived from the conversation seed (so render == generation) ---------

_MASK = (1 << 64) - 1


def _mix(seed: int, salt: int) -> int:
    """A 64-bit hash of (seed, salt) (splitmix64): values that do not depend on drawing order."""
    x = (seed + salt * 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


class ConvVars(dict):  # type: ignore[type-arg]
    """The values templates fill in for one conversation.

    Names and companies come from the records; the rest (a colleague, a referral, a meeting day,
    a seat count...) is derived from the conversation seed when a template first asks for it, so
    generation and the later, lazy rendering always agree, and unused values cost nothing.
    """

    def __init__(self, conv: Conversation, lead: Lead | None, inbox: Inbox | None) -> None:
        if lead is not None:
            first, last = lead.first_name, lead.last_name
            variables = lead.variables
        else:
            first, _, last = conv.contact_name.partition(" ")
            variables = {}
        super().__init__(
            first=first, last=last, full=f"{first} {last}".strip(), company=variables.get("company", ""),
            title=variables.get("title", ""), city=variables.get("city", ""),
            me=inbox.first_name if inbox else "there", me_full=inbox.full_name if inbox else "",
            domain=conv.contact_email.rpartition("@")[2], our_domain=inbox.domain if inbox else "",
            our_company=C.COMPANY)
        self.seed = conv.seed
        self.created = conv.created

    def __missing__(self, key: str) -> Any:
        make = _LAZY.get(key)
        if make is None:
            raise KeyError(key)
        value = self[key] = make(self)
        return value

    def pick(self, salt: int, seq: Any) -> Any:
        return seq[_mix(self.seed, salt) % len(seq)]


def _culture(v: ConvVars, salt: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return C.CULTURES[_mix(v.seed, salt) % len(C.CULTURES)]


_LAZY: dict[str, Any] = {
    "colleague_first": lambda v: v.pick(2, _culture(v, 1)[0]),
    "colleague_last": lambda v: v.pick(3, _culture(v, 1)[1]),
    "colleague_addr": lambda v: f"{ascii_slug(v['colleague_first'])}.{ascii_slug(v['colleague_last'])}@{v['domain']}",
    "colleague_email": lambda v: v.pick(4, (v["colleague_addr"], f"sales@{v['domain']}", f"office@{v['domain']}",
                                            f"{ascii_slug(v['colleague_first'])}@{v['domain']}")),
    "ref_first": lambda v: v.pick(6, _culture(v, 5)[0]),
    "ref_last": lambda v: v.pick(7, _culture(v, 5)[1]),
    "ref_full": lambda v: f"{v['ref_first']} {v['ref_last']}",
    "ref_title": lambda v: v.pick(8, C.TITLES),
    "ref_email": lambda v: f"{ascii_slug(v['ref_first'])}.{ascii_slug(v['ref_last'])}@{v['domain']}",
    "seats": lambda v: v.pick(9, (12, 18, 25, 30, 40, 60, 85, 120)),
    "price": lambda v: f"{v['seats'] * 45 * 12:,}",
    "day": lambda v: v.pick(10, C.WEEKDAYS),
    "time": lambda v: v.pick(11, C.TIMES),
    "month": lambda v: C.MONTHS[(time.gmtime(v.created).tm_mon + _mix(v.seed, 12) % 4) % 12],
    "quarter": lambda v: ((time.gmtime(v.created).tm_mon - 1) // 3 + 1) % 4 + 1,  # the next quarter
    "calendar_link": lambda v: (f"https://cal.example.com/{ascii_slug(v['first']) or 'me'}-"
                                f"{ascii_slug(v['last']) or 'x'}/30min"),
    "link": lambda v: f"https://{C.COMPANY_SITE}/v/{v.seed % 100000:05d}",
    "onboarding_name": lambda v: v.pick(13, ONBOARDING),
    "return_days": lambda v: 2 + _mix(v.seed, 14) % 11,
    "number": lambda v: f"{v.seed % 0xFFFFFF:06X}-{v.seed % 97:04d}",
    "card": lambda v: f"{v.seed % 10000:04d}",
}


def conv_vars(conv: Conversation, lead: Lead | None, inbox: Inbox | None) -> ConvVars:
    return ConvVars(conv, lead, inbox)


_DATED: dict[tuple[str, ...], bool] = {}


def _fmt(paras: tuple[str, ...], v: dict[str, Any], ts: float) -> tuple[str, ...]:
    dated = _DATED.get(paras)
    if dated is None:
        dated = _DATED[paras] = any("{return_date" in p for p in paras)
    if dated:
        v["return_date"] = _day_name(ts + v["return_days"] * DAY)
        v["return_date_de"] = _day_name_de(ts + v["return_days"] * DAY)
    return tuple(p.format_map(v) for p in paras)


# --- the renderer ---------------------------------------------------------------------------------------

class Renderer:
    """Turns a conversation's recipes into (html_body, text_body) pairs, in message order."""

    def __init__(self) -> None:
        self.leads: dict[str, Lead] = {}
        self.inboxes: dict[str, Inbox] = {}
        self.names: dict[str, str] = {}
        self.signatures: dict[str, M.Signature] = {}

    def __call__(self, ws: Workspace, conv: Conversation) -> list[tuple[str | None, str | None]]:
        lead = self.leads.get(conv.lead_id or "")
        inbox = self.inboxes.get(conv.inbox_email)
        v = conv_vars(conv, lead, inbox)
        names = {conv.contact_email: conv.contact_name or v["full"]}
        if inbox:
            names[inbox.email] = inbox.full_name
        out: list[tuple[str | None, str | None]] = []
        prev: M.Rendered | None = None
        prev_msg: Message | None = None
        first: M.Rendered | None = None
        for m in conv.messages:
            if m.body is None:
                out.append((None, None))
                prev = M.Rendered(m.html or "", m.text or "", m.html or "", 0)
                prev_msg = m
                continue
            rendered = self._render(m, conv, v, names, inbox, lead, prev, prev_msg, first)
            if first is None:
                first = rendered
            prev, prev_msg = rendered, m
            html: str | None = rendered.html
            text: str | None = rendered.text
            omit = m.body[3] >> 1
            if omit == TEXT_EMPTY:
                text = ""
            elif omit == TEXT_NULL:
                text = None
            elif omit == HTML_EMPTY:
                html = ""
            elif omit == HTML_NULL:
                html = None
            out.append((html, text))
        return out

    def _render(self, m: Message, conv: Conversation, v: dict[str, Any], names: dict[str, str],
                inbox: Inbox | None, lead: Lead | None, prev: M.Rendered | None,
                prev_msg: Message | None, first: M.Rendered | None) -> M.Rendered:
        style, payload, sig_kind, flags = m.body
        quote = None
        if prev is not None and prev_msg is not None and style not in ("editor", "autoreply", "autoreply_text"):
            quote = M.Quote(M.Person(names.get(prev_msg.from_email, prev_msg.from_email), prev_msg.from_email),
                            M.Person(names.get(prev_msg.to_email, prev_msg.to_email), prev_msg.to_email),
                            prev_msg.subject, int(prev_msg.ts), prev)
        if style == "seq":
            pixel = (f"https://t.reachkit.example/o/{conv.seed:x}{len(m.subject):02x}.gif"
                     if flags & PIXEL else "")
            return M.sequence(_fmt(payload, v, m.ts), inbox.signature if inbox else "",
                              inbox.signature_text if inbox else "", quote, pixel)
        if style == "editor":
            return M.editor(_fmt(payload, v, m.ts), inbox.signature if inbox else "",
                            inbox.signature_text if inbox else "")
        if style.startswith("bounce_"):
            orig = first or M.Rendered("", "", "", 0)
            sender = M.Person(inbox.full_name if inbox else "", conv.inbox_email)
            first_msg = conv.messages[0]
            return M.bounce(style[7:], conv.contact_email, orig, first_msg.subject, int(first_msg.ts),
                            payload, sender)
        if style in ("newsletter", "receipt", "invite", "notice"):
            return self._others(style, payload, m, conv, v, inbox)
        sig = None
        if sig_kind:
            sig = M.Signature(v["full"], v["title"], v["company"] or conv.contact_name,
                              f"+1 555 01{conv.seed % 100:02d}" if conv.seed % 3 else "",
                              conv.contact_email.rsplit("@", 1)[-1],
                              f"https://{conv.contact_email.rsplit('@', 1)[-1]}/email-logo.png"
                              if sig_kind == SIG_LOGO else "")
        paras = _fmt(payload, v, m.ts)
        if style == "autoreply":
            return M.outlook(paras, None, None)
        if style == "autoreply_text":
            return M.plain(paras, None, None)
        if style == "gmail_us" or style == "gmail_eu":
            return M.gmail(paras, sig, quote, style == "gmail_us")
        if style == "outlook":
            return M.outlook(paras, sig, quote)
        if style == "apple" or style == "apple_mobile":
            return M.apple(paras, sig, quote, style == "apple_mobile")
        return M.plain(paras, sig, quote)

    def _others(self, style: str, payload: Any, m: Message, conv: Conversation, v: dict[str, Any],
                inbox: Inbox | None) -> M.Rendered:
        if style == "newsletter":
            brand, _addr, _subject, sections = C.NEWSLETTERS[payload]
            return M.newsletter(brand, sections, sections[1],
                                f"https://{brand.lower().replace(' ', '')}.example/u/{conv.seed:x}",
                                f"https://{brand.lower().replace(' ', '')}.example/open/{conv.seed:x}.gif",
                                ("#1a73e8", "#0f766e", "#b45309")[payload % 3])
        if style == "receipt":
            brand, _addr, _subject, item, amount = C.RECEIPTS[payload]
            return M.receipt(brand, item, amount, v["number"], int(m.ts), v["card"])
        if style == "invite":
            title, minutes, start, organizer = payload
            me = M.Person(inbox.full_name if inbox else "", conv.inbox_email)
            return M.invite(title, M.Person(*organizer), start, minutes, (M.Person(*organizer), me),
                            f"https://meet.example.com/{conv.seed % 999:03d}-{conv.seed % 9973:04d}")
        brand, _addr, _subject, paras = C.NOTICES[payload]
        return M.notice(brand, tuple(p.format(domain=inbox.domain if inbox else "", time=time.strftime(
            "%H:%M", time.gmtime(m.ts))) for p in paras), "#d93025")


# --- the generator -------------------------------------------------------------------------------------

class _Gen:
    def __init__(self, params: DatasetParams) -> None:
        self.p = params
        self.rng = random.Random(params.seed)
        self.now = params.now
        self.ws = Workspace(seed=params.seed, now=params.now, fixed_clock=params.fixed_clock)
        self.render = Renderer()
        self.ws.set_renderer(self.render)
        self.used_emails: set[str] = set()
        self.huge_done = False

    # people and companies

    def person(self, rng: random.Random) -> tuple[str, str]:
        firsts, lasts = C.CULTURES[_below(rng, len(C.CULTURES))]
        return _pick(rng, firsts), _pick(rng, lasts)

    def company(self, rng: random.Random) -> tuple[str, str]:
        name = _pick(rng, C.COMPANY_STEMS) + _pick(rng, C.COMPANY_SUFFIXES)
        domain = ascii_slug(name.replace(" ", "")) + _pick(rng, C.TLDS)
        return name, domain

    def email_for(self, rng: random.Random, first: str, last: str, domain: str,
                  used: set[str] | None = None) -> str:
        f, l_ = ascii_slug(first) or "x", ascii_slug(last) or "x"
        pattern = rng.random()
        local = (f if pattern < 0.3 else f"{f}.{l_}" if pattern < 0.7 else f"{f[0]}{l_}"
                 if pattern < 0.9 else f"{f}{l_[0]}")
        used = self.used_emails if used is None else used
        email = f"{local}@{domain}"
        n = 2
        while email in used:
            email = f"{local}{n}@{domain}"
            n += 1
        used.add(email)
        return email

    def lead(self, rng: random.Random, campaign: Campaign,
             used: set[str] | None = None) -> tuple[Lead, str]:
        first, last = self.person(rng)
        if rng.random() < 0.06:
            domain, provider = C.FREEMAIL[_below(rng, len(C.FREEMAIL))]
            company = self.company(rng)[0]
        else:
            company, domain = self.company(rng)
            provider = _pick(rng, ("google", "google", "microsoft", "microsoft", "other"))
        email = self.email_for(rng, first, last, domain, used)
        lead = Lead(_uid(rng), campaign.id, email, first, last, "uncontacted", False, False, provider,
                    {"company": company, "title": _pick(rng, C.TITLES), "city": _pick(rng, C.CITIES),
                     "industry": _pick(rng, C.INDUSTRIES)}, 0.0, 0.0)
        client = _weighted(rng, CLIENTS_BY_PROVIDER.get(provider, CLIENTS_BY_PROVIDER["other"]))
        return lead, client

    # the workspace skeleton

    def inboxes(self) -> None:
        rng = self.rng
        for i, (first, last, local, domain, provider, conn, title, phone) in enumerate(C.SENDERS):
            email = f"{local}@{domain}"
            website = C.COMPANY_SITE
            logo = f"https://cdn.{C.COMPANY_SITE}/email/logo-{i % 2}.png" if i % 2 == 0 else ""
            sig = M.Signature(f"{first} {last}", title, C.COMPANY, phone, website, logo)
            disconnected = i == 4
            created = self.now - (560 - i * 40) * DAY
            inbox = Inbox(
                id=_uid(rng), email=email, domain=domain, provider_type=provider,
                connection_type=conn, connection_status="disconnected" if disconnected else "connected",
                first_name=first, last_name=last, reply_to="" if i != 1 else f"sales@{C.COMPANY_SITE}",
                signature=M.sig_html(sig, gmail=provider == "google"), signature_text=M.sig_text(sig),
                is_active=not disconnected, is_warming=i in (0, 2, 4),
                daily_campaign_limit=(40, 50, 30, 35, 25)[i], daily_warmup_limit=(20, 0, 25, 10, 15)[i],
                domain_records_status=("valid", "valid", "missing_dmarc", "valid", "invalid_spf")[i],
                created=created, updated=self.now - _randint(rng, 1, 30) * DAY - _randint(rng, 0, DAY),
                warmup_seed=rng.getrandbits(32), ramp_up_progress=(64, 100, 38, 100, 12)[i])
            self.ws.inboxes.append(inbox)
            self.render.inboxes[email] = inbox

    def campaigns(self) -> None:
        rng = self.rng
        chosen = sorted(rng.sample(range(len(C.CAMPAIGNS)), _pick(rng, (5, 6))))
        follow_pool = list(range(len(C.FOLLOW_UPS)))
        for ci in chosen:
            name, status, inbox_idx, (start_ago, end_ago), firsts, n_steps, fu_variants = C.CAMPAIGNS[ci]
            start = self.now - start_ago * DAY
            end = None if end_ago is None else self.now - end_ago * DAY
            steps = []
            n_first = min(len(firsts), _pick(rng, (len(firsts), len(firsts), 2)) or 1)
            for si in range(n_steps):
                variants = []
                if si == 0:
                    for vi, (subject, paras) in enumerate(firsts[:n_first]):
                        variants.append(Variant(_uid(rng), "ABC"[vi], True, subject, paras))
                else:
                    picks = rng.sample(follow_pool, fu_variants)
                    for vi, fi in enumerate(picks):
                        variants.append(Variant(_uid(rng), "ABC"[vi], True, "", C.FOLLOW_UPS[fi]))
                if len(variants) > 1 and rng.random() < 0.35:
                    variants[_below(rng, len(variants))].enabled = False
                steps.append(Step(_uid(rng), si + 1, variants))
            campaign = Campaign(
                id=_uid(rng), name=name, status=status,
                inbox_ids=[self.ws.inboxes[i].id for i in inbox_idx],
                created=start - _randint(rng, 2, 9) * DAY - _randint(rng, 0, DAY),
                updated=(end or self.now - _randint(rng, 0, 4) * DAY) + _randint(rng, 0, DAY // 2),
                steps=steps, start=start, end=end)
            campaign.updated = min(campaign.updated, self.now)
            self.ws.campaigns.append(campaign)

    # timing

    def pick_updated(self, rng: random.Random, forced_recent: bool = False) -> float:
        now = self.now
        since_midnight = now % DAY
        r = 0.0 if forced_recent else rng.random()
        if r < 0.08:
            span = max(min(since_midnight, 10 * HOUR), 15 * 60)
            return now - rng.uniform(60, span)
        if r < 0.28:
            return now - rng.uniform(10 * HOUR, 6.5 * DAY)
        if r < 0.50:
            return now - rng.uniform(7 * DAY, 30 * DAY)
        if r < 0.75:
            return now - rng.uniform(30 * DAY, 120 * DAY)
        return now - rng.uniform(120 * DAY, 530 * DAY)

    def choose_campaign(self, rng: random.Random, first: float) -> Campaign | None:
        fits = [c for c in self.ws.campaigns if c.start <= first and (c.end is None or first <= c.end)]
        if not fits:
            return None
        weights = [3 if c.status == "active" else 2 for c in fits]
        return rng.choices(fits, weights)[0]

    # files

    def attachment(self, rng: random.Random, kind: str, v: dict[str, Any], ts: float) -> Attachment:
        pattern, ctype, lo, hi = FILE_KINDS[kind]
        t = time.gmtime(ts)
        company = v.get("company") or "Acme"
        name = pattern.format(
            year=t.tm_year, company=company, company_file=ascii_slug(company.replace(" ", "_")) or "acme",
            stamp=time.strftime("%Y-%m-%d at %H.%M.%S", t), img=_randint(rng, 1000, 9999),
            number=v["number"], domain=v["our_domain"],
            t0=int(ts) - DAY, t1=int(ts) - 1)
        att_id = _uid(rng)
        if kind in ("invite_ics",):
            data = _ics(v, ts, att_id)
            return Attachment(att_id, name, ctype, len(data), data)
        if kind in ("export_csv", "sample_csv"):
            data = _csv(rng, 50 if kind == "sample_csv" else _randint(rng, 20, 80))
            return Attachment(att_id, name, ctype, len(data), data)
        return Attachment(att_id, name, ctype, _randint(rng, lo, hi))

    # conversations

    def campaign_conversation(self, rng: random.Random, kind: str, long: bool, recent: bool,
                              huge: bool) -> tuple[Conversation, Lead] | None:
        updated = self.pick_updated(rng, recent)
        if kind == "bounce":
            n_steps_before = 1 if rng.random() < 0.8 else 2
        else:
            n_steps_before = int(_weighted(rng, (("1", 5), ("2", 3), ("3", 2), ("4", 1))))
        # What happens after the reply: a list of ("ours"|"theirs", turn index or None for FOLLOW_ON)
        after: list[tuple[str, int | None]] = []
        if kind in ("interested", "meeting", "pricing", "question", "manual"):
            t = {"interested": _pick(rng, (0, 1)), "meeting": _pick(rng, (0, 7)), "pricing": 2,
                 "question": 0, "manual": 0}[kind]
            answered = True
            if kind in ("pricing", "question"):
                after.append(("ours", None))
                answered = rng.random() < 0.6 or long
                if answered:
                    after.append(("theirs", t))
                t += 1
            if long:
                n = _randint(rng, 22, 28)
            elif huge:
                n, t = 2, 8
            elif not answered:
                n = 0  # we answered their question and are still waiting
            else:
                n = _pick(rng, (0, 0, 1, 2, 2, 3, 4, 5, 6))
            target = len(after) + n
            while len(after) < target:
                after.append(("ours", t % len(C.TURNS)))
                after.append(("theirs", t % len(C.TURNS)))
                t += 1
            if not long and len(after) > 1 and after[-1][0] == "theirs" and rng.random() < 0.3:
                after.pop()  # we answered last and await their reply
        elif kind in C.FOLLOW_ON and rng.random() < 0.45:
            after.append(("ours", None))

        # gaps between messages, newest last
        gaps = []
        for _ in range(n_steps_before - 1):
            gaps.append(rng.uniform(2 * DAY, 5 * DAY))
        if kind in ("ooo", "bounce"):
            gaps.append(rng.uniform(20, 900))
        elif kind == "left_company" and rng.random() < 0.6:
            gaps.append(rng.uniform(20, 600))
        else:
            gaps.append(rng.uniform(20 * 60, 3 * DAY))
        for side, _ in after:
            gaps.append(rng.uniform(10 * 60, DAY) if side == "ours" else rng.uniform(HOUR, 4 * DAY))
        span = sum(gaps)
        first = updated - span
        campaign = self.choose_campaign(rng, first)
        if campaign is None:
            campaign = min(self.ws.campaigns, key=lambda c: c.start)
            first = max(first, campaign.start + rng.uniform(HOUR, 5 * DAY))
            if first + span > self.now:
                scale = max(0.01, (self.now - 60 - first) / span)
                gaps = [g * scale for g in gaps]
        times = [first]
        for g in gaps:
            times.append(times[-1] + g)
        times = [float(int(t)) for t in times]

        lead, client = self.lead(rng, campaign)
        inbox_id = _pick(rng, campaign.inbox_ids)
        inbox = next(i for i in self.ws.inboxes if i.id == inbox_id)
        conv_seed = rng.getrandbits(48)
        conv = Conversation(id=_uid(rng), folder="primary", status="open", messages=[],
                            created=times[0], updated=times[-1], search="", inbox_email=inbox.email,
                            contact_email=lead.email, contact_name=f"{lead.first_name} {lead.last_name}",
                            lead_id=lead.id, campaign_id=campaign.id, kind=kind, seed=conv_seed)
        v = conv_vars(conv, lead, inbox)
        search: list[str] = [lead.email, inbox.email, lead.first_name, lead.last_name,
                             lead.variables["company"]]
        messages: list[Message] = []

        # our sequence steps
        sends = []
        subject = ""
        for si in range(min(n_steps_before, len(campaign.steps))):
            step = campaign.steps[si]
            vi = _below(rng, len(step.variants))
            variant = step.variants[vi]
            ts = times[len(messages)]
            if si == 0:
                subject = variant.subject.format_map(v)
                re_subject = reply_subject(subject)
                search.append(subject)
            messages.append(Message("outgoing", subject if si == 0 else re_subject, inbox.email,
                                    lead.email, ts, True, (),
                                    ("seq", variant.paras, SIG_NONE, PIXEL if rng.random() < 0.3 else 0)))
            search.extend(_fmt(variant.paras, v, ts))
            sends.append((si, vi, ts))
        times = times[:len(messages)] + times[n_steps_before:] if len(messages) < n_steps_before else times

        # their reply
        ts = times[len(messages)]
        omit = OMIT_NONE
        roll = rng.random()
        if client != "plain":
            omit = (TEXT_EMPTY if roll < 0.05 else TEXT_NULL if roll < 0.08 else
                    HTML_NULL if roll < 0.10 else OMIT_NONE)
        sig = SIG_NONE if rng.random() < 0.4 else (SIG_LOGO if rng.random() < 0.3 else SIG_PLAIN)
        label: str | None
        if kind == "bounce":
            bounce_kind = {"google": "google", "microsoft": "microsoft"}.get(inbox.provider_type, "postfix")
            sender, subj, host = {
                "google": ("mailer-daemon@googlemail.com", "Delivery Status Notification (Failure)",
                           "mx.google.example"),
                "microsoft": (f"MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@{inbox.domain}",
                              f"Undeliverable: {subject}", "AM0PR04MB1234.eurprd04.prod.outlook.com"),
            }.get(bounce_kind, (f"MAILER-DAEMON@mail.{inbox.domain}", "Undelivered Mail Returned to Sender",
                                f"mail.{inbox.domain}"))
            messages.append(Message("incoming", subj, sender, inbox.email, ts, True, (),
                                    (f"bounce_{bounce_kind}", host, SIG_NONE, 0)))
            search += [subj, sender, "address not found", "could not be delivered", "user unknown"]
            label = None
            lead.is_bounced = True
            lead.status = "contacted"
        else:
            tmpl, label = C.REPLIES[kind][_below(rng, len(C.REPLIES[kind]))]
            autoreply = kind == "ooo" or (kind == "left_company" and (
                "is no longer with" in tmpl[0] or "no longer monitored" in tmpl[0]))
            if autoreply and "travelling" not in tmpl[0]:
                prefix = ("Abwesenheitsnotiz: " if "Büro" in tmpl[0] else
                          _pick(rng, ("Automatic reply: ", "Out of Office: ", "Auto: ", "Automatic reply: ")))
                subj = prefix + subject
                style = "autoreply" if client == "outlook" or rng.random() < 0.5 else "autoreply_text"
                body = (style, tmpl, SIG_NONE, (omit if style == "autoreply" else OMIT_NONE) << 1)
            else:
                subj = ("RE: " if client == "outlook" else "Re: ") + subject
                body = (client, tmpl, sig, omit << 1)
            messages.append(Message("incoming", subj, lead.email, inbox.email, ts, True, (), body))
            search.append(subj)
            search.extend(_fmt(tmpl, v, ts))
            lead.status = "replied"
            lead.replied_at = ts
            lead.is_unsubscribed = kind == "unsubscribe"
            if rng.random() < 0.07:
                label = None

        # the rest of the thread
        for side, turn in after:
            ts = times[len(messages)]
            paras = C.FOLLOW_ON[kind][0] if turn is None else C.TURNS[turn][0 if side == "ours" else 1]
            atts: tuple[Attachment, ...] = ()
            if turn is not None and turn in TURN_FILES:
                kinds = TURN_FILES[turn][0 if side == "ours" else 1]
                made = []
                for j, k in enumerate(kinds):
                    if k == "recording_mp4" and huge and not self.huge_done:
                        name, ctype, size = HUGE_VIDEO
                        made.append(Attachment(_uid(rng), name, ctype, size))
                        self.huge_done = True
                    else:
                        made.append(self.attachment(rng, k, v, ts - 600 + 37 * j))
                atts = tuple(made)
            if side == "ours":
                messages.append(Message("outgoing", re_subject, inbox.email, lead.email, ts, True, atts,
                                        ("editor", paras, SIG_NONE, 0)))
            else:
                messages.append(Message("incoming", ("RE: " if client == "outlook" else "Re: ") + subject,
                                        lead.email, inbox.email, ts, True, atts,
                                        (client, paras, sig, omit << 1)))
            search.extend(_fmt(paras, v, ts))
            search.extend(a.filename for a in atts)

        # read state, status, label
        age = self.now - times[-1]
        last_in = max((i for i, m in enumerate(messages) if m.direction == "incoming"), default=None)
        if last_in is not None and messages[-1].direction == "incoming":
            p_unread = 0.65 if age < 2 * DAY else 0.35 if age < 14 * DAY else 0.06
            if recent or rng.random() < p_unread:
                messages[last_in].is_read = False
        closing = kind in ("unsubscribe", "not_interested", "wrong_person", "bounce", "left_company")
        p_closed = (0.6 if closing else 0.12) + (0.25 if age > 90 * DAY else 0.0)
        conv.status = "closed" if rng.random() < p_closed and not recent else "open"
        conv.label = label
        conv.messages = messages
        conv.updated = messages[-1].ts
        conv.search = "\n".join(search).lower()
        lead.sends = tuple(sends)
        lead.created = max(campaign.created + HOUR, times[0] - rng.uniform(1, 20) * DAY)
        lead.updated = times[-1]
        return conv, lead

    def others_conversation(self, rng: random.Random, kind: str) -> Conversation:
        updated = self.pick_updated(rng)
        inbox = _pick(rng, [i for i in self.ws.inboxes if i.connection_status == "connected"])
        conv_seed = rng.getrandbits(48)
        conv = Conversation(id=_uid(rng), folder="others", status="open", messages=[], created=updated,
                            updated=updated, search="", inbox_email=inbox.email, kind=kind, seed=conv_seed)
        v = conv_vars(conv, None, inbox)
        search: list[str] = [inbox.email]
        messages: list[Message] = []
        ts = float(int(updated))
        if kind == "newsletter":
            i = _below(rng, len(C.NEWSLETTERS))
            brand, addr, subject, sections = C.NEWSLETTERS[i]
            omit = TEXT_EMPTY if rng.random() < 0.3 else OMIT_NONE
            messages.append(Message("incoming", subject, addr, inbox.email, ts, True, (),
                                    ("newsletter", i, SIG_NONE, omit << 1)))
            search += [brand, addr, subject, *sections]
            conv.contact_email, conv.contact_name = addr, brand
        elif kind == "receipt":
            i = _below(rng, len(C.RECEIPTS))
            brand, addr, subject, item, amount = C.RECEIPTS[i]
            subject = subject.format(number=v["number"], domain=inbox.domain)
            atts = (self.attachment(rng, "invoice_pdf", v, ts),) if rng.random() < 0.8 else ()
            messages.append(Message("incoming", subject, addr, inbox.email, ts, True, atts,
                                    ("receipt", i, SIG_NONE, 0)))
            search += [brand, addr, subject, item, f"{amount:,.2f}", *(a.filename for a in atts)]
            conv.contact_email, conv.contact_name = addr, brand
        elif kind == "invite":
            title, minutes = C.INVITES[_below(rng, len(C.INVITES))]
            first, last = self.person(rng)
            company, domain = self.company(rng)
            title = title.format(company=company)
            org_email = self.email_for(rng, first, last, domain)
            start = int(ts) + _randint(rng, 1, 10) * DAY
            start -= start % 1800
            when = time.strftime("%a %b %d, %Y %H:%M", time.gmtime(start))
            subject = f"Invitation: {title} @ {when} (UTC) ({inbox.email})"
            v.update(company=company, first=first, last=last, full=f"{first} {last}",
                     invite_title=title, invite_start=start, invite_minutes=minutes,
                     organizer=f"{first} {last}", organizer_email=org_email)
            ics = self.attachment(rng, "invite_ics", v, ts)
            messages.append(Message("incoming", subject, org_email, inbox.email, ts, True, (ics,),
                                    ("invite", (title, minutes, start, (f"{first} {last}", org_email)),
                                     SIG_NONE, 0)))
            search += [title, org_email, first, last, subject]
            conv.contact_email, conv.contact_name = org_email, f"{first} {last}"
        elif kind == "notice":
            i = _below(rng, len(C.NOTICES))
            brand, addr, subject, paras = C.NOTICES[i]
            subject = subject.format(domain=inbox.domain)
            atts = (self.attachment(rng, "dmarc_zip", v, ts),) if "DMARC" in brand else ()
            messages.append(Message("incoming", subject, addr, inbox.email, ts, True, atts,
                                    ("notice", i, SIG_NONE, 0)))
            search += [brand, addr, subject, *(p.format(domain=inbox.domain, time="") for p in paras)]
            conv.contact_email, conv.contact_name = addr, brand
        else:  # a cold pitch to us
            i = _below(rng, len(C.PITCHES))
            subject, pitch = C.PITCHES[i]
            first, last = self.person(rng)
            company, domain = self.company(rng)
            email = self.email_for(rng, first, last, domain)
            subject = subject.format(our_company=C.COMPANY)
            conv.contact_email, conv.contact_name = email, f"{first} {last}"
            v.update(first=first, last=last, full=f"{first} {last}", company=company)
            atts = ()
            if "attached" in pitch[1]:
                atts = (self.attachment(rng, "rates_pdf" if "Rates" in pitch[1] else "sample_csv", v, ts),)
            client = _pick(rng, ("gmail_us", "outlook", "gmail_eu"))
            times = [ts - rng.uniform(3 * DAY, 6 * DAY), ts] if rng.random() < 0.35 else [ts]
            messages.append(Message("incoming", subject, email, inbox.email, times[0], True, atts,
                                    (client, pitch, SIG_NONE, 0)))
            if len(times) == 2:
                bump = ("Hi {me}, bumping this in case it got buried. Worth a chat?", "{full}")
                messages.append(Message("incoming", reply_subject(subject), email, inbox.email, times[1],
                                        True, (), (client, bump, SIG_NONE, 0)))
                search.extend(_fmt(bump, v, times[1]))
            search += [subject, email, first, last, company, *_fmt(pitch, v, ts)]
        age = self.now - messages[-1].ts
        p_unread = 0.5 if age < 3 * DAY else 0.15 if age < 30 * DAY else 0.03
        if rng.random() < p_unread:
            messages[-1].is_read = False
        conv.status = "closed" if rng.random() < 0.1 else "open"
        conv.label = None if rng.random() < 0.85 else "neutral"
        conv.messages = messages
        conv.created = messages[0].ts
        conv.updated = messages[-1].ts
        conv.search = "\n".join(search).lower()
        return conv

    def run(self) -> Workspace:
        rng = self.rng
        self.inboxes()
        self.campaigns()
        n = self.p.conversations
        # The first conversations cover every kind once (so even a 20-conversation workspace shows
        # the variety), the first one recent and carrying the 200 MB video, the second a long thread.
        forced = [("interested", False, True, True), ("interested", True, False, False),
                  ("ooo", False, False, False), ("referral", False, False, False),
                  ("bounce", False, False, False), ("unsubscribe", False, False, False),
                  ("pricing", False, False, False), ("meeting", False, False, False),
                  ("not_now", False, False, False), ("wrong_person", False, False, False),
                  ("left_company", False, False, False), ("not_interested", False, False, False),
                  ("question", False, False, False)]
        forced_others = ["newsletter", "receipt", "invite", "notice", "pitch"]
        others_kinds = (("newsletter", 35), ("receipt", 15), ("invite", 15), ("notice", 20), ("pitch", 15))
        convs: list[Conversation] = []
        explicit: dict[str, list[Lead]] = {c.id: [] for c in self.ws.campaigns}
        n_others = max(round(n * 0.14), 1 if n >= 3 else 0)
        others_at = set(rng.sample(range(2, n), n_others)) if n > 2 else set()
        fo = fc = 0
        for i in range(n):
            if i in others_at:
                kind = forced_others[fo] if fo < len(forced_others) else _weighted(rng, others_kinds)
                fo += 1
                convs.append(self.others_conversation(rng, kind))
                continue
            if fc < len(forced):
                kind, long, recent, huge = forced[fc]
                fc += 1
            else:
                kind = _weighted(rng, C.REPLY_WEIGHTS)
                long = kind in ("interested", "meeting", "pricing") and rng.random() < 0.015
                recent = huge = False
            made = self.campaign_conversation(rng, kind, long, recent, huge)
            if made is None:
                continue
            conv, lead = made
            convs.append(conv)
            explicit[lead.campaign_id].append(lead)
            self.render.leads[lead.id] = lead
        self.ws.add_conversations(convs)
        for c in self.ws.campaigns:
            c.leads = explicit[c.id]
            c.more_leads = _lazy_leads(self, c, random.Random(f"{self.p.seed}:leads:{c.id}"))
        self.blocklist()
        return self.ws

    def blocklist(self) -> None:
        rng = self.rng
        entries = ["@competitor-intel.example", "legal@" + ascii_slug(_pick(rng, C.COMPANY_STEMS)) + ".com"]
        for c in self.ws.campaigns:
            entries += [lead.email for lead in c.leads if lead.is_unsubscribed][:6]
        for i, email in enumerate(entries):
            self.ws.blocklist.append(BlockEntry(_uid(rng), email, self.now - (len(entries) - i) * 3 * DAY
                                                - _randint(rng, 0, DAY)))


def _lazy_leads(gen: _Gen, campaign: Campaign, rng: random.Random) -> Any:
    """The campaign's leads that have no conversation (no reply yet, or never contacted)."""

    def make() -> list[Lead]:
        count = max(8, round(len(campaign.leads) * (4 if campaign.status == "active" else 3)))
        n_steps = len(campaign.steps)
        last = campaign.end if campaign.end is not None else gen.now
        out = []
        used = {lead.email for lead in campaign.leads}
        for _ in range(count):
            lead, _client = gen.lead(rng, campaign, used)
            roll = rng.random()
            if campaign.status == "completed":
                status = "no_reply"
            elif roll < 0.25:
                status = "uncontacted"
            elif roll < 0.6:
                status = "contacted"
            else:
                status = "no_reply"
            steps = {"uncontacted": 0, "no_reply": n_steps}.get(status, _randint(rng, 1, max(1, n_steps - 1)))
            window = max(DAY, last - campaign.start - steps * 3 * DAY)
            t = campaign.start + rng.uniform(0, window)
            sends = []
            for si in range(steps):
                vi = _below(rng, len(campaign.steps[si].variants))
                sends.append((si, vi, float(int(min(t, last)))))
                t += rng.uniform(2 * DAY, 4 * DAY)
            lead.status = status
            lead.sends = tuple(sends)
            lead.is_bounced = steps > 0 and rng.random() < 0.03
            first_send = sends[0][2] if sends else last
            lead.created = campaign.created + rng.uniform(0, max(DAY, first_send - campaign.created))
            lead.updated = sends[-1][2] if sends else lead.created
            out.append(lead)
        return out

    return make


def _ics(v: dict[str, Any], ts: float, uid: str) -> bytes:
    start = int(v.get("invite_start") or (int(ts) + 2 * DAY - int(ts) % 1800))
    minutes = int(v.get("invite_minutes") or 30)
    title = v.get("invite_title") or f"{C.COMPANY} x {v.get('company') or 'intro'}"
    organizer = v.get("organizer") or v.get("me_full") or C.COMPANY
    org_email = v.get("organizer_email") or f"calendar@{C.COMPANY_SITE}"

    def stamp(t: float) -> str:
        return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))

    lines = [
        "BEGIN:VCALENDAR", "PRODID:-//Lanternfish demo//Calendar 1.0//EN", "VERSION:2.0",
        "CALSCALE:GREGORIAN", "METHOD:REQUEST", "BEGIN:VEVENT",
        f"DTSTART:{stamp(start)}", f"DTEND:{stamp(start + minutes * 60)}", f"DTSTAMP:{stamp(ts)}",
        f"ORGANIZER;CN={organizer}:mailto:{org_email}", f"UID:{uid}@demo.example",
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN={v.get('full', '')}:"
        f"mailto:guest@{v.get('domain', 'example.com')}",
        f"SUMMARY:{title}", "DESCRIPTION:Join: https://meet.example.com/abc-defg-hij",
        "LOCATION:https://meet.example.com/abc-defg-hij", "SEQUENCE:0", "STATUS:CONFIRMED",
        "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def _csv(rng: random.Random, rows: int) -> bytes:
    out = ["email,first_name,last_name,company,title,stage,amount"]
    for _ in range(rows):
        firsts, lasts = C.CULTURES[_below(rng, len(C.CULTURES))]
        f, l_ = _pick(rng, firsts), _pick(rng, lasts)
        company = _pick(rng, C.COMPANY_STEMS)
        out.append(f"{ascii_slug(f)}.{ascii_slug(l_)}@{ascii_slug(company)}.com,{f},{l_},{company},"
                   f"\"{_pick(rng, C.TITLES)}\",{_pick(rng, ('Discovery', 'Demo', 'Proposal', 'Won', 'Lost'))},"
                   f"{_randint(rng, 5, 250) * 100}")
    return ("\n".join(out) + "\n").encode("utf-8")


@register("default")
def build(params: DatasetParams) -> Workspace:
    """The default demo workspace."""
    # Generation allocates hundreds of thousands of objects that all survive: pausing the cyclic
    # collector meanwhile saves it from walking them again and again (about a fifth of the time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        ws = _Gen(params).run()
        ws.warm()
    finally:
        if enabled:
            gc.enable()
    # Move the new objects to the oldest generation now (~0.1 s for 20,000 conversations) rather
    # than have the first young collections walk them all in the middle of a request.
    gc.collect(1)
    return ws
