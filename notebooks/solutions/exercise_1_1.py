# The session is new and holds no data, and save_uninitialized is off: nothing to store, no cookie.
prediction = False
