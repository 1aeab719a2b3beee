"""The schema comes from the migrations, and the migrations match the models."""

import flask_migrate
import sqlalchemy as sa

from hms.extensions import db


def test_upgrade_then_check_finds_no_drift(make_app, fresh_database_url):
    """`flask db upgrade` on an empty database gives exactly the models' schema."""
    app = make_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database_url})
    with app.app_context():
        flask_migrate.upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"patients", "appointments", "doctors", "departments", "users"} <= tables
        flask_migrate.check()  # exits non-zero when models and migrations differ
        flask_migrate.downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_sqlite_connections_use_wal_and_foreign_keys(app):
    """The embedded database runs in WAL mode with foreign keys enforced."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            assert db.engine.dialect.name == "postgresql"
            return
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
