"""A pipe running and its result: the exit code and the output (sanitised, scrollable).

The command runs in a worker (``domain/pipes.run_pipes``): the conversations as JSON on stdin,
the key never in its environment. ``esc`` while it runs stops it: cancelling the worker kills
the command's whole process group. ``esc`` afterwards closes the view.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea
from textual.worker import Worker, WorkerState

from ...domain.pipes import PipeCommand, PipeResult, run_pipes
from ...domain.triage_service import who
from ...render.sanitize import clean_line

if TYPE_CHECKING:
    from ...api.models import Conversation, Lead

__all__ = ["PipeView", "output_text"]


def output_text(results: Sequence[PipeResult], names: dict[str, str]) -> str:
    """One run: its output. Several: each under a line naming its conversation and its exit."""
    if len(results) == 1:
        return results[0].output or results[0].error or "(no output)"
    parts = []
    for result in results:
        whose = ", ".join(names.get(i, i) for i in result.conversation_ids)
        parts.append(f"── {clean_line(whose, max_chars=60)} · {result.status} ──")
        parts.append(result.output.rstrip("\n") or "(no output)")
    return "\n".join(parts)


class PipeView(ModalScreen[None]):
    """Runs ``command`` once it is shown; says how it ended and shows what it printed."""

    BINDINGS = [
        Binding("escape", "stop_or_close", "Stop / close", id="pipe_view.stop"),
        Binding("q", "close", "Close", show=False, id="pipe_view.close"),
    ]

    def __init__(
        self,
        command: PipeCommand,
        conversations: Sequence[Conversation],
        *,
        marked: bool,
        pipe_marked: str,
        api_key: str | None,
        lead_of: Callable[[Conversation], Awaitable[Lead | None]],
        remember: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__()
        self.command = command
        self.conversations = tuple(conversations)
        self.marked = marked
        self.pipe_marked = pipe_marked
        self.api_key = api_key
        self.lead_of = lead_of
        self.remember = remember
        self.results: list[PipeResult] = []
        self._worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        count = len(self.conversations)
        what = f"{count} conversations" if count > 1 else who(self.conversations[0])
        title = Content.assemble(("| ", "bold $accent"), (clean_line(self.command.run, max_chars=100), "bold"),
                                 ("  ·  ", "$text-muted"), (clean_line(what, max_chars=60), "$text-muted"))
        with Vertical(id="pipe-view"):
            yield Static(title, id="pipe-view-title")
            yield Static(id="pipe-view-status")
            yield TextArea(id="pipe-view-output", read_only=True, soft_wrap=True, show_line_numbers=False)
            yield Static(id="pipe-view-foot")

    def on_mount(self) -> None:
        self._status(Content.styled("Looking up the leads…", "$text-muted"), running=True)
        self._worker = self._run()

    def _status(self, line: Content, *, running: bool) -> None:
        self.query_one("#pipe-view-status", Static).update(line)
        foot = "esc stops the command (and what it started)" if running else "esc closes · ↑↓ pgup pgdn scroll"
        self.query_one("#pipe-view-foot", Static).update(Content.styled(foot, "$text-muted"))

    @work(group="pipe", exclusive=True, exit_on_error=False, description="Running the pipe")
    async def _run(self) -> None:
        items = [(c, await self.lead_of(c)) for c in self.conversations]
        await asyncio.to_thread(self._remember)
        self._status(Content.styled(f"Running {clean_line(self.command.name, max_chars=40)}…", "bold $warning"),
                     running=True)

        def progress(done: int, total: int) -> None:
            if total > 1:
                self._status(Content.styled(f"Running: {done} of {total} done…", "bold $warning"), running=True)

        self.results = await run_pipes(self.command, items, marked=self.marked, pipe_marked=self.pipe_marked,
                                       api_key=self.api_key, progress=progress)
        self._show_results()

    def _remember(self) -> None:
        try:
            self.remember()
        except OSError:
            pass  # a history that cannot be written costs the ↑ recall, not the run

    def _show_results(self) -> None:
        names = {c.id: who(c) for c in self.conversations}
        self.query_one(TextArea).load_text(output_text(self.results, names))
        failed = [r for r in self.results if not r.ok]
        if len(self.results) == 1:
            result = self.results[0]
            words = f"{result.status} · {result.seconds:.1f} s"
        else:
            words = f"{len(self.results) - len(failed)} of {len(self.results)} runs exited 0"
        truncated = any(r.truncated for r in self.results)
        self._status(Content.assemble((words, "bold $text-error" if failed else "bold $text-success"),
                                      ("  (output cut)" if truncated else "", "$text-muted")), running=False)
        self.query_one(TextArea).focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker:
            return
        if event.state == WorkerState.CANCELLED:
            self._status(Content.styled("Stopped: the command and everything it started were killed.", "bold $text-error"),
                         running=False)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            self._status(Content.styled(f"The pipe failed: unexpected {type(error).__name__}.", "bold $text-error"),
                         running=False)

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_running

    def action_stop_or_close(self) -> None:
        if self.running and self._worker is not None:
            self._worker.cancel()
        else:
            self.dismiss(None)

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)
