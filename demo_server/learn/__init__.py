"""The learner's tools: what the notebooks use to watch the server at work.

The server itself (sessions, stores, the app, the CLI, the runner) lives in
:mod:`demo_server`; this package only observes it and explains it:

* :mod:`~demo_server.learn.client`: ``NotebookClient``, a browser stand-in that records each exchange;
* :mod:`~demo_server.learn.display`: transcripts and cards for exchanges, jars and stores;
* what the notebooks run, one module per demonstration: :mod:`~demo_server.learn.checklist`
  and :mod:`~demo_server.learn.checks` (07), :mod:`~demo_server.learn.races` (04, 07), :mod:`~demo_server.learn.matrix`,
  :mod:`~demo_server.learn.options` and :mod:`~demo_server.learn.walk` (05, 06),
  :mod:`~demo_server.learn.workers`, :mod:`~demo_server.learn.balancer`, :mod:`~demo_server.learn.lost_update` and
  :mod:`~demo_server.learn.stored_record` (08), :mod:`~demo_server.learn.browser_steps` (09),
  :mod:`~demo_server.learn.cookie_syntax` (01);
* :mod:`~demo_server.learn.exercises`: the checks of the workshop exercises, one module per notebook;
* :mod:`~demo_server.learn.check`: the install check, ``python -m demo_server.learn.check``;
* :mod:`~demo_server.learn.browser`, :mod:`~demo_server.learn.proxy`,
  :mod:`~demo_server.learn.redis_server`: Chromium, jupyter-server-proxy links, a throwaway Redis.

Importing any of it imports the display, which registers how an exchange shows
itself (:attr:`Exchange.formatters <demo_server.learn.client.Exchange.formatters>`):
a cell ending in ``client.get(...)`` shows a transcript and a card, whichever
module the notebook imported first.
"""

try:
    from . import display  # noqa: F401 - imported for what it registers
except ImportError:
    # `python -m demo_server.learn.check` imports this package before the check runs, and must
    # report a missing package or an old Python as a ✗ line, not a traceback. Any other use of
    # the display or the client imports the same modules itself, and fails there, loudly.
    pass
