"""Each thread's connection of the reading pool, kept for it between the reads it serves."""

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine

# Where a kept connection notes since when it has waited (in its pool record's info).
KEPT_SINCE = "hms_kept_since"


class KeptConnections:
    """Lend each thread the connection of `engine` it had last, kept out of the pool
    between loans.

    A loan through the pool (the checkout, its events and checks, the Connection made
    around it, the checkin and its reset) is cheap on its own, but it runs cold between a
    request's other work: keeping the connection took a tenth off a status lookup's worker
    time under load (1,089 to 966 µs on PostgreSQL, the benchmark's 10,000 patients).

    A kept connection goes back to the pool, and the thread borrows afresh, when
    `doubtful(connection, kept_since)` says so (a server connection kept too long, or sent
    something while kept: the pool's checkout checks then decide whether to ping it), when
    the block raised or invalidated it, and when a loan nested in the block already left
    one. A thread that ended leaves its connection, which goes back to the pool when
    another thread borrows afresh. close() returns them all, for the pool to be disposed
    after it. Each process keeps its own: a forked child never lends, nor closes, a
    connection of its parent's.
    """

    def __init__(self, engine: Engine, doubtful: Callable[[Connection, float], bool] | None = None):
        self.engine = engine
        self._doubtful = doubtful
        self._kept: dict[tuple[int, int], Connection] = {}

    @contextmanager
    def lend(self) -> Iterator[Connection]:
        key = (os.getpid(), threading.get_ident())
        connection = self._kept.pop(key, None)
        if connection is not None:
            since = connection.info.pop(KEPT_SINCE)
            if self._doubtful is not None and self._doubtful(connection, since):
                connection.info[KEPT_SINCE] = since  # the pool counts its idle time from then
                connection.close()
                connection = None
        if connection is None:
            self._return_ended_threads()
            connection = self.engine.connect()
        try:
            yield connection
        except BaseException:
            connection.close()
            raise
        if connection.invalidated or key in self._kept:
            connection.close()
            return
        if connection.in_transaction():  # SQLAlchemy's own record; the driver is in autocommit
            connection.rollback()
        connection.info[KEPT_SINCE] = time.monotonic()
        self._kept[key] = connection

    def _return_ended_threads(self) -> None:
        """Give back the connections of threads that have ended (a server that starts a
        thread per request, such as `flask run`, would otherwise drain the pool)."""
        pid = os.getpid()
        running = {thread.ident for thread in threading.enumerate()}
        for key in list(self._kept):
            if key[0] == pid and key[1] not in running:
                connection = self._kept.pop(key, None)
                if connection is not None:
                    connection.close()

    def close(self) -> None:
        """Give this process's kept connections back to the pool."""
        pid = os.getpid()
        for key in list(self._kept):
            connection = self._kept.pop(key, None)
            if connection is not None and key[0] == pid:
                connection.close()
