"""The exercise checks speak the language chosen when they run, and Babel finds every sentence they say.

The Chinese catalog is still being translated, so these tests put a marked
one in its place: every message comes back as ``‹message›``. What a learner
types, and the seed's own strings, sit outside the marks, so a translator
cannot break them. English itself is checked, byte for byte, by the solved
notebooks under nbval and by ``tests/test_exercises.py``.
"""

from __future__ import annotations

import ast
import gettext
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from demo_server import i18n
from demo_server.learn import exercises as check
from demo_server.learn.client import NotebookClient
from demo_server.runner import RunningServer
from demo_server.seed import DEFAULT_USER, GREETING, LOGGED_OUT, LOGIN_DONE, LOGOUT_DONE

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tools"))
import translations  # noqa: E402  (tools/ is not a package)

EXERCISES = REPO_ROOT / "demo_server" / "learn" / "exercises"
SEED_STRINGS = (DEFAULT_USER, LOGIN_DONE, LOGOUT_DONE, LOGGED_OUT)


class MarkedTranslations(gettext.NullTranslations):
    """A stand-in for the Chinese catalog: each message comes back between ‹ and ›."""

    def gettext(self, message: str) -> str:
        return "‹" + message + "›"


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Install the marked catalog after the checks were imported, as a notebook's language cell does."""
    monkeypatch.setattr(i18n, "_current", MarkedTranslations())


@pytest.fixture
def clients() -> Iterator[Callable[[RunningServer, str], NotebookClient]]:
    made: list[NotebookClient] = []

    def make(server: RunningServer, name: str = "browser") -> NotebookClient:
        made.append(NotebookClient(server, name=name))
        return made[-1]

    yield make
    for client in made:
        client.close()


def test_a_passing_and_a_failing_check_speak_the_current_language(marked: None) -> None:
    solved = check.exercise_3_1(5.04)
    assert solved and solved.text().split("\n")[0] == "✓ ‹Exercise 3.1: solved.›"
    assert solved.message.startswith("‹7*24*30 = 5040, and express-session reads cookie.maxAge in milliseconds: "
                                     "5.04 seconds.")
    assert solved.message.endswith("notebook 03 shows max_age=5040 as 84 minutes.›")

    hint = check.exercise_3_1(5040)
    assert not hint and hint.text().split("\n")[0] == "✗ ‹Exercise 3.1, not yet:›"
    assert hint.message == ("‹5040 would be right if maxAge counted seconds. Which unit does express-session's "
                            "cookie.maxAge use? (Notebook 05 compares the options.)›")
    assert "‹Exercise 3.1" in hint._repr_html_()


def test_the_seeds_strings_and_the_learners_code_stay_outside_the_translation(
        marked: None, serve: Callable[..., RunningServer], clients: Callable[..., NotebookClient]) -> None:
    server = serve()
    alice, bob = clients(server, "alice"), clients(server, "bob")
    cookie = alice.get("/login").set_session_cookie.value
    bob_visit = bob.get("/", cookie=f"sid={cookie}")

    right = check.exercise_2_1(True, bob_visit)
    assert right and right.message.startswith(f"‹Right. ‹Bob got {GREETING!r}. The server looked up the key")
    wrong = check.exercise_2_1(False, bob_visit)  # the other prediction is the seed's 未登入, never translated
    assert not wrong and wrong.message.startswith(
        f"‹you predicted {LOGGED_OUT}, but ‹Bob got {GREETING!r}›: look at the exchange above.\n‹Bob got")

    stolen = check.exercise_4_2(server, alice, cookie)
    assert stolen.message == (f"‹the stolen copy still logs in as {DEFAULT_USER}: the session is still in the "
                              "server's store. What does the seed's /loginOut do?›")
    unplanted = check.exercise_7_2(clients(server, "attacker"), clients(server, "victim"))
    assert unplanted.message == ("‹step 1: the attacker needs a session id of their own first: attacker.get('/') "
                                 "(this server stores new sessions, so it hands one out).›")
    assert check.exercise_1_1(None, None).message.startswith("‹write your prediction first: set prediction = ")


def test_the_fallbacks_speak_it_too(marked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    unreachable = check.exercise_1_3(SimpleNamespace(url="http://127.0.0.1:9", running=True))
    assert unreachable.message.startswith("‹the check could not reach the server (ConnectionError). Is it")

    def broken(value: object) -> bool:
        raise ZeroDivisionError("a bug in the check")

    monkeypatch.setattr(check.cookie_issuance, "_prediction", broken)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")  # as in a learner's kernel, where a bug becomes a sentence
    assert check.exercise_1_1(True, None).message == (
        "‹the check could not make sense of what it was given (ZeroDivisionError: a bug in the check). Compare "
        "your cell with the instructions above it.›")


def test_english_comes_back_when_the_language_does() -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(i18n, "_current", MarkedTranslations())
        assert "‹" in check.exercise_3_1(5040).message
    assert check.exercise_3_1(5040).message.startswith("5040 would be right")


# -- what the extractor sees ----------------------------------------------------------------------


def _marked_arguments() -> list[ast.expr]:
    """The first argument of every ``_(…)`` call in the exercises package."""
    return [node.args[0] for path in sorted(EXERCISES.glob("*.py"))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"]


def test_every_marked_message_is_one_literal_with_no_seed_string_inside() -> None:
    """Babel cannot see an f-string or a concatenation in ``_()``; a translator could break a seed string there."""
    arguments = _marked_arguments()
    assert len(arguments) > 100
    assert [ast.unparse(a) for a in arguments if not (isinstance(a, ast.Constant) and isinstance(a.value, str))] == []
    messages = [a.value for a in arguments if isinstance(a, ast.Constant)]
    assert [message for message in messages if any(seed in message for seed in SEED_STRINGS)] == []


def test_babel_extracts_the_feedback_with_its_notes_for_translators() -> None:
    template = translations.package_template()  # read-only: extract and build would rewrite the catalogs
    ids = {message.id for message in template}
    marked = {argument.value for argument in _marked_arguments() if isinstance(argument, ast.Constant)}
    assert marked <= ids
    assert {"Exercise {number}: solved.", "Exercise {number}, not yet:", "Right. {why}",
            "you predicted {predicted}, but {observed}: look at the exchange above.\n{why}",
            "the stolen copy still logs in as {user}. You removed the cookie from the browser, but the session is "
            "still in the server's store, and the copy still points at it. Only the server can end a session: ask "
            "it to."} <= ids
    solved = template.get("Exercise {number}: solved.")
    assert solved is not None and any("✓" in comment for comment in solved.auto_comments)
    assert any(location.endswith("exercises/feedback.py") for location, _ in solved.locations)
