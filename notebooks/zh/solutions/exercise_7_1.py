answer = "a"  # HttpOnly 让 document.cookie 读不到这个 Cookie；其余的交给 SameSite 和 HTTPS
