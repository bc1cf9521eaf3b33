"""The workshop exercises: every check passes on its solution and fails kindly without one.

Three layers:

* the checks themselves, called with the answers learners really give (none yet, a typical
  wrong one, the right one) against real servers over real HTTP;
* the unsolved exercise notebooks, executed top to bottom: every check must answer
  "✗ … not yet" with a hint, and no cell may raise;
* the solved copies in notebooks/solutions, which nbval runs strictly: here we check that they
  are exactly what tools/solutions.py builds from the exercise notebooks and the solution
  files, so the two never drift apart, and that their committed checks all say ✓.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from flask import Response, request, session
from nbclient import NotebookClient as KernelRunner

from demo_server import MemoryStore, create_app, start_server_process
from demo_server.learn import exercises as check
from demo_server.learn.client import NotebookClient, split_cookie_value, wait
from demo_server.runner import RunningServer

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tools"))
import solutions  # noqa: E402  (tools/ is not a package)

CHECK_CALL = re.compile(r"check\.(exercise_\d+_\d+)\(")
EXERCISE_NOTEBOOKS = solutions.exercise_notebooks()
CHECK_FUNCTIONS = {name: getattr(check, name) for name in check.__all__ if name.startswith("exercise_")}


def number_of(function_name: str) -> str:
    """exercise_3_2 -> "3.2"."""
    return ".".join(function_name.split("_")[1:])


def check_cells(nb: nbformat.NotebookNode) -> list[tuple[str, nbformat.NotebookNode]]:
    """(check function name, cell) for every cell that runs a check."""
    return [(match[1], cell) for cell in nb.cells if cell.cell_type == "code"
            and (match := CHECK_CALL.search(cell.source))]


def plain_text(cell: nbformat.NotebookNode) -> str:
    return "".join(output.get("data", {}).get("text/plain", "") for output in cell.outputs)


@pytest.fixture
def clients() -> Iterator[Callable[..., NotebookClient]]:
    """NotebookClient factory; every client is closed at teardown."""
    made: list[NotebookClient] = []

    def make(server: RunningServer, name: str = "browser") -> NotebookClient:
        made.append(NotebookClient(server, name=name))
        return made[-1]

    yield make
    for client in made:
        client.close()


# -- the exercise notebooks, their solutions and their solved copies ------------------------


def test_there_are_exercises_for_the_core_security_and_scaling_notebooks() -> None:
    names = [path.name for path in EXERCISE_NOTEBOOKS]
    assert names == ["01_cookie_issuance.ipynb", "02_session_lookup.ipynb", "03_max_age_expiry.ipynb",
                     "04_destroy.ipynb", "07_security_checklist.ipynb", "08_scaling_out.ipynb"]
    for path in EXERCISE_NOTEBOOKS:
        tutorial = nbformat.read(REPO_ROOT / "notebooks" / path.name, as_version=4)
        assert any(f"](exercises/{path.name})" in cell.source for cell in tutorial.cells
                   if cell.cell_type == "markdown")  # the tutorial notebook points learners to them
        assert len(check_cells(nbformat.read(path, as_version=4))) >= 2


def test_every_check_is_used_once_and_every_solution_file_loaded_once() -> None:
    used_checks: list[str] = []
    loaded_files: list[str] = []
    for path in EXERCISE_NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        used_checks += [name for name, _ in check_cells(nb)]
        loaded_files += solutions.solution_files(nb)
    assert sorted(used_checks) == sorted(CHECK_FUNCTIONS)
    assert sorted(loaded_files) == sorted(p.name for p in solutions.SOLUTION_DIR.glob("exercise_*.py"))
    # Exercise N.M loads solutions/exercise_N_M.py and is checked by check.exercise_N_M.
    assert sorted(f"{name}.py" for name in used_checks) == sorted(loaded_files)


def test_exercise_notebooks_are_committed_without_outputs() -> None:
    """Outputs would answer the "predict, then run" questions before the learner predicts."""
    for path in EXERCISE_NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


def test_solved_notebooks_are_exactly_what_the_exercises_and_solution_files_build() -> None:
    for path in EXERCISE_NOTEBOOKS:
        built = solutions.solved_notebook(path)
        committed = nbformat.read(solutions.solved_path(path), as_version=4)
        assert [(c.cell_type, c.get("id"), c.source) for c in committed.cells] == \
               [(c.cell_type, c.get("id"), c.source) for c in built.cells], \
               f"{path.name}: run `make notebooks` to rebuild notebooks/solutions/{path.name}"
    orphans = {p.name for p in solutions.SOLUTION_DIR.glob("*.ipynb")} - {p.name for p in EXERCISE_NOTEBOOKS}
    assert not orphans


def test_a_solved_cell_holds_what_percent_load_puts_there() -> None:
    """Ask a real kernel, started where the exercise notebooks run, to %load every solution."""
    solved_cells = {}
    for path in EXERCISE_NOTEBOOKS:
        for cell in solutions.solved_notebook(path).cells:
            if cell.cell_type == "code" and (match := solutions.LOAD_LINE.search(cell.source)):
                solved_cells[match["file"]] = cell.source
    manager, kernel = start_new_kernel(kernel_name="python3", cwd=str(solutions.EXERCISE_DIR))
    try:
        for file_name, solved_source in solved_cells.items():
            msg_id = kernel.execute(f"%load ../solutions/{file_name}")
            reply = kernel.get_shell_msg(timeout=10)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = kernel.get_shell_msg(timeout=10)
            [payload] = reply["content"]["payload"]
            assert payload["source"] == "set_next_input" and payload["replace"] is True
            assert payload["text"].rstrip() == solved_source, file_name
    finally:
        kernel.stop_channels()
        manager.shutdown_kernel()
    assert len(solved_cells) == len(CHECK_FUNCTIONS)


def test_the_committed_solved_notebooks_show_every_check_passing() -> None:
    for path in EXERCISE_NOTEBOOKS:
        for name, cell in check_cells(nbformat.read(solutions.solved_path(path), as_version=4)):
            assert plain_text(cell).startswith(f"✓ Exercise {number_of(name)}: solved."), (path.name, name)


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda path: path.stem)
def test_unsolved_notebook_runs_and_every_check_fails_kindly(path: Path) -> None:
    """As a learner first meets it: Run All works, and each check says what to do next."""
    nb = nbformat.read(path, as_version=4)
    KernelRunner(nb, timeout=60, kernel_name="python3",
                 resources={"metadata": {"path": str(path.parent)}}).execute()  # raises on any error
    for name, cell in check_cells(nb):
        text = plain_text(cell)
        assert text.startswith(f"✗ Exercise {number_of(name)}, not yet:"), (name, text)
        assert "Traceback" not in text and "Error" not in text.split("\n", 1)[1], (name, text)
    streams = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"]
    assert streams == []  # no log lines, no warnings


# -- the checks, one by one ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CHECK_FUNCTIONS))
def test_a_check_never_raises_whatever_it_is_given(name: str) -> None:
    function = CHECK_FUNCTIONS[name]
    arity = len(inspect.signature(function).parameters)
    for junk in (None, "nonsense", 42, object()):
        feedback = function(*[junk] * arity)
        assert isinstance(feedback, check.Feedback) and not feedback
        assert feedback.text().startswith(f"✗ Exercise {number_of(name)}, not yet:")


def test_checks_that_look_inside_the_server_say_so_for_a_server_process() -> None:
    process = start_server_process(name="exercise-checks-process")
    try:
        for function in (check.exercise_1_2, check.exercise_2_2, check.exercise_3_2, check.exercise_4_2):
            arity = len(inspect.signature(function).parameters)
            feedback = function(process, *[None] * (arity - 1))
            assert not feedback and "started in this notebook with start_server(...)" in feedback.message
    finally:
        process.stop()


def test_a_wrong_prediction_is_corrected_from_the_real_exchange(serve: Callable[..., RunningServer],
                                                                  clients: Callable[..., NotebookClient]) -> None:
    visit = clients(serve()).get("/")
    assert visit.set_session_cookie is None
    wrong = check.exercise_1_1(True, visit)
    assert not wrong and "none came back" in wrong.message and "save_uninitialized=False" in wrong.message
    assert check.exercise_1_1(False, visit)
    assert not check.exercise_1_1("False", visit)  # a string is not a prediction


def test_1_2_wants_the_id_not_the_whole_cookie(serve: Callable[..., RunningServer],
                                               clients: Callable[..., NotebookClient]) -> None:
    server = serve()
    browser = clients(server)
    value = browser.get("/login").set_session_cookie.value
    session_id, _ = split_cookie_value(value)
    assert "before the dot" in check.exercise_1_2(server, browser, value, None).message
    assert "stored" in check.exercise_1_2(server, browser, session_id, None).message
    assert not check.exercise_1_2(server, browser, session_id, {"userinfo": "李四"})
    assert check.exercise_1_2(server, browser, session_id, server.store.get(session_id))  # the record works too
    assert check.exercise_1_2(server, browser, session_id, {"userinfo": "张三"})


def test_1_3_needs_a_server_that_stores_empty_sessions(serve: Callable[..., RunningServer]) -> None:
    assert "saveUninitialized" in check.exercise_1_3(serve()).message
    seed_like = serve(save_uninitialized=True)
    assert check.exercise_1_3(seed_like)
    assert [record.data for record in seed_like.store.all().values()] == [{}]  # the check's own first visit


def forge(session_id: str, secret: bytes) -> str:
    digest = hmac.new(secret, session_id.encode(), hashlib.sha256).digest()
    return f"{session_id}.{base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def test_2_2_tells_a_forgery_from_a_copy_and_from_the_servers_own_secret(
        serve: Callable[..., RunningServer], clients: Callable[..., NotebookClient]) -> None:
    server = serve()
    genuine = clients(server).get("/login").set_session_cookie.value
    alice_id, signature = split_cookie_value(genuine)
    forged = forge(alice_id, b"keyboard cat")

    assert "genuine" in check.exercise_2_2(server, genuine, "b").message
    resigned = server.app.session_interface.sign_session_id(server.app, "x" * 43)
    assert "server's own secret" in check.exercise_2_2(server, resigned, "b").message
    # The last base64 character of a 32-byte signature has two spare bits: 3 other spellings decode to the
    # same bytes. The server accepts none of them, and the check says why such a "forgery" is no forgery.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    respelled = [f"{alice_id}.{signature[:-1]}{c}" for c in alphabet if c != signature[-1]]
    assert [v for v in respelled if server.app.session_interface.unsign_session_id(server.app, v)] == []
    same_bytes = [v for v in respelled if base64.urlsafe_b64decode(v.split(".")[1] + "=")
                  == base64.urlsafe_b64decode(signature + "=")]
    assert len(same_bytes) == 3
    assert "spare bits" in check.exercise_2_2(server, same_bytes[0], "b").message
    assert "spare bits" not in check.exercise_2_2(server, forged, "b").message

    assert "set answer" in check.exercise_2_2(server, forged, None).message
    assert "it is Alice's" in check.exercise_2_2(server, forged, "a").message
    assert "JavaScript" in check.exercise_2_2(server, forged, "c").message
    assert check.exercise_2_2(server, forged, "b")
    assert check.exercise_2_2(server, "sid=" + forged, "B")  # the cookie pair and a capital are fine


def test_3_1_catches_reading_max_age_as_seconds() -> None:
    assert "milliseconds" not in check.exercise_3_1(5040).message
    assert "unit" in check.exercise_3_1(5040).message
    assert not check.exercise_3_1(7 * 24 * 30 * 60)
    assert check.exercise_3_1(5.04)


def test_3_2_fixed_expiry_logs_the_active_user_out(serve: Callable[..., RunningServer],
                                                   clients: Callable[..., NotebookClient]) -> None:
    fixed = serve(max_age=2)
    user = clients(fixed)
    user.get("/login")
    user.get("/")
    assert "within max_age" in check.exercise_3_2(fixed, user).message  # too short to show anything
    wait(1.1)
    user.get("/")
    wait(1.1)
    assert user.get("/").body == check.LOGGED_OUT
    assert "without rolling=True" in check.exercise_3_2(fixed, user).message
    assert "log in with the active client" in check.exercise_3_2(serve(max_age=2, rolling=True), user).message
    assert "long for a demo" in check.exercise_3_2(serve(max_age=60, rolling=True), user).message


def test_4_2_clearing_the_browser_is_not_logging_out(serve: Callable[..., RunningServer],
                                                     clients: Callable[..., NotebookClient]) -> None:
    server = serve()
    browser = clients(server)
    stolen = browser.get("/login").set_session_cookie.value
    assert "What does the seed's /loginOut do?" in check.exercise_4_2(server, browser, stolen).message
    browser.clear_cookies()
    assert "removed the cookie from the browser" in check.exercise_4_2(server, browser, stolen).message
    browser.get("/loginOut", cookie=f"sid={stolen}")
    assert check.exercise_4_2(server, browser, stolen)


def test_7_1_explains_what_httponly_does_not_do(serve: Callable[..., RunningServer],
                                                clients: Callable[..., NotebookClient]) -> None:
    login = clients(serve()).get("/login")
    assert "SameSite=Lax" in check.exercise_7_1("b", login).message
    assert "HTTPS" in check.exercise_7_1("c", login).message
    assert not check.exercise_7_1("d", login)
    assert check.exercise_7_1("a", login)


def fixation_steps(server: RunningServer, clients: Callable[..., NotebookClient], *,
                   plant: bool = True) -> tuple[NotebookClient, NotebookClient]:
    attacker, victim = clients(server, "attacker"), clients(server, "victim")
    attacker.get("/")
    if plant:
        victim.jar.update(attacker.jar)
    victim.get("/login")
    attacker.get("/")
    return attacker, victim


def test_7_2_the_attack_fails_here_and_works_without_a_new_id(serve: Callable[..., RunningServer],
                                                              clients: Callable[..., NotebookClient]) -> None:
    assert check.exercise_7_2(*fixation_steps(serve(save_uninitialized=True), clients))
    unplanted = check.exercise_7_2(*fixation_steps(serve(save_uninitialized=True), clients, plant=False))
    assert "victim.jar.update(attacker.jar)" in unplanted.message

    vulnerable = create_app(save_uninitialized=True)

    def login_keeping_the_id() -> Response:  # the seed's /login: no regenerate()
        session["userinfo"] = request.args.get("user", "张三")
        return Response("登入成功", mimetype="text/plain")

    vulnerable.view_functions["login"] = login_keeping_the_id
    attacked = check.exercise_7_2(*fixation_steps(serve(vulnerable), clients))
    assert not attacked and "session fixation" in attacked.message


def test_8_2_needs_the_same_store_and_the_same_secret(serve: Callable[..., RunningServer]) -> None:
    store = MemoryStore()
    secret_a, secret_b = "a" * 64, "b" * 64
    assert "different secrets" in check.exercise_8_2(serve(store=store, secret=secret_a),
                                                     serve(store=store, secret=secret_b)).message
    assert "own store" in check.exercise_8_2(serve(secret=secret_a), serve(secret=secret_a)).message
    same = serve()
    assert "the same server" in check.exercise_8_2(same, same).message
    assert check.exercise_8_2(serve(store=store, secret=secret_a), serve(store=store, secret=secret_a))


def test_feedback_reads_as_text_and_html() -> None:
    feedback: Any = check.exercise_3_1(5.04)
    assert repr(feedback) == feedback.text()
    assert feedback._repr_html_().startswith('<div style="border-left: 4px solid #2e7d32')
    assert "7*24*30 = 5040" in feedback._repr_html_()


def test_a_bug_in_a_check_reaches_its_author_under_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    """A learner sees a sentence, never a traceback; a test sees the bug itself."""
    def broken(value: object) -> bool:
        raise ZeroDivisionError("a bug in the check")

    monkeypatch.setattr(check.cookie_issuance, "_prediction", broken)  # exercise_1_1 reads it there
    with pytest.raises(ZeroDivisionError, match="a bug in the check"):
        check.exercise_1_1(True, None)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")  # as in a learner's kernel
    feedback = check.exercise_1_1(True, None)
    assert not feedback and "could not make sense of what it was given (ZeroDivisionError" in feedback.message
