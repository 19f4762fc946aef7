"""Out-of-office return dates: one table of real-looking auto-replies in en, de, fr and es.

Every row gives the reply's own date (and zone), never today's: the table must read the same
in any year the suite runs (``--clock-shift``).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from unibox_tui.domain.ooo import looks_like_auto_reply, next_working_day, next_working_morning, return_date

BERLIN = ZoneInfo("Europe/Berlin")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
HONOLULU = ZoneInfo("Pacific/Honolulu")  # UTC-10
UTC = ZoneInfo("UTC")

SIGNATURE = "\n\nKind regards,\nJane Doe\nHead of Sales | Acme GmbH\nT +49 30 1214 5566 | M +49 171 12 14 556\n"

# (id, text, sent as (y, m, d, h, min) in `zone`, zone, expected return day or None)
CASES = [
    # --- English ---
    ("en-outlook", "Thank you for your email. I am out of the office with limited access to email and will be "
     "back on Monday, 14 December. For urgent matters please contact Sam Miller (sam@acme.example)." + SIGNATURE,
     (2026, 12, 3, 9, 12), BERLIN, date(2026, 12, 14)),
    ("en-us-returning", "I'm currently out of office, returning 12/14. I'll respond to your email when I'm back.",
     (2026, 12, 8, 16, 0), BERLIN, date(2026, 12, 14)),
    ("en-until-inclusive", "I am on annual leave until Friday 11 December (inclusive) and will reply when I am back.",
     (2026, 12, 2, 8, 0), BERLIN, date(2026, 12, 14)),
    ("en-the-14th", "Hi there, I'll be back on the 14th. Until then I have no access to my mailbox.",
     (2026, 12, 2, 8, 0), BERLIN, date(2026, 12, 14)),
    ("en-from-to", "I'm out of the office from 1 Dec to 12 Dec with no access to email." + SIGNATURE,
     (2026, 11, 30, 17, 45), BERLIN, date(2026, 12, 14)),
    ("en-us-order-until", "Automatic reply. I am out of the office until 01/04/2027. Please contact support@acme.example.",
     (2026, 12, 22, 11, 0), BERLIN, date(2027, 1, 5)),
    ("en-uk-order-back", "I'm on holiday, back in the office on 05/01/2027. Merry Christmas!",
     (2026, 12, 21, 11, 0), BERLIN, date(2027, 1, 5)),
    ("en-past-until", "I was out of the office until 30 November and am catching up on email, please bear with me.",
     (2026, 12, 3, 10, 0), BERLIN, None),
    ("en-relative-weeks", "I'm travelling and will be back in 2 weeks. Please expect delayed responses.",
     (2026, 12, 3, 10, 0), BERLIN, None),
    ("en-next-monday", "Out of Office: I'm at a conference this week and back next Monday.",
     (2026, 12, 9, 10, 0), BERLIN, date(2026, 12, 14)),
    ("en-order-and-phone", "Thanks for your order 12/14-2207. I am out of the office until December 18th. "
     "Call 030-12-14-55 for support.", (2026, 12, 10, 10, 0), BERLIN, date(2026, 12, 21)),
    ("en-quoted-older-ooo", "I am out of the office and back on 8 January.\n\n-----Original Message-----\n"
     "From: Jane Doe <jane@acme.example>\nSent: Friday, 20 November 2026 10:02\nTo: Sam <sam@us.example>\n"
     "Subject: Automatic reply: Quick question\n\nI am out of the office and back on 24 November.",
     (2026, 12, 21, 10, 0), BERLIN, date(2027, 1, 8)),
    ("en-only-quote-has-date", "Thanks for your message, I will answer as soon as possible.\n\n"
     "On Tue, 1 Dec 2026 at 09:12, Jane Doe <jane@acme.example> wrote:\n> I will be back on 14 December.\n"
     "> Best, Jane", (2026, 12, 3, 10, 0), BERLIN, None),
    ("en-ooo-year-rollover", "I'm OOO until Jan 4th, 2027 with no access to email.",
     (2026, 12, 18, 10, 0), BERLIN, date(2027, 1, 5)),
    ("en-back-5-jan", "Out of office, back 5 Jan. Happy holidays!", (2026, 12, 20, 10, 0), BERLIN, date(2027, 1, 5)),
    ("en-tomorrow", "Back tomorrow! Jane", (2026, 12, 10, 15, 0), BERLIN, date(2026, 12, 11)),
    ("en-several-dates", "I will be out of the office from Monday, December 7 through Friday, December 11, "
     "returning on Tuesday, December 15.", (2026, 12, 4, 10, 0), BERLIN, date(2026, 12, 15)),
    ("en-wont-be-back-until", "I won't be back until Monday 14 December.", (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("en-no-date", "No access to email; I'll be back in the office after the holidays.",
     (2026, 12, 18, 10, 0), BERLIN, None),
    ("en-parental-leave", "Please note I'm on parental leave and will return to the office on 1 March 2027.",
     (2026, 12, 3, 10, 0), BERLIN, date(2027, 3, 1)),
    ("en-price-list-dates", "Our price list (valid 1.12.-31.12.) is attached to my last email. I'm back on 4 January.",
     (2026, 12, 20, 10, 0), BERLIN, date(2027, 1, 4)),
    ("en-office-hours-signature", "I'm away, back on Monday.\n\nOffice hours: Monday to Friday, 9-17",
     (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 7)),
    ("en-ambiguous-nov", "Back on 12/11, thanks for your patience.", (2026, 11, 5, 10, 0), BERLIN, date(2026, 11, 12)),
    ("en-ambiguous-dec", "Back on 12/11, thanks for your patience.", (2026, 12, 1, 10, 0), BERLIN, date(2026, 12, 11)),
    ("en-weekday-decides-order", "I return on Friday 11/12.", (2026, 11, 1, 10, 0), BERLIN, date(2026, 12, 11)),
    # --- German ---
    ("de-ab-wieder", "Vielen Dank für Ihre Nachricht. Ich bin ab dem 14.12. wieder im Büro. In dringenden Fällen "
     "wenden Sie sich bitte an vertrieb@acme.example.", (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("de-bis-einschliesslich", "Ich bin bis einschließlich 11. Dezember nicht im Büro und habe keinen Zugriff auf "
     "meine E-Mails.", (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("de-bis-zum-year", "Ich befinde mich bis zum 18.12.2026 im Urlaub. Ihre Nachricht wird nicht weitergeleitet.",
     (2026, 12, 10, 10, 0), BERLIN, date(2026, 12, 21)),
    ("de-vom-bis-ab-wieder", "Guten Tag, ich bin vom 21.12. bis 3.1. nicht im Haus. Ab dem 4. Januar bin ich wieder "
     "für Sie da.", (2026, 12, 18, 10, 0), BERLIN, date(2027, 1, 4)),
    ("de-montag-den", "Ich bin am Montag, den 14. wieder erreichbar.", (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("de-phone-order-trap", "Ich bin bis 11.12. auf Geschäftsreise.\nTel.: 0171 12 14 556, Bestellnr. 14.12-77",
     (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("de-abwesenheitsnotiz", "Ich bin derzeit im Urlaub und ab Montag, 4. Januar 2027 wieder erreichbar.",
     (2026, 12, 23, 10, 0), BERLIN, date(2027, 1, 4)),
    ("de-past", "Ich bin bis zum 30.11. nicht im Büro.", (2026, 12, 3, 10, 0), BERLIN, None),
    ("de-relative", "Ich bin in zwei Wochen wieder im Büro.", (2026, 12, 3, 10, 0), BERLIN, None),
    ("de-buero-spelling", "Ich bin ab 7.1.2027 wieder im Buero erreichbar.", (2026, 12, 21, 10, 0), BERLIN, date(2027, 1, 7)),
    # --- French ---
    ("fr-de-retour", "Bonjour, je suis actuellement absent et serai de retour le 14 décembre. Pour toute urgence, "
     "contactez support@acme.example.", (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("fr-jusqu-au-numeric", "Je suis absent jusqu'au 11/12 inclus.", (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("fr-du-au", "Je suis absente du 21 décembre au 3 janvier. Je traiterai votre message à mon retour.",
     (2026, 12, 18, 10, 0), BERLIN, date(2027, 1, 4)),
    ("fr-jusqu-et-retour", "Merci pour votre message. Je suis en congés jusqu’au vendredi 11 décembre, de retour le "
     "lundi 14 décembre.", (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("fr-demain", "Je serai de retour demain.", (2026, 12, 10, 10, 0), BERLIN, date(2026, 12, 11)),
    ("fr-a-partir-du", "Je suis en vacances. Je serai à nouveau joignable à partir du 4 janvier 2027.",
     (2026, 12, 22, 10, 0), BERLIN, date(2027, 1, 4)),
    ("fr-past", "J'étais absent jusqu'au 2 décembre.", (2026, 12, 10, 10, 0), BERLIN, None),
    ("fr-1er-inclus", "Je suis en congés jusqu'au 1er janvier inclus. Bonnes fêtes !",
     (2026, 12, 22, 10, 0), BERLIN, date(2027, 1, 4)),
    # --- Spanish ---
    ("es-de-vuelta", "Gracias por su mensaje. Estaré de vuelta el 14 de diciembre.", (2026, 12, 3, 10, 0), BERLIN,
     date(2026, 12, 14)),
    ("es-regreso-lunes", "Estoy fuera de la oficina, regreso el lunes 14.", (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("es-hasta-inclusive", "Estaré de vacaciones hasta el 11 de diciembre inclusive. Para temas urgentes escriba a "
     "ventas@acme.example.", (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("es-del-al", "Me encuentro fuera de la oficina del 21/12 al 6/1. Responderé a su correo a mi regreso.",
     (2026, 12, 18, 10, 0), BERLIN, date(2027, 1, 7)),
    ("es-no-estare-hasta", "No estaré de vuelta hasta el lunes 4 de enero.", (2026, 12, 22, 10, 0), BERLIN, date(2027, 1, 4)),
    ("es-relative", "Volveré la próxima semana.", (2026, 12, 3, 10, 0), BERLIN, None),
    ("es-manana", "Hola, estoy de vacaciones. Vuelvo mañana.", (2026, 12, 10, 10, 0), BERLIN, date(2026, 12, 11)),
    # --- written after the parser, passed without changes to it ---
    ("en-return-on-ordinal-year", "Hello, thanks for reaching out! I'm currently on vacation with no access to email. "
     "I will return on January 11th, 2027.", (2026, 12, 21, 10, 0), BERLIN, date(2027, 1, 11)),
    ("en-through", "I'm away from the office on business travel through December 16. I will have limited email access.",
     (2026, 12, 10, 10, 0), BERLIN, date(2026, 12, 17)),
    ("en-wed-abbrev-us", "I am currently out of the office. I will be returning to the office Wed. 12/16.",
     (2026, 12, 10, 10, 0), BERLIN, date(2026, 12, 16)),
    ("en-till-2nd", "Thanks for your email. I'm out of office till 2nd Jan and will respond on my return.",
     (2026, 12, 22, 10, 0), BERLIN, date(2027, 1, 4)),
    ("en-until-monday-the-4th-of", "I'm off until Monday the 4th of January.", (2026, 12, 22, 10, 0), BERLIN, date(2027, 1, 5)),
    ("en-back-dec-14", "Currently out. Back Dec 14.", (2026, 12, 9, 10, 0), BERLIN, date(2026, 12, 14)),
    ("en-back-in-the-office-4-1", "I'll be back in the office on Monday 4/1.", (2026, 12, 22, 10, 0), BERLIN, date(2027, 1, 4)),
    ("en-until-the-14th", "I am out of the office until the 14th and will respond when I return.",
     (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 15)),
    ("en-dash-back", "Out of office – back Jan 4", (2026, 12, 22, 10, 0), BERLIN, date(2027, 1, 4)),
    ("en-uk-phone", "I'm currently on leave, returning 4 Jan 2027. For urgent queries call +44 20 7946 0958.",
     (2026, 12, 22, 10, 0), BERLIN, date(2027, 1, 4)),
    ("de-bis-ab-full-dates", "Ich bin bis Freitag, 11.12.2026, nicht erreichbar. Ab Montag, 14.12.2026, bin ich wieder "
     "für Sie da.", (2026, 12, 7, 10, 0), BERLIN, date(2026, 12, 14)),
    ("de-einschl-abbreviated", "Sehr geehrte Damen und Herren, vielen Dank für Ihre E-Mail. Ich bin bis einschl. "
     "8. Januar 2027 abwesend.", (2026, 12, 21, 10, 0), BERLIN, date(2027, 1, 11)),
    ("de-ab-dem-office", "Hallo, ich bin im Urlaub und ab dem 07.01. wieder im Office.", (2026, 12, 20, 10, 0), BERLIN,
     date(2027, 1, 7)),
    ("de-zurueck-am", "Ich bin zurück am 14. Dezember.", (2026, 12, 3, 10, 0), BERLIN, date(2026, 12, 14)),
    ("fr-jusqu-au-lundi-inclus", "Bonjour, je suis absent du bureau jusqu'au lundi 4 janvier 2027 inclus.",
     (2026, 12, 21, 10, 0), BERLIN, date(2027, 1, 5)),
    ("fr-retour-prevu", "Je suis en déplacement. Retour prévu le 14/12.", (2026, 12, 8, 10, 0), BERLIN, date(2026, 12, 14)),
    ("fr-reprendrai", "Bonjour, je serai absente jusqu'au 18 décembre. Je reprendrai mes mails à mon retour.",
     (2026, 12, 8, 10, 0), BERLIN, date(2026, 12, 21)),
    ("es-hasta-y-regresare", "Hola, me encuentro de vacaciones hasta el 8 de enero. Regresaré el lunes 11 de enero.",
     (2026, 12, 21, 10, 0), BERLIN, date(2027, 1, 11)),
    ("es-hasta-numeric", "Estaré fuera de la oficina hasta el 15/12.", (2026, 12, 8, 10, 0), BERLIN, date(2026, 12, 16)),
    ("es-me-reincorporo", "Buenos días, estoy ausente. Me reincorporo el 7 de enero de 2027.", (2026, 12, 21, 10, 0),
     BERLIN, date(2027, 1, 7)),
    # --- the viewer's zone decides which calendar day the reply was sent on ---
    ("tz-plus14-today", "I'm back on the 14th.", (2026, 12, 14, 13, 30), KIRITIMATI, date(2026, 12, 14)),
    ("tz-minus10-until", "Out of office until 13 December.", (2026, 12, 13, 13, 30), HONOLULU, date(2026, 12, 14)),
    ("tz-plus14-until-past", "Out of office until 13 December.", (2026, 12, 14, 13, 30), KIRITIMATI, None),
]


@pytest.mark.parametrize(("text", "sent", "zone", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_return_date_table(text: str, sent: tuple[int, ...], zone: ZoneInfo, expected: date | None) -> None:
    assert return_date(text, datetime(*sent, tzinfo=zone), zone) == expected


def test_the_table_is_large_and_multilingual() -> None:
    languages = {case[0].split("-")[0] for case in CASES}
    assert len(CASES) >= 40 and {"en", "de", "fr", "es"} <= languages


def test_the_same_instant_is_a_different_day_in_another_zone() -> None:
    """23:30 UTC on the 13th: already the 14th in Kiritimati, still the 13th in Honolulu."""
    sent = datetime(2026, 12, 13, 23, 30, tzinfo=UTC)
    assert return_date("Out of office until 13 December.", sent, HONOLULU) == date(2026, 12, 14)
    assert return_date("Out of office until 13 December.", sent, KIRITIMATI) is None


def test_the_subject_is_read_when_the_body_names_no_date() -> None:
    sent = datetime(2026, 12, 3, 10, tzinfo=BERLIN)
    body = "Thank you for your message. I will reply as soon as possible."
    assert return_date(body, sent, BERLIN, subject="Out of office until 14.12.") == date(2026, 12, 15)
    assert return_date("Back on 10 December.", sent, BERLIN, subject="Out of office until 14.12.") == date(2026, 12, 10)


def test_nothing_readable_is_none() -> None:
    sent = datetime(2026, 12, 3, 10, tzinfo=BERLIN)
    for text in ("", "   ", "\x1b[31m", "Danke!", "9.30 works for me", "Call me on 12 14 55 66."):
        assert return_date(text, sent, BERLIN) is None


def test_a_huge_reply_is_read_quickly() -> None:
    import time

    sent = datetime(2026, 12, 3, 10, tzinfo=BERLIN)
    text = "I am out of the office until 11 December. " + "1.2.3.4 12/12/12 until until " * 100_000
    started = time.perf_counter()
    assert return_date(text, sent, BERLIN) == date(2026, 12, 14)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 14), date(2026, 12, 15)),  # Monday -> Tuesday
        (date(2026, 12, 11), date(2026, 12, 14)),  # Friday -> Monday
        (date(2026, 12, 12), date(2026, 12, 14)),  # Saturday -> Monday
    ],
)
def test_next_working_day(day: date, expected: date) -> None:
    assert next_working_day(day) == expected


def test_next_working_morning_is_a_weekday_at_the_hour_in_the_zone() -> None:
    assert next_working_morning(date(2026, 12, 12), BERLIN) == datetime(2026, 12, 14, 9, tzinfo=BERLIN)
    assert next_working_morning(date(2026, 12, 14), BERLIN, hour=8) == datetime(2026, 12, 14, 8, tzinfo=BERLIN)
    morning = next_working_morning(date(2026, 12, 14), KIRITIMATI)
    assert morning.utcoffset().total_seconds() == 14 * 3600 and morning.hour == 9


def test_next_working_morning_across_a_dst_change_keeps_the_wall_clock() -> None:
    """Berlin moves to summer time on Sunday 29 March 2026: Monday 9:00 is CEST (UTC+2)."""
    morning = next_working_morning(date(2026, 3, 28), BERLIN)
    assert (morning.date(), morning.hour, morning.utcoffset().total_seconds()) == (date(2026, 3, 30), 9, 7200)
    friday = next_working_morning(date(2026, 3, 27), BERLIN)
    assert friday.utcoffset().total_seconds() == 3600


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        ("Automatic reply: Quick question", "Thanks, I'll get back to you.", True),
        ("Abwesenheitsnotiz: Ihre Anfrage", "Ich bin nicht im Büro.", True),
        ("Réponse automatique : Votre message", "Je suis absent.", True),
        ("Respuesta automática: Hola", "Estoy fuera.", True),
        ("Re: Quick question", "This is an automatic reply. I am away until 14 December.", True),
        ("Re: Quick question", "Thank you for your email. I am currently out of the office until Monday.", True),
        ("Re: Quick question", "Hallo, ich bin derzeit nicht im Büro und ab dem 14.12. wieder da.", True),
        ("Re: Quick question", "Yes, very interested! I'm out of office until Monday, can we talk then?", False),
        ("Re: Quick question", "Sounds great, what does it cost for 20 seats?", False),
        ("Re: Quick question", "Interested.\n\nOn Tue, 1 Dec 2026, Jane <j@x.example> wrote:\n> Automatic reply", False),
    ],
)
def test_looks_like_auto_reply(subject: str, text: str, expected: bool) -> None:
    assert looks_like_auto_reply(subject, text) is expected


def test_importing_the_parser_pulls_in_no_date_library() -> None:
    """What it costs is measured by hand (~10-20 ms, tests/benchmarks); here only what it loads:
    no date library and nothing outside the standard library and our own package."""
    code = (
        "import sys; before = set(sys.modules); import unibox_tui.domain.ooo;"
        "print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(result.stdout.split())
    assert not loaded & {"dateparser", "dateutil", "arrow", "pendulum", "textual", "rich", "httpx"}
    assert loaded - set(sys.stdlib_module_names) <= {"unibox_tui"}, loaded


def test_the_row_says_back_and_the_day() -> None:
    from unibox_tui.render.formatting import back_on

    assert back_on(date(2026, 12, 14)) == "back 14 Dec"
