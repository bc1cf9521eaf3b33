"""The cookie's value, ``<id>.<signature>``: the id signed with the app's secret, accepted in one spelling only.

The id is 256 random bits from :mod:`secrets`; the signature is an HMAC of
the id made with :mod:`itsdangerous`, so nobody without the secret can make
a value the server accepts. Two rules go beyond itsdangerous's ``unsign``:

* **One spelling.** itsdangerous decodes the base64 signature before it
  compares, so ``<sig>=``, the ``+/`` alphabet, or a last character with the
  same significant bits verify too. Here the signature text must equal the
  one the server itself makes, compared in constant time, as
  express-session's cookie-signature does.
* **Which secret.** Older secrets (fallbacks) still verify, for rotation, and
  the caller learns that one did, so the cookie can be re-signed with the
  newest secret on the spot and the old secret retired after one visit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from itsdangerous import Signer

#: Session ids are this many random bytes: 256 bits, above OWASP's 64-bit floor.
SESSION_ID_BYTES = 32
#: What a session id looks like: ``secrets.token_urlsafe(32)`` gives 43 base64url characters.
SESSION_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
#: A signed cookie value: the id, a dot, and the HMAC-SHA256 signature (32 bytes, base64url, 43 characters).
SIGNED_SESSION_ID = re.compile(r"(?P<id>[A-Za-z0-9_-]{43})\.(?P<signature>[A-Za-z0-9_-]{43})")
#: The fewest characters a secret may have: ``secrets.token_hex(16)`` has 32.
MIN_SECRET_LENGTH = 32
#: Separates signed cookie values from other uses of the app's secret.
SALT = "demo_server.session"


def new_session_id() -> str:
    """A fresh, unguessable session id."""
    return secrets.token_urlsafe(SESSION_ID_BYTES)


def check_secrets(secret: object, fallbacks: object) -> None:
    """Refuse a secret anyone could guess, or one that signs nothing, with a ``ValueError`` or ``TypeError``.

    An empty fallback would let anyone sign cookies; a string where the list
    belongs would become one-letter keys (``"old"`` → ``o``, ``l``, ``d``).
    """
    if isinstance(fallbacks, str | bytes) or not isinstance(fallbacks, Sequence):
        raise TypeError(f"secret_fallbacks must be a list of secrets, not {type(fallbacks).__name__}")
    for name, value in [("secret", secret), *(("a secret fallback", fallback) for fallback in fallbacks)]:
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, not {type(value).__name__}")
        if len(value.strip()) < MIN_SECRET_LENGTH:
            raise ValueError(f"{name} has {len(value.strip())} characters; use at least {MIN_SECRET_LENGTH}, "
                             "for example secrets.token_hex(32)")


@dataclass(frozen=True)
class Verified:
    """A cookie value that passed: its session id, and whether the newest secret signed it."""

    session_id: str
    by_newest_secret: bool


class SessionIdSigner:
    """Signs ids with the newest secret; verifies with the newest, then each fallback, newest first."""

    #: How itsdangerous turns each secret into the HMAC key (the same for every secret).
    key_derivation = "hmac"

    def __init__(self, secrets_oldest_first: Sequence[str | bytes], *, salt: str = SALT,
                 digest_method: object = hashlib.sha256) -> None:
        if not secrets_oldest_first:
            raise ValueError("signing session ids needs a secret")
        self._signers = [Signer(key, salt=salt, key_derivation=self.key_derivation, digest_method=digest_method)
                         for key in reversed(secrets_oldest_first)]

    def sign(self, session_id: str) -> str:
        """The cookie value: ``<id>.<signature>``."""
        return self._signers[0].sign(session_id).decode("ascii")

    def verify_signature(self, session_id: str, signature: str) -> bool:
        """Whether ``signature`` is exactly the text one of the secrets makes for ``session_id``."""
        return self.verify(f"{session_id}.{signature}") is not None

    def verify(self, value: str | None, *, max_length: int = 256) -> Verified | None:
        """The id in ``value`` if it is exactly what one of the secrets would sign, else ``None``."""
        if not value or len(value) > max_length or not value.isascii():
            return None
        session_id, dot, signature = value.rpartition(".")
        if not dot or not SESSION_ID_PATTERN.fullmatch(session_id):
            return None
        for position, signer in enumerate(self._signers):
            expected = signer.get_signature(session_id).decode("ascii")
            if hmac.compare_digest(signature, expected):
                return Verified(session_id, by_newest_secret=position == 0)
        return None
