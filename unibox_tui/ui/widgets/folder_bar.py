"""The folders: Primary and Others with their counts, then Drafts and the other rooms.

Drawn as a vertical sidebar when there is room and as a one-line strip on narrow terminals
(the screen toggles the ``-strip`` class).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from ...render.formatting import human_count

__all__ = ["Folder", "FolderBar"]


@dataclass(slots=True)
class Folder:
    key: str
    name: str
    count: int | None = None
    unread: int | None = None
    hint: str = ""
    #: Rows below this one in the sidebar start a new group (a blank line before it).
    group: int = 0
    extra: dict[str, str] = field(default_factory=dict)


class FolderBar(Widget, can_focus=True):
    """A list of folders with a highlight; ``enter`` (or a click) selects."""

    BINDINGS = [
        Binding("down,j,right,l", "move(1)", "Next folder", show=False),
        Binding("up,k,left,h", "move(-1)", "Previous folder", show=False),
        Binding("enter,space", "select", "Open folder", show=False),
    ]

    COMPONENT_CLASSES = {
        "folder-bar--current",
        "folder-bar--highlight",
        "folder-bar--count",
        "folder-bar--hint",
    }

    #: The look of the component classes above, in theme variables (as Textual's DataTable keeps it).
    DEFAULT_CSS = """
    FolderBar {
        background: $panel;
        color: $text;
        &:focus {
            background-tint: $foreground 5%;
        }
        & > .folder-bar--current {
            text-style: bold;
            color: $accent;
        }
        & > .folder-bar--highlight {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
    }
    """

    highlighted: reactive[int] = reactive(0)
    current: reactive[str] = reactive("primary")

    @dataclass
    class Selected(Message):
        bar: FolderBar
        key: str

        @property
        def control(self) -> FolderBar:
            return self.bar

    def __init__(self, folders: list[Folder], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.folders = folders

    def folder(self, key: str) -> Folder | None:
        return next((f for f in self.folders if f.key == key), None)

    def set_count(self, key: str, count: int | None, *, unread: int | None = None) -> None:
        folder = self.folder(key)
        if folder is None or (folder.count == count and (unread is None or folder.unread == unread)):
            return  # every page turn reports the same count: no new layout for it
        folder.count = count
        if unread is not None:
            folder.unread = unread
        self.refresh(layout=True)

    def set_hint(self, key: str, hint: str) -> None:
        folder = self.folder(key)
        if folder is not None and folder.hint != hint:
            folder.hint = hint
            self.refresh(layout=True)

    def select(self, key: str) -> None:
        """Mark ``key`` as the current folder (without posting ``Selected``)."""
        self.current = key
        for index, folder in enumerate(self.folders):
            if folder.key == key:
                self.highlighted = index

    def action_move(self, step: int) -> None:
        self.highlighted = (self.highlighted + step) % len(self.folders)

    def action_select(self) -> None:
        folder = self.folders[self.highlighted]
        self.post_message(self.Selected(self, folder.key))

    def on_click(self, event) -> None:  # type: ignore[no-untyped-def]
        index = self._index_at(event.x, event.y)
        if index is not None:
            self.highlighted = index
            self.action_select()

    def _index_at(self, x: int, y: int) -> int | None:
        if self.has_class("-strip"):
            position = 0
            for index, folder in enumerate(self.folders):
                width = len(self._label(folder).plain) + 3
                if position <= x < position + width:
                    return index
                position += width
            return None
        row = 0
        for index, folder in enumerate(self.folders):
            if folder.group and index and self.folders[index - 1].group != folder.group:
                row += 1
            if y == row:
                return index
            row += 1
            if folder.hint and folder.key == self.current:
                row += len(self._hint_lines(folder))
        return None

    def _label(self, folder: Folder) -> Content:
        count = "" if folder.count is None else f" {human_count(folder.count)}"
        return Content.assemble(folder.name, (count, "$text-muted"))

    def _hint_lines(self, folder: Folder) -> list[str]:
        width = max(8, self.size.width - 2)
        words, lines, line = folder.hint.split(), [], ""
        for word in words:
            if len(line) + len(word) + 1 > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        if line:
            lines.append(line)
        return lines

    def render(self) -> Content:
        current_style = self.get_visual_style("folder-bar--current", partial=True)
        highlight_style = self.get_visual_style("folder-bar--highlight", partial=True)
        strip = self.has_class("-strip")
        lines: list[Content] = []
        for index, folder in enumerate(self.folders):
            marker = "▌" if folder.key == self.current and not strip else " "
            item = Content.assemble(marker, self._label(folder), " ")
            if folder.key == self.current:
                item = item.stylize(current_style)
            if index == self.highlighted and self.has_focus:
                item = item.stylize(highlight_style)
            if not strip and folder.group and index and self.folders[index - 1].group != folder.group:
                lines.append(Content(""))
            lines.append(item)
            if not strip and folder.hint and folder.key == self.current:
                lines.extend(Content.styled(f"  {line}", "$text-muted italic") for line in self._hint_lines(folder))
        return Content("│ " if strip else "\n").join(lines)
