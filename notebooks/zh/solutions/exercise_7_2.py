attacker.get("/")                # 1. 攻击者先拿到一个自己的会话 ID
victim.jar.update(attacker.jar)  # 2. ……再把它植入受害者的浏览器
victim.get("/login")             # 3. 受害者登录
attempt = attacker.get("/")      # 4. 攻击者尝试使用植入的 ID
show_step(attempt)
