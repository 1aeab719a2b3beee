"""Recent: a value served again for a few seconds, refreshed inline or beside the requests."""

import threading

import pytest

from hms.services.recent import Recent, in_a_thread


class Clock:
    def __init__(self):
        self.time = 100.0

    def __call__(self):
        return self.time


class Deferred:
    """A `behind` that keeps the work it is given, for the test to run when it chooses."""

    def __init__(self):
        self.work = []

    def __call__(self, work):
        self.work.append(work)

    def run(self):
        work, self.work = self.work, []
        for item in work:
            item()


def counter():
    calls = []

    def compute():
        calls.append(None)
        return len(calls)

    return compute, calls


def test_without_behind_an_expired_value_is_computed_by_the_request():
    clock, (compute, _) = Clock(), counter()
    recent = Recent(5, clock)
    assert recent.get("today", compute) == 1
    clock.time += 4.9
    assert recent.get("today", compute) == 1
    clock.time += 0.2
    assert recent.get("today", compute) == 2
    assert recent.get("tomorrow", compute) == 3


def test_an_expired_value_is_served_while_one_refresh_computes_the_next():
    clock, (compute, calls), behind = Clock(), counter(), Deferred()
    recent = Recent(5, clock, behind=behind)
    assert recent.get("today", compute) == 1  # the first value: nothing to serve meanwhile
    assert behind.work == []

    clock.time += 6
    assert [recent.get("today", compute) for _ in range(3)] == [1, 1, 1]
    assert len(behind.work) == 1 and len(calls) == 1  # one refresh asked for, none run yet

    behind.run()
    assert len(calls) == 2
    assert recent.get("today", compute) == 2
    clock.time += 4.9  # the refreshed value is fresh from when it was stored
    assert recent.get("today", compute) == 2 and behind.work == []


def test_a_value_too_old_or_for_another_key_is_computed_by_the_request():
    clock, (compute, _), behind = Clock(), counter(), Deferred()
    recent = Recent(5, clock, behind=behind, stale_seconds=60)
    recent.get("today", compute)
    assert recent.get("tomorrow", compute) == 2  # a new day does not show yesterday's
    clock.time += 5 + 60
    assert recent.get("tomorrow", compute) == 3
    assert behind.work == []


def test_a_failed_refresh_keeps_the_value_and_the_next_request_retries(caplog):
    clock, behind = Clock(), Deferred()
    recent = Recent(5, clock, behind=behind)
    recent.get("today", lambda: "first")
    clock.time += 6

    def broken():
        raise RuntimeError("the database went away")

    assert recent.get("today", broken) == "first"
    behind.run()
    assert "could not refresh" in caplog.text
    assert recent.get("today", lambda: "second") == "first"
    behind.run()
    assert recent.get("today", lambda: "third") == "second"


def test_a_refresh_does_not_bring_back_a_value_cleared_meanwhile():
    clock, behind = Clock(), Deferred()
    recent = Recent(5, clock, behind=behind)
    recent.get("today", lambda: "before")
    clock.time += 6
    recent.get("today", lambda: "computed before the change")
    recent.clear()
    behind.run()
    assert recent.get("today", lambda: "after") == "after"


def test_in_a_thread_runs_the_work_on_another_thread():
    ran = []
    done = threading.Event()

    def work():
        ran.append(threading.current_thread())
        done.set()

    in_a_thread(work)
    assert done.wait(5)
    assert ran[0] is not threading.current_thread() and ran[0].daemon


@pytest.mark.parametrize("seconds", [0, 5])
def test_values_are_computed_once_per_expiry_by_concurrent_requests(seconds):
    clock, (compute, calls) = Clock(), counter()
    recent = Recent(seconds, clock)
    threads = [threading.Thread(target=recent.get, args=("today", compute)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == (8 if seconds == 0 else 1)


def test_a_value_kept_for_no_time_is_always_computed_by_the_request():
    clock, (compute, _), behind = Clock(), counter(), Deferred()
    recent = Recent(0, clock, behind=behind)
    assert [recent.get("today", compute) for _ in range(3)] == [1, 2, 3]
    assert behind.work == []
