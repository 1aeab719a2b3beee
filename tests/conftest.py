"""Shared fixtures: a migrated database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL),
the app, its client, CLI runner and a small demo hospital."""

import os
import uuid
from datetime import timedelta

import flask_migrate
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from hms import create_app
from hms.extensions import db, limiter
from hms.services import catalog
from hms.services.clock import hospital_now
from tests import factories


def _create_postgres_database(server_url: str) -> tuple[str, callable]:
    """Create a fresh, uniquely named database on the server; return its URL and a dropper."""
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"hms_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def _empty_database(tmp_dir):
    """Yield the URL of a new empty database of the kind this run tests."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_dir / 'hms-test.sqlite'}"
        return
    url, drop = _create_postgres_database(server)
    yield url
    drop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The URL of this run's own database (migrated by the `app` fixture)."""
    yield from _empty_database(tmp_path_factory.mktemp("db"))


@pytest.fixture
def fresh_database_url(tmp_path):
    """The URL of another, still empty database, for tests that build their own schema."""
    yield from _empty_database(tmp_path)


@pytest.fixture(scope="session")
def app(database_url):
    """The HMS app on the test database, schema made by the migrations."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request):
    """Each test starts with empty tables (only for tests that use the app)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            else:
                for table in tables:
                    conn.exec_driver_sql(f"DELETE FROM {table}")
        catalog.cache().clear()  # the rows went without the ORM seeing them
    if limiter.enabled:
        limiter.reset()


@pytest.fixture
def make_app():
    """Build extra apps with other settings; their connection pools are closed afterwards."""
    made = []

    def make(config_name: str = "testing", overrides: dict | None = None):
        made.append(create_app(config_name, overrides))
        return made[-1]

    yield make
    for extra in made:
        with extra.app_context():
            db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    """An application context, for tests that call services directly."""
    with app.app_context():
        yield app


@pytest.fixture
def session(app_ctx):
    """The app's database session."""
    yield db.session
    db.session.rollback()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def hospital(app):
    """A small hospital: two departments, doctors who consult every day 09:00-17:00."""
    with app.app_context():
        return factories.build_hospital(db.session)


@pytest.fixture
def staff(app, hospital):
    """Usernames by role: an admin, a register and the `house` doctor."""
    with app.app_context():
        factories.make_user(db.session, "boss", "admin", "Ada Admin")
        factories.make_user(db.session, "desk", "register", "Ravi Register")
        db.session.commit()
    return {"admin": "boss", "register": "desk", "doctor": "dr.house"}


@pytest.fixture
def tomorrow(app):
    """Tomorrow in the hospital's time zone."""
    return (hospital_now(app.config["HMS_TIMEZONE"]) + timedelta(days=1)).date()
