"""The seed tutorial's own strings, in one place, so that a reader of the seed recognises every step.

The seed is a Chinese tutorial on express-session: it logs 张三 in and answers
in Chinese. The demo keeps its words exactly; only the greeting gains the
spaces that the seed's ``'hello'+user+'welcome'`` leaves out.
"""

#: The seed's user, whom ``/login`` logs in unless told otherwise.
DEFAULT_USER = "张三"
#: What ``/login`` answers: "logged in successfully".
LOGIN_DONE = "登入成功"
#: What ``/logout`` and the seed's ``/loginOut`` answer: "logged out".
LOGOUT_DONE = "退出登入"
#: What ``/`` answers without a session: "not logged in".
LOGGED_OUT = "未登入"


def greeting(user: str) -> str:
    """What ``/`` answers a logged-in user."""
    return f"hello {user} welcome"


#: The greeting for the seed's user.
GREETING = greeting(DEFAULT_USER)
