"""Bursts of simultaneous form posts from signed-in staff against the gunicorn workers."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from tests.concurrency.harness import REQUEST_TIMEOUT, Burst, Outcome
from tests.factories import PASSWORD
from tests.helpers import CSRF_RE


@dataclass
class Desk:
    """A signed-in browser session of one member of staff, with its CSRF token."""

    session: requests.Session
    token: str


def sign_in(base_url: str, username: str) -> Desk:
    """Sign in over HTTP as a person would; return the session and a form token."""
    session = requests.Session()
    token = CSRF_RE.search(session.get(f"{base_url}/login", timeout=REQUEST_TIMEOUT).text)[1]
    response = session.post(
        f"{base_url}/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 303, f"{username} could not sign in: {response.status_code}"
    page = session.get(f"{base_url}/register/", timeout=REQUEST_TIMEOUT)
    return Desk(session, CSRF_RE.search(page.text)[1])


def post_together(base_url: str, posts: list[tuple[Desk, str, dict]]) -> tuple[Burst, list[str]]:
    """POST each (desk, path, form) at the same instant; return the burst and response bodies."""
    barrier = threading.Barrier(len(posts))
    bodies = [""] * len(posts)

    def attempt(index: int) -> Outcome:
        desk, path, form = posts[index]
        outcome = Outcome(session=desk.session)
        barrier.wait(timeout=REQUEST_TIMEOUT)
        outcome.started = time.perf_counter()
        try:
            response = desk.session.post(
                f"{base_url}{path}",
                data={**form, "csrf_token": desk.token},
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
            )
            outcome.status, bodies[index] = response.status_code, response.text
            outcome.location = response.headers.get("Location")
        except requests.RequestException as exc:
            outcome.error = repr(exc)
        outcome.finished = time.perf_counter()
        return outcome

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        outcomes = list(pool.map(attempt, range(len(posts))))
    wall = max(o.finished for o in outcomes) - min(o.started for o in outcomes)
    return Burst(base_url, outcomes, wall), bodies
