"""The checks of OWASP's session checklist: each one real requests against one session implementation.

A check takes a :class:`Target`, the servers of one session implementation, and
returns a :class:`Verdict`: ✓, ✗, or — where the requirement does not apply to
that design, with one line of evidence and the exchanges that showed it.
:mod:`demo_server.learn.checklist` puts them in order, with what each requirement
blocks, and renders the results as a table; notebook 07 imports everything from there.

Each check makes its own clients, with empty cookie jars, so no check depends
on another. The two timeout checks are the exception by design: they read one
run of :func:`run_timeline`, which waits two real seconds and so runs only once
per target.

The evidence is written in the current language (:func:`demo_server.i18n.use_language`);
what the server said (bodies, status codes, header and attribute names) stays as it was said.
"""

from __future__ import annotations

import base64
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, session

from ..app import create_cookie_session_app
from ..i18n import _
from ..runner import RunningServer, start_server
from ..seed import DEFAULT_USER, GREETING, LOGGED_OUT
from ..signing import SESSION_ID_PATTERN
from ..stores import SQLiteStore
from .client import Exchange, NotebookClient, SetCookie, split_cookie_value, wait
from .display.text import text_width
from .races import logout_during_slow_request

#: What a TLS-terminating proxy adds to each request it forwards: this one came over HTTPS.
HTTPS = {"X-Forwarded-Proto": "https"}

#: Default session cookie names of well-known frameworks: each one names its framework.
FRAMEWORK_COOKIE_NAMES = {
    "connect.sid": "Express (express-session)", "PHPSESSID": "PHP", "JSESSIONID": "Java servlets",
    "ASP.NET_SessionId": "ASP.NET", "CFID": "ColdFusion", "CFTOKEN": "ColdFusion",
    "sessionid": "Django", "laravel_session": "Laravel", "session": "Flask",
}

#: A verdict's mark: passed, failed, does not apply.
MARKS = {True: "✓", False: "✗", None: "—"}


# -- what a check runs against, and what it returns ----------------------------------------------


@dataclass
class Target:
    """One session implementation, as the four servers the checklist needs."""

    #: The column heading in :class:`~demo_server.learn.checklist.ChecklistTable`.
    label: str
    #: Default settings.
    server: RunningServer
    #: Configured for HTTPS behind a trusted proxy: a ``Secure`` cookie named ``__Host-…``.
    production: RunningServer
    #: Idle timeout 1 s, no absolute limit.
    idle: RunningServer
    #: Idle timeout 1 s, absolute timeout 2 s, the cookie re-sent on every response.
    capped: RunningServer
    #: The visits of :func:`run_timeline`, filled by its first run; the timeout checks read them.
    timeline: list[Visit] = field(default_factory=list)


@dataclass
class Verdict:
    """What one check found, with the requests that showed it, so a notebook can show them too."""

    #: ``None`` where the requirement does not apply to this design.
    passed: bool | None
    #: One line: what the requests showed.
    evidence: str
    #: The exchanges the check made, by their role in it ("login", "replay", …).
    exchanges: dict[str, Exchange] = field(default_factory=dict)
    #: Lines the server logged, where they are part of the evidence.
    server_log: list[str] = field(default_factory=list)

    @property
    def mark(self) -> str:
        """✓, ✗ or —."""
        return MARKS[self.passed]

    def __str__(self) -> str:
        return f"{self.mark}  {self.evidence}"


#: A check: requests against one target, and what they showed.
Check = Callable[[Target], Verdict]


def session_cookie(exchange: Exchange) -> SetCookie:
    """The session cookie an exchange set; a check that expects one fails loudly without it."""
    cookie = exchange.set_session_cookie
    if cookie is None:
        raise ValueError(_("{request} set no session cookie").format(request=f"{exchange.method} {exchange.path}"))
    return cookie


def cookie_pair(exchange: Exchange) -> str:
    """The session cookie an exchange set, as a Cookie header would carry it: ``name=value``."""
    cookie = session_cookie(exchange)
    return f"{cookie.name}={cookie.value}"


def has_store(target: Target) -> bool:
    """Whether the server keeps sessions (ours), or the cookie carries them (Flask's built-in)."""
    return target.server.store is not None


def cookie_session_app(*, proxy: bool = False, permanent: bool = False, **config: Any) -> Flask:
    """The demo routes on Flask's built-in cookie session, with Flask config changed (``SESSION_COOKIE_NAME=…``).

    ``permanent=True`` installs :func:`make_session_permanent`, which turns
    ``PERMANENT_SESSION_LIFETIME`` into an idle timeout: Flask's closest to the two timeouts.
    """
    app = create_cookie_session_app(proxy=proxy)
    app.config.update(config)
    if permanent:
        app.before_request(make_session_permanent)
    return app


def make_session_permanent() -> None:
    """A ``before_request`` hook: Flask re-signs a permanent session, with a fresh timestamp, on every response."""
    session.permanent = True


def padded(text: str, width: int, align: str = "<") -> str:
    """``text`` padded with spaces to ``width`` columns, like ``f"{text:<width}"``, a CJK character taking two."""
    fill = " " * max(0, width - text_width(text))
    return fill + text if align == ">" else text + fill


# -- 2 · the id ----------------------------------------------------------------------------------


def check_id_entropy(target: Target, logins: int = 20) -> Verdict:
    """Log in from many fresh browsers: each id must carry at least 128 random bits, and none may repeat."""
    # Translators: the name of one of the clients, shown in its exchanges: "browser 1", "browser 2", …
    names = {i: _("browser {number}").format(number=i) for i in range(1, logins + 1)}
    exchanges = {f"login {i}": NotebookClient(target.server, name=name).get("/login") for i, name in names.items()}
    values = [session_cookie(exchange).value for exchange in exchanges.values()]
    if not has_store(target):  # the cookie holds the data itself: there is no id to measure
        data_parts = {value.split(".")[0] for value in values}
        if len(data_parts) == 1:
            # Translators: Flask's cookie session; {user} is the user name every login used.
            evidence = _("no session id: {logins} logins as {user} carry {count} distinct data part")
        else:
            evidence = _("no session id: {logins} logins as {user} carry {count} distinct data parts")
        return Verdict(None, evidence.format(logins=logins, user=DEFAULT_USER, count=len(data_parts)), exchanges)
    ids = [split_cookie_value(value)[0] for value in values]
    bits = min(len(base64.urlsafe_b64decode(i + "=")) * 8 for i in ids)
    well_formed = all(SESSION_ID_PATTERN.fullmatch(i) for i in ids)
    passed = well_formed and bits >= 128 and len(set(ids)) == logins
    evidence = _("{logins} logins, {distinct} distinct ids of {bits} random bits")
    return Verdict(passed, evidence.format(logins=logins, distinct=len(set(ids)), bits=bits), exchanges)


def check_generic_name(target: Target) -> Verdict:
    """The session cookie's name must not be a framework's well-known default."""
    login = NotebookClient(target.server).get("/login")
    name = session_cookie(login).name
    framework = FRAMEWORK_COOKIE_NAMES.get(name)
    if framework:
        # Translators: {name} is the cookie's name in quotes, {framework} a framework such as Flask or PHP.
        evidence = _("cookie name {name}, the default of {framework}").format(name=repr(name), framework=framework)
    else:
        evidence = _("cookie name {name}, generic").format(name=repr(name))
    return Verdict(framework is None, evidence, {"login": login})


# -- 3 · where ids come from ---------------------------------------------------------------------


def check_cookie_only(target: Target) -> Verdict:
    """An id offered in the query string must be ignored; the same value as a cookie must work."""
    login = NotebookClient(target.server).get("/login")
    cookie = session_cookie(login)
    # Translators: a client's name, shown in its exchanges; so are "plain http", "attacker", "saved copy" …
    other_browser = NotebookClient(target.server, name=_("other browser"))
    in_url = other_browser.get("/", params={cookie.name: cookie.value})
    as_cookie = other_browser.get("/", cookie=cookie_pair(login))
    passed = in_url.cookie is None and in_url.body == LOGGED_OUT and as_cookie.body == GREETING
    # Translators: {query} is the query parameter, such as ?sid=; {in_url} and {as_cookie} are the server's answers.
    evidence = _("{query} in the URL: {in_url}; the same value as a cookie: {as_cookie}").format(
        query=f"?{cookie.name}=", in_url=in_url.body, as_cookie=as_cookie.body)
    return Verdict(passed, evidence, {"in the URL": in_url, "as a cookie": as_cookie})


def check_strict(target: Target) -> Verdict:
    """A validly signed id that the store does not hold must not be adopted."""
    if not has_store(target):
        return Verdict(None, _("no ids to adopt: whatever the signature covers is the session"))
    app = target.server.app
    interface: Any = app.session_interface
    unknown_id = interface.new_session_id()
    signed = interface.sign_session_id(app, unknown_id)  # signed with the server's own secret
    exchange = NotebookClient(target.server).get("/count", cookie=f"{interface.options.cookie_name}={signed}")
    issued_id = split_cookie_value(session_cookie(exchange).value)[0]
    stored = exchange.store_after.ids if exchange.store_after else ()
    passed = issued_id != unknown_id and unknown_id not in stored and issued_id in stored
    evidence = _("unknown id refused, a new one issued") if passed else _("the unknown id was adopted")
    return Verdict(passed, evidence, {"unknown id": exchange})


# -- 4, 5 · what the cookie's attributes ask of the browser --------------------------------------


def check_httponly(target: Target) -> Verdict:
    """The session cookie must be HttpOnly."""
    login = NotebookClient(target.server).get("/login")
    present = session_cookie(login).attribute("HttpOnly") is not None
    # Translators: {attribute} is a cookie attribute, such as HttpOnly.
    evidence = _("{attribute} set") if present else _("no {attribute}")
    return Verdict(present, evidence.format(attribute="HttpOnly"), {"login": login})


def check_samesite(target: Target) -> Verdict:
    """The session cookie must carry SameSite=Lax or Strict."""
    login = NotebookClient(target.server).get("/login")
    value = session_cookie(login).attribute("SameSite")
    evidence = f"SameSite={value}" if value else _("no {attribute}").format(attribute="SameSite")
    return Verdict(value in ("Lax", "Strict"), evidence, {"login": login})


def check_secure(target: Target) -> Verdict:
    """Configured for production, the cookie is Secure, and no client sends it over plain http."""
    plain = NotebookClient(target.production, name=_("plain http")).get("/login")
    browser = NotebookClient(target.production)
    login = browser.get("/login", headers=HTTPS)
    again = browser.get("/")
    secure = session_cookie(login).attribute("Secure") is not None
    passed = secure and again.cookie is None and again.body == LOGGED_OUT
    if passed and plain.set_session_cookie is None:
        # Translators: {header} is Set-Cookie, {attribute} is Secure.
        evidence = _("no {header} over plain http; {attribute} over https, then kept but not sent over plain http")
    elif passed:
        evidence = _("{attribute} over https, then kept but not sent over plain http")
    elif not secure:
        evidence = _("no {attribute} attribute")
    else:
        evidence = _("the cookie went out over plain http")
    return Verdict(passed, evidence.format(header="Set-Cookie", attribute="Secure"),
                   {"plain http": plain, "login": login, "again": again})


def host_prefix_rules(login: Exchange) -> dict[str, bool]:
    """The rules a browser applies to a cookie named ``__Host-…``, each with whether this one keeps it."""
    cookie = session_cookie(login)
    return {
        # Translators: {prefix} is __Host-, the cookie name prefix.
        _("name starts with {prefix}").format(prefix="__Host-"): cookie.name.startswith("__Host-"),
        "Secure": cookie.attribute("Secure") is not None,
        "Path=/": cookie.attribute("Path") == "/",
        _("no {attribute}").format(attribute="Domain"): cookie.attribute("Domain") is None,
    }


def check_host_prefix(target: Target) -> Verdict:
    """Configured for production, the cookie must use the __Host- prefix and keep its rules."""
    login = NotebookClient(target.production).get("/login", headers=HTTPS)
    broken = [rule for rule, kept in host_prefix_rules(login).items() if not kept]
    if broken:
        # Translators: {rules} lists the broken rules, separated by commas.
        evidence = _("breaks: {rules}").format(rules=", ".join(broken))
    else:
        evidence = _("all four {prefix} rules kept").format(prefix="__Host-")
    return Verdict(not broken, evidence, {"login": login})


# -- 6 · login ------------------------------------------------------------------------------------


def check_new_id_at_login(target: Target) -> Verdict:
    """A cookie held before login must not be logged in afterwards."""
    browser = NotebookClient(target.server)
    before = browser.get("/count")  # an anonymous session, before login
    planted = cookie_pair(before)   # the attacker's copy
    login = browser.get("/login")
    replay = NotebookClient(target.server, name=_("attacker")).get("/", cookie=planted)
    changed = login.set_session_cookie is not None and login.set_session_cookie.value != session_cookie(before).value
    passed = changed and replay.body == LOGGED_OUT
    # Translators: {answer} is the server's answer to the copy, such as 未登入.
    evidence = _("the cookie changed at login; the copy from before answers {answer}").format(answer=replay.body)
    return Verdict(passed, evidence, {"before": before, "login": login, "replay": replay})


# -- 7 · the timeouts, read from one timeline -----------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """One request of the timeline: when, from which browser, and what came back."""

    #: Seconds after the logins (the waits so far).
    after: float
    browser: str
    exchange: Exchange


def timeline_roles() -> dict[str, str]:
    """The timeline's three browsers, and what each one does (in the current language)."""
    return {"A": _("silent, idle server"), "C": _("active, idle server"), "B": _("active, capped server")}


def run_timeline(target: Target) -> list[Visit]:
    """A silent and C active on the idle server, B active on the capped server, for 2 s (run once per target).

    Each browser sends by hand exactly the cookie it was last given, ignoring any
    expiry, as a stolen copy would: whatever ends a session here is the server's doing.
    """
    if target.timeline:
        return target.timeline
    clients = {"A": NotebookClient(target.idle, name="A"), "C": NotebookClient(target.idle, name="C"),
               "B": NotebookClient(target.capped, name="B")}
    cookies = {name: cookie_pair(client.get("/login")) for name, client in clients.items()}

    def visit(name: str, after: float) -> None:
        exchange = clients[name].get("/", cookie=cookies[name])
        renewed = exchange.set_session_cookie
        if renewed is not None and not renewed.deletes_cookie:
            cookies[name] = f"{renewed.name}={renewed.value}"  # keep the newest cookie, as a browser would
        target.timeline.append(Visit(after, name, exchange))

    # Each visit is due at a fixed time after the logins, so that slow answers on a busy machine do
    # not add up: the margins (0.5 s either side of each timeout) hold unless one answer takes longer.
    start = time.monotonic()
    for step in range(1, 5):
        wait(max(0.0, start + step * 0.5 - time.monotonic()))
        visit("C", step * 0.5)
        visit("B", step * 0.5)
    visit("A", 2.0)
    return target.timeline


def timeline_exchanges(target: Target, browser: str) -> list[Exchange]:
    """The exchanges of one browser of the timeline, in order."""
    return [visit.exchange for visit in run_timeline(target) if visit.browser == browser]


def answers(target: Target, browser: str) -> list[str]:
    """What one browser of the timeline was answered, visit by visit."""
    return [exchange.body for exchange in timeline_exchanges(target, browser)]


def format_timeline(target: Target) -> str:
    """The timeline as a table: when, which browser, and the answer it got."""
    roles = timeline_roles()
    # Translators: the headings of the timeline's three columns: seconds after the logins, the browser, its answer.
    after, browser, answer = _("after"), _("browser"), _("answer")
    lines = [f"{padded(after, 6, '>')}   {padded(browser, 26)} {answer}"]
    for visit in run_timeline(target):
        # Translators: a time in seconds; {seconds} is a number such as 0.5.
        when = _("{seconds} s").format(seconds=f"{visit.after:>4}")
        lines.append(f"{padded(when, 6, '>')}   {visit.browser}  {padded(roles[visit.browser], 23)} "
                     f"{visit.exchange.body}")
    return "\n".join(lines)


def check_idle_timeout(target: Target) -> Verdict:
    """Activity keeps a session alive; two seconds of silence end it (idle timeout 1 s)."""
    active, silent = answers(target, "C"), answers(target, "A")
    passed = active == [GREETING] * 4 and silent == [LOGGED_OUT]
    # Translators: {answer} is what the server answered the silent browser, such as 未登入.
    evidence = _("the active browser was greeted {greeted} times out of 4; the silent one got {answer} after 2 s")
    return Verdict(passed, evidence.format(greeted=active.count(GREETING), answer=silent[0]))


def check_absolute_timeout(target: Target) -> Verdict:
    """A session ends after its absolute timeout (2 s) even with a request every 0.5 s."""
    busy = answers(target, "B")
    passed = busy == [GREETING] * 3 + [LOGGED_OUT]
    # Translators: {answer} is the server's answer at 2 s, such as 未登入.
    return Verdict(passed, _("a request every 0.5 s, and at 2 s: {answer}").format(answer=busy[-1]))


# -- 8, 9, 10 · logout, caching, tampering --------------------------------------------------------


def check_logout(target: Target) -> Verdict:
    """After logout a saved copy of the cookie is dead, and stays dead after a slow request with it ends."""
    browser = NotebookClient(target.server)
    saved = cookie_pair(browser.get("/login"))  # a copy, as a thief would keep it
    logout = browser.get("/logout")
    replay = NotebookClient(target.server, name=_("saved copy")).get("/", cookie=saved)
    race = logout_during_slow_request(target.server)
    cleared = logout.set_session_cookie is not None and logout.set_session_cookie.deletes_cookie
    passed = cleared and replay.body == LOGGED_OUT and race.replay_after.body == LOGGED_OUT
    if cleared:
        # Translators: {replay} and {after_slow} are the server's answers, such as 未登入.
        evidence = _("logout cleared the cookie; a saved copy then got {replay}, "
                     "and {after_slow} once a slow request with it had finished")
    else:
        evidence = _("logout did not clear the cookie; a saved copy then got {replay}, "
                     "and {after_slow} once a slow request with it had finished")
    return Verdict(passed, evidence.format(replay=replay.body, after_slow=race.replay_after.body),
                   {"logout": logout, "replay": replay, "slow": race.slow})


def check_no_store(target: Target) -> Verdict:
    """An authenticated page must carry Cache-Control: no-store."""
    browser = NotebookClient(target.server)
    browser.get("/login")
    page = browser.get("/")
    cache_control = page.header("Cache-Control") or ""
    passed = page.body == GREETING and "no-store" in cache_control
    # Translators: shown as the value of a header the response did not have.
    value = cache_control or _("(none)")
    return Verdict(passed, f"Cache-Control: {value}", {"page": page})


def tamper(value: str) -> str:
    """Change the first character of a cookie value (never the last: its low bits may be padding)."""
    return ("B" if value[0] == "A" else "A") + value[1:]


def check_tampering(target: Target) -> Verdict:
    """A cookie changed by the client must not open any session."""
    login = NotebookClient(target.server).get("/login")
    cookie = session_cookie(login)
    forged = NotebookClient(target.server, name=_("tamperer")).get("/", cookie=f"{cookie.name}={tamper(cookie.value)}")
    passed = forged.body == LOGGED_OUT and forged.status == 200
    # Translators: {status} is the response's status code, {body} its body.
    evidence = _("one character changed: {status}, {body}").format(status=forged.status, body=forged.body)
    return Verdict(passed, evidence, {"forged": forged})


# -- 11 · what a hostile client tries next --------------------------------------------------------


def check_input_bounds(target: Target) -> Verdict:
    """Absurd parameters get a 4xx that says why: never a 5xx, never a session that lives for centuries."""
    prober = NotebookClient(target.server, name=_("prober"))
    # Translators: a probe's name: the query parameter {parameter} (user) given {length} (1000) characters.
    long_user = _("a {length}-character {parameter}").format(length=1000, parameter="user")
    probes = {"remember=10000000000": prober.get("/login", params={"remember": "10000000000"}),
              "pause=nan": prober.get("/count", params={"pause": "nan"}),
              long_user: prober.get("/login", params={"user": "x" * 1000})}
    lifetimes = [int(max_age) for probe in probes.values() for cookie in probe.set_cookie_headers
                 if (max_age := cookie.attribute("Max-Age"))]
    passed = all(probe.status < 500 for probe in probes.values()) and all(age <= 400 * 86400 for age in lifetimes)
    return Verdict(passed, "; ".join(f"{name}: {probe.status}" for name, probe in probes.items()), probes)


def check_proxy_headers(target: Target) -> Verdict:
    """A server with no proxy in front must ignore a client's X-Forwarded-Prefix."""
    prober = NotebookClient(target.server, name=_("prober"))
    login = prober.get("/login", headers={"X-Forwarded-Prefix": "//evil.example"})
    path = session_cookie(login).attribute("Path")
    # Translators: {header} is the header the client sent, {attribute} the cookie's Path attribute it got.
    evidence = _("{header} gave {attribute}").format(header="X-Forwarded-Prefix: //evil.example",
                                                     attribute=f"Path={path}")
    return Verdict(path == "/", evidence, {"login": login})


def check_weak_secret(target: Target) -> Verdict:
    """A guessable secret must be refused; where it is not, a cookie forged with it gets in."""
    try:
        weak = (start_server(name="weak-secret", secret="keyboard cat") if has_store(target)
                else start_server(cookie_session_app(SECRET_KEY="keyboard cat"), name="weak-secret"))
    except ValueError as error:
        # Translators: {error} is the server's own message.
        return Verdict(True, _("refused to start: {error}").format(error=error))
    with weak:
        if has_store(target):
            # Translators: {secret} is the guessable secret, in quotes.
            return Verdict(False, _("started with {secret}").format(secret="'keyboard cat'"))
        attacker = Flask("attacker")
        attacker.secret_key = "keyboard cat"  # the guess
        serializer: Any = attacker.session_interface.get_signing_serializer(attacker)  # type: ignore[attr-defined]
        forged = serializer.dumps({"userinfo": DEFAULT_USER})
        visit = NotebookClient(weak, name=_("attacker")).get("/", cookie=f"session={forged}")
    # Translators: {secret} is the guessable secret, in quotes; {answer} what the forged cookie was answered.
    evidence = _("started with {secret}; a forged cookie got {answer}").format(secret="'keyboard cat'",
                                                                               answer=visit.body)
    return Verdict(visit.body != GREETING, evidence, {"forged": visit})


def check_one_spelling(target: Target) -> Verdict:
    """The signature is accepted only as the server spelled it: the same bytes spelled otherwise are refused."""
    login = NotebookClient(target.server).get("/login")
    respelled = NotebookClient(target.server, name=_("respeller")).get("/", cookie=cookie_pair(login) + "=")
    # Translators: {padding} is the base64 padding character in quotes, {answer} what the server answered.
    evidence = _("with a padding {padding} added: {answer}").format(padding="'='", answer=respelled.body)
    return Verdict(respelled.body == LOGGED_OUT, evidence, {"respelled": respelled})


def check_store_outage(target: Target) -> Verdict:
    """A store that cannot be used gives a 503 with one plain line; once it is back, service is too."""
    if not has_store(target):
        return Verdict(None, _("no store that could fail"))
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as directory:
        path = Path(directory) / "sessions.db"
        with SQLiteStore(path, timeout=0.2) as store, start_server(name="outage", store=store) as server:
            holder = sqlite3.connect(path, isolation_level=None)
            try:
                holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
                down = NotebookClient(server, name=_("during")).get("/login")
                holder.execute("COMMIT")
            finally:
                holder.close()
            # Translators: the client that comes after the outage; the same "after" heads the timeline's first column.
            back = NotebookClient(server, name=_("after")).get("/login")
            log = server.log[-3:]
    passed = down.status == 503 and "\n" not in down.body and back.status == 200
    # Translators: the store's database locked, then unlocked: {status} and {body} are the responses' status and body.
    evidence = _("locked: {status} {body}; unlocked: {status_after}").format(
        status=down.status, body=down.body, status_after=back.status)
    return Verdict(passed, evidence, {"down": down, "back": back}, log)
