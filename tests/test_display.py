"""The displays show real values, survive JupyterLab's sanitizer, and are deterministic under sanitize.cfg."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from demo_server import create_cookie_session_app
from demo_server.learn.client import NotebookClient, snapshot_jar, split_cookie_value
from demo_server.learn.display import (
    BODY_PREVIEW_LINES,
    JarView,
    format_exchange,
    sequence_for,
    show_exchange,
    show_jar,
    show_step,
    show_store,
)
from demo_server.runner import RunningServer, start_server
from demo_server.stores import MemoryStore

if TYPE_CHECKING:
    from conftest import Serve

SANITIZE_FILE = Path(__file__).resolve().parents[1] / "notebooks" / "sanitize.cfg"


@pytest.fixture
def server(serve: Serve) -> RunningServer:
    """The demo app with a 60 s cookie, in a thread."""
    return serve(max_age=60)


# -- the sanitize file, read exactly as nbval reads it ------------------------------------


def sanitize_pairs() -> list[tuple[str, str]]:
    """The (regex, replace) pairs nbval finds in notebooks/sanitize.cfg, with its own parser."""
    plugin = pytest.importorskip("nbval.plugin")
    return list(plugin.get_sanitize_patterns(SANITIZE_FILE.read_text(encoding="utf-8")))


def sanitize(text: str) -> str:
    """What nbval does to every output string before comparing: re.sub with each pair, in file order."""
    for regex, replace in dict(sanitize_pairs()).items():  # nbval keeps them in an (ordered) dict
        text = re.sub(regex, replace, text)
    return text


def test_every_regex_line_of_the_sanitize_file_makes_a_pair() -> None:
    raw = SANITIZE_FILE.read_bytes()
    lines = raw.decode("ascii").split("\n")
    regex_lines = [line for line in lines if line.startswith("regex:")]
    patterns = sanitize_pairs()

    assert b"\r" not in raw and raw.endswith(b"\n")
    assert not [line for line in lines if line != line.rstrip()], "trailing spaces become part of a pattern"
    assert len(patterns) == len(regex_lines), "a regex: line without its replace: line is silently ignored"
    assert len({regex for regex, _ in patterns}) == len(patterns), "nbval keeps only the last of repeated regexes"
    for regex, _ in patterns:
        re.compile(regex)


def test_the_sanitizer_masks_ids_signatures_dates_and_ports() -> None:
    session_id, signature = "Ab3_-" + "x" * 38, "Zz9-_" + "y" * 38
    text = (f"Cookie: sid={session_id}.{signature}\n"
            f"<span>{session_id}</span>.<span title=\"sig\">{signature}</span>\n"
            f"{session_id}\n"
            "Set-Cookie: sid=x; Expires=Fri, 27 Nov 2026 09:34:03 GMT; Max-Age=60\n"
            "expires 2026-11-27 09:34:03 UTC; \"expires\":\"2026-11-27T09:34:03+00:00\"\n"
            "http://127.0.0.1:41234/login\n"
            "session=eyJ1c2VyaW5mbyI6IuW8oOS4iSJ9.awlQxg.2masM8ADA5RxyLWg0z7v4viWuOI\n"
            "Cookie(expires=1795772314) SessionRecord(expires_at=1795772614.067192, created_at=1795772554.0)\n"
            "<ServerSession E5laX7-r… {}> <object at 0x7f3a2c1d5e50>")
    assert sanitize(text) == (
        "Cookie: sid=SESSION_ID.SIGNATURE\n"
        "<span>SESSION_ID</span>.<span title=\"sig\">SIGNATURE</span>\n"
        "SESSION_ID\n"
        "Set-Cookie: sid=x; Expires=HTTP-DATE; Max-Age=60\n"
        "expires DATETIME UTC; \"expires\":\"DATETIME\"\n"
        "http://127.0.0.1:PORT/login\n"
        "session=eyJ1c2VyaW5mbyI6IuW8oOS4iSJ9.TIMESTAMP.SIGNATURE\n"
        "Cookie(expires=EPOCH) SessionRecord(expires_at=EPOCH, created_at=EPOCH)\n"
        "<ServerSession SESSION_ID… {}> <object at 0xADDRESS>")


def test_the_sanitizer_leaves_ordinary_text_alone() -> None:
    text = ("a_very_long_snake_case_identifier_of_fortyfour\n"  # 46 characters: not an id
            "x" * 42 + " " + "y" * 44 + "\n"
            + "z" * 86 + "\n"  # 86 in one run is not id.signature
            "Set-Cookie: sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0\n"
            "1970-01-01 00:00:00 UTC, 127.0.0.2:8080, hello 张三 welcome, 登入成功, 未登入, 退出登入\n"
            "Max-Age=60; expires=60")
    assert sanitize(text) == text


# -- real exchanges -----------------------------------------------------------------------


def test_the_text_form_is_a_transcript_with_the_real_values(server: RunningServer) -> None:
    client = NotebookClient(server, name="browser A")
    login = client.get("/login")
    home = client.get("/")
    text = format_exchange(home)

    assert repr(login) == format_exchange(login) == show_exchange(login).text()
    request_and_status = f"→ GET /login  (browser A)\n  Host: 127.0.0.1:{server.port}\n  (no Cookie header)\n← 200 OK\n"
    assert request_and_status in repr(login)
    assert f"  Set-Cookie: {login.set_cookies[0]}\n" in repr(login)
    assert repr(login).endswith("  Cache-Control: no-store\n\n  登入成功")
    assert f"  Cookie: sid={client.jar['sid']}\n" in text
    assert "hello 张三 welcome" in text


def test_the_html_card_marks_id_and_signature_and_explains_each_attribute(server: RunningServer) -> None:
    client = NotebookClient(server, name="browser A")
    login = client.get("/login")
    session_id, signature = split_cookie_value(client.jar["sid"])
    html = login._repr_html_()

    assert re.search(rf'<span style="[^"]*" title="session id: 256 random bits[^"]*">{session_id}</span>\.', html)
    assert re.search(rf'\.<span style="[^"]*" title="HMAC-SHA256 signature[^"]*">{signature}</span>', html)
    assert 'title="JavaScript cannot read this cookie (document.cookie)">HttpOnly</span>' in html
    for attribute in ("Max-Age=60", "Path=/", "SameSite=Lax"):
        assert re.search(rf'title="[^"]+">{re.escape(attribute)}</span>', html), attribute
    expires = login.set_cookie_headers[0].attribute("Expires")
    assert re.search(rf'title="When the browser deletes this cookie[^"]*">Expires={expires}</span>', html)
    assert f"127.0.0.1:{server.port}" in html and "登入成功" in html


def test_a_deletion_is_explained_as_one(server: RunningServer) -> None:
    client = NotebookClient(server)
    client.get("/login")
    html = client.get("/logout")._repr_html_()

    assert 'title="A date long past: the browser deletes this cookie now">Expires=Thu, 01 Jan 1970 00:00:00 GMT' in html
    assert 'title="0 seconds: the browser deletes this cookie now">Max-Age=0</span>' in html


def test_the_flask_cookie_session_shows_its_readable_data(serve: Serve) -> None:
    step = show_step(NotebookClient(serve(create_cookie_session_app()), name="browser C").get("/login"))
    html = step.html()

    assert 'base64 JSON that anyone can decode: {&quot;userinfo&quot;:&quot;张三&quot;}' in html
    assert step.actors == ["browser", "server"]
    assert "Session store" not in step.text()


def test_the_jar_panel_says_what_the_next_request_sends(server: RunningServer) -> None:
    client = NotebookClient(server, name="browser A")
    assert show_jar(client).text() == "Cookie jar of browser A: (empty)"
    assert "(empty)" in show_jar(client).html()

    client.get("/login")
    now = show_jar(client)
    later = JarView("browser A", snapshot_jar(client.jar, client.base_url, now=time.time() + 61))

    assert f"  sid={client.jar['sid']}\n" in now.text()
    assert "domain 127.0.0.1, path /, expires " in now.text() and ", HttpOnly, SameSite=Lax" in now.text()
    assert now.text().endswith("sent on the next request: yes")
    assert later.text().endswith("sent on the next request: no, expired")
    assert "no, expired" in later.html()


def test_the_store_panel_lists_sessions_in_creation_order(server: RunningServer) -> None:
    assert show_store(server).text() == "Session store (MemoryStore): (empty)"
    assert "(empty)" in show_store(MemoryStore()).html()

    for name, user in [("A", "张三"), ("B", "李四"), ("C", "王五")]:
        NotebookClient(server, name=name).get("/login", params={"user": user})
    text = show_store(server.store).text()

    assert text.index('"张三"') < text.index('"李四"') < text.index('"王五"')
    assert '    data     {"userinfo": "张三"}\n    expires  ' in text
    assert re.search(r"expires  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", text)


def test_the_sequence_says_what_happened_at_each_step(server: RunningServer) -> None:
    client = NotebookClient(server, name="browser A")

    def story(path: str, **kwargs: str) -> list[str]:
        return [f"{a.sender}>{a.receiver}: {a.label}" for a in sequence_for(client.get(path, **kwargs))]

    assert story("/login") == ["browser>server: GET /login", "server>server: no sid cookie",
                               "server>store: save a new session", "server>browser: 200 OK",
                               "browser>browser: jar stores sid"]
    assert story("/") == ["browser>server: GET /", "server>store: look up the session id", "store>server: found",
                          "server>server: store unchanged", "server>browser: 200 OK", "browser>browser: jar unchanged"]
    old_cookie = f"sid={client.jar['sid']}"
    session_id, signature = split_cookie_value(client.jar["sid"])
    forged = ("A" if session_id[0] != "A" else "B") + session_id[1:]
    assert story("/", cookie=f"sid={forged}.{signature}")[1] == "server>server: signature does not match"
    logout = sequence_for(client.get("/logout"))
    assert [a.label for a in logout][3] == "delete the session"
    assert logout[4].detail == "Set-Cookie: sid, deleting it"
    assert logout[5].label == "jar deletes sid"
    replay = story("/", cookie=old_cookie)
    assert replay[1:3] == ["server>store: look up the session id", "store>server: not found"]
    assert replay[-1] == "browser>browser: jar untouched"


def test_a_long_body_is_cut_in_both_forms(server: RunningServer) -> None:
    exchange = NotebookClient(server).get("/")
    long = type(exchange)(**{**exchange.__dict__, "body": "\n".join(f"line {i}" for i in range(40))})
    note = f"… ({40 - BODY_PREVIEW_LINES} more lines)"
    assert note in show_exchange(long).text() and note in show_exchange(long).html()


# -- determinism: two runs are identical once sanitized --------------------------------------


def _one_run() -> list[str]:
    """Every display of a typical notebook, in both forms, from a fresh server."""
    running = start_server(name="test_display_run", max_age=60)
    cookie_app = start_server(create_cookie_session_app(), name="test_display_run_cookie")
    try:
        a = NotebookClient(running, name="browser A")
        b = NotebookClient(running, name="browser B")
        c = NotebookClient(cookie_app, name="browser C")
        shown = [a.get("/"), show_step(a.get("/login")), show_step(a.get("/")), show_jar(a), show_store(running)]
        session_id, signature = split_cookie_value(a.jar["sid"])
        forged = ("A" if session_id[0] != "A" else "B") + session_id[1:]
        shown += [show_step(a.get("/", cookie=f"sid={forged}.{signature}")),
                  show_step(b.get("/login", params={"user": "李四"})), show_store(running),
                  show_step(a.get("/logout")), show_step(c.get("/login")), show_step(c.get("/"))]
        outputs = []
        for display in shown:
            outputs += [repr(display), display._repr_html_()]
        return outputs
    finally:
        running.stop()
        cookie_app.stop()


def test_two_runs_are_identical_after_sanitizing() -> None:
    first, second = _one_run(), _one_run()

    assert first != second, "the raw outputs differ (ids, dates, ports), or this test proves nothing"
    for raw_first, raw_second in zip(first, second, strict=True):
        assert sanitize(raw_first) == sanitize(raw_second)


# -- the HTML survives JupyterLab's sanitizer for untrusted notebooks ----------------------------

#: What JupyterLab 4.6 keeps in an untrusted output, for the tags and attributes we use.
ALLOWED_TAGS = {"div", "span", "table", "thead", "tbody", "tr", "th", "td", "br", "b", "code"}
ALLOWED_ATTRIBUTES = {"style", "title", "colspan", "class"}  # class: "session-…", for the JupyterLab test
#: CSS properties JupyterLab accepts (a subset of its list); values must be literal.
ALLOWED_CSS = {
    "background-color", "border", "border-bottom", "border-collapse", "border-left", "border-radius",
    "border-right", "border-spacing", "border-top", "box-sizing", "color", "cursor", "display",
    "font-family", "font-size", "font-weight", "height", "left", "line-height", "margin", "margin-bottom",
    "margin-top", "max-width", "min-width", "opacity", "overflow-wrap", "padding", "padding-bottom",
    "padding-left", "padding-right", "padding-top", "position", "right", "table-layout", "text-align", "top",
    "vertical-align", "white-space", "width", "word-break",
}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.declarations: list[tuple[str, str]] = []
        self.titles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name == "style" and value:
                for declaration in filter(None, (d.strip() for d in value.split(";"))):
                    prop, _, val = declaration.partition(":")
                    self.declarations.append((prop.strip(), val.strip()))
            if name == "title" and value:
                self.titles.append(value)


def test_the_html_uses_only_what_an_untrusted_notebook_keeps() -> None:
    html = "".join(_one_run()[1::2])
    collector = _Collector()
    collector.feed(html)

    for forbidden in ("<script", " id=", " name=", "<style", "<svg", "var(", "gradient", "url(", "calc("):
        assert forbidden not in html, forbidden
    assert not re.search(r"<[^>]*\s(id|name)=", html)
    assert collector.tags <= ALLOWED_TAGS, collector.tags - ALLOWED_TAGS
    assert collector.attributes <= ALLOWED_ATTRIBUTES, collector.attributes - ALLOWED_ATTRIBUTES
    assert {prop for prop, _ in collector.declarations} <= ALLOWED_CSS
    for prop, value in collector.declarations:
        assert set(re.findall(r"([a-z-]+)\(", value)) <= {"rgba"}, f"{prop}:{value}"
        for alpha in re.findall(r"rgba\(\d{1,3},\d{1,3},\d{1,3},([^)]*)\)", value):
            assert re.fullmatch(r"0\.\d+", alpha), f"JupyterLab wants alpha as 0.x: {prop}:{value}"
    assert all("\n" not in title for title in collector.titles), "tooltips are one line"


def test_a_table_lines_up_columns_with_wide_characters_and_escapes_html() -> None:
    """张三 takes two terminal columns; the text table must count it so the columns line up."""
    from demo_server.learn.display import show_table

    table = show_table(["user", "greeting"], [["张三", "hello 张三 welcome"], ["bob", "<b>hi</b>"]], title="Users")
    lines = table.text().splitlines()
    assert lines[0] == "Users:"
    greeting_column = [line.index("hello") if "hello" in line else line.index("<b>") for line in lines[3:]]
    # "张三" is 2 characters wide on screen but 2 code points; "bob" is 3 of each.
    assert greeting_column == [len("user  ") - 2, len("user  ")]
    assert "<b>hi</b>" not in table.html() and "&lt;b&gt;hi&lt;/b&gt;" in table.html()
    with pytest.raises(ValueError, match="one cell per header"):
        show_table(["a", "b"], [["only one"]])
