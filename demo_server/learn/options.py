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
from ..i18n import _
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
    """Every field of :class:`SessionOptions`: its default and its comment (English: it is the source's)."""
    comments = field_comments(SessionOptions)
    return show_table([_("field"), _("default"), _("what it is")],
                      [[name, repr(default), comments[name]] for name, default in defaults().items()],
                      title="SessionOptions", mono_columns=[0, 1])


def express_mapping() -> list[tuple[str, str, str, str]]:
    """``(express-session option, its default, ours, our default)``, one row per option.

    Code stays code, and the words in the current language. The third column starts with
    our field's name and a space in every language: notebook 05 checks every field is there.
    """
    ours = {name: repr(value) for name, value in defaults().items()}
    # Translators: the cells of the table of express-session's options beside ours; code stays as it is.
    not_sent, warning = _("not sent"), _("true, with a warning")
    return [
        ("secret: 'keyboard cat'", _("none: required"), "create_app(secret=...)", _("a random secret per app")),
        ("secret: ['new', 'old']", "", "create_app(secret=NEW, secret_fallbacks=[OLD])", _("no fallbacks")),
        ("proxy", _("the app's 'trust proxy'"), "create_app(proxy=...)", "False"),
        ("name", "'connect.sid'", "cookie_name", ours["cookie_name"]),
        ("cookie.maxAge " + _("(milliseconds)"), _("none: browser-session cookie"), "max_age " + _("(seconds)"),
         ours["max_age"]),
        ("cookie.httpOnly", "true", "httponly", ours["httponly"]),
        ("cookie.secure", "false", "secure", ours["secure"]),
        ("cookie.sameSite", not_sent, "samesite", ours["samesite"]),
        ("cookie.path", "'/'", "path", ours["path"]),
        ("cookie.domain", not_sent, "domain", ours["domain"]),
        ("cookie.partitioned", not_sent, "partitioned", ours["partitioned"]),
        ("cookie.priority", not_sent, _("(none: Werkzeug cannot send it)"), ""),
        ("resave", warning, "resave", ours["resave"]),
        ("saveUninitialized", warning, "save_uninitialized", ours["save_uninitialized"]),
        ("rolling", "false", "rolling", ours["rolling"]),
        ("store", "new MemoryStore()", "create_app(store=...)", "MemoryStore()"),
        ("genid", _("24 random bytes"), "ServerSideSessionInterface.new_session_id()", _("32 random bytes")),
        ("unset", "'keep'", _("(no such option, see 2.5)"), ""),
        (_("(none: with maxAge, the store's touch slides the expiry: an idle timeout of maxAge)"),
         "", "idle_timeout", ours["idle_timeout"]),
        (_("(none: no absolute timeout at all)"), "", "absolute_timeout", ours["absolute_timeout"]),
        (_("(none)"), "", "max_age_cap", ours["max_age_cap"]),
    ]


def express_mapping_table() -> TableView:
    """:func:`express_mapping` as a table."""
    # Translators: the headings of the table of express-session's options (first column) beside ours.
    headers = ["express-session", _("default there"), _("here"), _("default here")]
    return show_table(headers, express_mapping(), title=_("express-session options and their counterparts"),
                      mono_columns=[0, 2])
