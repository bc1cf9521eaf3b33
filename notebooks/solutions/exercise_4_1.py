# /loginOut destroyed the session in the store: the copy's key now leads nowhere.
prediction = False
