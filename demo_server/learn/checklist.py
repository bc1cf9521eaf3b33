"""OWASP's session checklist as code: each requirement is a check that makes real requests.

A check takes a :class:`Target`, the servers of one session implementation, and
returns a :class:`Verdict`: ✓, ✗, or — where the requirement does not apply to
that design, with one line of evidence and the exchanges that showed it.
Notebook 07 runs the checks one section at a time and shows their exchanges,
then :func:`evaluate` runs the whole :data:`CHECKLIST` and
:class:`ChecklistTable` renders it, once for our server and once for Flask's
built-in cookie session.

Each check makes its own clients, with empty cookie jars, so no check depends
on another. The two timeout checks are the exception by design: they read one
run of :func:`run_timeline`, which waits two real seconds and so runs only once
per target.
"""

from __future__ import annotations

import base64
import sqlite3
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, NamedTuple

from flask import Flask, session

from ..app import create_cookie_session_app
from ..runner import RunningServer, start_server
from ..seed import DEFAULT_USER, GREETING, LOGGED_OUT
from ..signing import SESSION_ID_PATTERN
from ..stores import SQLiteStore
from .client import Exchange, NotebookClient, SetCookie, split_cookie_value, wait
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
#: A verdict's background in the HTML table: readable on light and dark themes alike.
TINTS = {True: "rgba(46,160,67,0.16)", False: "rgba(248,81,73,0.20)", None: "rgba(128,128,128,0.12)"}


# -- what a check runs against, and what it returns ----------------------------------------------


@dataclass
class Target:
    """One session implementation, as the four servers the checklist needs."""

    #: The column heading in :class:`ChecklistTable`.
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
        raise ValueError(f"{exchange.method} {exchange.path} set no session cookie")
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


# -- 2 · the id ----------------------------------------------------------------------------------


def check_id_entropy(target: Target, logins: int = 20) -> Verdict:
    """Log in from many fresh browsers: each id must carry at least 128 random bits, and none may repeat."""
    exchanges = {f"login {i}": NotebookClient(target.server, name=f"browser {i}").get("/login")
                 for i in range(1, logins + 1)}
    values = [session_cookie(exchange).value for exchange in exchanges.values()]
    if not has_store(target):  # the cookie holds the data itself: there is no id to measure
        data_parts = {value.split(".")[0] for value in values}
        return Verdict(None, f"no session id: {logins} logins as {DEFAULT_USER} carry "
                             f"{len(data_parts)} distinct data part{'' if len(data_parts) == 1 else 's'}", exchanges)
    ids = [split_cookie_value(value)[0] for value in values]
    bits = min(len(base64.urlsafe_b64decode(i + "=")) * 8 for i in ids)
    well_formed = all(SESSION_ID_PATTERN.fullmatch(i) for i in ids)
    passed = well_formed and bits >= 128 and len(set(ids)) == logins
    return Verdict(passed, f"{logins} logins, {len(set(ids))} distinct ids of {bits} random bits", exchanges)


def check_generic_name(target: Target) -> Verdict:
    """The session cookie's name must not be a framework's well-known default."""
    login = NotebookClient(target.server).get("/login")
    name = session_cookie(login).name
    framework = FRAMEWORK_COOKIE_NAMES.get(name)
    evidence = f"cookie name {name!r}" + (f", the default of {framework}" if framework else ", generic")
    return Verdict(framework is None, evidence, {"login": login})


# -- 3 · where ids come from ---------------------------------------------------------------------


def check_cookie_only(target: Target) -> Verdict:
    """An id offered in the query string must be ignored; the same value as a cookie must work."""
    login = NotebookClient(target.server).get("/login")
    cookie = session_cookie(login)
    other_browser = NotebookClient(target.server, name="other browser")
    in_url = other_browser.get("/", params={cookie.name: cookie.value})
    as_cookie = other_browser.get("/", cookie=cookie_pair(login))
    passed = in_url.cookie is None and in_url.body == LOGGED_OUT and as_cookie.body == GREETING
    evidence = f"?{cookie.name}= in the URL: {in_url.body}; the same value as a cookie: {as_cookie.body}"
    return Verdict(passed, evidence, {"in the URL": in_url, "as a cookie": as_cookie})


def check_strict(target: Target) -> Verdict:
    """A validly signed id that the store does not hold must not be adopted."""
    if not has_store(target):
        return Verdict(None, "no ids to adopt: whatever the signature covers is the session")
    app = target.server.app
    interface: Any = app.session_interface
    unknown_id = interface.new_session_id()
    signed = interface.sign_session_id(app, unknown_id)  # signed with the server's own secret
    exchange = NotebookClient(target.server).get("/count", cookie=f"{interface.options.cookie_name}={signed}")
    issued_id = split_cookie_value(session_cookie(exchange).value)[0]
    stored = exchange.store_after.ids if exchange.store_after else ()
    passed = issued_id != unknown_id and unknown_id not in stored and issued_id in stored
    evidence = "unknown id refused, a new one issued" if passed else "the unknown id was adopted"
    return Verdict(passed, evidence, {"unknown id": exchange})


# -- 4, 5 · what the cookie's attributes ask of the browser --------------------------------------


def check_httponly(target: Target) -> Verdict:
    """The session cookie must be HttpOnly."""
    login = NotebookClient(target.server).get("/login")
    present = session_cookie(login).attribute("HttpOnly") is not None
    return Verdict(present, "HttpOnly set" if present else "no HttpOnly", {"login": login})


def check_samesite(target: Target) -> Verdict:
    """The session cookie must carry SameSite=Lax or Strict."""
    login = NotebookClient(target.server).get("/login")
    value = session_cookie(login).attribute("SameSite")
    return Verdict(value in ("Lax", "Strict"), f"SameSite={value}" if value else "no SameSite", {"login": login})


def check_secure(target: Target) -> Verdict:
    """Configured for production, the cookie is Secure, and no client sends it over plain http."""
    plain = NotebookClient(target.production, name="plain http").get("/login")
    browser = NotebookClient(target.production)
    login = browser.get("/login", headers=HTTPS)
    again = browser.get("/")
    secure = session_cookie(login).attribute("Secure") is not None
    passed = secure and again.cookie is None and again.body == LOGGED_OUT
    over_http = "no Set-Cookie over plain http; " if plain.set_session_cookie is None else ""
    evidence = (f"{over_http}Secure over https, then kept but not sent over plain http" if passed
                else "no Secure attribute" if not secure else "the cookie went out over plain http")
    return Verdict(passed, evidence, {"plain http": plain, "login": login, "again": again})


def host_prefix_rules(login: Exchange) -> dict[str, bool]:
    """The rules a browser applies to a cookie named ``__Host-…``, each with whether this one keeps it."""
    cookie = session_cookie(login)
    return {
        "name starts with __Host-": cookie.name.startswith("__Host-"),
        "Secure": cookie.attribute("Secure") is not None,
        "Path=/": cookie.attribute("Path") == "/",
        "no Domain": cookie.attribute("Domain") is None,
    }


def check_host_prefix(target: Target) -> Verdict:
    """Configured for production, the cookie must use the __Host- prefix and keep its rules."""
    login = NotebookClient(target.production).get("/login", headers=HTTPS)
    broken = [rule for rule, kept in host_prefix_rules(login).items() if not kept]
    return Verdict(not broken, "all four __Host- rules kept" if not broken else "breaks: " + ", ".join(broken),
                   {"login": login})


# -- 6 · login ------------------------------------------------------------------------------------


def check_new_id_at_login(target: Target) -> Verdict:
    """A cookie held before login must not be logged in afterwards."""
    browser = NotebookClient(target.server)
    before = browser.get("/count")  # an anonymous session, before login
    planted = cookie_pair(before)   # the attacker's copy
    login = browser.get("/login")
    replay = NotebookClient(target.server, name="attacker").get("/", cookie=planted)
    changed = login.set_session_cookie is not None and login.set_session_cookie.value != session_cookie(before).value
    passed = changed and replay.body == LOGGED_OUT
    evidence = f"the cookie changed at login; the copy from before answers {replay.body}"
    return Verdict(passed, evidence, {"before": before, "login": login, "replay": replay})


# -- 7 · the timeouts, read from one timeline -----------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """One request of the timeline: when, from which browser, and what came back."""

    #: Seconds after the logins (the waits so far).
    after: float
    browser: str
    exchange: Exchange


#: The timeline's three browsers, and what each one does.
TIMELINE_ROLES = {"A": "silent, idle server", "C": "active, idle server", "B": "active, capped server"}


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

    for step in range(1, 5):
        wait(0.5)
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
    lines = [f"{'after':>6}   {'browser':26} answer"]
    for visit in run_timeline(target):
        lines.append(f"{visit.after:>4} s   {visit.browser}  {TIMELINE_ROLES[visit.browser]:23} {visit.exchange.body}")
    return "\n".join(lines)


def check_idle_timeout(target: Target) -> Verdict:
    """Activity keeps a session alive; two seconds of silence end it (idle timeout 1 s)."""
    active, silent = answers(target, "C"), answers(target, "A")
    passed = active == [GREETING] * 4 and silent == [LOGGED_OUT]
    evidence = (f"the active browser was greeted {active.count(GREETING)} times out of 4; "
                f"the silent one got {silent[0]} after 2 s")
    return Verdict(passed, evidence)


def check_absolute_timeout(target: Target) -> Verdict:
    """A session ends after its absolute timeout (2 s) even with a request every 0.5 s."""
    busy = answers(target, "B")
    passed = busy == [GREETING] * 3 + [LOGGED_OUT]
    return Verdict(passed, f"a request every 0.5 s, and at 2 s: {busy[-1]}")


# -- 8, 9, 10 · logout, caching, tampering --------------------------------------------------------


def check_logout(target: Target) -> Verdict:
    """After logout a saved copy of the cookie is dead, and stays dead after a slow request with it ends."""
    browser = NotebookClient(target.server)
    saved = cookie_pair(browser.get("/login"))  # a copy, as a thief would keep it
    logout = browser.get("/logout")
    replay = NotebookClient(target.server, name="saved copy").get("/", cookie=saved)
    race = logout_during_slow_request(target.server)
    cleared = logout.set_session_cookie is not None and logout.set_session_cookie.deletes_cookie
    passed = cleared and replay.body == LOGGED_OUT and race.replay_after.body == LOGGED_OUT
    evidence = (f"logout {'cleared' if cleared else 'did not clear'} the cookie; a saved copy then got {replay.body}, "
                f"and {race.replay_after.body} once a slow request with it had finished")
    return Verdict(passed, evidence, {"logout": logout, "replay": replay, "slow": race.slow})


def check_no_store(target: Target) -> Verdict:
    """An authenticated page must carry Cache-Control: no-store."""
    browser = NotebookClient(target.server)
    browser.get("/login")
    page = browser.get("/")
    cache_control = page.header("Cache-Control") or ""
    passed = page.body == GREETING and "no-store" in cache_control
    return Verdict(passed, f"Cache-Control: {cache_control or '(none)'}", {"page": page})


def tamper(value: str) -> str:
    """Change the first character of a cookie value (never the last: its low bits may be padding)."""
    return ("B" if value[0] == "A" else "A") + value[1:]


def check_tampering(target: Target) -> Verdict:
    """A cookie changed by the client must not open any session."""
    login = NotebookClient(target.server).get("/login")
    cookie = session_cookie(login)
    forged = NotebookClient(target.server, name="tamperer").get("/", cookie=f"{cookie.name}={tamper(cookie.value)}")
    passed = forged.body == LOGGED_OUT and forged.status == 200
    return Verdict(passed, f"one character changed: {forged.status}, {forged.body}", {"forged": forged})


# -- 11 · what a hostile client tries next --------------------------------------------------------


def check_input_bounds(target: Target) -> Verdict:
    """Absurd parameters get a 4xx that says why: never a 5xx, never a session that lives for centuries."""
    prober = NotebookClient(target.server, name="prober")
    probes = {"remember=10000000000": prober.get("/login", params={"remember": "10000000000"}),
              "pause=nan": prober.get("/count", params={"pause": "nan"}),
              "a 1000-character user": prober.get("/login", params={"user": "x" * 1000})}
    lifetimes = [int(max_age) for probe in probes.values() for cookie in probe.set_cookie_headers
                 if (max_age := cookie.attribute("Max-Age"))]
    passed = all(probe.status < 500 for probe in probes.values()) and all(age <= 400 * 86400 for age in lifetimes)
    return Verdict(passed, "; ".join(f"{name}: {probe.status}" for name, probe in probes.items()), probes)


def check_proxy_headers(target: Target) -> Verdict:
    """A server with no proxy in front must ignore a client's X-Forwarded-Prefix."""
    login = NotebookClient(target.server, name="prober").get("/login", headers={"X-Forwarded-Prefix": "//evil.example"})
    path = session_cookie(login).attribute("Path")
    return Verdict(path == "/", f"X-Forwarded-Prefix: //evil.example gave Path={path}", {"login": login})


def check_weak_secret(target: Target) -> Verdict:
    """A guessable secret must be refused; where it is not, a cookie forged with it gets in."""
    try:
        weak = (start_server(name="weak-secret", secret="keyboard cat") if has_store(target)
                else start_server(cookie_session_app(SECRET_KEY="keyboard cat"), name="weak-secret"))
    except ValueError as error:
        return Verdict(True, f"refused to start: {error}")
    with weak:
        if has_store(target):
            return Verdict(False, "started with 'keyboard cat'")
        attacker = Flask("attacker")
        attacker.secret_key = "keyboard cat"  # the guess
        serializer: Any = attacker.session_interface.get_signing_serializer(attacker)  # type: ignore[attr-defined]
        forged = serializer.dumps({"userinfo": DEFAULT_USER})
        visit = NotebookClient(weak, name="attacker").get("/", cookie=f"session={forged}")
    return Verdict(visit.body != GREETING, f"started with 'keyboard cat'; a forged cookie got {visit.body}",
                   {"forged": visit})


def check_one_spelling(target: Target) -> Verdict:
    """The signature is accepted only as the server spelled it: the same bytes spelled otherwise are refused."""
    login = NotebookClient(target.server).get("/login")
    respelled = NotebookClient(target.server, name="respeller").get("/", cookie=cookie_pair(login) + "=")
    return Verdict(respelled.body == LOGGED_OUT, f"with a padding '=' added: {respelled.body}",
                   {"respelled": respelled})


def check_store_outage(target: Target) -> Verdict:
    """A store that cannot be used gives a 503 with one plain line; once it is back, service is too."""
    if not has_store(target):
        return Verdict(None, "no store that could fail")
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as directory:
        path = Path(directory) / "sessions.db"
        with SQLiteStore(path, timeout=0.2) as store, start_server(name="outage", store=store) as server:
            holder = sqlite3.connect(path, isolation_level=None)
            try:
                holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
                down = NotebookClient(server, name="during").get("/login")
                holder.execute("COMMIT")
            finally:
                holder.close()
            back = NotebookClient(server, name="after").get("/login")
            log = server.log[-3:]
    passed = down.status == 503 and "\n" not in down.body and back.status == 200
    return Verdict(passed, f"locked: {down.status} {down.body}; unlocked: {back.status}",
                   {"down": down, "back": back}, log)


# -- 12 · the checklist, and its table ------------------------------------------------------------


class Requirement(NamedTuple):
    """One row of the checklist: what is required, the check that tests it, and the attack it blocks."""

    text: str
    check: Check
    why: str


#: The checklist, in the order of notebook 07's sections.
CHECKLIST = [
    Requirement("Session ids carry at least 128 random bits", check_id_entropy,
                "A guessable id is a session anyone can take over without touching the victim."),
    Requirement("The cookie name gives nothing away", check_generic_name,
                "A framework's default name tells attackers which known weaknesses to try."),
    Requirement("Ids travel in cookies only, never in URLs", check_cookie_only,
                "URLs leak into history, logs, Referer headers and shared links."),
    Requirement("Strict: unknown ids are never adopted", check_strict,
                "A permissive server lets an attacker choose the victim's id in advance."),
    Requirement("HttpOnly", check_httponly, "An injected script cannot read the id from document.cookie."),
    Requirement("SameSite=Lax or Strict", check_samesite,
                "Other sites cannot make the browser send requests that carry the session (CSRF)."),
    Requirement("Secure (in production)", check_secure, "The id never crosses the network unencrypted."),
    Requirement("The __Host- prefix (in production)", check_host_prefix,
                "Only this host, over HTTPS, can set the cookie: no cookie tossing from other subdomains."),
    Requirement("A new id at login", check_new_id_at_login,
                "An id planted before login must not become a logged-in session (session fixation)."),
    Requirement("Idle timeout, enforced by the server", check_idle_timeout,
                "A session left alone ends, whatever the client's cookie says."),
    Requirement("Absolute timeout, enforced by the server", check_absolute_timeout,
                "Even a busy session ends, so a stolen id stops working."),
    Requirement("Logout ends the session on the server", check_logout,
                "Every copy of the cookie stops working, not just the browser's."),
    Requirement("Authenticated pages are not cached", check_no_store, "No cache shows one user's page to the next."),
    Requirement("A tampered cookie opens no session", check_tampering,
                "Edits are detected by the signature and ignored."),
    Requirement("Absurd parameters get a 4xx, never a 5xx", check_input_bounds,
                "Every input is bounded: no crash, no session that outlives its users."),
    Requirement("Proxy headers count only from a trusted proxy", check_proxy_headers,
                "A client cannot move the cookie or the page's links to another site."),
    Requirement("A guessable secret is refused", check_weak_secret,
                "With a known secret, anyone signs whatever session they like."),
    Requirement("One spelling per signature", check_one_spelling,
                "The server accepts exactly the token it issued, nothing that merely decodes the same."),
    Requirement("A store outage gets a plain 503", check_store_outage,
                "The client learns that the service is down, not how the server is built."),
]


def evaluate(target: Target, checklist: Sequence[Requirement] = CHECKLIST) -> list[Verdict]:
    """Run every check of the checklist against one target, in order."""
    return [requirement.check(target) for requirement in checklist]


class ChecklistTable:
    """The checklist with one column of ✓ / ✗ / — per target: text for diffs, HTML for JupyterLab, same facts."""

    def __init__(self, results: Mapping[str, Sequence[Verdict]], checklist: Sequence[Requirement] = CHECKLIST) -> None:
        if any(len(verdicts) != len(checklist) for verdicts in results.values()):
            raise ValueError("every target needs one verdict per requirement")
        self.results = dict(results)
        self.checklist = list(checklist)

    def __repr__(self) -> str:
        width = max(len(label) for label in self.results)
        lines = []
        for number, requirement in enumerate(self.checklist):
            lines += [f"{number + 1:2}. {requirement.text}", f"    {'why':{width}}  {requirement.why}"]
            for label, verdicts in self.results.items():
                verdict = verdicts[number]
                lines.append(f"    {label:{width}}  {verdict.mark}  {verdict.evidence}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        cell = "text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid rgba(128,128,128,0.35)"
        header = "".join(f'<th style="{cell}">{escape(text)}</th>' for text in ["#", "requirement", *self.results])
        rows = []
        for number, requirement in enumerate(self.checklist):
            marks = "".join(
                f'<td style="{cell};background-color:{TINTS[verdict.passed]}">'
                f'<span style="font-size:15px">{verdict.mark}</span> '
                f'<span style="font-size:11px;opacity:0.8">{escape(verdict.evidence)}</span></td>'
                for verdict in (verdicts[number] for verdicts in self.results.values()))
            heading = (f'<b>{escape(requirement.text)}</b>'
                       f'<br><span style="font-size:11px;opacity:0.8">{escape(requirement.why)}</span>')
            rows.append(f'<tr><td style="{cell}">{number + 1}</td><td style="{cell}">{heading}</td>{marks}</tr>')
        return (f'<table style="border-collapse:collapse;width:100%;font-size:13px;table-layout:auto">'
                f'<tr>{header}</tr>{"".join(rows)}</table>')
