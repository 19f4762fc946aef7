"""A 200 MB attachment: our download path against ``curl`` on the same URL, run by hand.

    python tests/benchmarks/bench_download.py [--rounds 5]

The demo server runs in its own process, so the numbers measure the downloading side only. Each
round downloads the demo's 200 MiB video three ways, in rotating order:

- ``curl -o`` (the yardstick);
- ``client``: ``store.downloads.save_attachment`` with what the downloads panel passes it
  (a claimed name in a ``DownloadFolder``, ``choose_final``, a progress callback feeding a
  ``Transfer`` every 0.1 s);
- ``app``: the real app, headless, from ``enter`` in the picker to the row saying done, the
  session's first download (closing the picker and showing the panel included; the panel
  repaints as it would for a user); ``app warm``: the same again in that session, panel open.

It prints each one's throughput, the ratio to curl (target: at least 0.8), and the peak RSS growth
of this process during our downloads (target: under 20 MB), read from ``VmHWM`` after resetting
it through ``/proc/self/clear_refs``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from unibox_tui.api import ReachkitClient  # noqa: E402
from unibox_tui.api.models import Attachment  # noqa: E402
from unibox_tui.domain.transfers import Transfer  # noqa: E402
from unibox_tui.store.downloads import DownloadFolder, save_attachment  # noqa: E402

SERVER = """
import sys
from unibox_tui.api import Conversation
from unibox_tui.demo.server import DemoServer
server = DemoServer(conversations=60, seed=1, now=1_780_000_000).start()
for cid in server.state.conversation_ids():
    for _, a in Conversation.from_api(server.state.get_conversation_dict(cid)).attachments:
        if a.size == 200 * 1024 * 1024:
            print(server.base_url, cid, a.id, a.size, flush=True)
            sys.stdin.read()  # serve until the benchmark closes our stdin
            server.stop()
            raise SystemExit
raise SystemExit("no 200 MiB attachment in the demo data")
"""


def status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak() -> bool:
    """Make VmHWM start again from the current RSS (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


class Memory:
    """Peak RSS growth and CPU seconds (all threads) of this process over a block."""

    def __enter__(self) -> Memory:
        self.exact = reset_peak()
        self.before = status_kb("VmRSS")
        self.cpu_start = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu = time.process_time() - self.cpu_start
        self.growth_mb = (status_kb("VmHWM") - self.before) / 1024


def run_curl(url: str, key: str, target: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one ``curl -o``."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(
        ["curl", "-sS", "--fail", "-o", str(target), "-H", f"Authorization: Bearer {key}", url], check=True
    )
    elapsed = time.perf_counter() - start
    after = os.times()
    return elapsed, (after.children_user - before.children_user) + (after.children_system - before.children_system)


async def run_client(base_url: str, key: str, conversation_id: str, attachment: Attachment, folder: Path) -> float:
    downloads = DownloadFolder(folder)
    downloads.prepare()
    transfer = Transfer(conversation_id, attachment, "video.mp4")
    async with ReachkitClient(key, base_url) as client:
        start = time.perf_counter()
        transfer.start(time.monotonic())
        dest = downloads.claim(transfer.name)

        def choose_final(taken: Path) -> Path:
            downloads.release(taken)
            return downloads.claim(transfer.name)

        result = await save_attachment(
            client, conversation_id, attachment.id, dest, expected_size=attachment.size,
            progress=lambda done, total: transfer.update(done, total, time.monotonic()),
            progress_interval=0.1, choose_final=choose_final,
        )
        elapsed = time.perf_counter() - start
    assert result.size == attachment.size
    return elapsed


async def run_app(base_url: str, key: str, conversation_id: str, folder: Path) -> list[tuple[float, Memory]]:
    """The video saved twice in one app session: the first download, then one with the panel open.

    Each is timed from ``enter`` in the picker to its row saying done.
    """
    from helpers import make_settings
    from textual.widgets import OptionList

    from unibox_tui.domain.transfers import TransferState
    from unibox_tui.ui.app import UniboxApp
    from unibox_tui.ui.screens.attachment_picker import AttachmentPicker, pick_attachments
    from unibox_tui.ui.widgets.downloads_panel import DownloadsPanel

    class _Server:
        pass

    server = _Server()
    server.key, server.base_url = key, base_url  # type: ignore[attr-defined]
    app = UniboxApp(make_settings(server, download_dir=folder))
    results: list[tuple[float, Memory]] = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        while not screen.conversation_list.rows:
            await asyncio.sleep(0.05)
        assert app.client is not None
        conversation = await app.client.get_conversation(conversation_id)
        panel = screen.query_one(DownloadsPanel)
        for number in range(2):
            pick_attachments(app, conversation, connected=True, save=panel.save)  # `s`, once it knows the conversation
            while not isinstance(app.screen, AttachmentPicker):
                await asyncio.sleep(0.02)
            picker = app.screen
            index = next(i for i, (_, a, _) in enumerate(picker.entries) if a.size == 200 * 1024 * 1024)
            await pilot.pause(0.1)
            options = picker.query_one(OptionList)
            options.highlighted = index
            with Memory() as memory:
                start = time.perf_counter()
                # What enter does (Pilot.press would also wait for the CPU to go idle: it does not
                # while a download runs). Plain sleeps below: Pilot.pause repaints the whole screen.
                options.action_select()
                while len(panel.transfers) <= number or panel.transfers[number].state.active:
                    await asyncio.sleep(0.02)
                elapsed = time.perf_counter() - start
            assert panel.transfers[number].state is TransferState.DONE, panel.transfers[number].error
            results.append((elapsed, memory))
            await asyncio.sleep(0.5)  # the "saved" notification comes and the screen settles
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("curl"):
        raise SystemExit("curl is needed for the comparison")
    child = subprocess.Popen(
        [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert child.stdout is not None
        base_url, conversation_id, attachment_id, size_text = child.stdout.readline().split()
        size = int(size_text)
        attachment = Attachment(attachment_id, "video.mp4", "video/mp4", size)
        url = f"{base_url}/api/v1/unibox/conversations/{conversation_id}/attachments/{attachment_id}"
        ways = ("client", "app", "app warm")
        times: dict[str, list[float]] = {"curl": [], **{way: [] for way in ways}}
        cpu: dict[str, list[float]] = {"curl": [], **{way: [] for way in ways}}
        growth: dict[str, list[float]] = {way: [] for way in ways}
        exact = True
        with tempfile.TemporaryDirectory(prefix="bench-download-") as scratch:
            for number in range(args.rounds):
                order = ["curl", "client", "app"]
                order = order[number % 3 :] + order[: number % 3]
                for way in order:
                    folder = Path(scratch) / f"{way}-{number}"
                    if way == "curl":
                        folder.mkdir()
                        elapsed, seconds = run_curl(url, "demo", folder / "video.mp4")
                        times[way].append(elapsed)
                        cpu[way].append(seconds)
                    elif way == "client":
                        with Memory() as memory:
                            elapsed = asyncio.run(run_client(base_url, "demo", conversation_id, attachment, folder))
                        measured = [("client", elapsed, memory)]
                    else:  # measured from enter in the picker: the app's own start-up is not the download's
                        (cold, cold_memory), (warm, warm_memory) = asyncio.run(
                            run_app(base_url, "demo", conversation_id, folder)
                        )
                        measured = [("app", cold, cold_memory), ("app warm", warm, warm_memory)]
                    if way != "curl":
                        for name, elapsed, memory in measured:
                            times[name].append(elapsed)
                            cpu[name].append(memory.cpu)
                            growth[name].append(memory.growth_mb)
                            exact = exact and memory.exact
                    for landed in folder.iterdir():
                        assert landed.stat().st_size == size, (way, landed)
                    shutil.rmtree(folder)
                    os.sync()  # no dirty pages from one way slow down the next
                rates = ", ".join(f"{w} {size / times[w][-1] / 1e6:6.0f} MB/s" for w in order)
                print(f"round {number + 1}: {rates}", flush=True)
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=10)
    curl = statistics.median(times["curl"])
    print(f"\n{size / 1e6:.0f} MB, {args.rounds} rounds, medians:")
    print(f"  curl     {size / curl / 1e6:6.0f} MB/s  ({curl:.2f} s, CPU {statistics.median(cpu['curl']):.2f} s)")
    for way in ways:
        ours = statistics.median(times[way])
        print(
            f"  {way:<8} {size / ours / 1e6:6.0f} MB/s  ({ours:.2f} s, CPU {statistics.median(cpu[way]):.2f} s)"
            f"  ratio {curl / ours:.2f}x curl"
            f"  peak RSS growth {max(growth[way]):.1f} MB (median {statistics.median(growth[way]):.1f})"
        )
    print("  per-round ratios (client/app/app warm): " + ", ".join(
        "/".join(f"{c / o:.2f}" for o in others)
        for c, *others in zip(times["curl"], times["client"], times["app"], times["app warm"], strict=True)
    ))
    if not exact:
        print("  (could not reset VmHWM: growth is measured against the process's earlier peak)")


if __name__ == "__main__":
    main()
