"""Notebook 09's browser steps (Playwright's async API, as a notebook must use it) in a real, headless Chromium.

Like ``tests/test_browser.py``, this fails in CI without a Chromium and is
skipped elsewhere.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, NoReturn

import pytest

from demo_server import RunningServer
from demo_server.learn.browser import chromium_executable, launch_options
from demo_server.learn.browser_steps import STYLESHEET_PATH, log_in, requests_since, show_page

from conftest import Serve


def _no_browser(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests (apt-get install chromium)", pytrace=False)
    pytest.skip(f"{reason}: install it with `apt-get install chromium` to run the browser tests")


async def _log_in_and_show(server: RunningServer, user: str) -> str:
    """Log in through the form with :func:`log_in`, show the page, and return its greeting."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        executable = chromium_executable(playwright.chromium)
        if executable is None:
            _no_browser("no Chromium found")
        browser = await playwright.chromium.launch(**launch_options(executable))
        try:
            page = await browser.new_page()
            page.set_default_timeout(5_000)
            await log_in(page, server, user)
            await show_page(page)
            return await page.locator("#greeting").inner_text()
        finally:
            await browser.close()


def test_log_in_show_page_and_the_requests_it_made(serve: Serve, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        _no_browser("the playwright package is not installed")
    server = serve()
    shown: list[Any] = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    mark = len(server.log)

    greeting = asyncio.run(_log_in_and_show(server, "李四"))

    assert greeting == "hello 李四 welcome"
    assert [record.data.get("userinfo") for record in server.store.all().values()] == ["李四"]
    assert requests_since(server, mark) == ["GET /web/login 200", "POST /web/login 303", "GET /web/?done=login 200"]
    assert any(STYLESHEET_PATH in line for line in server.log[mark:])  # there was a stylesheet to leave out
    [screenshot] = shown
    assert screenshot.data.startswith(b"\x89PNG\r\n\x1a\n")  # a PNG image, for the notebook to show
