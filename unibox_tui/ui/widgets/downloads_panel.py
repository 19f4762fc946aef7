"""The downloads panel: one row per attachment being saved, with progress, and what became of it.

Each download is its own worker (group ``download``, not exclusive), at most ``MAX_PARALLEL`` at
a time so downloads never take every connection the list and thread need. Progress callbacks
only touch numbers; the panel repaints at most ``REPAINT_INTERVAL`` times a second, however many
downloads run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.style import Style
from textual import events, work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.worker import Worker

from ...api import ReachkitError
from ...domain.transfers import Pick, Transfer, TransferState
from ...render.sanitize import clean_line
from ...store.downloads import DownloadFolder, FolderError, OpenerError, open_file, save_attachment
from ..keys import bound_key
from ..messages import ShowError
from ..notices import say
from ..strips import line_strip
from .downloads_rows import panel_title, row_parts

if TYPE_CHECKING:
    from ...api.client import ReachkitClient

__all__ = ["DownloadsPanel"]

#: Downloads running at once; the rest wait, shown as queued.
MAX_PARALLEL = 3
#: Seconds between repaints while something moves (10 a second at most).
REPAINT_INTERVAL = 0.1
#: The same failure text is not notified twice within this many seconds (a batch failing at once).
NOTIFY_DEDUPE = 3.0
#: The inbox's binding that shows and hides the panel (its border names the key).
TOGGLE_BINDING_ID = "inbox.downloads"
DEFAULT_TOGGLE_KEY = "S"



class DownloadsPanel(ScrollView, can_focus=True):
    """Downloads of this session: cancel, retry, open, clear. Hidden until there is one."""

    COMPONENT_CLASSES = {
        "downloads-panel--cursor",
        "downloads-panel--cursor-blurred",
        "downloads-panel--name",
        "downloads-panel--bar",
        "downloads-panel--bar-empty",
        "downloads-panel--muted",
        "downloads-panel--done",
        "downloads-panel--error",
        "downloads-panel--placeholder",
    }

    #: The look of the component classes above, in theme variables (as Textual's DataTable keeps it).
    DEFAULT_CSS = """
    DownloadsPanel {
        overflow-x: hidden;
        border-top: solid $panel-lighten-2;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        border-subtitle-align: right;
        background: $surface;
        scrollbar-size-vertical: 1;
        &:focus {
            border-top: solid $accent;
            border-title-style: bold;
        }
        & > .downloads-panel--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
        & > .downloads-panel--cursor-blurred {
            background: $block-cursor-blurred-background;
        }
        & > .downloads-panel--name {
            color: $text;
        }
        & > .downloads-panel--bar {
            color: $accent;
        }
        & > .downloads-panel--bar-empty {
            color: $panel-lighten-2;
        }
        & > .downloads-panel--muted {
            color: $text-muted;
        }
        & > .downloads-panel--done {
            color: $success;
        }
        & > .downloads-panel--error {
            color: $error;
        }
        & > .downloads-panel--placeholder {
            color: $text-muted;
        }
    }
    """

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="downloads.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="downloads.up"),
        Binding("escape,c", "cancel", "Cancel", id="downloads.cancel"),
        Binding("o", "open", "Open file", id="downloads.open"),
        Binding("r", "retry", "Retry", id="downloads.retry"),
        Binding("x", "clear", "Clear finished", id="downloads.clear"),
    ]

    def __init__(
        self,
        client: Callable[[], ReachkitClient | None],
        folder: Callable[[], Path],
        *,
        keymap: Mapping[str, str] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        #: The workspace's client and download folder, asked at each download (both may change).
        self._client = client
        self._folder = folder
        #: The user's keymap (binding id -> keys): the border names the key that hides the panel.
        self.keymap = dict(keymap or {})
        self.transfers: list[Transfer] = []
        self.cursor = 0
        self.folder: DownloadFolder | None = None
        self._workers: dict[int, Worker[None]] = {}
        self._slots: asyncio.Semaphore | None = None
        self._dirty = False
        self._return_focus: Widget | None = None
        self._notified: dict[str, float] = {}
        self._styles: dict[str, Style] = {}
        self._unreported: list[Transfer] = []

    def on_mount(self) -> None:
        self.display = False
        self._slots = asyncio.Semaphore(MAX_PARALLEL)
        self._repaint_timer = self.set_interval(REPAINT_INTERVAL, self._repaint_if_dirty, pause=True)
        self._update_title()

    # -- starting downloads ------------------------------------------------------------------------

    def save(self, picks: list[Pick]) -> None:
        """Queue downloads of ``picks`` into the download folder and show the panel."""
        folder = self._download_folder()
        problem = ""
        try:
            folder.prepare()
        except FolderError as error:
            problem = str(error)
        busy = {(t.conversation_id, t.attachment.id) for t in self.transfers if t.state.active}
        added: list[Transfer] = []
        for pick in picks:
            if (pick.conversation_id, pick.attachment.id) in busy:
                say(self, f"Already downloading {pick.name}.")
                continue
            transfer = Transfer(pick.conversation_id, pick.attachment, pick.name)
            self.transfers.append(transfer)
            added.append(transfer)
        if not added:
            return
        self.display = True
        if problem:
            now = time.monotonic()
            for transfer in added:
                transfer.fail(problem, now)
            say(self, problem, title="Cannot save attachments", severity="error", timeout=10)
        else:
            for transfer in added:
                self._start(transfer)
        self._changed()
        self._move(self.transfers.index(added[0]))

    def _download_folder(self) -> DownloadFolder:
        path = Path(self._folder())
        if self.folder is None or self.folder.path != path.expanduser():
            self.folder = DownloadFolder(path)
        return self.folder

    def _start(self, transfer: Transfer) -> None:
        transfer.requeue()
        self._workers[transfer.id] = self._download(transfer)
        self._repaint_timer.resume()

    @work(group="download", exit_on_error=False, description="Downloading an attachment")
    async def _download(self, transfer: Transfer) -> None:
        client = self._client()
        folder = self.folder
        assert client is not None and folder is not None and self._slots is not None
        claimed: Path | None = None

        def choose_final(taken: Path) -> Path:
            """The name was taken while the bytes flowed: keep them, under the next free name."""
            nonlocal claimed
            folder.release(taken)
            claimed = folder.claim(transfer.name)
            return claimed

        try:
            async with self._slots:
                if transfer.state is not TransferState.QUEUED:
                    return
                transfer.start(time.monotonic())
                self._changed()
                folder.prepare()
                claimed = folder.claim(transfer.name)
                result = await save_attachment(
                    client,
                    transfer.conversation_id,
                    transfer.attachment.id,
                    claimed,
                    expected_size=transfer.attachment.size,
                    progress=partial(self._progress, transfer),
                    progress_interval=REPAINT_INTERVAL,
                    choose_final=choose_final,
                )
        except asyncio.CancelledError:
            transfer.cancel(time.monotonic())
            self._finished(transfer)
            raise
        except (ReachkitError, FolderError) as error:
            transfer.fail(clean_line(str(error), max_chars=300), time.monotonic())
            self._notify_failure(transfer, error)
        except Exception as error:  # noqa: BLE001 - one bad download must not end the app
            transfer.fail(f"Unexpected {type(error).__name__}.", time.monotonic())
            self.post_message(ShowError(error, f"Download failed: {transfer.name}"))
        else:
            transfer.succeed(result.path, result.size, time.monotonic())
            self._unreported.append(transfer)
        finally:
            if claimed is not None:
                folder.release(claimed)
            self._workers.pop(transfer.id, None)
        self._finished(transfer)

    def _progress(self, transfer: Transfer, done: int, total: int | None) -> None:
        transfer.update(done, total, time.monotonic())
        self._dirty = True

    def _finished(self, transfer: Transfer) -> None:
        self._changed()
        if any(t.state.active for t in self.transfers):
            return
        self._repaint_timer.pause()
        self._report_saved()

    def _report_saved(self) -> None:
        """One notification when a batch is through (not one per file): where the files are."""
        saved = [t for t in self._unreported if t.path is not None]
        self._unreported.clear()
        if len(saved) == 1 and saved[0].path is not None:
            say(self, f"Saved to {saved[0].path}", title="Downloaded", timeout=8)
        elif saved:
            folder = self.folder.path if self.folder else ""
            say(self, f"Saved {len(saved)} files to {folder}", title="Downloaded", timeout=8)

    def _notify_failure(self, transfer: Transfer, error: BaseException) -> None:
        now = time.monotonic()
        text = str(error)
        if now - self._notified.get(text, -NOTIFY_DEDUPE) < NOTIFY_DEDUPE:
            return
        self._notified = {k: v for k, v in self._notified.items() if now - v < NOTIFY_DEDUPE}
        self._notified[text] = now
        self.post_message(ShowError(error, f"Download failed: {transfer.name}"))

    # -- showing and focus -------------------------------------------------------------------------

    def toggle(self) -> None:
        """``S``: show and focus the panel; from inside it, hide it and go back."""
        if self.display and self.has_focus:
            self.display = False
            self._give_back_focus()
            return
        self.display = True
        focused = self.screen.focused
        if focused is not self:
            self._return_focus = focused
        self._changed()
        self.focus()

    def _give_back_focus(self) -> None:
        target = self._return_focus
        self._return_focus = None
        if target is not None and target.is_attached and target.display and target.focusable:
            target.focus()
        else:
            self.screen.focus_next()

    def watch_has_focus(self, focused: bool) -> None:
        self._update_title()
        self.refresh()

    # -- actions -------------------------------------------------------------------------------------

    @property
    def current(self) -> Transfer | None:
        if 0 <= self.cursor < len(self.transfers):
            return self.transfers[self.cursor]
        return None

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def _move(self, index: int) -> None:
        if not self.transfers:
            return
        self.cursor = max(0, min(index, len(self.transfers) - 1))
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, immediate=True)
        self.refresh()

    def action_cancel(self) -> None:
        """Cancel the highlighted download; with nothing to cancel, escape goes back."""
        transfer = self.current
        if transfer is None or not transfer.state.active:
            self._give_back_focus()
            return
        worker = self._workers.get(transfer.id)
        if worker is not None:
            worker.cancel()
        else:
            transfer.cancel(time.monotonic())
            self._finished(transfer)
        say(self, f"Cancelled {transfer.name}.")

    def action_open(self) -> None:
        """Hand a finished download to the system opener; only ever on this explicit request."""
        transfer = self.current
        if transfer is None:
            return
        if transfer.state is not TransferState.DONE or transfer.path is None:
            say(self, f"{transfer.name} is not saved yet; o opens a finished download.")
            return
        path = transfer.path
        if not path.is_file():
            say(self, f"{path} is no longer there.", severity="warning")
            return
        try:
            open_file(path)
        except OpenerError as error:
            say(self, str(error), title="Cannot open", severity="warning", timeout=10)
            return
        say(self, f"Opening {path}", title="Open")

    def action_retry(self) -> None:
        transfer = self.current
        if transfer is None or transfer.state not in (TransferState.FAILED, TransferState.CANCELLED):
            say(self, "Only a failed or cancelled download can be retried.")
            return
        try:
            self._download_folder().prepare()
        except FolderError as error:
            transfer.fail(str(error), time.monotonic())
            say(self, str(error), title="Cannot save attachments", severity="error", timeout=10)
            self._changed()
            return
        self._start(transfer)
        self._changed()

    def action_clear(self) -> None:
        """Forget finished, failed and cancelled rows (the files stay where they are)."""
        current = self.current
        self.transfers = [t for t in self.transfers if t.state.active]
        self.cursor = self.transfers.index(current) if current in self.transfers else 0
        if not self.transfers:
            self.display = False
            self._give_back_focus()
        self._changed()

    # -- drawing -----------------------------------------------------------------------------------------

    def _changed(self) -> None:
        """A row was added, removed or changed state: repaint now.

        Only a change in the number of rows re-lays out the screen (the panel's height follows
        its rows); a layout pass re-wraps the thread, too costly for every state change.
        """
        self._dirty = False
        self._update_title()
        rows = max(1, len(self.transfers))
        if self.virtual_size.height != rows:
            # Width 0: rows are drawn to the visible width, nothing scrolls sideways.
            self.virtual_size = Size(0, rows)  # a layout-changing reactive
        else:
            self.refresh()

    def _repaint_if_dirty(self) -> None:
        """Progress moved: repaint only the rows of running downloads (the title has not changed)."""
        if not self._dirty:
            return
        self._dirty = False
        for index, transfer in enumerate(self.transfers):
            if transfer.state is TransferState.RUNNING:
                self.refresh_line(index)

    def _update_title(self) -> None:
        key = bound_key(self.keymap, TOGGLE_BINDING_ID, DEFAULT_TOGGLE_KEY)  # S, or the user's key for it
        title = panel_title(self.transfers, key, focused=self.has_focus)
        if title != self.border_title:
            self.border_title = title

    def _style(self, name: str, *, partial: bool = True) -> Style:
        """A component style, looked up once per theme/CSS change (the lookup is not cheap)."""
        key = f"{name}/{partial}"
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self.get_component_rich_style(f"downloads-panel--{name}", partial=partial)
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = self.scroll_offset.y + y
        if not self.transfers:
            if y == 0:
                hint = "No downloads yet: s saves the open conversation's attachments."
                return line_strip([(hint, self._style("placeholder", partial=False))], width, base)
            return Strip.blank(width, base)
        if not 0 <= index < len(self.transfers):
            return Strip.blank(width, base)
        transfer = self.transfers[index]
        if index == self.cursor:
            blurred = "" if self.has_focus else "-blurred"
            base = base + self._style(f"cursor{blurred}", partial=False)
        return line_strip(row_parts(transfer, width, self._style), width, base)

    async def _on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self.transfers):
            self._move(index)
