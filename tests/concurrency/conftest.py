"""Fixtures of the concurrency tests: a real gunicorn on this run's test database."""

from collections.abc import Iterator

import pytest

from tests.concurrency.harness import Server, run_gunicorn


@pytest.fixture(scope="module")
def server(app, database_url, tmp_path_factory) -> Iterator[Server]:
    """gunicorn with WORKERS worker processes on the database the `app` fixture migrated."""
    with run_gunicorn(database_url, tmp_path_factory.mktemp("gunicorn")) as running:
        yield running
