"""Notebook 07's security checklist, as API: real requests against real servers, as the notebook makes them.

Notebook 07 says which rows our server passes and which Flask's cookie session
fails; these tests hold the package to that, and make each check that can fail
fail on a server configured to fail it, so a check that always says ✓ is caught.
The timeout checks wait two real seconds for their timeline, so each target is
started and evaluated once per module.
"""

from __future__ import annotations

import gettext
import uuid
from collections.abc import Callable, Iterator
from html import escape
from typing import Any

import pytest
from flask import Flask

from demo_server import GREETING, LOGGED_OUT, i18n
from demo_server.learn.checklist import (
    CHECKLIST, MARKS, ChecklistTable, Target, Verdict, answers, check_absolute_timeout, check_cookie_only,
    check_generic_name, check_host_prefix, check_httponly, check_idle_timeout, check_input_bounds, check_samesite,
    check_secure, check_tampering, cookie_pair, cookie_session_app, evaluate, format_timeline, host_prefix_rules,
    make_session_permanent, run_timeline,
)
from demo_server.learn.client import NotebookClient
from demo_server.learn.display.text import text_width
from demo_server.runner import RunningServer, start_server

#: Flask's column in notebook 07 (§13), by row number: — where there is no id or store, ✗ where it fails.
FLASK_DOES_NOT_APPLY = [1, 4, 19]
FLASK_FAILS = [2, 6, 11, 12, 17, 18]

Start = Callable[..., RunningServer]


@pytest.fixture(scope="module")
def start() -> Iterator[Start]:
    """Start servers that live for the whole module: ``start(app)`` or ``start(**create_app_options)``."""
    started: list[RunningServer] = []

    def _start(app: Flask | None = None, **options: Any) -> RunningServer:
        started.append(start_server(app, name=f"checklist-{uuid.uuid4().hex[:8]}", **options))
        return started[-1]

    yield _start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def ours(start: Start) -> Target:
    """Our server's four roles, configured as notebook 07 §1 configures them."""
    return Target(
        label="server-side (ours)",
        server=start(),
        production=start(cookie_name="__Host-sid", secure=True, proxy=True),
        idle=start(idle_timeout=1),
        capped=start(idle_timeout=1, absolute_timeout=2, rolling=True),
    )


@pytest.fixture(scope="module")
def flask_target(start: Start) -> Target:
    """Flask's built-in cookie session, configured as notebook 07 §13 configures it."""
    timed = start(cookie_session_app(PERMANENT_SESSION_LIFETIME=1, permanent=True))
    return Target(
        label="Flask built-in",
        server=start(cookie_session_app()),
        production=start(cookie_session_app(proxy=True, SESSION_COOKIE_NAME="__Host-session",
                                            SESSION_COOKIE_SECURE=True)),
        idle=timed,
        capped=timed,
    )


@pytest.fixture(scope="module")
def our_verdicts(ours: Target) -> list[Verdict]:
    return evaluate(ours)


@pytest.fixture(scope="module")
def flask_verdicts(flask_target: Target) -> list[Verdict]:
    return evaluate(flask_target)


def one_server(server: RunningServer, label: str = "misconfigured") -> Target:
    """A target whose four roles are one server: enough for a check that uses one role."""
    return Target(label=label, server=server, production=server, idle=server, capped=server)


# -- the two columns of the notebook's table ------------------------------------------------------


def test_our_default_servers_pass_every_requirement(our_verdicts: list[Verdict]) -> None:
    failed = {requirement.text: verdict.evidence for requirement, verdict in zip(CHECKLIST, our_verdicts)
              if verdict.passed is not True}
    assert failed == {}
    assert len(our_verdicts) == len(CHECKLIST) == 19


def test_flask_cookie_session_gets_the_marks_the_notebook_explains(flask_verdicts: list[Verdict]) -> None:
    marks = {number: verdict.passed for number, verdict in enumerate(flask_verdicts, start=1)}
    assert [number for number, passed in marks.items() if passed is None] == FLASK_DOES_NOT_APPLY
    assert [number for number, passed in marks.items() if passed is False] == FLASK_FAILS
    assert all(passed is True for number, passed in marks.items() if number not in FLASK_DOES_NOT_APPLY + FLASK_FAILS)


def test_flask_failures_are_the_attacks_themselves(flask_target: Target, flask_verdicts: list[Verdict]) -> None:
    """Each ✗ of the design rows comes with the request that got in."""
    logout, weak_secret = flask_verdicts[11], flask_verdicts[16]
    assert logout.exchanges["replay"].body == GREETING            # the saved copy outlives the logout
    assert weak_secret.exchanges["forged"].body == GREETING       # a cookie forged with "keyboard cat"
    assert answers(flask_target, "B") == [GREETING] * 4           # no absolute timeout
    assert answers(flask_target, "A") == [LOGGED_OUT]             # but the idle timeout works


def test_two_settings_fix_flasks_two_defaults(start: Start) -> None:
    configured = one_server(start(cookie_session_app(SESSION_COOKIE_NAME="sid", SESSION_COOKIE_SAMESITE="Lax")))
    assert check_generic_name(configured).passed is True
    assert check_samesite(configured).passed is True


# -- the timeline of §7 ---------------------------------------------------------------------------


def test_the_timeline_runs_once_per_target_and_both_timeout_checks_read_it(
        ours: Target, our_verdicts: list[Verdict]) -> None:
    timeline = ours.timeline
    assert len(timeline) == 9
    assert run_timeline(ours) is timeline and len(timeline) == 9  # read again, not run again
    assert answers(ours, "C") == [GREETING] * 4
    assert answers(ours, "B") == [GREETING] * 3 + [LOGGED_OUT]
    assert answers(ours, "A") == [LOGGED_OUT]
    assert format_timeline(ours).splitlines()[-1].split() == ["2.0", "s", "A", "silent,", "idle", "server", LOGGED_OUT]


def test_timeout_checks_fail_where_the_server_never_ends_a_session(start: Start) -> None:
    forever = one_server(start())  # the default idle timeout, 30 minutes, and no absolute timeout
    idle, absolute = check_idle_timeout(forever), check_absolute_timeout(forever)
    assert (idle.passed, absolute.passed) == (False, False)
    assert idle.evidence.endswith(f"the silent one got {GREETING} after 2 s")
    assert absolute.evidence == f"a request every 0.5 s, and at 2 s: {GREETING}"


# -- checks that fail where they should ------------------------------------------------------------


@pytest.mark.parametrize(("check", "options", "evidence"), [
    (check_samesite, {"samesite": None}, "no SameSite"),
    (check_generic_name, {"cookie_name": "session"}, "cookie name 'session', the default of Flask"),
    (check_generic_name, {"cookie_name": "connect.sid"},
     "cookie name 'connect.sid', the default of Express (express-session)"),
    (check_httponly, {"httponly": False}, "no HttpOnly"),
    (check_secure, {"cookie_name": "__Host-sid", "proxy": True}, "no Secure attribute"),
    (check_host_prefix, {"secure": True, "proxy": True}, "breaks: name starts with __Host-"),
])
def test_a_check_fails_on_a_server_configured_to_fail_it(
        start: Start, check: Callable[[Target], Verdict], options: dict[str, Any], evidence: str) -> None:
    verdict = check(one_server(start(**options)))
    assert verdict.passed is False
    assert verdict.evidence == evidence
    assert verdict.exchanges  # the requests that showed it


# -- the renderer ---------------------------------------------------------------------------------


def test_the_table_text_names_each_requirement_and_each_verdict(
        ours: Target, flask_target: Target, our_verdicts: list[Verdict], flask_verdicts: list[Verdict]) -> None:
    table = ChecklistTable({ours.label: our_verdicts, flask_target.label: flask_verdicts})
    text = repr(table)
    for number, requirement in enumerate(CHECKLIST, start=1):
        assert f"{number:2}. {requirement.text}\n" in text + "\n"
        assert requirement.why in text
    width = max(len(label) for label in table.results)  # the labels are padded into one column
    for label, verdicts in table.results.items():
        for verdict in verdicts:
            assert f"    {label:{width}}  {verdict.mark}  {verdict.evidence}\n" in text + "\n"
    assert text.count("✓") == 19 + 19 - len(FLASK_DOES_NOT_APPLY) - len(FLASK_FAILS)


def test_the_table_html_shows_the_same_facts(
        ours: Target, flask_target: Target, our_verdicts: list[Verdict], flask_verdicts: list[Verdict]) -> None:
    html = ChecklistTable({ours.label: our_verdicts, flask_target.label: flask_verdicts})._repr_html_()
    assert html.count("<tr>") == 1 + len(CHECKLIST)
    for requirement in CHECKLIST:
        assert f"<b>{escape(requirement.text)}</b>" in html and escape(requirement.why) in html
    for verdict in [*our_verdicts, *flask_verdicts]:
        assert f'<span style="font-size:15px">{verdict.mark}</span>' in html and escape(verdict.evidence) in html
    assert "<script" not in html and " id=" not in html  # looks the same before and after trusting the notebook


def test_the_table_wants_one_verdict_per_requirement(our_verdicts: list[Verdict]) -> None:
    with pytest.raises(ValueError, match="one verdict per requirement"):
        ChecklistTable({"short": our_verdicts[:-1]})


# -- the pieces -----------------------------------------------------------------------------------


def test_every_check_says_what_it_asserts() -> None:
    checks = [requirement.check for requirement in CHECKLIST]
    assert len(set(checks)) == len(checks)
    assert all(check.__name__.startswith("check_") and check.__doc__ for check in checks)


def test_a_verdict_prints_as_its_mark_and_evidence() -> None:
    assert [str(Verdict(passed, "why")) for passed in MARKS] == ["✓  why", "✗  why", "—  why"]


def test_cookie_pair_is_what_a_cookie_header_carries(ours: Target) -> None:
    browser = NotebookClient(ours.server)
    login = browser.get("/login")
    assert NotebookClient(ours.server, name="copy").get("/", cookie=cookie_pair(login)).body == GREETING
    with pytest.raises(ValueError, match="set no session cookie"):
        cookie_pair(browser.get("/"))


def test_cookie_session_app_makes_sessions_permanent_only_when_asked() -> None:
    assert cookie_session_app(permanent=True).before_request_funcs[None] == [make_session_permanent]
    assert None not in cookie_session_app().before_request_funcs
    assert cookie_session_app(SESSION_COOKIE_NAME="sid").config["SESSION_COOKIE_NAME"] == "sid"


# -- the language ---------------------------------------------------------------------------------
#
# The Chinese catalog is still being translated, so a marked one stands in for it: every message
# comes back as ‹message›. Values (bodies such as 未登入, names, status codes) stay outside the marks.


class MarkedTranslations(gettext.NullTranslations):
    """A stand-in for the Chinese catalog: each message comes back between ‹ and ›."""

    def gettext(self, message: str) -> str:
        return "‹" + message + "›"


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Install the marked catalog after the module was imported, as a notebook's language cell does."""
    monkeypatch.setattr(i18n, "_current", MarkedTranslations())


def test_the_requirements_are_read_in_the_language_of_the_moment(marked: None) -> None:
    assert CHECKLIST[0].text == "‹Session ids carry at least 128 random bits›"
    assert CHECKLIST[2].why == "‹URLs leak into history, logs, Referer headers and shared links.›"
    assert CHECKLIST[4].text == "HttpOnly"  # an attribute's name: nothing to translate
    assert CHECKLIST[5].text == "‹SameSite=Lax or Strict›"
    assert CHECKLIST[14].text == "‹Absurd parameters get a 4xx, never a 5xx›"
    assert CHECKLIST[0].check.__name__ == "check_id_entropy"


def test_a_table_made_in_english_is_shown_in_the_language_it_is_shown_in(
        monkeypatch: pytest.MonkeyPatch, ours: Target, flask_target: Target,
        our_verdicts: list[Verdict], flask_verdicts: list[Verdict]) -> None:
    table = ChecklistTable({ours.label: our_verdicts, flask_target.label: flask_verdicts})
    monkeypatch.setattr(i18n, "_current", MarkedTranslations())
    text, html = repr(table), table._repr_html_()
    lines = text.splitlines()
    assert lines[0] == " 1. ‹Session ids carry at least 128 random bits›"
    width = len(ours.label)
    assert lines[1] == f"    {'‹why›':{width}}  ‹A guessable id is a session anyone can take over without touching the victim.›"
    assert " 5. HttpOnly" in lines
    assert f"    {ours.label}  ✓  20 logins, 20 distinct ids of 256 random bits" in lines  # made in English
    assert '<th style="' in html and ">‹#›</th>" in html and ">‹requirement›</th>" in html
    assert f">{escape(ours.label)}</th>" in html and f">{flask_target.label}</th>" in html  # labels are values
    assert "<b>‹A store outage gets a plain 503›</b>" in html


def test_the_evidence_is_marked_and_the_values_are_not(marked: None, ours: Target) -> None:
    cookie_only = check_cookie_only(ours)
    assert cookie_only.passed is True
    assert cookie_only.evidence == f"‹?sid= in the URL: {LOGGED_OUT}; the same value as a cookie: {GREETING}›"
    assert list(cookie_only.exchanges) == ["in the URL", "as a cookie"]  # keys the notebook reads: never translated
    assert cookie_only.exchanges["in the URL"].client_name == "‹other browser›"
    assert str(check_httponly(ours)) == "✓  ‹HttpOnly set›"
    assert str(check_samesite(ours)) == "✓  SameSite=Lax"  # protocol text only: nothing to translate
    assert check_generic_name(ours).evidence == "‹cookie name 'sid', generic›"
    assert check_tampering(ours).evidence == f"‹one character changed: 200, {LOGGED_OUT}›"
    assert list(check_input_bounds(ours).exchanges) == ["remember=10000000000", "pause=nan", "‹a 1000-character user›"]
    rules = host_prefix_rules(check_host_prefix(ours).exchanges["login"])
    assert list(rules) == ["‹name starts with __Host-›", "Secure", "Path=/", "‹no Domain›"]


def test_a_failed_check_is_marked_too(marked: None, start: Start) -> None:
    verdict = check_generic_name(one_server(start(cookie_name="connect.sid")))
    assert verdict.evidence == "‹cookie name 'connect.sid', the default of Express (express-session)›"
    broken = check_host_prefix(one_server(start(secure=True, proxy=True)))
    assert broken.evidence == "‹breaks: ‹name starts with __Host-››"


def test_the_timeline_speaks_the_current_language(marked: None, ours: Target, our_verdicts: list[Verdict]) -> None:
    lines = format_timeline(ours).splitlines()
    assert lines[0].split() == ["‹after›", "‹browser›", "‹answer›"]
    assert lines[-1].split() == ["‹", "2.0", "s›", "A", "‹silent,", "idle", "server›", LOGGED_OUT]
    assert check_idle_timeout(ours).evidence == (
        f"‹the active browser was greeted 4 times out of 4; the silent one got {LOGGED_OUT} after 2 s›")


def test_the_table_pads_wide_characters_to_the_same_column(
        monkeypatch: pytest.MonkeyPatch, our_verdicts: list[Verdict]) -> None:
    """A Chinese heading takes two columns per character: the table still lines up."""

    class Chinese(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return {"why": "原因"}.get(message, message)

    monkeypatch.setattr(i18n, "_current", Chinese())
    lines = repr(ChecklistTable({"server-side (ours)": our_verdicts})).splitlines()
    why, verdict = lines[1], lines[2]
    assert why.startswith("    原因 ")
    assert text_width(why[:why.index("A guessable")]) == text_width(verdict[:verdict.index("✓")]) == 24
