"""A browser stand-in for notebooks that records every HTTP exchange it makes.

:class:`NotebookClient` wraps :class:`requests.Session`, which keeps a cookie
jar the way a browser does. Each call makes exactly one request and returns an
:class:`Exchange`: what really went over the wire (the ``Cookie`` header that
was sent, each ``Set-Cookie`` header that came back, verbatim) plus snapshots of
the client's jar and, when the client knows the server, of the server's
session store before and after. :mod:`demo_server.learn.display` turns exchanges
into transcripts and cards, and registers them as the exchange's own forms
(:attr:`Exchange.formatters`): this module imports no display code.

The jar counts ``Max-Age`` as a browser does, from the moment the response
arrived and to the fraction of a second (:class:`BrowserCookieJar`), not in
the whole seconds of :mod:`http.cookiejar`.

The requests are made identical on every machine, so that notebook outputs
can be compared run to run: a fixed ``User-Agent``, ``Accept-Encoding:
identity``, no proxies or ``.netrc`` (``trust_env=False``), no automatic
redirects, and a timeout on every request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from http.cookiejar import Cookie
from typing import Any, ClassVar, Protocol
from urllib.parse import urlsplit

import requests

from ..i18n import N_, _
from ..signing import SIGNED_SESSION_ID
from ..stores import SessionRecord, SessionStore

#: Sent as ``User-Agent`` on every request, so no library version leaks into outputs.
USER_AGENT = "sessions-tutorial"

#: Seconds to wait for the server before a request fails; a notebook must never hang.
DEFAULT_TIMEOUT = 5.0

#: Response headers worth showing, in this order. Date, Content-Length and
#: Connection change nothing about sessions and only add noise.
SHOWN_RESPONSE_HEADERS = ("Content-Type", "Cache-Control", "Location")

#: The cookie name our server uses unless configured otherwise.
DEFAULT_SESSION_COOKIE = "sid"


class ServerLike(Protocol):
    """Anything with a base URL, such as :class:`~demo_server.runner.RunningServer`."""

    url: str


class Translatable(str):
    """English text that code compares as English, and that keeps its message (marked ``N_``) and values.

    The Chinese notebooks run the English code (``cookie.not_sent_because == "expired"``): only displays translate.
    """

    message: str
    values: dict[str, str]
    #: False for the pattern of a :meth:`joined`, which is no message and is never looked up.
    marked = True

    def __new__(cls, message: str, **values: str) -> Translatable:
        text = super().__new__(cls, message.format(**values) if values else message)
        text.message, text.values = message, values
        return text

    @classmethod
    def joined(cls, separator: str, parts: Sequence[str]) -> Translatable:
        """``separator.join(parts)``, each part translated when shown."""
        text = cls(separator.join(f"{{p{i}}}" for i in range(len(parts))), **{f"p{i}": p for i, p in enumerate(parts)})
        text.marked = False
        return text


def translated(text: str) -> str:
    """``text`` in the current language if it is :class:`Translatable` (its values too), else as it is."""
    if not isinstance(text, Translatable):
        return text
    message = _(text.message) if text.marked else text.message
    values = {name: translated(value) for name, value in text.values.items()}
    return message.format(**values) if values else message


# -- pulling a cookie value apart ---------------------------------------------


def split_cookie_value(value: str) -> tuple[str, str]:
    """Split a signed cookie value ``"<id>.<signature>"`` into ``(id, signature)``.

    The signature is whatever follows the last dot; a value without a dot was
    never signed, which is a :class:`ValueError`.
    """
    session_id, dot, signature = value.rpartition(".")
    if not dot or not session_id or not signature:
        raise ValueError(_("not a signed value (expected <id>.<signature>): {value}").format(value=repr(value)))
    return session_id, signature


def http_time(value: str) -> float:
    """An HTTP date (a ``Date`` or ``Expires`` header) as Unix seconds."""
    return parsedate_to_datetime(value).timestamp()


def is_signed_session_id(value: str) -> bool:
    """Whether ``value`` looks exactly like our server's signed session id."""
    return SIGNED_SESSION_ID.fullmatch(value) is not None


def parse_cookie_header(header: str | None) -> list[tuple[str, str]]:
    """The ``name=value`` pairs of a ``Cookie`` request header, in the order sent.

    A list, not a dict: the same name may be sent twice, and servers take the first.
    """
    pairs = []
    for part in (header or "").split(";"):
        name, _sep, value = part.strip().partition("=")
        if name:
            pairs.append((name, value))
    return pairs


@dataclass(frozen=True)
class SetCookie:
    """One ``Set-Cookie`` header, split into its name, value and attributes."""

    name: str
    value: str
    #: ``(attribute, value)`` pairs in the order sent; flags such as HttpOnly have value ``None``.
    attributes: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, header: str) -> SetCookie:
        """Split a header on ``;``. Safe for ``Expires``: its comma is not a separator here."""
        first, *rest = header.split(";")
        name, _sep, value = first.strip().partition("=")
        attributes = []
        for part in rest:
            key, eq, attr_value = part.strip().partition("=")
            if key:
                attributes.append((key, attr_value if eq else None))
        return cls(name, value, tuple(attributes))

    def attribute(self, name: str) -> str | None:
        """The value of attribute ``name`` (case-insensitive), ``""`` for a flag, ``None`` if absent."""
        for key, value in self.attributes:
            if key.lower() == name.lower():
                return "" if value is None else value
        return None

    @property
    def deletes_cookie(self) -> bool:
        """Whether this header tells the client to forget the cookie (Max-Age=0 or a 1970 Expires)."""
        max_age = self.attribute("Max-Age")
        if max_age is not None:
            return max_age.strip().lstrip("-").isdigit() and int(max_age) <= 0
        expires = self.attribute("Expires")
        return expires is not None and " 1970 " in expires


# -- snapshots: the jar and the store at one moment ---------------------------


@dataclass(frozen=True)
class JarCookie:
    """One cookie in the client's jar, and whether the next request would carry it."""

    name: str
    value: str
    domain: str
    path: str
    #: Unix time when the jar drops it, to the fraction of a second for ``Max-Age``;
    #: ``None`` for a browser-session cookie.
    expires: float | None
    secure: bool
    #: Attributes the jar keeps but ignores, such as ``HttpOnly`` and ``SameSite=Lax``.
    flags: tuple[str, ...]
    sent_next: bool
    #: Why it would not be sent ("expired", …), or ``""`` when it would: English, a
    #: :class:`Translatable` that a display shows translated.
    not_sent_because: str


@dataclass(frozen=True)
class StoreSnapshot:
    """The live sessions of a server's store at one moment.

    Ordered by creation time, then id: ids are random, so sorting by id alone
    would shuffle the rows from one run to the next.
    """

    store_kind: str
    sessions: tuple[tuple[str, SessionRecord], ...]
    #: The store's clock when the snapshot was taken (never displayed).
    taken_at: float = field(default=0.0, compare=False)

    @classmethod
    def of(cls, store: SessionStore) -> StoreSnapshot:
        taken_at = store.clock()
        records = store.all()
        ordered = sorted(records.items(), key=lambda item: (item[1].created_at, item[0]))
        return cls(type(store).__name__, tuple(ordered), taken_at)

    def get(self, session_id: str) -> SessionRecord | None:
        return dict(self.sessions).get(session_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(session_id for session_id, _ in self.sessions)


def snapshot_jar(jar: requests.cookies.RequestsCookieJar, base_url: str,
                 now: float | None = None) -> tuple[JarCookie, ...]:
    """The jar's cookies, sorted by domain, path and name, judged against a request to ``base_url``.

    Judged as the jar itself does (see :class:`ReceivedCookie`): expiry
    against the exact time, Secure cookies only over https, domain and path
    must match.
    """
    at = time.time() if now is None else now
    url = urlsplit(base_url)
    host = url.hostname or ""
    request_path = url.path or "/"
    found = []
    for cookie in jar:
        reason = _why_not_sent(cookie, at, url.scheme, host, request_path)
        found.append(JarCookie(
            name=cookie.name, value=cookie.value or "", domain=cookie.domain, path=cookie.path,
            expires=cookie.expires, secure=bool(cookie.secure), flags=_nonstandard_flags(cookie),
            sent_next=not reason, not_sent_because=reason,
        ))
    return tuple(sorted(found, key=lambda c: (c.domain, c.path, c.name)))


def _why_not_sent(cookie: Cookie, now: float, scheme: str, host: str, path: str) -> str:
    if cookie.expires is not None and cookie.expires <= now:  # exactly, as ReceivedCookie decides
        # Translators: why a cookie in the jar is left out of the next request.
        return Translatable(N_("expired"))
    if cookie.secure and scheme != "https":
        # Translators: why a cookie is left out; Secure is the cookie attribute, http the URL's scheme.
        return Translatable(N_("Secure, and this is http"))
    domain = cookie.domain.lstrip(".")
    if host != domain and not (cookie.domain_specified and host.endswith("." + domain)):
        return Translatable(N_("another host"))
    if not path.startswith(cookie.path):
        return Translatable(N_("only for paths under {path}"), path=cookie.path)
    return ""


def _nonstandard_flags(cookie: Cookie) -> tuple[str, ...]:
    rest: Mapping[str, str | None] = getattr(cookie, "_rest", {})
    return tuple(sorted(name if value is None else f"{name}={value}" for name, value in rest.items()))


# -- the jar: expiry to the fraction of a second, as a browser keeps it ---------


class ReceivedCookie(Cookie):
    """A cookie whose expiry is an exact moment, compared with the exact time.

    :mod:`http.cookiejar` counts whole seconds: it stores ``Max-Age`` as
    ``int(now) + max_age`` and picks the cookies to send with
    ``is_expired(int(time.time()))``, so a 2-second cookie could be left out
    up to a second early. A browser counts from the moment the response
    arrived, to the fraction of a second; so does this cookie.
    """

    @classmethod
    def of(cls, cookie: Cookie, expires: float | None) -> ReceivedCookie:
        """``cookie``, expiring at ``expires`` exactly (``Cookie`` itself would cut it to whole seconds)."""
        received = cls(cookie.version, cookie.name, cookie.value, cookie.port, cookie.port_specified,
                       cookie.domain, cookie.domain_specified, cookie.domain_initial_dot, cookie.path,
                       cookie.path_specified, cookie.secure, None, cookie.discard, cookie.comment,
                       cookie.comment_url, dict(getattr(cookie, "_rest", {})), cookie.rfc2109)
        received.expires = expires  # type: ignore[assignment]  # a float, on purpose
        return received

    def is_expired(self, now: float | None = None) -> bool:
        """Whether expired at ``now``, but never judged at a moment before the present.

        When the jar picks the cookies to send it passes ``int(time.time())``,
        the present cut to whole seconds; the exact present is used instead.
        """
        present = time.time()
        return super().is_expired(present if now is None else max(now, present))


class BrowserCookieJar(requests.cookies.RequestsCookieJar):
    """requests' jar, but a ``Max-Age`` cookie expires exactly ``max_age`` seconds after it arrived.

    ``Expires``-only cookies keep their date. Every cookie the jar makes is a
    :class:`ReceivedCookie`, so the exact time also decides which are sent.
    """

    def make_cookies(self, response: Any, request: Any) -> list[Cookie]:
        received_at = time.time()
        max_ages = _max_ages(response.info().get_all("Set-Cookie", []))
        return [ReceivedCookie.of(cookie, received_at + max_ages[cookie.name] if cookie.name in max_ages
                                  else cookie.expires)
                for cookie in super().make_cookies(response, request)]


def _max_ages(headers: list[str]) -> dict[str, int]:
    """Each cookie's ``Max-Age`` in seconds, by cookie name, where it is a whole number the jar accepts."""
    found = {}
    for header in headers:
        cookie = SetCookie.parse(header)
        max_age = cookie.attribute("Max-Age")
        if max_age is not None:
            with suppress(ValueError):  # as in the jar: a cookie with a Max-Age like "2.5" is dropped
                found[cookie.name] = int(max_age)
    return found


# -- one exchange --------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Exchange:
    """One request and its response, as they really went over the wire.

    Its text form is a raw-HTTP-like transcript and its HTML form a card, so
    a cell ending in ``client.get(...)`` shows the exchange. Both come from
    :attr:`formatters`, which :mod:`demo_server.learn.display` fills in: the
    record itself knows no display.
    """

    #: How exchanges show themselves: ``"text"`` for ``repr``, ``"html"`` for notebooks.
    #: Empty here; importing :mod:`demo_server.learn` (any of it) imports the display,
    #: which registers its own. Without them, ``repr`` is one plain line and there is no HTML.
    formatters: ClassVar[dict[str, Callable[[Exchange], str]]] = {}

    client_name: str
    method: str
    #: The path with its query string, exactly as sent (percent-encoded).
    path: str
    #: ``host:port``, taken from the URL (requests never shows the Host header it sends).
    host: str
    #: The ``Cookie`` header that was sent, or ``None`` if there was none.
    cookie: str | None
    #: True when the ``Cookie`` header was written by hand and the jar was not used.
    cookie_hand_made: bool
    request_content_type: str | None
    request_body: str | None
    status: int
    reason: str
    #: Every ``Set-Cookie`` header, verbatim and separately (never joined with ", ").
    set_cookies: tuple[str, ...]
    #: The :data:`SHOWN_RESPONSE_HEADERS` that were present, in that order.
    headers: tuple[tuple[str, str], ...]
    #: The body decoded as UTF-8.
    body: str
    #: The name of the server's session cookie.
    session_cookie_name: str
    jar_before: tuple[JarCookie, ...]
    jar_after: tuple[JarCookie, ...]
    #: The server's store around the request, when the client knows the store.
    store_before: StoreSnapshot | None = None
    store_after: StoreSnapshot | None = None
    #: Whether the server accepts the signature on the session cookie sent:
    #: ``None`` when no session cookie was sent or the client cannot check.
    signature_valid: bool | None = None
    #: The ``Date`` response header, verbatim: the server's clock when it answered.
    date: str | None = None
    #: ``time.monotonic()`` just before the request went out: for measuring the gaps
    #: between requests (the ``Date`` header only has whole seconds). Never displayed.
    sent_at: float | None = None

    @property
    def set_cookie_headers(self) -> tuple[SetCookie, ...]:
        """The ``Set-Cookie`` headers, parsed."""
        return tuple(SetCookie.parse(header) for header in self.set_cookies)

    @property
    def sent_cookies(self) -> list[tuple[str, str]]:
        """The cookies sent, as ``(name, value)`` pairs in the order sent."""
        return parse_cookie_header(self.cookie)

    @property
    def sent_session_cookie(self) -> str | None:
        """The value of the first session cookie sent (the one the server reads), if any."""
        for name, value in self.sent_cookies:
            if name == self.session_cookie_name:
                return value
        return None

    @property
    def set_session_cookie(self) -> SetCookie | None:
        """The last ``Set-Cookie`` for the session cookie (the one the client keeps), if any."""
        found = [c for c in self.set_cookie_headers if c.name == self.session_cookie_name]
        return found[-1] if found else None

    def header(self, name: str) -> str | None:
        """A shown response header by name (case-insensitive), or ``None``."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def __repr__(self) -> str:
        text = self.formatters.get("text")
        if text is None:
            return f"<Exchange {self.method} {self.path} → {self.status} {self.reason} ({self.client_name})>"
        return text(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str | None:
        html = self.formatters.get("html")
        return None if html is None else html(self)


# -- the client ----------------------------------------------------------------


class NotebookClient:
    """A browser stand-in: one cookie jar, and a record of every exchange.

    ``NotebookClient(server, name="browser A")`` where ``server`` is a
    :class:`~demo_server.runner.RunningServer` (then the client also snapshots
    the server's store around each request, and can check signatures) or a
    base URL such as ``"http://127.0.0.1:5000"`` (pass ``store=`` to get store
    snapshots anyway).

    Each call is exactly one request: redirects are not followed, so every
    ``Location`` shows up in an exchange of its own.
    """

    def __init__(self, server_or_url: ServerLike | str, name: str | None = None, *,
                 store: SessionStore | None = None, session_cookie_name: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.name = _("browser") if name is None else name  # the default in the current language
        self.base_url = (server_or_url if isinstance(server_or_url, str) else server_or_url.url).rstrip("/")
        self.timeout = timeout
        self.history: list[Exchange] = []
        app = getattr(server_or_url, "app", None)
        interface = getattr(app, "session_interface", None)
        self.store: SessionStore | None = store if store is not None else getattr(interface, "store", None)
        self.session_cookie_name = session_cookie_name or _session_cookie_name(app, interface)
        unsign = getattr(interface, "unsign_session_id", None)
        self._unsign = (lambda value: unsign(app, value)) if callable(unsign) else None
        self._session = _deterministic_session()

    @property
    def jar(self) -> requests.cookies.RequestsCookieJar:
        """The cookie jar, shared by every request that does not pass ``cookie=``."""
        return self._session.cookies

    @property
    def last(self) -> Exchange:
        """The most recent exchange."""
        if not self.history:
            raise LookupError(_("{client} has not made a request yet").format(client=self.name))
        return self.history[-1]

    def get(self, path: str, *, cookie: str | None = None, **kwargs: Any) -> Exchange:
        """``GET path``; see :meth:`request`."""
        return self.request("GET", path, cookie=cookie, **kwargs)

    def post(self, path: str, *, cookie: str | None = None, **kwargs: Any) -> Exchange:
        """``POST path``; see :meth:`request`."""
        return self.request("POST", path, cookie=cookie, **kwargs)

    def request(self, method: str, path: str, *, cookie: str | None = None, **kwargs: Any) -> Exchange:
        """Make one request to ``path`` (which starts with ``/``) and record it.

        ``cookie="sid=..."`` sends exactly that ``Cookie`` header and leaves
        the jar alone: it is not read for this request, and the response's
        ``Set-Cookie`` does not reach it. That is how a demo forges or replays
        a cookie. Other keyword arguments (``params``, ``data``, ``json``,
        ``headers``, ``timeout``) go to :mod:`requests`.
        """
        if not path.startswith("/"):
            raise ValueError(_("path must start with '/': {path}").format(path=repr(path)))
        if "cookies" in kwargs:
            raise TypeError(_(
                "cookies= merges with the jar, so the server would see both cookies and use the "
                "first; pass cookie='name=value' to send exactly that Cookie header"
            ))
        if kwargs.pop("allow_redirects", False):
            raise TypeError(_("each call is one exchange: request the Location yourself"))
        headers = dict(kwargs.pop("headers", None) or {})
        for key in [k for k in headers if k.lower() == "cookie"]:  # headers={"Cookie": ...} is hand-made too
            from_headers = headers.pop(key)
            cookie = from_headers if cookie is None else cookie
        kwargs.setdefault("timeout", self.timeout)

        hand_made = cookie is not None
        if hand_made:
            headers["Cookie"] = cookie
            session = _deterministic_session()  # an empty jar of its own: ours stays untouched
        else:
            session = self._session
        jar_before = snapshot_jar(self.jar, self.base_url)
        store_before = StoreSnapshot.of(self.store) if self.store is not None else None
        sent_at = time.monotonic()
        try:
            response = session.request(method, self.base_url + path, headers=headers,
                                       allow_redirects=False, **kwargs)
            content = response.content
        finally:
            if hand_made:
                session.close()
        store_after = StoreSnapshot.of(self.store) if self.store is not None else None
        exchange = self._record(response, content, hand_made=hand_made, jar_before=jar_before,
                                store_before=store_before, store_after=store_after, sent_at=sent_at)
        self.history.append(exchange)
        return exchange

    def _record(self, response: requests.Response, content: bytes, *, hand_made: bool,
                jar_before: tuple[JarCookie, ...], store_before: StoreSnapshot | None,
                store_after: StoreSnapshot | None, sent_at: float) -> Exchange:
        sent = response.request
        raw_headers = response.raw.headers
        body = sent.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", errors="replace")
        exchange = Exchange(
            client_name=self.name,
            method=sent.method or "",
            path=sent.path_url,
            host=urlsplit(sent.url).netloc,
            cookie=sent.headers.get("Cookie"),
            cookie_hand_made=hand_made,
            request_content_type=sent.headers.get("Content-Type"),
            request_body=body,
            status=response.status_code,
            reason=response.reason or "",
            set_cookies=tuple(raw_headers.getlist("Set-Cookie")),
            headers=tuple((name, value) for name in SHOWN_RESPONSE_HEADERS
                          for value in raw_headers.getlist(name)),
            body=content.decode("utf-8", errors="replace"),
            session_cookie_name=self.session_cookie_name,
            jar_before=jar_before,
            jar_after=snapshot_jar(self.jar, self.base_url),
            store_before=store_before,
            store_after=store_after,
            date=raw_headers.get("Date"),
            sent_at=sent_at,
        )
        value = exchange.sent_session_cookie
        if value is not None and self._unsign is not None:
            exchange = replace(exchange, signature_valid=self._unsign(value) is not None)
        return exchange

    def clear_cookies(self) -> None:
        """Empty the jar, as "clear browsing data" would."""
        self.jar.clear()

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def __enter__(self) -> NotebookClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<NotebookClient {self.name!r} {self.base_url} {len(self.history)} exchange(s)>"


def _session_cookie_name(app: Any, interface: Any) -> str:
    """The server's session cookie name: ours from its options, Flask's built-in from its config."""
    options = getattr(interface, "options", None)
    if options is not None:
        return str(options.cookie_name)
    if interface is not None and app is not None:
        return str(interface.get_cookie_name(app))
    return DEFAULT_SESSION_COOKIE


def _deterministic_session() -> requests.Session:
    """A requests session that sends the same headers on every machine, with a browser's jar."""
    session = requests.Session()
    session.cookies = BrowserCookieJar()
    session.trust_env = False  # no HTTP_PROXY, no ~/.netrc
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept-Encoding"] = "identity"  # else br/zstd appear when installed
    return session


# -- waiting -------------------------------------------------------------------


def wait(seconds: float) -> None:
    """Sleep on purpose, e.g. until a cookie expires: a wait that reads as one in a notebook."""
    if seconds < 0:
        raise ValueError(_("cannot wait a negative number of seconds"))
    time.sleep(seconds)
