# Only the server can end a session: log out, and the store entry is gone for every copy.
show_step(browser.get("/loginOut"))
