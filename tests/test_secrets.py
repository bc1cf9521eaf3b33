"""The secret: refused when weak, rotated without logging anyone out, and one spelling of each signature.

Every cookie here is sent over real HTTP to a real server.
"""

from __future__ import annotations

import base64

import pytest

from demo_server import DEFAULT_USER, MemoryStore, create_app
from wire import LOGGED_OUT, LoopbackClient, replay, session_cookie

OLD, NEW = "old-secret-" + "o" * 32, "new-secret-" + "n" * 32
GREETING = f"hello {DEFAULT_USER} welcome"


@pytest.mark.parametrize(("secret", "fallbacks", "error", "message"), [
    ("", [], ValueError, "secret has 0 characters; use at least 32"),
    ("keyboard cat", [], ValueError, "secret has 12 characters; use at least 32"),
    (" " * 40, [], ValueError, "secret has 0 characters"),
    (NEW, [""], ValueError, "a secret fallback has 0 characters"),
    (NEW, ["short"], ValueError, "a secret fallback has 5 characters"),
    (NEW, OLD, TypeError, "secret_fallbacks must be a list of secrets, not str"),
    (NEW, [b"x" * 40], TypeError, "a secret fallback must be a string, not bytes"),
])
def test_weak_or_misshapen_secrets_are_refused(secret: str, fallbacks: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        create_app(secret=secret, secret_fallbacks=fallbacks)  # type: ignore[arg-type]


def test_a_cookie_only_an_old_secret_verifies_is_re_signed_on_the_next_visit(serve) -> None:
    """So the old secret can be retired after one visit, not after the longest max age."""
    store = MemoryStore()
    old_server = serve(store=store, secret=OLD)
    with LoopbackClient() as c:
        old_cookie = session_cookie(c.get(old_server.url + "/login"))
    rotated = serve(store=store, secret=NEW, secret_fallbacks=[OLD])
    visit = replay(rotated.url, old_cookie.pair)
    resigned = session_cookie(visit)
    assert visit.text == GREETING
    assert resigned is not None and resigned.sid == old_cookie.sid and resigned.value != old_cookie.value
    assert session_cookie(replay(rotated.url, resigned.pair)) is None  # signed with NEW now: nothing more to do

    retired = serve(store=store, secret=NEW)  # the old secret is gone
    assert replay(retired.url, resigned.pair).text == GREETING
    assert replay(retired.url, old_cookie.pair).text == LOGGED_OUT


def respellings(value: str) -> dict[str, str]:
    """The same signature written differently; itsdangerous's own ``unsign`` accepts every one."""
    session_id, signature = value.split(".")
    raw = base64.urlsafe_b64decode(signature + "=")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    same_bits = next(c for c in alphabet if c != signature[-1]
                     and base64.urlsafe_b64decode(signature[:-1] + c + "=") == raw)
    standard = base64.b64encode(raw).decode().rstrip("=")
    assert standard != signature, "this signature has no + or / in standard base64; pick another"
    return {
        "one padding =": f"{session_id}.{signature}=",
        "two padding ==": f"{session_id}.{signature}==",
        "the +/ alphabet": f"{session_id}.{standard}",
        "a last character with the same bits": f"{session_id}.{signature[:-1]}{same_bits}",
    }


def test_only_the_canonical_spelling_of_a_signature_is_accepted(serve) -> None:
    server = serve()
    with LoopbackClient() as c:
        for _ in range(20):  # until a signature has a - or _ , which the +/ alphabet spells differently
            cookie = session_cookie(c.get(server.url + "/login"))
            if {"-", "_"} & set(cookie.value.split(".")[1]):
                break
    assert replay(server.url, cookie.pair).text == GREETING  # the control: the canonical one works
    signer = server.app.session_interface.get_signer(server.app)._signers[0]  # noqa: SLF001 - itsdangerous itself
    for name, variant in respellings(cookie.value).items():
        assert signer.unsign(variant.encode()).decode() == cookie.sid, f"itsdangerous accepts {name}"
        answer = replay(server.url, f"sid={variant}")
        assert (answer.status_code, answer.text) == (200, LOGGED_OUT), name
