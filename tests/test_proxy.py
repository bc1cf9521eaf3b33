"""The /web/ pages behind a real jupyter-server-proxy, as on JupyterHub or Binder.

A learner on a JupyterHub opens the demo at ``…/proxy/PORT/web/``. The
proxy strips ``/proxy/PORT`` and announces it in ``X-Forwarded-Prefix``;
the app must put it back into its links and into the cookie's ``Path``, or
the browser leaves the prefix and loses the session. These tests start a
real ``jupyter server`` with jupyter-server-proxy and go through it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from flask import Flask, jsonify, request

from demo_server import RunningServer
from demo_server.learn.proxy import public_url

if TYPE_CHECKING:
    from conftest import Serve

pytest.importorskip("jupyter_server_proxy", reason="jupyter-server-proxy is not installed")

#: Extensions the test does not need; skipping them saves about a second of start-up.
UNNEEDED_EXTENSIONS = ("jupyterlab", "jupyter_lsp", "jupyter_server_terminals", "notebook_shim")
START_TIMEOUT_SECONDS = 30


@dataclass
class JupyterServer:
    """A ``jupyter server`` child process, and how to talk to it."""

    process: subprocess.Popen[bytes]
    port: int
    token: str
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> requests.Session:
        """A client that authenticates with the token and ignores this machine's proxy settings."""
        client = requests.Session()
        client.trust_env = False
        client.headers.update({"Authorization": f"token {self.token}", "Accept-Encoding": "identity"})
        return client


def _wait_for_port(runtime_dir: Path, process: subprocess.Popen[bytes], log_path: Path) -> int:
    """The port from the server's runtime file, written once it listens (we asked for port 0)."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter server exited with {process.returncode}:\n{log_path.read_text()}")
        for info_file in runtime_dir.glob("jpserver-*.json"):
            try:
                port = int(json.loads(info_file.read_text())["port"])
            except (ValueError, KeyError):
                continue  # caught half-written
            # Seen under load: the file can name the port a moment before a connect succeeds.
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                continue
            return port
        time.sleep(0.05)
    raise RuntimeError(f"jupyter server did not start in {START_TIMEOUT_SECONDS} s:\n{log_path.read_text()}")


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    workdir = tmp_path_factory.mktemp("jupyter")
    root_dir, runtime_dir = workdir / "root", workdir / "runtime"
    root_dir.mkdir()
    runtime_dir.mkdir()
    token = secrets.token_hex(16)
    log_path = workdir / "jupyter-server.log"
    extensions = [f"--ServerApp.jpserver_extensions={name}=False" for name in UNNEEDED_EXTENSIONS]
    extensions.append("--ServerApp.jpserver_extensions=jupyter_server_proxy=True")
    with open(log_path, "wb") as log:  # the child keeps its own copy of the file descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", f"--IdentityProvider.token={token}",
             "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0", "--no-browser", "--allow-root",
             f"--ServerApp.root_dir={root_dir}", *extensions],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            # Our own runtime dir, to find the port; our own config dir, so that a
            # developer's ~/.jupyter (a password, say) cannot change the test.
            env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime_dir),
                 "JUPYTER_CONFIG_DIR": str(workdir / "config")},
            start_new_session=True,
        )
    try:
        port = _wait_for_port(runtime_dir, process, log_path)
        yield JupyterServer(process, port, token, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def demo(serve: Serve) -> RunningServer:
    return serve(proxy=True)  # jupyter-server-proxy is in front: trust what it forwards


class LinkCollector(HTMLParser):
    """Every URL a page points at (href, src, form action), except inline ``data:`` ones."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs
                      if name in ("href", "src", "action") and value and not value.startswith("data:")]


def links_in(page: str) -> list[str]:
    collector = LinkCollector()
    collector.feed(page)
    return collector.urls


def form_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no form token"
    return match.group(1)


def session_set_cookies(response: requests.Response) -> list[str]:
    """Each Set-Cookie of the session cookie on its own (``response.headers`` would join them).

    Through the proxy, Jupyter Server adds its own login cookie (``username-…``) as well.
    """
    return [header for header in response.raw.headers.getlist("Set-Cookie") if header.startswith("sid=")]


def test_what_jupyter_server_proxy_sends(jupyter: JupyterServer, serve: Serve) -> None:
    """The facts the app relies on: the prefix is stripped and sent as X-Forwarded-Prefix."""
    echo = Flask("echo")

    @echo.get("/<path:path>")
    def report(path: str) -> object:
        return jsonify(path=request.path, prefix=request.headers.get("X-Forwarded-Prefix"),
                       host=request.headers.get("Host"))

    server = serve(echo)
    reply = jupyter.client().get(f"{jupyter.url}/proxy/{server.port}/web/x", timeout=10).json()
    assert reply == {"path": "/web/x", "prefix": f"/proxy/{server.port}",
                     "host": f"127.0.0.1:{jupyter.port}"}


def test_login_through_the_proxy(jupyter: JupyterServer, demo: RunningServer) -> None:
    prefix = f"/proxy/{demo.port}"
    base = jupyter.url + prefix
    client = jupyter.client()

    form = client.get(f"{base}/web/login", timeout=10)
    assert form.status_code == 200
    [cookie] = session_set_cookies(form)  # the form's token lives in a fresh session
    assert f"Path={prefix}/;" in cookie
    assert all(url.startswith(f"{prefix}/web/") for url in links_in(form.text)), links_in(form.text)

    login = client.post(f"{base}/web/login", data={"user": "张三", "csrf_token": form_token(form.text)},
                        allow_redirects=False, timeout=10)
    assert login.status_code == 303
    assert login.headers["Location"] == "./?done=login"  # relative: the proxy leaves it alone
    [cookie] = session_set_cookies(login)
    assert f"Path={prefix}/;" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie

    home = client.get(f"{base}/web/?done=login", timeout=10)
    assert "hello <strong>张三</strong> welcome" in home.text
    assert "登入成功" in home.text
    assert session_set_cookies(home) == []
    assert all(url.startswith(f"{prefix}/web/") for url in links_in(home.text))

    seen = client.get(f"{base}/web/cookies", timeout=10)
    assert "<code>sid</code>" in seen.text  # the cookie came back through the proxy

    logout = client.post(f"{base}/web/logout", data={"csrf_token": form_token(home.text)}, timeout=10)
    assert logout.url == f"{base}/web/?done=logout"  # requests resolved the relative redirect
    assert "未登入" in logout.text and "退出登入" in logout.text
    [cleared] = session_set_cookies(logout.history[0])
    assert f"Path={prefix}/;" in cleared and "Max-Age=0" in cleared  # the same Path, or it would stay
    assert "sid" not in [cookie.name for cookie in client.cookies]
    assert demo.store is not None and len(demo.store.all()) == 0


def test_without_the_proxy_nothing_changes(demo: RunningServer) -> None:
    client = requests.Session()
    client.trust_env = False
    form = client.get(f"{demo.url}/web/login", timeout=10)
    [cookie] = session_set_cookies(form)
    assert "Path=/;" in cookie
    assert all(url.startswith("/web/") for url in links_in(form.text))


def test_public_url_points_through_the_proxy_on_a_hub(demo: RunningServer) -> None:
    hub = {"JUPYTERHUB_SERVICE_PREFIX": "/user/ana/"}
    assert public_url(demo, "/web/", environ=hub) == f"/user/ana/proxy/{demo.port}/web/"
    assert public_url(demo.port, "/web/", environ={}) == f"http://127.0.0.1:{demo.port}/web/"
