"""Big bodies convert in a helper process: the same result as in-thread, and stoppable."""

from __future__ import annotations

import threading

import pytest

from unibox_tui.api.models import Message
from unibox_tui.demo.heavy import heavy_html
from unibox_tui.render.body_process import HEAVY_BODY_CHARS, BodyProcess, ConverterStopped, is_heavy
from unibox_tui.render.thread import convert_body


@pytest.fixture
def converter():
    process = BodyProcess()
    yield process
    process.close()


def test_a_big_body_converts_in_the_helper_exactly_as_in_thread(converter):
    hostile = '<p>Hello \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 <a href="https://x.example/a">here</a></p>'
    message = Message(html_body=heavy_html(200_000) + hostile, text_body="")
    assert is_heavy(message)
    body = converter.convert(message)
    assert converter._process is not None  # it really went to the helper
    assert body == convert_body(message)
    assert "\x1b" not in "".join(text for text, *_ in body.segments)


def test_small_bodies_stay_in_thread_and_start_no_helper(converter):
    message = Message(html_body="<p>Short and sweet.</p>", text_body="")
    assert len(message.html_body) < HEAVY_BODY_CHARS
    assert converter.convert(message) == convert_body(message)
    assert converter._process is None


def test_a_stopped_conversion_ends_its_caller_and_the_next_one_works(converter):
    big = Message(html_body=heavy_html(2_000_000), text_body="")
    outcome: list[object] = []
    started = threading.Event()

    def read() -> None:
        started.set()
        try:
            outcome.append(converter.convert(big))
        except ConverterStopped as stopped:
            outcome.append(stopped)

    reader = threading.Thread(target=read)
    reader.start()
    started.wait()
    while not converter._busy and reader.is_alive():
        reader.join(0.005)
    converter.stop()  # the user moved on: the helper is killed, its reader gets no answer
    reader.join(30)
    assert not reader.is_alive() and isinstance(outcome[0], ConverterStopped)
    small_but_heavy = Message(text_body="word " * 20_000)
    assert converter.convert(small_but_heavy) == convert_body(small_but_heavy)


def test_close_leaves_no_helper_running():
    converter = BodyProcess()
    converter.convert(Message(text_body="x " * 40_000))
    process = converter._process
    assert process is not None and process.poll() is None
    converter.close()
    assert process.poll() is not None and converter._process is None
