"""The /web/ pages answer in the language the browser asks for (``Accept-Language``), English by default.

The Chinese catalog is still being translated, so these tests put a marked
one in its place: every message comes back as ``‹message›``, which shows at a
glance what went through the request's translations and what did not.
English must stay byte for byte what it was before the pages became
translatable: ``tests/pages_en/`` holds those pages, as the earlier templates
rendered them (only the random token and session id are masked).
"""

from __future__ import annotations

import gettext
import re
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from demo_server import i18n
from wire import LoopbackClient

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog
    from conftest import Serve

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The English pages as they were, one file per step of :func:`visit`.
ENGLISH_PAGES = Path(__file__).resolve().parent / "pages_en"
TEMPLATES = REPO_ROOT / "demo_server" / "templates" / "web"
#: What the pages call Simplified Chinese, in ``<html lang>`` and ``Content-Language``.
CHINESE_TAG = "zh-Hans"
#: Words a Chinese page may show untranslated: the seed's words and greeting, and punctuation around messages.
SEED_AND_PUNCTUATION = {"张三", "登入成功", "未登入", "退出登入", "hello", "welcome", "·", "()", "="}


class MarkedTranslations(gettext.NullTranslations):
    """A stand-in for the Chinese catalog: each message comes back between ‹ and ›."""

    def gettext(self, message: str) -> str:
        return "‹" + message + "›"


class MeetingTranslations(gettext.NullTranslations):
    """Translations that hold their first message until the other request is rendering too."""

    def __init__(self, inner: gettext.NullTranslations, meeting: threading.Barrier) -> None:
        super().__init__()
        self.inner = inner
        self.meeting = meeting
        self.met = False

    def gettext(self, message: str) -> str:
        if not self.met:
            self.met = True
            self.meeting.wait()
        return self.inner.gettext(message)


def use_catalogs(monkeypatch: pytest.MonkeyPatch, catalogs: dict[str, gettext.NullTranslations]) -> None:
    """Offer English and Chinese, with ``catalogs`` in place of the real ones."""
    monkeypatch.setattr(i18n, "available_languages", lambda: ["en", "zh_CN"])
    monkeypatch.setattr(i18n, "translations_for",
                        lambda language: catalogs.get(language) or gettext.NullTranslations())


@pytest.fixture
def marked_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    use_catalogs(monkeypatch, {"zh_CN": MarkedTranslations()})


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form token"
    return found.group(1)


def visit(url: str, accept_language: str | None) -> dict[str, requests.Response]:
    """Every page a visitor meets, in order, all asked for in one language; the names are those of tests/pages_en/."""
    with LoopbackClient() as client:
        if accept_language is not None:
            client.headers["Accept-Language"] = accept_language
        pages = {"home_logged_out": client.get(url + "/web/"), "login_form": client.get(url + "/web/login")}
        token = csrf_token(pages["login_form"].text)
        pages["refused_token"] = client.post(url + "/web/login", data={"csrf_token": "forged", "user": "张三"})
        pages["refused_user"] = client.post(url + "/web/login", data={"csrf_token": token, "user": ""})
        pages["home_logged_in"] = client.post(url + "/web/login", data={"csrf_token": token, "user": "张三"})
        pages["cookies"] = client.post(url + "/web/cookies")
        pages["home_after_logout"] = client.post(url + "/web/logout",
                                                 data={"csrf_token": csrf_token(pages["home_logged_in"].text)})
    return pages


STATUS = {"refused_token": 400, "refused_user": 400}


def vary(response: requests.Response) -> set[str]:
    """The request headers a cache must match before it reuses ``response``."""
    return {name.strip() for name in response.headers.get("Vary", "").split(",") if name.strip()}


def masked(page: str) -> str:
    """The page with its random parts masked: the form token, the session id, the cookie's value."""
    page = re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value="TOKEN"', page)
    page = re.sub(r"<code>[A-Za-z0-9_-]{8}…</code>", "<code>SESSION-ID…</code>", page)
    return re.sub(r"<code>sid</code> = <code>[^<]+</code> \(\d+", "<code>sid</code> = <code>VALUE</code> (LENGTH",
                  page)


class TextOutsideMarks(HTMLParser):
    """The words of a page's text (scripts aside) that are not inside ‹ ›."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self.in_script = False

    def handle_data(self, data: str) -> None:
        if not self.in_script:
            self.text.append(data)

    def words(self) -> set[str]:
        text = "".join(self.text)
        while (shorter := re.sub(r"‹[^‹›]*›", "", text)) != text:  # innermost first: messages nest
            text = shorter
        return set(text.split())


def unmarked_words(page: str) -> set[str]:
    parser = TextOutsideMarks()
    parser.feed(page)
    return parser.words()


# -- English stays as it was -------------------------------------------------------------


@pytest.mark.parametrize("accept_language", [None, "en", "fr", "en-GB,en;q=0.9,fr;q=0.8"])
def test_english_pages_are_byte_for_byte_as_before(serve: Serve, marked_chinese: None,
                                                   accept_language: str | None) -> None:
    """No header, English, or a language without a catalog: the English pages, unchanged."""
    pages = visit(serve().url, accept_language)
    assert sorted(pages) == sorted(path.stem for path in ENGLISH_PAGES.glob("*.html"))
    for name, response in pages.items():
        assert response.status_code == STATUS.get(name, 200), name
        assert masked(response.text) == (ENGLISH_PAGES / f"{name}.html").read_text(encoding="utf-8"), name
        assert response.headers["Content-Language"] == "en", name
        assert "Accept-Language" in vary(response), name


# -- Chinese, from the request's own catalog ------------------------------------------------


def test_a_chinese_browser_gets_every_message_translated(serve: Serve, marked_chinese: None) -> None:
    pages = visit(serve().url, "zh-CN,zh;q=0.9,en;q=0.8")
    for name, response in pages.items():
        assert response.status_code == STATUS.get(name, 200), name
        assert f'<html lang="{CHINESE_TAG}">' in response.text, name
        assert response.headers["Content-Language"] == CHINESE_TAG, name
        assert "Accept-Language" in vary(response), name
        assert '<nav aria-label="‹Demo pages›">' in response.text, name
        left = unmarked_words(response.text) - SEED_AND_PUNCTUATION
        if name == "cookies":  # the cookie's name and the start of its value are data, not words
            left = {word for word in left if not re.fullmatch(r"sid|[A-Za-z0-9_.-]{6}…", word)}
        assert left == set(), f"{name} shows untranslated words: {sorted(left)}"

    assert "<title>‹Log in› · ‹Session demo›</title>" in pages["login_form"].text
    assert ('<p class="notice" role="status"><span lang="zh-Hans">登入成功</span> (‹logged in›)</p>'
            in pages["home_logged_in"].text)
    assert 'hello <strong>张三</strong> welcome' in pages["home_logged_in"].text  # the seed's greeting stays
    assert '<span lang="zh-Hans">退出登入</span> (‹logged out›)' in pages["home_after_logout"].text
    assert '<span lang="zh-Hans">未登入</span> (‹not logged in›)' in pages["home_after_logout"].text
    # The 400 reasons come from pages.py, translated there and escaped here.
    assert "‹Nothing was changed. ‹The form did not carry this session&#39;s token" in pages["refused_token"].text
    assert "‹Nothing was changed. ‹A user name has 1 to 40 characters.››" in pages["refused_user"].text
    assert 'document.cookie || "‹(empty)›";' in pages["cookies"].text
    assert "‹The <code>Cookie</code> header of this POST request carried:›" in pages["cookies"].text


@pytest.mark.parametrize(("accept_language", "tag"), [
    ("zh", CHINESE_TAG), ("zh-CN", CHINESE_TAG), ("zh-cn", CHINESE_TAG), ("zh-Hans", CHINESE_TAG),
    ("zh-Hans-CN", CHINESE_TAG), ("fr, zh;q=0.5", CHINESE_TAG),
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"), ("de", "en"), ("*", "en"), (None, "en"),
    ("zh-TW", "en"),  # Traditional Chinese is another script; there is no catalog for it
])
def test_the_browsers_preference_picks_the_language(serve: Serve, marked_chinese: None,
                                                     accept_language: str | None, tag: str) -> None:
    headers = {"Accept-Language": accept_language} if accept_language is not None else {}
    with LoopbackClient() as client:
        page = client.get(serve().url + "/web/", headers=headers)
    assert page.headers["Content-Language"] == tag
    assert f'<html lang="{tag}">' in page.text
    assert ("‹Who is logged in?›" in page.text) == (tag == CHINESE_TAG)


def test_two_browsers_at_once_each_get_their_own_language(serve: Serve, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both requests are rendering at the same moment: a process-wide language would give one the other's."""
    meeting = threading.Barrier(2, timeout=5)
    use_catalogs(monkeypatch, {"zh_CN": MeetingTranslations(MarkedTranslations(), meeting),
                               "en": MeetingTranslations(gettext.NullTranslations(), meeting)})
    url = serve().url + "/web/"

    def get(accept_language: str) -> requests.Response:
        with LoopbackClient() as client:
            return client.get(url, headers={"Accept-Language": accept_language})

    with ThreadPoolExecutor(2) as pool:
        chinese, english = pool.map(get, ["zh-CN", "en"])
    assert chinese.status_code == english.status_code == 200
    assert chinese.headers["Content-Language"] == CHINESE_TAG and "‹Who is logged in?›" in chinese.text
    assert english.text == (ENGLISH_PAGES / "home_logged_out.html").read_text(encoding="utf-8")


def test_the_pages_ignore_the_process_wide_language(serve: Serve, marked_chinese: None) -> None:
    """A Chinese notebook's use_language() does not reach an English browser, nor a page the notebook's."""
    url = serve().url + "/web/"
    before = i18n.current_language()
    i18n.use_language("zh_CN")
    try:
        with LoopbackClient() as client:
            english = client.get(url, headers={"Accept-Language": "en"})
        assert english.text == (ENGLISH_PAGES / "home_logged_out.html").read_text(encoding="utf-8")
    finally:
        i18n.use_language(before)
    with LoopbackClient() as client:
        client.get(url, headers={"Accept-Language": "zh-CN"})
    assert i18n.current_language() == before


def test_only_pages_are_labelled_with_a_language(serve: Serve, marked_chinese: None) -> None:
    """The stylesheet and the redirects are the same in every language: caches may share them."""
    srv = serve()
    with LoopbackClient() as client:
        client.headers["Accept-Language"] = "zh-CN"
        css = client.get(srv.url + "/web/static/pages.css")
        redirect = client.post(srv.url + "/web/logout", allow_redirects=False)
    for response in (css, redirect):
        assert "Content-Language" not in response.headers
        assert "Accept-Language" not in vary(response)


# -- the catalog's extractor sees every message ------------------------------------------------


def package_catalog() -> Catalog:
    """Every message the package marks, as tools/translations.py extracts them (reading only)."""
    sys.path.insert(0, str(REPO_ROOT / "tools"))
    import translations  # noqa: PLC0415  (tools/ is not a package)

    return translations.package_template()


def test_the_extractor_finds_every_message_of_the_pages() -> None:
    """Babel's jinja2 extractor skips a template it cannot parse without a word: count what it found."""
    catalog = package_catalog()
    found = Counter(path for message in catalog if message.id for path, _ in message.locations)
    for template in sorted(TEMPLATES.glob("*.html")):
        calls = template.read_text(encoding="utf-8").count("_(")
        assert calls > 0 and found[f"demo_server/templates/web/{template.name}"] == calls, template.name
    ids = {message.id for message in catalog}
    assert {"logged in", "logged out", "A user name has 1 to {max_length} characters.",
            "Nothing was changed. %(reason)s", "(empty)"} <= ids
