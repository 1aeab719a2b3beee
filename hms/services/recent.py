"""A value a process computed, served again for a few seconds: the public catalogue and the
admin dashboard's figures are read far more often than they change."""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Recent(Generic[T]):
    """The last value computed for a key, served again for `seconds` (0: never) or until
    cleared; another key computes it again."""

    def __init__(self, seconds: float, now: Callable[[], float] = time.monotonic):
        self.seconds, self.now = seconds, now
        self._lock = threading.Lock()
        self._key: Hashable = None
        self._value: T | None = None
        self._expires = 0.0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for `key`, computed again when it is older than allowed."""
        with self._lock:
            if self._value is None or key != self._key or self.now() >= self._expires:
                self._value, self._key = compute(), key
                self._expires = self.now() + self.seconds
            return self._value

    def clear(self) -> None:
        """Forget the value; the next get computes it."""
        with self._lock:
            self._value = None
