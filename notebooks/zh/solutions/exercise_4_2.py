# 只有服务器能结束会话：登出之后，存储中的条目就没了，每一份副本都随之失效。
show_step(browser.get("/loginOut"))
