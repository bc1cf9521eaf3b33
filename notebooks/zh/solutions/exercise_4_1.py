# /loginOut 已销毁存储中的会话：那份副本里的 key 现在什么也找不到了。
prediction = False
