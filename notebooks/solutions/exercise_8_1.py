# Each server has its own memory store and its own secret: A's session does not exist on B.
prediction = False
