"""Which gunicorn worker answered: notebook 08's look at ``python -m demo_server --workers N``.

gunicorn's workers take turns accepting connections on one socket, in no
fixed order, so which worker serves a request is luck. The server's access
log names the worker of every request (``<pid> "GET / HTTP/1.1" 200``). A
visit here waits for its own log line before the next one goes out, so each
answer is paired with the right worker, whatever order the workers write in.

The tally shows what does not depend on luck: the answers each worker gave.
How many requests each one got changes from run to run, so it is not shown.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from ..i18n import _
from ..runner import ServerProcess
from .client import Exchange, NotebookClient

#: An access-log line of ``--workers``: the worker's pid, the request line, the status.
ACCESS_LINE = re.compile(r'<(?P<pid>\d+)> "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d+)')


def served_by(server: ServerProcess, count: int, timeout: float = 5.0) -> list[int]:
    """The pids of the workers that served the server's first ``count`` requests, once all are logged."""
    deadline = time.monotonic() + timeout
    while True:
        pids = [int(match["pid"]) for line in server.log if (match := ACCESS_LINE.fullmatch(line))]
        if len(pids) >= count:
            return pids[:count]
        if time.monotonic() > deadline:
            raise TimeoutError(_("the server logged {logged} of {count} requests").format(logged=len(pids),
                                                                                         count=count))
        time.sleep(0.005)


@dataclass
class WorkerTally:
    """A login and the visits after it, each with the worker that served it.

    Workers are numbered as they first appear: worker 1 served the login.
    """

    login: tuple[int, Exchange]
    visits: list[tuple[int, Exchange]] = field(default_factory=list)

    @property
    def workers(self) -> list[int]:
        """The pids, the worker that served the login first."""
        return list(dict.fromkeys([self.login[0], *(pid for pid, _exchange in self.visits)]))

    def answers(self, worker: int) -> set[str]:
        """The distinct answers the ``worker``-th worker (1, 2, …) gave to the visits."""
        pid = self.workers[worker - 1]
        return {exchange.body for served, exchange in self.visits if served == pid}

    def first_visit_to(self, worker: int) -> Exchange:
        """The first visit the ``worker``-th worker served."""
        pid = self.workers[worker - 1]
        return next(exchange for served, exchange in self.visits if served == pid)

    def __str__(self) -> str:
        lines = []
        for number in range(1, len(self.workers) + 1):
            answers = " / ".join(sorted(self.answers(number)))
            if number == 1:
                # Translators: the tally's first line: the worker that served the login, and its answers to the visits.
                line = _("worker 1, which served the login: answered {answers}")
            else:
                # Translators: a line of the tally; {number} is 2, 3, …, {answers} what that worker answered.
                line = _("worker {number}: answered {answers}")
            lines.append(line.format(number=number, answers=answers))
        return "\n".join(lines)

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        printer.text(str(self))  # type: ignore[attr-defined]


def visit_until_every_worker_answered(client: NotebookClient, server: ServerProcess, workers: int,
                                      *, limit: int = 200) -> WorkerTally:
    """Log in through ``client``, then ``GET /`` until each of the ``workers`` has served at least two visits.

    Each request is a new connection (the server closes every one), so any worker may accept it.
    """
    logged = len([line for line in server.log if ACCESS_LINE.fullmatch(line)])

    def served(exchange: Exchange) -> tuple[int, Exchange]:
        nonlocal logged
        logged += 1
        return served_by(server, logged)[-1], exchange

    tally = WorkerTally(served(client.get("/login")))
    for _visit in range(limit):
        tally.visits.append(served(client.get("/")))
        counts = [pid for pid, _exchange in tally.visits]
        if len(set(counts)) >= workers and all(counts.count(pid) >= 2 for pid in set(counts)):
            return tally
    raise RuntimeError(_("{limit} requests went to fewer than {workers} workers").format(limit=limit,
                                                                                     workers=workers))
