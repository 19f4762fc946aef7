"""Textual's stylesheet, parsing each CSS source once while the CSS variables stay the same.

At start-up Textual 8 parses every source three times before the first frame: once, again in a
fresh stylesheet when the first screen-stack mode refreshes the CSS (``reparse``), and a third
time because ``set_variables`` empties the parse cache even when the variables did not change.
With our stylesheet that was ~200 ms of a ~700 ms start on a busy 2-core machine. Parsed rules
depend only on a source's text and the variables, so the cache stays valid until a variable
really changes (a theme switch), and re-parsing means parsing what is new.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet

__all__ = ["OneParseStylesheet"]


class OneParseStylesheet(Stylesheet):
    """A ``Stylesheet`` whose parse cache survives refreshes that change nothing."""

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:
            super().set_variables(variables)  # new values: everything is parsed again

    def reparse(self) -> None:
        # The cache holds rules parsed with the current variables (set_variables empties it
        # when they change): parsing again re-uses them and parses only new sources. Like
        # Textual's reparse, a failure raises and leaves the rules in force unchanged.
        self.parse()
