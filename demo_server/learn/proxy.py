"""Links to a demo server that work wherever the notebook runs.

On your own machine the browser reaches the server at ``http://127.0.0.1:PORT``.
On a JupyterHub (mybinder.org is one) the server runs on a remote machine
whose loopback your browser cannot reach; jupyter-server-proxy forwards
``<your server's prefix>/proxy/PORT/…`` to it instead.

What jupyter-server-proxy 4.6 does with ``/proxy/PORT/…`` (read in its
``handlers.py``, checked by ``tests/test_proxy.py``):

* it **strips** the prefix: ``/user/ana/proxy/8000/web/`` reaches the app as ``/web/``;
* it sends the prefix, without a trailing slash, as ``X-Forwarded-Prefix``
  (and as ``X-Forwarded-Context`` and ``X-ProxyContextPath``); the demo app
  reads it with Werkzeug's ``ProxyFix``;
* it passes ``Host`` and ``Cookie`` through, and ``Set-Cookie`` back, unchanged:
  the cookie's ``Path`` is the app's job;
* it connects to ``localhost:PORT``, which reaches a server listening on 127.0.0.1;
* it prepends the prefix to a redirect's ``Location`` when that is an absolute
  path (``/web/``), but leaves relative ones (``./``) alone. The demo app
  only sends relative ones, which also work behind any other proxy. (4.5
  rewrote relative ones too, wrongly; jupyter-server-proxy PR #592 fixed it.)

``/proxy/absolute/PORT/…`` keeps the prefix and sends no header; the demo app
does not support it.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping
from typing import Protocol

from ..runner import LOOPBACK

#: Set by JupyterHub (and so by Binder) in every single-user server and its
#: kernels: the URL path of this user's server, with a trailing slash.
SERVICE_PREFIX_VARIABLE = "JUPYTERHUB_SERVICE_PREFIX"


class HasPort(Protocol):
    """A running server: :class:`~demo_server.runner.RunningServer` or ``ServerProcess``."""

    port: int


def service_prefix(environ: Mapping[str, str] | None = None) -> str | None:
    """This Jupyter server's URL path on a JupyterHub or Binder, or ``None`` when local."""
    environ = os.environ if environ is None else environ
    prefix = environ.get(SERVICE_PREFIX_VARIABLE, "").strip()
    if not prefix:
        return None
    inner = prefix.strip("/")
    return f"/{inner}/" if inner else "/"


def public_url(server_or_port: HasPort | int, path: str = "/", *,
               environ: Mapping[str, str] | None = None) -> str:
    """The URL at which *your browser* reaches the server.

    Locally: ``http://127.0.0.1:PORT/path``. On a JupyterHub or Binder:
    ``/user/NAME/proxy/PORT/path``, a host-relative URL. The kernel cannot
    know which host name your browser uses for the hub, but a link without
    one opens on the host the notebook page came from, which is the right one.
    """
    port = server_or_port if isinstance(server_or_port, int) else server_or_port.port
    if not path.startswith("/"):
        path = "/" + path
    prefix = service_prefix(environ)
    if prefix is None:
        return f"http://{LOOPBACK}:{port}{path}"
    return f"{prefix}proxy/{port}{path}"


class Link:
    """A link a notebook shows: an HTML anchor in JupyterLab, a plain line elsewhere."""

    def __init__(self, url: str, text: str) -> None:
        self.url = url
        self.text = text

    def _repr_html_(self) -> str:
        # Only an <a> and a <code>: they survive JupyterLab's sanitizer in an untrusted notebook.
        url = html.escape(self.url)
        return (f'<a href="{url}" target="_blank" rel="noopener">{html.escape(self.text)}</a>'
                f" <code>{url}</code>")

    def __repr__(self) -> str:
        return f"{self.text}: {self.url}"


def show_link(server_or_port: HasPort | int, path: str = "/web/",
              text: str = "Open the demo pages in your browser") -> None:
    """Display a clickable link to ``path`` on the server, in a notebook's output.

    It returns nothing, so that a call on a cell's last line shows the link
    once; :func:`public_url` gives the URL itself.
    """
    from IPython.display import display  # only notebooks call this; the package works without IPython

    display(Link(public_url(server_or_port, path), text))
