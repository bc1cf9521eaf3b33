seconds = 7 * 24 * 30 / 1000  # express-session's cookie.maxAge counts milliseconds
seconds
