"""The sign-in throttle holds across gunicorn worker processes."""

import re

import pytest
import requests

from hms.services.auth import MAX_ACCOUNT_FAILURES
from tests.concurrency.harness import CSRF_RE, post_at_once
from tests.factories import PASSWORD

pytestmark = pytest.mark.concurrency


def workers_that_answered(server, path: str) -> set[str]:
    """Worker pids of the access log lines for POSTs to `path`."""
    return set(re.findall(rf"pid=<?(\d+)>? POST {re.escape(path)} ", server.log_text()))


def test_lock_counts_failures_from_every_worker(server, staff):
    wrong = {"username": staff["doctor"], "password": "not-the-password"}
    with post_at_once(server.url, "/login", "/login", [wrong] * MAX_ACCOUNT_FAILURES) as burst:
        burst.report("wrong passwords at once")
        assert burst.statuses == {401: MAX_ACCOUNT_FAILURES}
    served_by = workers_that_answered(server, "/login")
    assert len(served_by) >= 2, "the failures should have been spread over workers"

    # Now the right password, several times over fresh connections (so other workers too).
    answers = []
    for _ in range(6):
        with requests.Session() as client:
            token = CSRF_RE.search(client.get(f"{server.url}/login").text).group(1)
            response = client.post(
                f"{server.url}/login",
                data={"username": staff["doctor"], "password": PASSWORD, "csrf_token": token},
                allow_redirects=False,
            )
            answers.append(response.status_code)
            assert client.get(f"{server.url}/doctor/", allow_redirects=False).status_code == 302
    print(f"\n[concurrency] right password during the lock: {answers}, workers {sorted(served_by)}")
    assert answers == [429] * 6
    assert len(workers_that_answered(server, "/login")) >= 2
