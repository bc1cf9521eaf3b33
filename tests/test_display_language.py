"""The displays speak the current language: every label goes through gettext, and ids, headers and data never do.

A fake catalog wraps every message it is asked for in ‹…›. Under it, a real
exchange is rendered as text and HTML; once the wrapped parts and the
exchange's own values (ids, cookies, headers, bodies, data, dates) are taken
out, no English word may be left but protocol words. An untranslated label
would be left over, and a translated value would lose a part it must keep.
Values that notebooks compare (an arrow's label, a jar's ``not_sent_because``,
a walk's ``(none)``) stay English under a Chinese catalog: only their display
changes, since the Chinese notebooks run the same code as the English ones.
"""

from __future__ import annotations

import ast
import gettext
import html
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask, Response

from demo_server import i18n
from demo_server.learn.balancer import RoundRobin, print_walk, walk
from demo_server.learn.client import Exchange, NotebookClient, snapshot_jar, split_cookie_value
from demo_server.learn.display import JarView, StoreView, format_utc, sequence_for, show_step, show_store
from demo_server.learn.display.text import text_width
from demo_server.learn.matrix import COMBINATIONS, Outcome, difference_table, outcome_table
from demo_server.learn.options import express_mapping, express_mapping_table, options_table
from demo_server.learn.stored_record import describe_record
from demo_server.learn.walk import IdLabels, timeline_row, walk_table
from demo_server.runner import RunningServer
from demo_server.signing import SESSION_ID_PATTERN, SIGNED_SESSION_ID

if TYPE_CHECKING:
    from conftest import Serve

ROOT = Path(__file__).resolve().parents[1]
LEARN = ROOT / "demo_server" / "learn"
#: The modules whose every learner-visible string is marked.
MARKED_MODULES = sorted([*(LEARN / "display").glob("*.py"), *(LEARN / name for name in (
    "walk.py", "matrix.py", "options.py", "races.py", "balancer.py", "lost_update.py", "stored_record.py",
    "browser_steps.py", "cookie_syntax.py", "client.py"))])

#: Words that may stay as they are in every language: protocol, attribute and header names, methods, reasons.
PROTOCOL_WORDS = {
    "GET", "POST", "OK", "FOUND", "Found", "See", "Other", "Host", "Cookie", "Set", "Content", "Type", "Cache",
    "Control", "Location", "Expires", "Max", "Age", "HttpOnly", "Path", "SameSite", "Lax", "Secure", "Domain",
    "GMT", "UTC", "sid", "Wed", "Thu", "Dec", "Jan",
}

FORGED = "sid=" + "A" * 43 + "." + "B" * 43  # a well-formed value the server never signed


class Bracketed(gettext.NullTranslations):
    """A catalog that translates every message into itself, wrapped in ‹…›, so a test sees what went through it."""

    def gettext(self, message: str) -> str:
        return f"‹{message}›"


@pytest.fixture
def bracketed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_current", Bracketed())


@pytest.fixture
def server(serve: Serve) -> RunningServer:
    return serve(max_age=60)


@pytest.fixture
def story(server: RunningServer) -> list[Exchange]:
    """A first visit, a login, a revisit, a forged cookie, a logout: every arrow the diagram draws, nearly."""
    client = NotebookClient(server, name="tab")
    return [client.get("/"), client.get("/login"), client.get("/"), client.get("/", cookie=FORGED),
            client.get("/loginOut")]


def without_brackets(text: str) -> str:
    """``text`` with every ‹…› taken out, innermost first."""
    while True:
        shorter = re.sub(r"‹[^‹›]*›", " ", text)
        if shorter == text:
            return text
        text = shorter


def without_values(text: str, exchange: Exchange) -> str:
    """``text`` without the exchange's own values: what the display must show exactly as received."""
    values = [*exchange.set_cookies, *(value for _name, value in exchange.headers), exchange.body,
              exchange.host, exchange.path, exchange.cookie or ""]
    values += [part for cookie in exchange.jar_after for part in (cookie.name, cookie.value, cookie.path)]
    for snapshot in (exchange.store_before, exchange.store_after):
        for _id, record in snapshot.sessions if snapshot else ():
            values += [json.dumps(record.data, ensure_ascii=False, sort_keys=True), format_utc(record.expires_at)]
    for value in sorted(filter(None, values), key=len, reverse=True):
        text = text.replace(value, " ")
    return SESSION_ID_PATTERN.sub(" ", SIGNED_SESSION_ID.sub(" ", text))


def html_text(markup: str) -> str:
    """The text a reader sees in ``markup``: tags out, entities decoded (titles are checked on their own)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]+", text))


def titles(markup: str) -> list[str]:
    return [html.unescape(title) for title in re.findall(r'title="([^"]*)"', markup)]


# -- every label goes through gettext ------------------------------------------------------------------


def test_a_step_translates_every_label_and_no_value(bracketed: None, story: list[Exchange]) -> None:
    for exchange in story:
        step = show_step(exchange)
        for shown in (step.text(), html_text(step.html())):
            assert "‹" in shown
            left = words(without_values(without_brackets(shown), exchange)) - PROTOCOL_WORDS
            assert left <= {"tab"}, (exchange.method, exchange.path, left)  # the client's name is a value
        assert all(title.startswith("‹") and title.endswith("›") for title in titles(step.html()))


def test_ids_headers_and_data_are_shown_untouched(bracketed: None, story: list[Exchange]) -> None:
    login = story[1]
    session_id, _signature = split_cookie_value(login.set_session_cookie.value)
    text, markup = show_step(login).text(), show_step(login).html()
    assert f"  Set-Cookie: {login.set_cookies[0]}" in text
    assert f"  Host: {login.host}" in text and "  Content-Type: text/plain; charset=utf-8" in text
    assert f"  {session_id}\n" in text and '{"userinfo": "张三"}' in text and "GET /login" in text
    assert "‹Sequence›:" in text and "‹Cookie jar of {owner}›" not in text  # formatted after translation
    assert "‹Cookie jar of tab›" in text and "‹Session store ({kind})›" not in text
    assert "‹Session store (MemoryStore)›" in text and "‹What happened›" in markup
    assert "→ ‹request from tab›" in markup and "← ‹response from the server›" in markup
    assert session_id in markup and "Max-Age=60" in markup and "登入成功" in markup


def test_the_sequence_notes_are_translated_when_shown(bracketed: None, story: list[Exchange]) -> None:
    first, login, revisit, forged, logout = (show_step(exchange).text() for exchange in story)
    assert "‹no sid cookie›  (‹so a new, empty session›)" in first and "‹store unchanged›" in first
    assert "‹save a new session›" in login and "(‹Set-Cookie: sid, a new id›)" in login
    assert "‹jar ‹stores sid››" in login
    assert "‹look up the session id›" in revisit and '‹found›  ({"userinfo": "张三"})' in revisit
    assert "(‹no Set-Cookie›)" in revisit and "‹jar unchanged›" in revisit
    assert "‹signature does not match›" in forged and "‹jar untouched›  (‹hand-made request›)" in forged
    assert "‹delete the session›" in logout and "‹Set-Cookie: sid, deleting it›" in logout
    assert "‹jar ‹deletes sid››" in logout


@pytest.fixture
def cookies_left_out(serve: Serve) -> RunningServer:
    """A server setting a Secure cookie and a cookie for /deep only, besides the session cookie."""
    app = Flask(__name__)

    @app.get("/set")
    def set_cookies() -> Response:
        response = Response("set", mimetype="text/plain")
        response.set_cookie("only_https", "v1", secure=True)
        response.set_cookie("deep", "v2", path="/deep", max_age=60)
        return response

    return serve(app)


def test_full_jar_and_store_cards_translate_their_labels(bracketed: None, server: RunningServer,
                                                         cookies_left_out: RunningServer) -> None:
    client = NotebookClient(server, name="tab")
    login = client.get("/login")
    expired = snapshot_jar(client.jar, client.base_url, now=time.time() + 3600)
    left_out = NotebookClient(cookies_left_out, name="tab").get("/set")
    for view, exchange in ((JarView("tab", login.jar_after), login), (JarView("tab", expired), login),
                           (JarView("tab", left_out.jar_after), left_out), (StoreView(login.store_after), login),
                           (StoreView(None), login), (show_store(server), login), (JarView("tab", ()), login)):
        for shown in (view.text(), html_text(view.html())):
            assert words(without_values(without_brackets(shown), exchange)) - PROTOCOL_WORDS <= {"tab"}
        assert all(title.startswith("‹") and title.endswith("›") for title in titles(view.html()))
    assert "‹sent on the next request: ‹yes››" in JarView("tab", login.jar_after).text()
    assert "‹no, ‹expired››" in JarView("tab", expired).text()
    reasons = JarView("tab", left_out.jar_after).text()
    assert "‹no, ‹Secure, and this is http››" in reasons and "‹no, ‹only for paths under /deep››" in reasons
    assert StoreView(None).text() == "‹Session store›: ‹(not observed)›"


def test_the_tables_translate_labels_and_keep_code(bracketed: None, story: list[Exchange]) -> None:
    walk_text = walk_table(story, IdLabels(), title="T").text()
    assert walk_text.startswith("T:\n‹request›") and "Set-Cookie" in walk_text
    assert "‹(none)›" in walk_text and "sid=id 1" in walk_text and "‹sid deleted (Max-Age=0)›" in walk_text

    ours = {COMBINATIONS[0]: Outcome(False, "-", True, False, "-")}

    def theirs(*combination: object) -> Outcome:
        return Outcome(False, "-", False, False, "touch")

    outcomes = outcome_table(ours, title="M").text()
    assert "save_uninitialized" in outcomes and "‹1st visit: cookie›" in outcomes and "‹yes›" in outcomes
    differing = difference_table(ours, theirs, label="them", title="M").text()
    assert "‹where them differs›" in differing
    assert "‹{column}: ours {ours}, {label} {theirs}›" not in differing
    assert "‹‹login: cookie›: ours ‹yes›, them -›" in differing

    options = options_table().text()
    assert "‹field›" in options and "SessionOptions:" in options
    mapping = express_mapping_table().text()
    assert "‹express-session options and their counterparts›:" in mapping
    assert "create_app(secret=NEW, secret_fallbacks=[OLD])" in mapping and "‹not sent›" in mapping
    names = {row[2].split()[0] for row in express_mapping()}  # what notebook 05 checks, in any language
    assert {"max_age", "idle_timeout", "cookie_name"} <= names


def test_the_printed_lines_translate_their_labels(bracketed: None, serve: Serve,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    balancer = RoundRobin({"a": serve(), "b": serve()}, client_name="tab")
    walk(balancer, visits=1)
    print_walk(balancer)
    printed = capsys.readouterr().out
    assert printed.startswith(" #  ‹server›  ‹request›  ‹cookie sent›  Set-Cookie  ‹answer›\n")
    assert printed.endswith("\n‹greeted in 0 of 1 visits›\n")
    assert balancer.log[0][1].client_name == "‹tab, via a›"
    assert "‹sends sid›" in timeline_row("0 s", balancer.log[1][1])
    record = json.dumps({"data": {"userinfo": "张三"}, "version": 7})
    assert describe_record(record) == ('  data        {"userinfo": "张三"}\n'
                                       "  version     ‹a random number, new with every write of the data›")


def test_messages_raised_at_a_learner_are_translated(bracketed: None, server: RunningServer) -> None:
    client = NotebookClient(server)
    assert client.name == "‹browser›"  # the default name, chosen when the client is made
    with pytest.raises(TypeError, match="^‹cookies= merges with the jar"):
        client.get("/", cookies={"sid": "x"})
    with pytest.raises(ValueError, match="^‹not a signed value"):
        split_cookie_value("no-dot")
    with pytest.raises(ValueError, match="^‹a balancer needs at least one server›$"):
        RoundRobin({})


def test_english_is_unchanged_without_a_catalog(story: list[Exchange]) -> None:
    text = show_step(story[2]).text()
    assert "‹" not in text and "look up the session id" in text and "Sequence:" in text


# -- a Chinese catalog: the display changes, the values code compares do not ---------------------------

CHINESE = {
    "What happened": "发生了什么", "look up the session id": "查找会话 ID", "found": "找到",
    "server": "服务器", "store": "存储", "Sequence": "时序", "expired": "已过期", "no, {reason}": "否，{reason}",
    "(none)": "（无）", "Cookie jar of {owner}": "{owner} 的 Cookie 罐",
}


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_current", i18n.CatalogTranslations(CHINESE))


def test_values_code_compares_stay_english_while_the_display_speaks_chinese(chinese: None, server: RunningServer,
                                                                            story: list[Exchange]) -> None:
    revisit = story[2]
    assert [arrow.label for arrow in sequence_for(revisit)][1:3] == ["look up the session id", "found"]
    step = show_step(revisit)
    assert "查找会话 ID" in step.text() and "找到" in step.text() and "发生了什么" in step.html()
    assert "look up the session id" not in step.text() + step.html()

    client = NotebookClient(server, name="tab")
    client.get("/login")
    cookie, = snapshot_jar(client.jar, client.base_url, now=time.time() + 3600)
    assert cookie.not_sent_because == "expired"
    assert "否，已过期" in JarView("tab", (cookie,)).text() and "tab 的 Cookie 罐" in JarView("tab", (cookie,)).html()

    labels = IdLabels()
    assert labels.cookie_sent(story[0]) == "(none)"
    assert "（无）" in walk_table(story, labels, title="T").text()


def test_the_transcript_aligns_chinese_lifelines(chinese: None, story: list[Exchange]) -> None:
    """服务器 takes two columns a character: every label of the sequence still starts in one column."""
    lines = show_step(story[2]).text().split("时序:\n")[1].split("\n\n")[0].split("\n")

    def label_column(line: str) -> int:
        arrow = re.fullmatch(r"(  \S+\s* → \S+\s+)\S.*", line) or re.fullmatch(r"(  \S+\s+)\S.*", line)
        assert arrow, line
        return text_width(arrow.group(1))

    assert len({label_column(line) for line in lines}) == 1, lines


# -- the code: marked the way the extractor and the translators need ---------------------------------


def _calls(name: str) -> Iterator[tuple[Path, ast.Call]]:
    for path in MARKED_MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
                yield path, node


def test_no_message_is_built_inside_the_marker() -> None:
    """``_("… {name}").format(name=…)``, never an f-string or a concatenation: translators must see the whole."""
    built = [f"{path.name}:{call.lineno}" for marker in ("_", "N_") for path, call in _calls(marker)
             if len(call.args) != 1 or isinstance(call.args[0], ast.JoinedStr | ast.BinOp)]
    assert built == []
    unmarked_constants = [f"{path.name}:{call.lineno}" for path, call in _calls("N_")
                          if not isinstance(call.args[0], ast.Constant)]
    assert unmarked_constants == []


def test_nothing_is_translated_at_import_time() -> None:
    """The language is chosen after import: a ``_()`` outside a function would freeze English."""
    frozen = []
    for path in MARKED_MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for statement in tree.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            frozen += [f"{path.name}:{node.lineno}" for node in ast.walk(statement)
                       if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_"]
    assert frozen == []


@pytest.fixture
def translations(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201 - the tools/translations.py module
    monkeypatch.syspath_prepend(str(ROOT / "tools"))
    import translations as module  # read-only here: package_template() writes nothing

    yield module
    sys.modules.pop("translations", None)


def test_babel_extracts_the_labels(translations) -> None:  # noqa: ANN001
    ids = {message.id for message in translations.package_template()}
    assert {"What happened", "Cookie jar of {owner}", "Session store ({kind})", "request from {client}",
            "response from the server", "(no Cookie header)", "(empty body)", "no, {reason}",
            "sent on the next request: {answer}", "cookie name", "when the browser closes", "(same)",
            "greeted in {greeted} of {visits} visits", "{client}, via {server}", "not a session store: {type}",
            "cookies= merges with the jar, so the server would see both cookies and use the first; pass "
            "cookie='name=value' to send exactly that Cookie header"} <= ids


def test_babel_extracts_the_values_marked_n_(translations) -> None:  # noqa: ANN001
    """English kept as a value is marked ``N_``: tools/translations.py must extract that keyword too."""
    from babel.messages.extract import extract_from_dir

    found = {message for _file, _line, message, _comments, _context in extract_from_dir(
        translations.PACKAGE, method_map=[("**.py", "python")], keywords={"N_": None})}
    assert {"look up the session id", "found", "not found", "save a new session", "jar {changes}",
            "stores {name}", "Set-Cookie: {name}, a new id", "expired", "Secure, and this is http",
            "only for paths under {path}", "(none)", "{name} deleted (Max-Age={max_age})", "1st visit: cookie",
            "JavaScript cannot read this cookie (document.cookie)",
            "a random number, new with every write of the data"} <= found
