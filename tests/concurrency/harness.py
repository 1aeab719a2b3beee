"""Harness of the concurrency tests: real gunicorn workers and bursts of parallel bookings."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from tests.helpers import CSRF_RE

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
SECRET_KEY = "concurrency-tests-fixed-secret-key-0123456789"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
REQUEST_TIMEOUT = 60.0
LISTENING_RE = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")
PATIENT_ID_RE = re.compile(r'id="patient-id">(\d+)<')


@dataclass
class Server:
    """A running gunicorn master: its base URL, process and combined log."""

    url: str
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_until_ready(process: subprocess.Popen, log: Path) -> str:
    """Return the base URL once /healthz answers 200; fail with gunicorn's log otherwise."""
    deadline = time.monotonic() + START_TIMEOUT
    url = None
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"gunicorn exited with {process.returncode}:\n{log.read_text(errors='replace')}"
            )
        if url is None and (match := LISTENING_RE.search(log.read_text(errors="replace"))):
            url = match.group(1)
        if url is not None:
            try:
                response = requests.get(f"{url}/healthz", timeout=2)
                if response.status_code == 200:
                    return url
                last = f"/healthz answered {response.status_code}"
            except requests.RequestException as exc:
                last = repr(exc)
        time.sleep(0.1)
    log_text = log.read_text(errors="replace")
    pytest.fail(f"gunicorn not ready after {START_TIMEOUT:.0f} s ({last}):\n{log_text}")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM (graceful shutdown of master and workers), then SIGKILL if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def run_gunicorn(database_url: str, log_dir: Path, workers: int = WORKERS) -> Iterator[Server]:
    """Serve `wsgi:app` from the repository root with real sync workers on a free port."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HMS_ENV": "testing",
        "SECRET_KEY": SECRET_KEY,
        "RATELIMIT_ENABLED": "false",  # a load test may turn limits off (SPEC)
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        "127.0.0.1:0",  # the kernel picks a free port; read it back from the log
        "--no-control-socket",  # don't share ~/.gunicorn/gunicorn.ctl with other servers
        "--graceful-timeout",
        "5",
        "--access-logfile",
        "-",
        "--access-logformat",
        "pid=%(p)s %(m)s %(U)s %(s)s",  # which worker answered what
        "wsgi:app",
    ]
    log = log_dir / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield Server(_wait_until_ready(process, log), process, log)
    finally:
        _stop(process)


@dataclass
class Outcome:
    """One client's booking attempt."""

    session: requests.Session
    status: int | None = None  # None: no HTTP answer at all
    location: str | None = None
    error: str | None = None
    started: float = 0.0
    finished: float = 0.0


@dataclass
class Burst:
    """The outcomes of one burst of simultaneous bookings."""

    base_url: str
    outcomes: list[Outcome]
    wall_time: float
    statuses: Counter = field(init=False)

    def __post_init__(self):
        self.statuses = Counter(
            o.status if o.status is not None else "error" for o in self.outcomes
        )

    def __enter__(self) -> "Burst":
        return self

    def __exit__(self, *exc_info) -> None:
        for outcome in self.outcomes:
            outcome.session.close()

    def errors(self) -> list[str]:
        return [o.error for o in self.outcomes if o.error]

    def patient_id(self, outcome: Outcome) -> str:
        """Follow a booking's redirect and read the patient ID on its confirmation page."""
        page = outcome.session.get(
            urljoin(self.base_url, outcome.location), timeout=REQUEST_TIMEOUT
        )
        assert page.status_code == 200, f"{outcome.location} answered {page.status_code}"
        match = PATIENT_ID_RE.search(page.text)
        assert match, f"no patient ID on {outcome.location}"
        return match.group(1)

    def report(self, label: str, **figures) -> None:
        extra = "".join(f", {name} {value}" for name, value in figures.items())
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items(), key=str))
        print(
            f"\n[concurrency] {label}: {len(self.outcomes)} requests, statuses {{{statuses}}}, "
            f"burst {self.wall_time:.3f} s{extra}"
        )


def book_at_once(base_url: str, forms: list[dict]) -> Burst:
    """POST every booking form at the same instant (see post_at_once)."""
    return post_at_once(base_url, "/appointments", "/", forms)


def post_at_once(base_url: str, path: str, form_page: str, forms: list[dict]) -> Burst:
    """POST every form to `path` at the same instant, one thread and HTTP session each.

    Each thread first GETs `form_page` for its session's CSRF token, then all wait on a
    barrier and POST together (no redirects followed). Use the result as a context manager:
    leaving it closes the HTTP sessions.
    """
    barrier = threading.Barrier(len(forms))

    def attempt(form: dict) -> Outcome:
        outcome = Outcome(session=requests.Session())
        try:
            page = outcome.session.get(f"{base_url}{form_page}", timeout=REQUEST_TIMEOUT)
            match = CSRF_RE.search(page.text)
            assert page.status_code == 200 and match, f"GET {form_page} answered {page.status_code}"
        except BaseException:
            barrier.abort()  # don't leave the others waiting
            raise
        barrier.wait(timeout=REQUEST_TIMEOUT)
        outcome.started = time.perf_counter()
        try:
            response = outcome.session.post(
                f"{base_url}{path}",
                data={**form, "csrf_token": match.group(1)},
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
            )
            outcome.status = response.status_code
            outcome.location = response.headers.get("Location")
        except requests.RequestException as exc:
            outcome.error = repr(exc)
        outcome.finished = time.perf_counter()
        return outcome

    with ThreadPoolExecutor(max_workers=len(forms)) as pool:
        outcomes = list(pool.map(attempt, forms))
    wall = max(o.finished for o in outcomes) - min(o.started for o in outcomes)
    return Burst(base_url, outcomes, wall)
