from demo_server.i18n import _

rolling_server = start_server(name="rolling", max_age=2, rolling=True)
active = NotebookClient(rolling_server, name=_("active"))
active.get("/login")
for _second in range(3):  # 从登录算起共 3 秒，比 max_age 长，但从未长时间空闲
    wait(1)
    active.get("/")
for exchange in active.history:  # 每个响应都重新发送了 Cookie，并带有新的 Max-Age
    print(exchange.method, exchange.path, "→", exchange.body,
          _("· Set-Cookie with Max-Age"), exchange.set_session_cookie.attribute("Max-Age"))
