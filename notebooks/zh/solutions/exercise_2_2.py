import base64
import hashlib
import hmac

# 用一个猜测的密钥，也就是原教程的 'keyboard cat'，为 Alice 的 ID 签名。换成别的猜测，也会同样失败。
guessed_signature = hmac.new(b"keyboard cat", alice_id.encode(), hashlib.sha256).digest()
forged = alice_id + "." + base64.urlsafe_b64encode(guessed_signature).rstrip(b"=").decode()
answer = "b"  # 服务器先检查签名，而签名所用的密钥从不离开服务器
