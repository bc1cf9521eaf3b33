"""The /web/ pages in a real, headless Chromium: what only a browser can show.

A ``requests`` client ignores HttpOnly and SameSite, so these tests drive
Chromium through Playwright's sync API:

* the login form logs in, the logout button logs out;
* HttpOnly: ``document.cookie`` lacks ``sid``, the cookie store has it;
* SameSite=Lax: a form on another site posts without the cookie, a form on
  the same site (another port of 127.0.0.1) posts with it;
* Max-Age: the browser drops the cookie when it expires.

CI must run them: without a Chromium they fail when ``CI`` is set, and are
skipped with a reason elsewhere.
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, NoReturn

import pytest
from flask import Flask, request

from demo_server import RunningServer
from demo_server.learn.browser import SYSTEM_CHROMIUM, chromium_executable, launch_options

if TYPE_CHECKING:
    from conftest import Serve
    from playwright.sync_api import Browser, BrowserContext, Page


def _no_browser(reason: str) -> NoReturn:
    """Fail in CI, which must run these tests; skip on a developer's machine."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests (apt-get install chromium)", pytrace=False)
    pytest.skip(f"{reason}: install it with `apt-get install chromium` to run the browser tests")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("the playwright package is not installed")
    with sync_playwright() as playwright:
        executable = chromium_executable(playwright.chromium)
        if executable is None:
            _no_browser(f"no Chromium at {SYSTEM_CHROMIUM} nor from `playwright install`")
        chromium = playwright.chromium.launch(**launch_options(executable))
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh cookie jar for each test, like a new private window."""
    fresh = browser.new_context()
    fresh.set_default_timeout(5_000)
    yield fresh
    fresh.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def server(serve: Serve) -> RunningServer:
    return serve()


def log_in(page: Page, server: RunningServer, user: str = "张三") -> None:
    """Fill in and submit the login form, as a person would."""
    page.goto(f"{server.url}/web/login")
    page.get_by_label("User name").fill(user)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/web/?done=login")


def greeting(page: Page) -> str:
    return page.locator("#greeting").inner_text()


def session_cookies(context: BrowserContext) -> list[dict]:
    return [cookie for cookie in context.cookies() if cookie["name"] == "sid"]


def test_log_in_and_out_through_the_forms(page: Page, context: BrowserContext,
                                          server: RunningServer) -> None:
    page.goto(f"{server.url}/web/")
    assert "未登入" in greeting(page)
    assert context.cookies() == []  # looking is not logging in: no session yet

    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("User name").fill("张三")
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    page.wait_for_url(f"{server.url}/web/?done=login")
    assert greeting(page) == "hello 张三 welcome"
    assert page.get_by_role("status").inner_text() == "登入成功 (logged in)"
    assert len(session_cookies(context)) == 1

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{server.url}/web/?done=logout")
    assert "未登入" in greeting(page)
    assert page.get_by_role("status").inner_text() == "退出登入 (logged out)"
    assert context.cookies() == []  # logout cleared the cookie, not just the server's record
    assert server.store is not None and len(server.store.all()) == 0


def test_a_forged_login_form_is_refused(page: Page, context: BrowserContext,
                                        server: RunningServer) -> None:
    page.goto(f"{server.url}/web/login")
    page.locator("input[name=csrf_token]").evaluate("field => field.value = 'forged'")
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Form refused"
    page.goto(f"{server.url}/web/")
    assert "未登入" in greeting(page)


def test_httponly_hides_the_session_cookie_from_javascript(page: Page, context: BrowserContext,
                                                           server: RunningServer) -> None:
    log_in(page, server)
    [cookie] = session_cookies(context)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/"

    assert "sid" not in page.evaluate("document.cookie")
    page.evaluate("document.cookie = 'theme=dark; path=/'")  # scripts may still set their own
    assert page.evaluate("document.cookie") == "theme=dark"

    page.goto(f"{server.url}/web/cookies")
    assert page.locator("#js-cookies").inner_text() == "theme=dark"
    server_side = page.locator("#server-cookies").inner_text()
    assert "sid = " + cookie["value"][:6] + "…" in server_side
    assert "theme = dark" in server_side
    assert cookie["value"] not in page.content()  # the page never echoes the whole value


def other_site() -> Flask:
    """Another web site, whose page auto-submits a POST form to ``?to=URL``."""
    app = Flask("other_site")

    @app.get("/")
    def auto_submitting_form() -> str:
        target = html.escape(request.args["to"])
        return (f'<!doctype html><title>Another site</title>'
                f'<form method="post" action="{target}"><button>Go</button></form>'
                f"<script>document.forms[0].submit()</script>")

    return app


def test_samesite_lax_keeps_the_cookie_off_cross_site_posts(page: Page, server: RunningServer,
                                                            serve: Serve) -> None:
    log_in(page, server)
    other = serve(other_site())
    target = f"{server.url}/web/cookies"

    # localhost is another *site* than 127.0.0.1: the cookie stays home.
    page.goto(f"http://localhost:{other.port}/?to={target}")
    page.wait_for_url(target)
    assert page.locator("#server-cookies").inner_text() == "no cookies at all"
    assert "POST request" in page.get_by_role("main").inner_text()

    # 127.0.0.1 on another port is another *origin* but the same site: it rides along.
    page.goto(f"http://127.0.0.1:{other.port}/?to={target}")
    page.wait_for_url(target)
    assert "sid = " in page.locator("#server-cookies").inner_text()

    # So a forged logout from the other site changes nothing.
    page.goto(f"http://localhost:{other.port}/?to={server.url}/web/logout")
    page.wait_for_url(f"{server.url}/web/?done=logout")
    page.goto(f"{server.url}/web/")
    assert greeting(page) == "hello 张三 welcome"

    posts = [line for line in server.log if line.startswith("POST ")]
    assert posts == ["POST /web/login 303", "POST /web/cookies 200", "POST /web/cookies 200",
                     "POST /web/logout 303"]


def test_the_browser_drops_the_cookie_when_it_expires(page: Page, context: BrowserContext,
                                                      serve: Serve) -> None:
    max_age = 2
    server = serve(max_age=max_age)
    log_in(page, server)
    [cookie] = session_cookies(context)
    assert cookie["expires"] == pytest.approx(time.time() + max_age, abs=1.5)

    time.sleep(max_age + 0.5)  # the browser's clock runs out; no request is made meanwhile
    assert session_cookies(context) == []
    page.reload()
    assert "未登入" in greeting(page)
