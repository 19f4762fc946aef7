"""The line under the list: where you are ("page 3 of 57 · 1,134 conversations"), what is loading."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ...render.formatting import human_count
from ...render.sanitize import clean_line

__all__ = ["ListStatus"]

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ListStatus(Widget):
    """Page position, unread and to-triage counts, the search and filter, a spinner while loading."""

    DEFAULT_CSS = """
    ListStatus {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    page: reactive[int] = reactive(0)
    total_pages: reactive[int] = reactive(0)
    total_count: reactive[int | None] = reactive(None)
    search: reactive[str] = reactive("")
    loading: reactive[bool] = reactive(False)
    stale: reactive[bool] = reactive(False)
    note: reactive[str] = reactive("")
    #: Of the loaded page (the API has no unread count): ``None`` when there is no page.
    unread: reactive[int | None] = reactive(None)
    to_triage: reactive[int | None] = reactive(None)
    #: The label filter in force (client-side, so it covers the loaded page only).
    filter: reactive[str] = reactive("")
    #: Hot replies waiting longer than ``reply_within`` (the waiting queue's highlighted ones).
    hot_waiting: reactive[int] = reactive(0)
    #: Conversations marked for a bulk action (``m``), on any page.
    marked: reactive[int] = reactive(0)
    #: A bulk action on its way: "Labelling Interested: 7 of 18" ("" when none runs).
    progress: reactive[str] = reactive("")
    _frame: reactive[int] = reactive(0)

    def on_mount(self) -> None:
        self._timer = self.set_interval(0.12, self._tick, pause=True)

    def watch_loading(self, loading: bool) -> None:
        if loading:
            self._timer.resume()
        else:
            self._timer.pause()

    def _tick(self) -> None:
        self._frame = (self._frame + 1) % len(_SPINNER)

    def render(self) -> Content:
        parts: list[str | tuple[str, str]] = []
        if self.progress:
            parts.append((clean_line(self.progress, max_chars=80) + "  ", "bold $warning"))
        if self.marked:
            parts.append((f"{human_count(self.marked)} marked", "bold $accent"))
            parts.append((" (esc clears) · ", "$text-muted"))
        if self.loading:
            parts.append((f"{_SPINNER[self._frame]} loading  ", "$accent"))
        if self.hot_waiting:  # first: the line is cut on narrow panes, and these are waiting on you
            parts.append((f"{self.hot_waiting} hot waiting", "bold $text-error"))
            parts.append((" (w) · ", "$text-muted"))
        parts.extend(self._narrowing())  # before the counts: a narrow pane cuts the line's end
        parts.extend(self._position())
        if self.stale:
            parts.append(("  · cached, refreshing", "$text-warning"))
        if self.note:
            parts.append(("  " + clean_line(self.note, max_chars=80), "$text-muted"))
        return Content.assemble(*parts)

    def _narrowing(self) -> list[str | tuple[str, str]]:
        """What narrows the list (the search, the label filter): the user must see it to trust the list."""
        parts: list[str | tuple[str, str]] = []
        if self.search:
            parts.append(("search: ", "$text-muted"))
            parts.append((f"“{clean_line(self.search, max_chars=40)}”", "bold"))
            parts.append((" (esc clears) · ", "$text-muted"))
        if self.filter:
            parts.append(("filter: ", "$text-muted"))
            parts.append((clean_line(self.filter, max_chars=30), "bold"))
            parts.append((" (this page only) · ", "$text-muted"))
        return parts

    def _position(self) -> list[str | tuple[str, str]]:
        """Where the list is: the page's counts, the page, the folder's total."""
        parts: list[str | tuple[str, str]] = []
        if self.total_count is not None:
            count = self.total_count
            noun = "conversation" if count == 1 else "conversations"
            if self.total_pages:
                # The API has no unread count: these are the loaded page's, and say so.
                if self.to_triage == 0:
                    parts.append(("✓ all triaged on ", "$success"))
                elif self.unread is not None and self.to_triage is not None:
                    parts.append(f"{self.unread} unread, {self.to_triage} to triage on ")
                parts.append(f"page {self.page} of {human_count(self.total_pages)} · ")
            parts.append(f"{human_count(count)} {noun}")
        elif not self.loading:
            parts.append("")
        return parts
