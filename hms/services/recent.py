"""A value a process computed, served again for a few seconds: the public catalogue and the
admin dashboard's figures are read far more often than they change."""

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)


def in_a_thread(work: Callable[[], None]) -> None:
    """Run `work` on a thread of its own, which the process does not wait for at exit."""
    threading.Thread(target=work, name="hms-recent-refresh", daemon=True).start()


class Recent(Generic[T]):
    """The last value computed for a key, served again for `seconds` (0: never) or until
    cleared; another key computes it again.

    With `behind` (how to run work beside the requests, such as in_a_thread), an expired
    value is served on while `behind` computes the next one, so that no request waits for
    it, for up to `stale_seconds` past its expiry; older than that, or for another key,
    the request computes it. A refresh that fails is logged and tried again by the next
    request.
    """

    def __init__(
        self,
        seconds: float,
        now: Callable[[], float] = time.monotonic,
        *,
        behind: Callable[[Callable[[], None]], None] | None = None,
        stale_seconds: float = 60.0,
    ):
        self.seconds, self.now = seconds, now
        self.behind, self.stale_seconds = behind, stale_seconds
        self._lock = threading.Lock()
        self._key: Hashable = None
        self._value: T | None = None
        self._expires = 0.0
        self._generation = 0  # counts the values stored and clear()s
        self._refreshing = False

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for `key`, computed again when it is older than allowed."""
        with self._lock:
            now = self.now()
            known = self.seconds > 0 and self._value is not None and key == self._key
            if known and now < self._expires:
                return self._value
            if known and self.behind is not None and now < self._expires + self.stale_seconds:
                if not self._refreshing:
                    self._refreshing = True
                    generation = self._generation
                    self.behind(lambda: self._refresh(key, compute, generation))
                return self._value
            self._store(key, compute())
            return self._value

    def _store(self, key: Hashable, value: T) -> None:
        self._value, self._key = value, key
        self._expires = self.now() + self.seconds
        self._generation += 1

    def _refresh(self, key: Hashable, compute: Callable[[], T], generation: int) -> None:
        """Compute the next value beside the requests; it is stored unless the value it
        replaces has been replaced or cleared meanwhile."""
        try:
            value = compute()
        except Exception:
            log.exception("could not refresh a value served again; the next request retries")
            value = None
        with self._lock:
            self._refreshing = False
            if value is not None and generation == self._generation:
                self._store(key, value)

    def clear(self) -> None:
        """Forget the value; the next get computes it."""
        with self._lock:
            self._value = None
            self._generation += 1
