"""OWASP's session checklist as code: each requirement is a check that makes real requests.

The checks themselves, with what they run against (:class:`Target`) and what
they return (:class:`Verdict`), are in :mod:`demo_server.learn.checks`; every name
there can be imported from here too, as notebook 07 does. This module puts them in
order: :data:`CHECKLIST` pairs each check with the requirement it tests and the
attack it blocks, :func:`evaluate` runs them all against one target, and
:class:`ChecklistTable` renders the results, once for our server and once for
Flask's built-in cookie session.

What a learner reads (requirements, evidence, headings) is in the current language,
:func:`demo_server.i18n.use_language`, chosen when it is shown: a table made before
``use_language("zh_CN")`` is shown in Chinese after it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from ..i18n import _
from .checks import (
    FRAMEWORK_COOKIE_NAMES, HTTPS, MARKS, Check, Target, Verdict, Visit, answers, check_absolute_timeout,
    check_cookie_only, check_generic_name, check_host_prefix, check_httponly, check_id_entropy, check_idle_timeout,
    check_input_bounds, check_logout, check_new_id_at_login, check_no_store, check_one_spelling, check_proxy_headers,
    check_samesite, check_secure, check_store_outage, check_strict, check_tampering, check_weak_secret, cookie_pair,
    cookie_session_app, format_timeline, has_store, host_prefix_rules, make_session_permanent, padded, run_timeline,
    session_cookie, tamper, timeline_exchanges, timeline_roles,
)
from .display.text import text_width

__all__ = [
    "CHECKLIST", "FRAMEWORK_COOKIE_NAMES", "HTTPS", "MARKS", "TINTS", "Check", "ChecklistTable", "Requirement",
    "Target", "Verdict", "Visit", "answers", "check_absolute_timeout", "check_cookie_only", "check_generic_name",
    "check_host_prefix", "check_httponly", "check_id_entropy", "check_idle_timeout", "check_input_bounds",
    "check_logout", "check_new_id_at_login", "check_no_store", "check_one_spelling", "check_proxy_headers",
    "check_samesite", "check_secure", "check_store_outage", "check_strict", "check_tampering", "check_weak_secret",
    "cookie_pair", "cookie_session_app", "evaluate", "format_timeline", "has_store", "host_prefix_rules",
    "make_session_permanent", "run_timeline", "session_cookie", "tamper", "timeline_exchanges", "timeline_roles",
]

#: A verdict's background in the HTML table: readable on light and dark themes alike.
TINTS = {True: "rgba(46,160,67,0.16)", False: "rgba(248,81,73,0.20)", None: "rgba(128,128,128,0.12)"}

#: A requirement's sentence: as it is, or a function that gives it in the current language.
Text = str | Callable[[], str]


# -- 12 · the checklist, and its table ------------------------------------------------------------


class Requirement:
    """One row of the checklist: what is required, the check that tests it, and the attack it blocks.

    ``text`` and ``why`` are read in the current language. Each is given as a plain
    string (shown as it is), or as a function returning the sentence through ``_()``,
    so that it is translated each time it is read, not once when this module is imported.
    """

    __slots__ = ("_text", "check", "_why")

    def __init__(self, text: Text, check: Check, why: Text) -> None:
        self._text = text
        self.check = check
        self._why = why

    @property
    def text(self) -> str:
        """What is required."""
        return self._text() if callable(self._text) else self._text

    @property
    def why(self) -> str:
        """The attack the requirement blocks, in one sentence."""
        return self._why() if callable(self._why) else self._why

    def __repr__(self) -> str:
        return f"Requirement({self.text!r}, {self.check.__name__}, {self.why!r})"


#: The checklist, in the order of notebook 07's sections.
CHECKLIST = [
    Requirement(lambda: _("Session ids carry at least 128 random bits"), check_id_entropy,
                lambda: _("A guessable id is a session anyone can take over without touching the victim.")),
    Requirement(lambda: _("The cookie name gives nothing away"), check_generic_name,
                lambda: _("A framework's default name tells attackers which known weaknesses to try.")),
    Requirement(lambda: _("Ids travel in cookies only, never in URLs"), check_cookie_only,
                # Translators: {referer} is the name of the Referer header.
                lambda: _("URLs leak into history, logs, {referer} headers and shared links.").format(
                    referer="Referer")),
    # Translators: "Strict" as in OWASP's "strict session management", not the SameSite value.
    Requirement(lambda: _("Strict: unknown ids are never adopted"), check_strict,
                lambda: _("A permissive server lets an attacker choose the victim's id in advance.")),
    Requirement("HttpOnly", check_httponly,
                # Translators: {property} is document.cookie, the JavaScript property.
                lambda: _("An injected script cannot read the id from {property}.").format(property="document.cookie")),
    # Translators: {lax} and {strict} are the two accepted SameSite values.
    Requirement(lambda: _("{lax} or {strict}").format(lax="SameSite=Lax", strict="Strict"), check_samesite,
                lambda: _("Other sites cannot make the browser send requests that carry the session (CSRF).")),
    # Translators: {attribute} is the cookie attribute Secure.
    Requirement(lambda: _("{attribute} (in production)").format(attribute="Secure"), check_secure,
                lambda: _("The id never crosses the network unencrypted.")),
    # Translators: {prefix} is __Host-, the cookie name prefix.
    Requirement(lambda: _("The {prefix} prefix (in production)").format(prefix="__Host-"), check_host_prefix,
                lambda: _("Only this host, over HTTPS, can set the cookie: no cookie tossing from other subdomains.")),
    Requirement(lambda: _("A new id at login"), check_new_id_at_login,
                lambda: _("An id planted before login must not become a logged-in session (session fixation).")),
    Requirement(lambda: _("Idle timeout, enforced by the server"), check_idle_timeout,
                lambda: _("A session left alone ends, whatever the client's cookie says.")),
    Requirement(lambda: _("Absolute timeout, enforced by the server"), check_absolute_timeout,
                lambda: _("Even a busy session ends, so a stolen id stops working.")),
    Requirement(lambda: _("Logout ends the session on the server"), check_logout,
                lambda: _("Every copy of the cookie stops working, not just the browser's.")),
    Requirement(lambda: _("Authenticated pages are not cached"), check_no_store,
                lambda: _("No cache shows one user's page to the next.")),
    Requirement(lambda: _("A tampered cookie opens no session"), check_tampering,
                lambda: _("Edits are detected by the signature and ignored.")),
    # Translators: {client_error} and {server_error} are the status classes 4xx and 5xx.
    Requirement(lambda: _("Absurd parameters get a {client_error}, never a {server_error}").format(
                    client_error="4xx", server_error="5xx"), check_input_bounds,
                lambda: _("Every input is bounded: no crash, no session that outlives its users.")),
    Requirement(lambda: _("Proxy headers count only from a trusted proxy"), check_proxy_headers,
                lambda: _("A client cannot move the cookie or the page's links to another site.")),
    Requirement(lambda: _("A guessable secret is refused"), check_weak_secret,
                lambda: _("With a known secret, anyone signs whatever session they like.")),
    Requirement(lambda: _("One spelling per signature"), check_one_spelling,
                lambda: _("The server accepts exactly the token it issued, nothing that merely decodes the same.")),
    # Translators: {status} is the status code 503.
    Requirement(lambda: _("A store outage gets a plain {status}").format(status=503), check_store_outage,
                lambda: _("The client learns that the service is down, not how the server is built.")),
]


def evaluate(target: Target, checklist: Sequence[Requirement] = CHECKLIST) -> list[Verdict]:
    """Run every check of the checklist against one target, in order."""
    return [requirement.check(target) for requirement in checklist]


class ChecklistTable:
    """The checklist with one column of ✓ / ✗ / — per target: text for diffs, HTML for JupyterLab, same facts.

    Its words are read when it is shown, in the language of that moment.
    """

    def __init__(self, results: Mapping[str, Sequence[Verdict]], checklist: Sequence[Requirement] = CHECKLIST) -> None:
        if any(len(verdicts) != len(checklist) for verdicts in results.values()):
            raise ValueError(_("every target needs one verdict per requirement"))
        self.results = dict(results)
        self.checklist = list(checklist)

    def __repr__(self) -> str:
        width = max(text_width(label) for label in self.results)
        # Translators: the heading of the line that says why a requirement matters.
        why = _("why")
        lines = []
        for number, requirement in enumerate(self.checklist):
            lines += [f"{number + 1:2}. {requirement.text}", f"    {padded(why, width)}  {requirement.why}"]
            for label, verdicts in self.results.items():
                verdict = verdicts[number]
                lines.append(f"    {padded(label, width)}  {verdict.mark}  {verdict.evidence}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        cell = "text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid rgba(128,128,128,0.35)"
        # Translators: the headings of the table's first two columns: the row's number, and the requirement.
        headings = [_("#"), _("requirement"), *self.results]
        header = "".join(f'<th style="{cell}">{escape(text)}</th>' for text in headings)
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
