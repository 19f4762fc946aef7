"""Snippets saved from the app land in config.toml without disturbing anything else in it."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from unibox_tui.config import load_settings
from unibox_tui.domain.snippets import Snippet
from unibox_tui.store.config_edit import ConfigEditError, remove_snippet, save_snippet

COMMENTED = '''# unibox-tui settings: hand-written, keep my comments!
default_profile = "acme"   # the one I use

[defaults]
page_size = 20             # fewer rows
theme = 'nord'             # single quotes on purpose

# --- snippets -------------------------------------------------
[snippets.calendar]
# my calendar link
text = "Hi {first_name},\\n\\ngrab a slot: https://cal.example/alex"
labels = ["meeting_requested"]  # tied to meetings

[snippets.pricing]
text = """Hi {first_name},
pricing attached."""

[profiles.acme]
base_url = "https://reachkit.example"   # staging
'''


@pytest.fixture
def config(isolated_env) -> Path:
    path = Path(isolated_env.config) / "unibox-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(COMMENTED, encoding="utf-8")
    path.chmod(0o640)
    return path


def lines_kept(before: str, after: str) -> list[str]:
    """Every line of ``before`` missing from ``after`` (what the edit lost)."""
    remaining = after.splitlines()
    return [line for line in before.splitlines() if line not in remaining]


def test_adding_a_snippet_keeps_every_comment_and_line_and_the_app_reads_it_back(config):
    save_snippet("referral thanks", 'Thanks {first_name}!\nI\'ll reach out to them. """quoted"""', ["referral"])
    after = config.read_text(encoding="utf-8")
    assert lines_kept(COMMENTED, after) == []
    assert after.startswith(COMMENTED.rstrip("\n").split("[profiles.acme]")[0].rstrip("\n"))
    settings = load_settings(env={})
    assert settings.warnings == []
    assert [s.name for s in settings.snippets] == ["calendar", "pricing", "referral thanks"]
    assert settings.snippets[-1] == Snippet("referral thanks", 'Thanks {first_name}!\nI\'ll reach out to them. """quoted"""', ("referral",))
    assert settings.page_size == 20 and settings.theme == "nord" and settings.base_url == "https://reachkit.example"


def test_editing_changes_only_that_snippet_and_keeps_its_comments(config):
    save_snippet("calendar", "Hi {first_name}, new link: https://cal.example/priya", ["meeting_requested", "interested"])
    after = config.read_text(encoding="utf-8")
    assert lines_kept(COMMENTED, after) == [
        'text = "Hi {first_name},\\n\\ngrab a slot: https://cal.example/alex"',
        'labels = ["meeting_requested"]  # tied to meetings',
    ]
    assert "# my calendar link" in after
    assert load_settings(env={}).snippets[0] == Snippet(
        "calendar", "Hi {first_name}, new link: https://cal.example/priya", ("meeting_requested", "interested")
    )


def test_renaming_keeps_the_snippets_place_so_label_ties_keep_their_order(config):
    save_snippet("meetings", "Grab a slot", [], old_name="calendar")
    names = [s.name for s in load_settings(env={}).snippets]
    assert names == ["meetings", "pricing"]
    assert "# my calendar link" in config.read_text(encoding="utf-8")
    with pytest.raises(ConfigEditError, match="already a snippet named 'pricing'"):
        save_snippet("pricing", "x", old_name="meetings")


def test_removing_a_snippet_leaves_the_rest_untouched(config):
    remove_snippet("pricing")
    after = config.read_text(encoding="utf-8")
    assert lines_kept(COMMENTED, after) == ['[snippets.pricing]', 'text = """Hi {first_name},', 'pricing attached."""']
    assert [s.name for s in load_settings(env={}).snippets] == ["calendar"]
    with pytest.raises(ConfigEditError, match="no snippet named 'pricing'"):
        remove_snippet("pricing")


def test_the_file_keeps_its_permissions_and_is_replaced_atomically(config):
    before_inode = config.stat().st_ino
    save_snippet("new", "text")
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert config.stat().st_ino != before_inode  # a new file renamed into place, not rewritten
    assert [p.name for p in config.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_file_that_does_not_parse_is_never_written(config):
    broken = COMMENTED + "\n[snippets.oops\ntext = 1\n"
    config.write_text(broken, encoding="utf-8")
    with pytest.raises(ConfigEditError) as caught:
        save_snippet("new", "text")
    assert str(caught.value).startswith(f"Settings file {config}, line 21, column 15")
    assert str(caught.value).endswith("Fix the file first; nothing was saved.")
    assert config.read_text(encoding="utf-8") == broken


def test_no_file_yet_creates_one_owner_only(isolated_env):
    path = save_snippet("first", "Hi {first_name}", ["interested"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"snippets": {"first": {"text": "Hi {first_name}", "labels": ["interested"]}}}


def test_a_symlinked_config_is_written_through_to_its_target(isolated_env, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir(mode=0o755)
    real = dotfiles / "unibox.toml"
    real.write_text(COMMENTED, encoding="utf-8")
    link = Path(isolated_env.config) / "unibox-tui" / "config.toml"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(real)
    save_snippet("new", "text")
    assert link.is_symlink()
    assert "[snippets.new]" in real.read_text(encoding="utf-8")
    assert stat.S_IMODE(dotfiles.stat().st_mode) == 0o755  # their folder's mode is theirs


@pytest.mark.parametrize(
    ("name", "text", "labels", "message"),
    [
        ("", "x", [], "one line"),
        ("a\nb", "x", [], "one line"),
        ("ok", "  ", [], "needs some text"),
        ("ok", "x", ["intrested"], "Unknown label 'intrested'"),
    ],
)
def test_invalid_snippets_are_refused_before_touching_the_file(config, name, text, labels, message):
    with pytest.raises(ConfigEditError, match=message):
        save_snippet(name, text, labels)
    assert config.read_text(encoding="utf-8") == COMMENTED


def test_snippets_that_are_not_tables_are_not_guessed_at(config):
    config.write_text('snippets = "oops"\n', encoding="utf-8")
    with pytest.raises(ConfigEditError, match="edit it by hand"):
        save_snippet("new", "text")
    assert config.read_text(encoding="utf-8") == 'snippets = "oops"\n'
    assert os.listdir(config.parent) == ["config.toml"]
