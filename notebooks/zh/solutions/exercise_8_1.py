# 每台服务器都有自己的内存存储和自己的密钥：A 上的会话在 B 上并不存在。
prediction = False
