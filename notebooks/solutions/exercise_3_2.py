from demo_server.i18n import _

rolling_server = start_server(name="rolling", max_age=2, rolling=True)
active = NotebookClient(rolling_server, name=_("active"))
active.get("/login")
for _second in range(3):  # 3 s after the login in all, longer than max_age, but never idle for long
    wait(1)
    active.get("/")
for exchange in active.history:  # every response re-sent the cookie with a fresh Max-Age
    print(exchange.method, exchange.path, "→", exchange.body,
          _("· Set-Cookie with Max-Age"), exchange.set_session_cookie.attribute("Max-Age"))
