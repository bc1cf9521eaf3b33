seconds = 7 * 24 * 30 / 1000  # express-session 的 cookie.maxAge 以毫秒计
seconds
