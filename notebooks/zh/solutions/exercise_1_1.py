# 会话是新的，没有任何数据，而 save_uninitialized 是关闭的：没有东西要存储，也就没有 Cookie。
prediction = False
