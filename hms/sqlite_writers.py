"""SQLite's writers: their turns (WriterQueue) and their checkpoints (Checkpointer)."""

import fcntl
import logging
import os
import sqlite3
import threading
import time

log = logging.getLogger(__name__)

# How long after a write the SQLite WAL is checkpointed (Checkpointer).
CHECKPOINT_DELAY = 0.5


class WriterQueue:
    """Writers of one SQLite file take turns through an flock on a file beside it.

    SQLite itself lets one writer in at a time, but a writer that finds the lock taken
    sleeps and polls (1, 2, 5 … 100 ms), so under load the lock often sits free while
    writers sleep. A blocking flock wakes the next writer the moment the lock is let go.
    SQLite's own lock still guards the data (the CLI and migrations do not queue here);
    this only makes the wait short and fair. Each transaction opens its own descriptor,
    so threads of one process queue too.
    """

    def __init__(self, database: str):
        self.database, self.path = database, f"{database}.writers"
        self._checkpointer: tuple[int, Checkpointer] | None = None  # this process's

    def checkpointer(self) -> "Checkpointer":
        """The database's checkpointer in this process (a forked worker gets its own)."""
        pid = os.getpid()
        if self._checkpointer is None or self._checkpointer[0] != pid:
            self._checkpointer = (pid, Checkpointer.of(self.database))
        return self._checkpointer[1]

    def enter(self, connection) -> None:
        if not connection.info.get(CHECKPOINTS_BEHIND):
            # This connection's commits leave the WAL to the checkpointer's thread.
            connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
            connection.info[CHECKPOINTS_BEHIND] = True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        connection.info[WRITER_FD] = fd
        self.checkpointer().wake()

    @staticmethod
    def leave(connection_info: dict) -> None:
        fd = connection_info.pop(WRITER_FD, None)
        if fd is not None:
            os.close(fd)  # closing the descriptor releases its flock


WRITER_FD = "hms_writer_fd"
CHECKPOINTS_BEHIND = "hms_checkpoints_behind"


class Checkpointer:
    """Copies an SQLite file's WAL into the database on a thread of its own, a moment after
    writes, so that no request waits for a checkpoint.

    SQLite otherwise checkpoints in the commit that takes the WAL past 1,000 pages, and
    with synchronous=NORMAL a checkpoint is the one step that waits for the disk (fsync):
    when the disk stalls, the request that happened to commit then, and every writer
    queued behind it, waits. The thread runs PASSIVE checkpoints, which wait for no one
    and block no reader or writer. One thread per database file and process (started in
    the process that writes, so after a fork too); the writers' connections turn their
    own checkpoints off (WriterQueue.enter), while other connections (the CLI's,
    migrations) keep SQLite's.
    """

    _known: dict[tuple[int, str], "Checkpointer"] = {}
    _known_lock = threading.Lock()

    def __init__(self, database: str):
        self.database, self.delay = database, CHECKPOINT_DELAY
        self.last: tuple[int, int, int] | None = None  # busy, WAL frames, frames copied
        self._wake = threading.Event()

    @classmethod
    def of(cls, database: str) -> "Checkpointer":
        """The checkpointer of `database` in this process, its thread started (the first
        write of a forked worker starts its own)."""
        key = (os.getpid(), os.path.abspath(database))
        with cls._known_lock:
            checkpointer = cls._known.get(key)
            if checkpointer is None:
                checkpointer = cls._known[key] = cls(key[1])
                threading.Thread(
                    target=checkpointer._run, name="hms-sqlite-checkpoint", daemon=True
                ).start()
            return checkpointer

    def wake(self) -> None:
        """Note that the WAL grows: the thread checkpoints `delay` seconds from now."""
        self._wake.set()

    def _run(self) -> None:
        connection = sqlite3.connect(self.database, isolation_level=None, check_same_thread=False)
        while True:
            self._wake.wait()
            self._wake.clear()  # a write from now on asks for another round
            time.sleep(self.delay)  # let the writes of the moment gather
            try:
                self.last = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error:
                log.exception(
                    "the WAL checkpoint of %s failed; retried after the next write", self.database
                )
