"""Find and launch headless Chromium, through Playwright, for the browser demos.

A ``requests`` client ignores ``HttpOnly`` and ``SameSite``; only a real
browser shows what they do. Playwright drives one, but its own
``playwright install`` downloads a browser build, which many machines (and
package-only networks) cannot do. So we look for a Chromium in this order:

1. a path you pass explicitly;
2. Debian's ``/usr/bin/chromium`` (``apt-get install chromium``);
3. the browser ``playwright install chromium`` downloaded, if it did.

Tests use Playwright's sync API with :func:`chromium_executable` and
:func:`launch_options`. Notebooks must use the async API (a kernel already
runs an event loop, and the sync API refuses to start inside one), through
:func:`open_browser`, which also closes the browser that an earlier run of
the same cell opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import N_, _, current_language

if TYPE_CHECKING:  # Playwright is only needed by the browser demos
    from playwright.async_api import Browser, BrowserType, Playwright
    from playwright.sync_api import BrowserType as SyncBrowserType

#: Where Debian and Ubuntu's non-snap packages put Chromium.
SYSTEM_CHROMIUM = "/usr/bin/chromium"

#: Switch off what Chromium does in the background on its own: on a machine
#: without internet access those attempts only add refused-connection noise.
CHROMIUM_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)

#: What the notebook's browser asks the ``/web/`` pages for (Accept-Language), by the notebook's display
#: language: the Chinese edition's browser gets Chinese pages. English is Chromium's own default.
ACCEPT_LANGUAGE = {"zh_CN": "zh-CN,zh"}

#: The one line a notebook prints when there is no browser to drive.
INSTALL_HINT = N_(
    "No Chromium found, so the browser steps are skipped. Install it with "
    "`sudo apt-get install chromium` or `python -m playwright install chromium`, "
    "then restart the kernel."
)

#: The same, when even the Playwright package is missing.
PLAYWRIGHT_MISSING_HINT = N_(
    "Playwright is not installed, so the browser steps are skipped. Install it with "
    "`pip install playwright`, and Chromium with `sudo apt-get install chromium`, "
    "then restart the kernel."
)


def _is_executable(path: str | os.PathLike[str]) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def chromium_executable(browser_type: BrowserType | SyncBrowserType | None = None,
                        explicit: str | os.PathLike[str] | None = None) -> str | None:
    """The Chromium to launch, or ``None`` if there is none.

    ``browser_type`` is ``playwright.chromium`` (sync or async); it knows
    where Playwright's own download would be. An ``explicit`` path that does
    not exist is an error, not something to skip silently.
    """
    if explicit is not None:
        if not _is_executable(explicit):
            raise FileNotFoundError(f"no executable Chromium at {explicit}")
        return str(explicit)
    if _is_executable(SYSTEM_CHROMIUM):
        return SYSTEM_CHROMIUM
    if browser_type is not None:
        try:
            downloaded = browser_type.executable_path
        except Exception:  # Playwright raises when it has no browser registry entry
            return None
        if downloaded and _is_executable(downloaded):
            return downloaded
    return None


def launch_options(executable: str, accept_language: str | None = None) -> dict[str, Any]:
    """Keyword arguments for ``playwright.chromium.launch``: headless, quiet, and asking for ``accept_language``."""
    languages = [f"--accept-lang={accept_language}"] if accept_language else []
    return {"executable_path": executable, "headless": True, "args": [*CHROMIUM_ARGS, *languages]}


# -- notebooks: the async API, one browser per kernel ---------------------------

_playwright: Playwright | None = None
_browser: Browser | None = None


async def open_browser(executable: str | os.PathLike[str] | None = None) -> Browser | None:
    """Launch headless Chromium for a notebook, or print :data:`INSTALL_HINT` and return ``None``.

    The browser asks for pages in the notebook's language (:data:`ACCEPT_LANGUAGE`).
    Running the cell again first closes the browser it opened before, so
    re-running never leaves an orphaned Chromium behind.
    """
    global _playwright, _browser
    await close_browser()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        print(_(PLAYWRIGHT_MISSING_HINT))
        return None
    playwright = await async_playwright().start()
    path = chromium_executable(playwright.chromium, executable)
    if path is None:
        await playwright.stop()
        print(_(INSTALL_HINT))
        return None
    _playwright = playwright
    _browser = await playwright.chromium.launch(**launch_options(path, ACCEPT_LANGUAGE.get(current_language())))
    return _browser


async def close_browser() -> None:
    """Close the notebook's browser and Playwright's driver, if they are running."""
    global _playwright, _browser
    browser, playwright = _browser, _playwright
    _browser = _playwright = None
    if browser is not None:
        await browser.close()
    if playwright is not None:
        await playwright.stop()
