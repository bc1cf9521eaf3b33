import base64
import hashlib
import hmac

# Sign Alice's id with a guessed secret, the seed's 'keyboard cat'. Any guess fails the same way.
guessed_signature = hmac.new(b"keyboard cat", alice_id.encode(), hashlib.sha256).digest()
forged = alice_id + "." + base64.urlsafe_b64encode(guessed_signature).rstrip(b"=").decode()
answer = "b"  # the signature is checked first, with a secret that never leaves the server
