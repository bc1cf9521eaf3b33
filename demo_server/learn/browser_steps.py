"""Steps on the demo's ``/web/`` pages in a notebook's browser, with Playwright's async API.

Notebook 09 §3 logs in by hand, one action at a time; later steps log in
with :func:`log_in`, the same actions in one call. :func:`show_page` puts a
screenshot into the notebook, since a headless browser has no window, and
:func:`requests_since` reads what the browser asked the server for from its
access log. Launching the browser is :mod:`demo_server.learn.browser`'s job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..seed import DEFAULT_USER
from .client import ServerLike

if TYPE_CHECKING:  # Playwright is only needed by the browser demos
    from playwright.async_api import Page

#: Where the pages' stylesheet lives: every page fetches it, so it only hides the story in a log.
STYLESHEET_PATH = "/web/static/"


class HasAccessLog(Protocol):
    """A server that keeps an access log, one line a request: :class:`~demo_server.runner.RunningServer`."""

    @property
    def log(self) -> list[str]: ...


async def log_in(page: Page, server: ServerLike, user: str = DEFAULT_USER) -> None:
    """Open the login form, type the name, press the button and follow the redirect, as a person would."""
    await page.goto(f"{server.url}/web/login")
    # By role, not by label: the page speaks the browser's language (Accept-Language).
    await page.get_by_role("textbox").fill(user)                   # "User name"
    await page.get_by_role("main").get_by_role("button").click()   # "Log in"
    await page.wait_for_url("**/web/?done=login")


async def show_page(page: Page) -> None:
    """Show a screenshot of the whole page in the notebook's output."""
    from IPython.display import Image, display  # only notebooks call this; the package works without IPython

    display(Image(await page.screenshot(full_page=True)))


def requests_since(server: HasAccessLog, mark: int) -> list[str]:
    """The server's access log from line ``mark`` on, without stylesheet requests.

    Take ``mark = len(server.log)`` before a step; afterwards this is what the step asked the server for.
    """
    return [line for line in server.log[mark:] if STYLESHEET_PATH not in line]
