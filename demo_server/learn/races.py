"""A logout racing a slow request, as a demonstration anyone can run against a server.

A thief holds a copy of the session cookie and keeps a session-writing
request running; the user logs out meanwhile. Does the copy still work once
the slow request has finished? On a store that saves with an upsert
(express-session's MemoryStore, Flask-Session) it does: the request writes
the session back. On ours it does not. Notebook 04 walks through the steps
one cell at a time; notebook 07's checklist and the tests run them through
:func:`logout_during_slow_request`.

The slow request is ``GET /count?pause=2``, and the race is deterministic:
the logout is sent only once the server reports that the slow request has
loaded its session and is pausing (:class:`~demo_server.app.Pauses`), and the
pause is then ended at once, not after two seconds.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..i18n import _
from ..runner import RunningServer
from .client import Exchange, NotebookClient

#: The slow, session-writing request the thief keeps running.
SLOW_REQUEST = "/count?pause=2"


@dataclass(frozen=True)
class LogoutRace:
    """The exchanges of one race, in the order they started."""

    #: The user logs in; the thief copies the cookie it sets.
    login: Exchange
    #: The thief's slow request with the copy: started before the logout, finished after it.
    slow: Exchange
    #: The user logs out while the slow request is still running.
    logout: Exchange
    #: The copy, replayed right after the logout (the slow request still running).
    replay_during: Exchange
    #: The copy, replayed once the slow request has finished: the verdict.
    replay_after: Exchange


def logout_during_slow_request(server: RunningServer) -> LogoutRace:
    """Run the race against ``server`` (one started with :func:`~demo_server.start_server`).

    The user's browser sees the server's store; the thief's client sees only
    the wire, since it has no view into the server, so its exchanges show no
    store panel (the store also changes under it, because of the logout).
    """
    # Translators: the names of the two clients of the race, shown on each of their exchanges.
    browser = NotebookClient(server, name=_("browser"))
    thief = NotebookClient(server.url, name=_("thief"), session_cookie_name=browser.session_cookie_name)
    login = browser.get("/login")
    copy = f"{browser.session_cookie_name}={browser.jar.get(browser.session_cookie_name)}"
    with ThreadPoolExecutor(max_workers=1) as background:
        in_flight = background.submit(thief.get, SLOW_REQUEST, cookie=copy)
        try:
            server.pauses.wait_until_paused()
            logout = browser.get("/loginOut")
            replay_during = thief.get("/", cookie=copy)
        finally:
            server.pauses.release()
        slow = in_flight.result()
    replay_after = thief.get("/", cookie=copy)
    return LogoutRace(login, slow, logout, replay_during, replay_after)
