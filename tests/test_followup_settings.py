"""The follow-up settings in config.toml: reply_within, alerts, remind_after, snooze_morning."""

from __future__ import annotations

from pathlib import Path

from unibox_tui import config
from unibox_tui.config import REMIND_AFTER_CHOICES, load_settings


def write_settings(text: str) -> Path:
    path = config.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_defaults() -> None:
    settings = load_settings(env={})
    assert (settings.reply_within, settings.alerts, settings.remind_after, settings.snooze_morning) == (3600.0, "human", "off", 9)
    assert settings.warnings == []
    assert REMIND_AFTER_CHOICES == ("off", "2d", "4d", "1w")


def test_values_from_defaults_and_a_profile() -> None:
    write_settings(
        "[defaults]\n"
        'reply_within = "30m"\n'
        'alerts = "all"\n'
        'remind_after = "2 days"\n'
        "snooze_morning = 8\n"
        "[profiles.acme]\n"
        'reply_within = "2h30m"\n'
        'alerts = "Off"\n'
        'remind_after = "1w"\n'
    )
    plain = load_settings(env={})
    assert (plain.reply_within, plain.alerts, plain.remind_after, plain.snooze_morning) == (1800.0, "all", "2d", 8)
    acme = load_settings(config.Overrides(profile="acme"), env={})
    assert (acme.reply_within, acme.alerts, acme.remind_after, acme.snooze_morning) == (9000.0, "off", "1w", 8)
    assert plain.warnings == acme.warnings == []


def test_bad_values_are_reported_with_their_line_and_the_default_stays() -> None:
    path = write_settings(
        "[defaults]\n"
        "reply_within = 60\n"
        'alerts = "loud"\n'
        'remind_after = "3d"\n'
        "snooze_morning = 25\n"
        '[profiles.default]\n'
        'reply_within = "10d"\n'
        "snooze_morning = true\n"
    )
    settings = load_settings(env={})
    text = "\n".join(settings.warnings)
    assert f'{path}, line 2: `reply_within` should be a duration from "1m" to "7d", like "1h" or "30m"; ignored.' in text
    assert f'{path}, line 3: `alerts` should be "human", "all" or "off"; ignored.' in text
    assert f'{path}, line 4: `remind_after` should be "off", "2d", "4d" or "1w"; ignored.' in text
    assert f"{path}, line 5: `snooze_morning` should be an hour of the day from 0 to 23; ignored." in text
    assert f"{path}, line 7: `reply_within` should be a duration" in text
    assert f"{path}, line 8: `snooze_morning` should be an hour" in text
    assert (settings.reply_within, settings.alerts, settings.remind_after, settings.snooze_morning) == (3600.0, "human", "off", 9)
