# 服务器分辨不出 key 是谁发来的：谁持有 Alice 的 Cookie，谁就是 Alice。
prediction = True
