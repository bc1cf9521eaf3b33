login = browser.get("/login")
session_id, signature = split_cookie_value(login.set_session_cookie.value)
stored = server.store.get(session_id).data  # the key from the cookie finds the data on the server
stored
