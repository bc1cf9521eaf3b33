# The server cannot tell who sends a key: whoever holds Alice's cookie is Alice.
prediction = True
