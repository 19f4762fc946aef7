"""Time the render package against its budgets: python tests/benchmarks/bench_render.py.

Budgets: clean_text < 50 ms per MB; html_to_text at most ~1.15x html2text's own conversion of the
same body (both with body_width=0, so the comparison is parser against parser).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from unibox_tui.render import clean_line, clean_text, html_to_plain, html_to_text, split_quoted

WORDS = (
    "hello pricing demo next week quarter budget team follow up thanks calendar call "
    "integration onboarding contract renewal Grüße señor café naïve 😀 – “quoted” "
).split()


def _sentence(rng: random.Random, n: int = 14) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def email_html(size: int, seed: int = 1) -> str:
    """A newsletter-and-thread shaped HTML body of about `size` characters."""
    rng = random.Random(seed)
    head = (
        "<html><head><title>Newsletter</title><style>.preheader{display:none}"
        "@media (max-width:600px){.col{display:block!important}}</style></head><body>"
        '<span class="preheader" style="display:none;max-height:0;overflow:hidden">Teaser</span>'
    )
    parts = [head]
    total = len(head)
    while total < size:
        block = rng.randrange(6)
        if block == 0:
            chunk = (
                '<table width="600" cellpadding="0" style="border:0"><tr>'
                f'<td class="col" style="font-family:Arial"><p>{_sentence(rng)}</p></td>'
                f'<td class="col" style="font-family:Arial"><b>{_sentence(rng, 3)}</b></td>'
                "</tr></table>"
            )
        elif block == 1:
            chunk = (
                f'<div style="margin:0">{_sentence(rng)} <a href="https://example.com/p/'
                f'{rng.randrange(10**6)}?utm_source=x">{_sentence(rng, 3)}</a></div>'
            )
        elif block == 2:
            chunk = (
                f'<blockquote class="gmail_quote"><div>{_sentence(rng)}<br>{_sentence(rng)}</div>'
                "</blockquote>"
            )
        elif block == 3:
            chunk = (
                '<img src="https://t.example/o.gif" width="1" height="1" alt="">'
                '<img src="https://cdn.example/logo.png" alt="Acme logo">'
                f"<p>{_sentence(rng, 20)}</p>"
            )
        elif block == 4:
            chunk = f"<ul><li>{_sentence(rng, 6)}</li><li><i>{_sentence(rng, 6)}</i></li></ul>"
        else:
            chunk = (
                f'<p class="MsoNormal"><span style="font-size:11pt">{_sentence(rng)}</span></p>'
                '<p class="MsoNormal">&nbsp;</p>'
            )
        parts.append(chunk)
        total += len(chunk)
    parts.append("</body></html>")
    return "".join(parts)


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    import html2text

    def raw_html2text(html: str) -> str:
        return str(html2text.HTML2Text(bodywidth=0).handle(html))

    for size in (100_000, 1_000_000):
        html = email_html(size)
        base = best_of(partial(raw_html2text, html))
        ours = best_of(partial(html_to_text, html, max_bytes=10**8))
        print(
            f"html_to_text {size // 1000:>5} KB: html2text {base * 1000:7.1f} ms, "
            f"ours {ours * 1000:7.1f} ms, ratio {ours / base:.2f}"
        )

    rng = random.Random(7)
    ascii_text = "".join(_sentence(rng) + "\n" for _ in range(12_000)).encode("ascii", "ignore")
    samples = {
        "ascii": ascii_text.decode()[:1_000_000],
        "unicode": ("Grüße aus München — “ünïcödé” 😀 text.\r\n" * 30_000)[:1_000_000],
        "hostile": ("ab\x1b[31mc\u202e\x00\td\u200b \x1b]0;t\x07" * 60_000)[:1_000_000],
    }
    for name, text in samples.items():
        t_text = best_of(partial(clean_text, text)) * 1000
        t_line = best_of(partial(clean_line, text, max_chars=10**7)) * 1000
        print(f"clean_text {name:>8}: {t_text:6.1f} ms/MB   clean_line: {t_line:6.1f} ms/MB")

    big = email_html(5_000_000)
    print(f"html_to_plain 5 MB: {best_of(partial(html_to_plain, big)) * 1000:.2f} ms")
    converted = html_to_text(email_html(1_000_000), max_bytes=10**8).text
    t_split = best_of(partial(split_quoted, converted)) * 1000
    print(f"split_quoted  1 MB of converted text: {t_split:.1f} ms")
    t_big = statistics.mean(best_of(partial(html_to_text, big), repeat=1) for _ in range(2))
    print(f"html_to_text  5 MB (cut to 2 MB): {t_big * 1000:.0f} ms")


if __name__ == "__main__":
    main()
