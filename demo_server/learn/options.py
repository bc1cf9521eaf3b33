"""SessionOptions explained: each field with its own comment, and express-session's options beside ours.

Notebook 05 shows both tables. The field table is read from the source of
:class:`~demo_server.decision.SessionOptions` (the ``#:`` comment above each
field), so it cannot drift from the code; the express mapping names a field
for every express-session option, and a test checks that every field appears.
"""

from __future__ import annotations

import dataclasses
import inspect

from ..decision import SessionOptions
from .display import TableView, show_table


def field_comments(cls: type) -> dict[str, str]:
    """The ``#:`` comment written above each field of a dataclass, by field name, as plain text."""
    comments: dict[str, str] = {}
    pending: list[str] = []
    for line in inspect.getsource(cls).splitlines():
        text = line.strip()
        if text.startswith("#:"):
            pending.append(text.removeprefix("#:").strip())
        elif pending and ":" in text:
            comments[text.split(":")[0]] = " ".join(pending).replace("``", "").replace("**", "")
            pending = []
        else:
            pending = []
    return comments


def defaults() -> dict[str, object]:
    """Each field of :class:`SessionOptions` with its default."""
    return {field.name: field.default for field in dataclasses.fields(SessionOptions)}


def options_table() -> TableView:
    """Every field of :class:`SessionOptions`: its default and its comment."""
    comments = field_comments(SessionOptions)
    return show_table(["field", "default", "what it is"],
                      [[name, repr(default), comments[name]] for name, default in defaults().items()],
                      title="SessionOptions", mono_columns=[0, 1])


def express_mapping() -> list[tuple[str, str, str, str]]:
    """``(express-session option, its default, ours, our default)``, one row per option."""
    ours = {name: repr(value) for name, value in defaults().items()}
    return [
        ("secret: 'keyboard cat'", "none: required", "create_app(secret=...)", "a random secret per app"),
        ("secret: ['new', 'old']", "", "create_app(secret=NEW, secret_fallbacks=[OLD])", "no fallbacks"),
        ("proxy", "the app's 'trust proxy'", "create_app(proxy=...)", "False"),
        ("name", "'connect.sid'", "cookie_name", ours["cookie_name"]),
        ("cookie.maxAge (milliseconds)", "none: browser-session cookie", "max_age (seconds)", ours["max_age"]),
        ("cookie.httpOnly", "true", "httponly", ours["httponly"]),
        ("cookie.secure", "false", "secure", ours["secure"]),
        ("cookie.sameSite", "not sent", "samesite", ours["samesite"]),
        ("cookie.path", "'/'", "path", ours["path"]),
        ("cookie.domain", "not sent", "domain", ours["domain"]),
        ("cookie.partitioned", "not sent", "partitioned", ours["partitioned"]),
        ("cookie.priority", "not sent", "(none: Werkzeug cannot send it)", ""),
        ("resave", "true, with a warning", "resave", ours["resave"]),
        ("saveUninitialized", "true, with a warning", "save_uninitialized", ours["save_uninitialized"]),
        ("rolling", "false", "rolling", ours["rolling"]),
        ("store", "new MemoryStore()", "create_app(store=...)", "MemoryStore()"),
        ("genid", "24 random bytes", "ServerSideSessionInterface.new_session_id()", "32 random bytes"),
        ("unset", "'keep'", "(no such option, see 2.5)", ""),
        ("(none: with maxAge, the store's touch slides the expiry: an idle timeout of maxAge)",
         "", "idle_timeout", ours["idle_timeout"]),
        ("(none: no absolute timeout at all)", "", "absolute_timeout", ours["absolute_timeout"]),
        ("(none)", "", "max_age_cap", ours["max_age_cap"]),
    ]


def express_mapping_table() -> TableView:
    """:func:`express_mapping` as a table."""
    return show_table(["express-session", "default there", "here", "default here"], express_mapping(),
                      title="express-session options and their counterparts", mono_columns=[0, 2])
