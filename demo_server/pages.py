"""HTML pages for the demo, on the same server-side sessions as the text routes.

The text routes (``/``, ``/login``, ``/logout``) show the protocol to a
``requests`` client. These pages show the same session to a real browser,
where the cookie's flags finally do something:

=============================  ==================================================
route                          what it shows
=============================  ==================================================
``GET /web/``                  who is logged in (``hello 张三 welcome`` or
                               ``未登入``) and when the session ends
``GET /web/login``             a login form; ``POST`` logs in (``登入成功``)
``POST /web/logout``           logs out (``退出登入``)
``GET|POST /web/cookies``      ``document.cookie`` next to the cookies the
                               server received: HttpOnly made visible
=============================  ==================================================

Why the forms carry a token: a form on *another* site can POST to these
routes. ``SameSite=Lax`` already keeps the session cookie off such requests in
current browsers; a per-session token, kept in the server-side session and
echoed by our own forms only, also stops it where SameSite is missing or
not enforced (old browsers, ``SameSite=None``, sibling subdomains).

Each page speaks the language the browser asks for (``Accept-Language``),
English by default: :func:`page_language` picks it per request, and the
pages translate with that language's catalog
(:func:`demo_server.i18n.translations_for`), never with the process-wide
:func:`~demo_server.i18n.use_language`, because one server answers browsers
of many languages at once, from many threads. The seed's Chinese words
(张三, 登入成功, 未登入, 退出登入) and its greeting stay as they are in every
language: they are what the text routes answer too.

Every link is built with :func:`flask.url_for`, so behind a proxy that
mounts the app under a prefix (jupyter-server-proxy's ``/proxy/PORT``) the
links keep the prefix. Redirects are *relative* (``Location: ./``): the
browser resolves them against the URL it used, whatever the prefix, and
jupyter-server-proxy 4.6 passes them through untouched (it prepends its
prefix to ``Location: /...`` paths, so an already-prefixed path would get it
twice).
"""

from __future__ import annotations

import gettext
import secrets
from collections.abc import Callable
from datetime import datetime, timezone

from flask import Blueprint, Flask, Response, current_app, g, make_response, render_template, request, session
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from werkzeug.exceptions import BadRequest

from . import i18n
from .seed import DEFAULT_USER, LOGIN_DONE, LOGOUT_DONE
from .sessions import ServerSession, ServerSideSessionInterface

#: The form field, and the session key, that carry the anti-CSRF token.
CSRF_FIELD = "csrf_token"

#: Longest user name the login form accepts.
MAX_USER_LENGTH = 40

#: How much of a cookie value the cookies page shows. Echoing whole values
#: into the page would hand HttpOnly cookies to any script running on it.
COOKIE_PREVIEW_LENGTH = 6

#: What ``?done=…`` after a redirect announces: the seed's words, their gloss
#: (a function, so that each request gets it in its own language), and whether
#: it applies to a logged-in (True) or logged-out visitor.
NOTICES: dict[str, tuple[str, Callable[[], str], bool]] = {
    "login": (LOGIN_DONE, lambda: _("logged in"), True),
    "logout": (LOGOUT_DONE, lambda: _("logged out"), False),
}

#: Tags a browser may send for a catalog's language that Werkzeug's matching
#: does not tie to the catalog's name: it relates ``zh`` and ``zh-CN`` to
#: ``zh_CN``, but not the script subtag of ``zh-Hans``.
LANGUAGE_ALIASES = {"zh-Hans": "zh_CN", "zh-Hans-CN": "zh_CN"}

#: How ``<html lang>`` and ``Content-Language`` name a catalog's language
#: (any other: its name with a hyphen). Simplified Chinese is named by its
#: script, as the seed's Chinese words on the pages already are.
LANGUAGE_TAGS = {"zh_CN": "zh-Hans"}

web_pages = Blueprint(
    "web", __name__, url_prefix="/web",
    template_folder="templates", static_folder="static", static_url_path="/static",
)


def add_web_pages(app: Flask) -> None:
    """Serve the ``/web/`` pages from ``app``, which must use server-side sessions."""
    if not isinstance(app.session_interface, ServerSideSessionInterface):
        raise TypeError("the web pages need server-side sessions (create_app())")
    app.register_blueprint(web_pages)


def _session() -> ServerSession:
    """The request's session, typed: the pages rely on regenerate() and destroy()."""
    assert isinstance(session, ServerSession)
    return session


def _interface() -> ServerSideSessionInterface:
    """The app's session interface, for the cookie settings the pages explain."""
    interface = current_app.session_interface
    assert isinstance(interface, ServerSideSessionInterface)
    return interface


# -- the language of the page ---------------------------------------------------

def page_language() -> str:
    """The catalog language this browser prefers (``Accept-Language``), English if it prefers none we have.

    Chosen once per request and kept in :data:`flask.g`: every message of the page asks.
    """
    if "page_language" not in g:
        available = i18n.available_languages()
        offered = [*available, *(alias for alias, language in LANGUAGE_ALIASES.items() if language in available)]
        best = request.accept_languages.best_match(offered, default=i18n.SOURCE_LANGUAGE)
        g.page_language = LANGUAGE_ALIASES.get(best, best)
    return g.page_language


def language_tag(language: str) -> str:
    """The BCP 47 tag of a catalog language, for ``<html lang>`` and ``Content-Language``."""
    return LANGUAGE_TAGS.get(language, language.replace("_", "-"))


def page_translations() -> gettext.NullTranslations:
    """The catalog of this request's language (looked up through the module, so a test can replace it)."""
    return i18n.translations_for(page_language())


def _(message: str) -> str:
    """``message`` in this request's language: the pages' own ``_``, not the process-wide one."""
    return page_translations().gettext(message)


@pass_eval_context
def template_gettext(eval_context: EvalContext, message: str, **variables: object) -> str:
    """The templates' ``_("… %(name)s …", name=…)``, as Jinja's "new style" gettext.

    The translation is trusted as markup (it may hold ``<code>``), and each
    value is escaped as it is filled in. Only a message given values is
    formatted, so a stray ``%`` in the translation of a plain one is harmless.
    """
    translated = page_translations().gettext(message)
    if eval_context.autoescape:
        translated = Markup(translated)
    return translated % variables if variables else translated


@web_pages.context_processor
def language_helpers() -> dict[str, object]:
    """Lets templates write ``{{ _("…") }}`` and ``<html lang="{{ lang }}">``, in this request's language."""
    return {"_": template_gettext, "lang": language_tag(page_language())}


def render_page(template: str, status: int = 200, **context: object) -> Response:
    """A page in this request's language, labelled so that no cache gives it to a browser that asked for another."""
    response = make_response(render_template(template, **context), status)
    response.headers["Content-Language"] = language_tag(page_language())
    response.vary.add("Accept-Language")
    return response


# -- CSRF protection -----------------------------------------------------------

def csrf_token() -> str:
    """This session's anti-CSRF token, made on first use and kept server-side.

    Rendering a form therefore starts a session, even before login: the
    login form needs a token too, or another site could log a victim into
    the attacker's account ("login CSRF").
    """
    current = _session()
    token = current.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = current[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def check_csrf_token() -> None:
    """Reject a POST whose form token is not this session's (HTTP 400)."""
    sent = request.form.get(CSRF_FIELD, "")
    expected = _session().get(CSRF_FIELD)
    if not isinstance(expected, str) or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise BadRequest(_(
            "The form did not carry this session's token: either it came from another site, "
            "or your session ended after the form was shown."
        ))


@web_pages.context_processor
def form_helpers() -> dict[str, object]:
    """Lets templates write ``<input name="{{ csrf_field }}" value="{{ csrf_token() }}">``."""
    return {"csrf_field": CSRF_FIELD, "csrf_token": csrf_token}


# -- small helpers -------------------------------------------------------------

def see_other(relative_location: str) -> Response:
    """A 303 to a location relative to the current URL, so it survives any path prefix."""
    response = Response(status=303)
    response.headers["Location"] = relative_location
    return response


def utc_text(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS``, the one date format the notebooks print."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def cookie_preview(value: str) -> str:
    """The start of a cookie value, never all of it."""
    if len(value) <= COOKIE_PREVIEW_LENGTH:
        return value
    return value[:COOKIE_PREVIEW_LENGTH] + "…"


# -- the pages -----------------------------------------------------------------

@web_pages.get("/")
def home() -> Response:
    """Who is logged in, and when this session ends."""
    current = _session()
    user = current.get("userinfo")
    notice = None
    if request.args.get("done") in NOTICES:
        text, gloss, for_logged_in = NOTICES[request.args["done"]]
        notice = (text, gloss()) if bool(user) == for_logged_in else None
    expires = current.expires if not current.new else None
    interface = _interface()
    return render_page(
        "web/home.html", page="home", user=user, notice=notice,
        session_id_start=current.id[:8] if not current.new else None,
        expires_text=utc_text(expires) if expires else None,
        expires_iso=expires.isoformat(timespec="seconds") if expires else None,
        cookie_max_age=current.cookie_max_age, idle_timeout=interface.options.idle_timeout,
        cookie_name=interface.options.cookie_name,
    )


@web_pages.get("/login")
def login_form() -> Response:
    """The login form. Showing it starts a session to hold the form's token."""
    interface = _interface()
    return render_page(
        "web/login.html", page="login", default_user=DEFAULT_USER,
        max_user_length=MAX_USER_LENGTH, samesite=interface.options.samesite,
        cookie_name=interface.options.cookie_name,
    )


@web_pages.post("/login")
def login() -> Response:
    """Check the token, move to a fresh session id, remember the user."""
    check_csrf_token()
    user = request.form.get("user", "").strip()
    if not 0 < len(user) <= MAX_USER_LENGTH:
        raise BadRequest(_("A user name has 1 to {max_length} characters.").format(max_length=MAX_USER_LENGTH))
    current = _session()
    current.regenerate()  # a new id at every privilege change: no session fixation
    current["userinfo"] = user
    csrf_token()  # regenerate() emptied the session; the logout form needs a token
    return see_other("./?done=login")


@web_pages.post("/logout")
def logout() -> Response:
    """Check the token, destroy the session (and the cookie)."""
    current = _session()
    if current.new:  # no live session came with the request: nothing to end
        return see_other("./?done=logout")
    check_csrf_token()
    current.destroy()
    return see_other("./?done=logout")


@web_pages.route("/cookies", methods=["GET", "POST"])
def cookies() -> Response:
    """What JavaScript can read next to what the server received.

    POST is accepted, and changes nothing, so that a form, including one on
    another site, can show which cookies ride along with it.
    """
    received = [
        (name, cookie_preview(value), len(value))
        for name, value in request.cookies.items(multi=True)
    ]
    return render_page(
        "web/cookies.html", page="cookies", received=received, method=request.method,
        cookie_name=_interface().options.cookie_name, preview_length=COOKIE_PREVIEW_LENGTH,
    )


@web_pages.errorhandler(BadRequest)
def bad_request(error: BadRequest) -> Response:
    """A readable page for a refused form, instead of Werkzeug's generic one."""
    return render_page("web/refused.html", 400, page=None, reason=error.description)
