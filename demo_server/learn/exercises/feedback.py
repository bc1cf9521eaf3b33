"""What every check shares: the Feedback it returns, NotYet, the decorator, and the readers of answers and servers.

Every sentence a learner sees is marked with ``_()`` and formatted afterwards,
when the check runs: a notebook chooses its language after importing this
package. What a translator must not change goes in through a named
placeholder: the seed's strings, values, the names of the learner's variables,
and the code the learner is told to type.
"""

from __future__ import annotations

import functools
import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from ...i18n import _
from ...seed import GREETING
from ..client import Exchange, NotebookClient, split_cookie_value
from ..display.text import wrap_text

#: Width the feedback text is wrapped to.
WIDTH = 88


@dataclass(frozen=True)
class Feedback:
    """What a check found: shown as text (and HTML in JupyterLab), true when it passed."""

    exercise: str
    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def text(self) -> str:
        if self.passed:
            # Translators: the first line of a check that passed, after "✓ "; {number} is e.g. 3.2.
            head = "✓ " + _("Exercise {number}: solved.").format(number=self.exercise)
        else:
            # Translators: the first line of a check that did not pass, after "✗ "; the hint follows.
            head = "✗ " + _("Exercise {number}, not yet:").format(number=self.exercise)
        lines = [head]
        for paragraph in self.message.split("\n"):
            lines.extend(wrap_text(paragraph, WIDTH, indent="  ") or [""])
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        colour = "#2e7d32" if self.passed else "#b26a00"
        return (f'<div style="border-left: 4px solid {colour}; padding: 4px 10px; '
                f'white-space: pre-wrap; font-family: monospace">{html.escape(self.text())}</div>')


class NotYet(Exception):
    """Raised inside a check: the answer is not there yet, and the message says why."""


def _exercise(number: str) -> Callable[[Callable[..., str]], Callable[..., Feedback]]:
    """Turn a check that returns its success message (or raises :class:`NotYet`) into one returning Feedback."""

    def decorate(check: Callable[..., str]) -> Callable[..., Feedback]:
        @functools.wraps(check)
        def run(*args: Any, **kwargs: Any) -> Feedback:
            try:
                return Feedback(number, True, check(*args, **kwargs))
            except NotYet as not_yet:
                return Feedback(number, False, str(not_yet))
            except requests.RequestException as error:
                # Translators: {error} is the name of a Python exception, e.g. ConnectionError.
                return Feedback(number, False, _(
                    "the check could not reach the server ({error}). Is it still running? Re-run the cell "
                    "that starts it, then your cells after it.").format(error=type(error).__name__))
            except Exception as error:  # noqa: BLE001 - a learner's input must never end in a traceback
                if _under_pytest():
                    raise  # ... but a bug in a check must reach its author
                # Translators: {error_type} is a Python exception's name, {error} its message (in English).
                return Feedback(number, False, _(
                    "the check could not make sense of what it was given ({error_type}: {error}). Compare "
                    "your cell with the instructions above it.").format(error_type=type(error).__name__,
                                                                         error=error))

        return run

    return decorate


def _under_pytest() -> bool:
    """Whether a test runs this check: pytest sets the variable, and kernels it starts inherit it."""
    return "PYTEST_CURRENT_TEST" in os.environ


# -- reading the learner's answers -----------------------------------------------------


def _require(condition: object, message: str) -> None:
    if not condition:
        raise NotYet(message)


def _prediction(value: object) -> bool:
    """A True/False prediction, or a NotYet saying how to write one."""
    # Translators: {name} is the variable the learner sets (prediction); True and False are Python's.
    _require(value is not None, _("write your prediction first: set {name} = True or False, then run that cell "
                                  "and the ones after it.").format(name="prediction"))
    _require(isinstance(value, bool), _("{name} should be True or False, not {value}.").format(
        name="prediction", value=repr(value)))
    return bool(value)


def _verdict(guess: bool, actual: bool, *, predicted: str, observed: str, why: str) -> str:
    """Judge a True/False prediction by what really came back, and explain it either way."""
    if guess != actual:
        # Translators: {predicted} is e.g. "a greeting", {observed} e.g. "Bob got '未登入'"; {why} is the
        # explanation, on a line of its own.
        raise NotYet(_("you predicted {predicted}, but {observed}: look at the exchange above.\n{why}").format(
            predicted=predicted, observed=observed, why=why))
    # Translators: the start of a correct prediction's feedback; {why} is the explanation.
    return _("Right. {why}").format(why=why)


def _greeting_prediction(prediction: object, exchange: object, name: str, hint: str) -> tuple[bool, Exchange, bool]:
    """A prediction about a request that carried a session cookie: (the guess, the exchange, greeted?)."""
    guess = _prediction(prediction)
    checked = _exchange(exchange, name)
    # Translators: {name} is a variable of the learner's; {what} describes the request it should hold.
    _require(checked.sent_session_cookie, _("{name} should be {what}").format(name=name, what=hint))
    return guess, checked, checked.body == GREETING


def _choice(value: object, choices: dict[str, str], name: str = "answer") -> str:
    """The letter of a multiple-choice answer, or a NotYet listing the letters."""
    letters = ", ".join(repr(letter) for letter in choices)
    # Translators: {letters} is the list of choices, e.g. 'a', 'b', 'c'.
    _require(value is not None, _("set {name} to one of {letters}.").format(name=name, letters=letters))
    _require(isinstance(value, str) and value.strip().lower() in choices,
             _("{name} should be one of {letters}, not {value}.").format(name=name, letters=letters,
                                                                          value=repr(value)))
    return str(value).strip().lower()


def _exchange(value: object, name: str) -> Exchange:
    # Translators: {example} is code, e.g. visit = browser.get('/'); {type} is a Python type's name.
    _require(isinstance(value, Exchange), _("{name} should be the exchange a request returned, e.g. {example}, "
                                            "not {type}.").format(name=name, example=f"{name} = browser.get('/')",
                                                                  type=type(value).__name__))
    assert isinstance(value, Exchange)
    return value


def _client(value: object, name: str) -> NotebookClient:
    # Translators: {kind} and {type} are the names of Python classes.
    _require(isinstance(value, NotebookClient), _("{name} should be a {kind}, not {type}.").format(
        name=name, kind="NotebookClient", type=type(value).__name__))
    assert isinstance(value, NotebookClient)
    return value


# -- looking at the learner's server ---------------------------------------------------


def _server(value: object, name: str) -> Any:
    # Translators: {code} is the line that starts a server, e.g. seed_like = start_server(name=..., ...).
    _require(value is not None, _("start a server first: {code}.").format(
        code=f"{name} = start_server(name=..., ...)"))
    _require(isinstance(getattr(value, "url", None), str),
             _("{name} should be a server that {call} returned, not {type}.").format(
                 name=name, call="start_server()", type=type(value).__name__))
    _require(getattr(value, "running", True), _("{name} has been stopped: start it again.").format(name=name))
    return value


def _in_process_server(value: object, name: str) -> Any:
    """A server running in this kernel, whose store and secret the check can look at."""
    server = _server(value, name)
    _require(_interface(server) is not None, _("{name} should be a server started in this notebook with {call}, "
                                               "so that the check can look inside it.").format(
        name=name, call="start_server(...)"))
    return server


def _interface(server: Any) -> Any:
    """The server's session interface, when it runs in this process (else None)."""
    return getattr(getattr(server, "app", None), "session_interface", None)


def _cookie_name(server: Any) -> str:
    options = getattr(_interface(server), "options", None)
    return getattr(options, "cookie_name", "sid")


def _unsign(server: Any, value: str) -> str | None:
    interface = _interface(server)
    return interface.unsign_session_id(server.app, value) if interface is not None else None


def _probe(server: Any, path: str, *, cookie: str | None = None, name: str = "check") -> Exchange:
    """One real request from a client with an empty jar of its own."""
    with NotebookClient(server, name=name) as probe:
        return probe.get(path, cookie=cookie)


def _jar_value(client: NotebookClient) -> str | None:
    for cookie in client.jar:
        if cookie.name == client.session_cookie_name:
            return cookie.value
    return None


def _id_of(value: str) -> str:
    return split_cookie_value(value)[0]
