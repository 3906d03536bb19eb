"""Debian's chromium, driven by Playwright, for the outputs a browser must draw: PDF pages and
PNG images of the figures. Never a downloaded browser build.

Playwright's sync API refuses to run in a thread that has an asyncio loop running (a Jupyter
kernel) or another sync Playwright alive, so every browser job runs in a worker thread of its
own.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from postmortem_kit.errors import PublishError

#: Flags for a headless browser on a machine with no network but loopback.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

#: JavaScript: true once every plotly figure on the page has drawn its SVG.
_FIGURES_DRAWN = (
    "() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
    ".every(d => d.querySelector('.main-svg'))"
)


def chromium_path() -> str:
    """Path of the chromium binary (``$POSTMORTEM_CHROMIUM`` or ``chromium`` on the PATH)."""
    path = os.environ.get("POSTMORTEM_CHROMIUM") or shutil.which("chromium")
    if not path:
        raise PublishError(
            "this output format needs Debian's chromium (apt-get install chromium) "
            "or POSTMORTEM_CHROMIUM pointing at a Chromium binary"
        )
    return path


@contextmanager
def open_page(html_file: Path, *, width: int = 1200):
    """A page showing ``html_file`` with every figure drawn."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))
            try:
                page = browser.new_page(viewport={"width": width, "height": 900})
                page.goto(html_file.resolve().as_uri(), wait_until="load")
                page.wait_for_function(_FIGURES_DRAWN, timeout=60_000)
                yield page
            finally:
                browser.close()
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PublishError(f"chromium could not render {html_file.name}: {first}") from None


T = TypeVar("T")


def in_worker_thread(job: Callable[[], T]) -> T:
    """Run a browser job in a fresh thread (no asyncio loop, no other Playwright there)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="postmortem-chromium") as pool:
        return pool.submit(job).result()


def print_pdf(html_file: Path, pdf_file: Path) -> Path:
    """Print the page to PDF with the report's print stylesheet (A4, backgrounds on)."""
    return in_worker_thread(lambda: _print_pdf(html_file, pdf_file))


def screenshot_figures(html_file: Path, ids: list[str], folder: Path) -> dict[str, Path]:
    """A PNG of each figure ``<div id=...>``, written to ``folder/<id>.png``."""
    return in_worker_thread(lambda: _screenshot_figures(html_file, ids, folder))


def _print_pdf(html_file: Path, pdf_file: Path) -> Path:
    with open_page(html_file) as page:
        page.emulate_media(media="print")
        page.pdf(
            path=str(pdf_file),
            format="A4",
            print_background=True,
            margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
        )
    return pdf_file


def _screenshot_figures(html_file: Path, ids: list[str], folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    with open_page(html_file, width=1100) as page:
        for div_id in ids:
            target = folder / f"{div_id}.png"
            page.locator(f"#{div_id}").screenshot(path=str(target), animations="disabled")
            out[div_id] = target
    return out
