"""The learner's tools: what the notebooks use to watch the server at work.

The server itself (sessions, stores, the app, the CLI, the runner) lives in
:mod:`demo_server`; this package only observes it and explains it:

* :mod:`~demo_server.learn.client`: ``NotebookClient``, a browser stand-in that records each exchange;
* :mod:`~demo_server.learn.display`: transcripts and cards for exchanges, jars and stores;
* :mod:`~demo_server.learn.races`: a logout racing a slow request;
* :mod:`~demo_server.learn.exercises`: the checks of the workshop exercises;
* :mod:`~demo_server.learn.check`: the install check, ``python -m demo_server.learn.check``;
* :mod:`~demo_server.learn.browser`, :mod:`~demo_server.learn.proxy`,
  :mod:`~demo_server.learn.redis_server`: Chromium, jupyter-server-proxy links, a throwaway Redis.
"""
