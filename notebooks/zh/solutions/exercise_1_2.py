login = browser.get("/login")
session_id, signature = split_cookie_value(login.set_session_cookie.value)
stored = server.store.get(session_id).data  # 凭 Cookie 中的 key，在服务器上找到数据
stored
