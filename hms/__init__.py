"""HMS application factory."""

import os
from zoneinfo import ZoneInfo

from flask import Flask

from config import check_secret_key, config_for
from hms.extensions import csrf, db, limiter, login_manager, migrate
from hms.web import SettledGlobals


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the HMS application: config, extensions, blueprints, errors, commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.jinja_environment = SettledGlobals
    config = config_for(config_name)
    app.config.from_object(config)
    app.config["HMS_ENV"] = config.ENV_NAME
    app.config.update(overrides or {})
    check_config(app)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_hooks(app)
    register_commands(app)
    return app


def check_config(app: Flask) -> None:
    """Fail at start-up, not at the first request, on settings that cannot work."""
    if app.config["HMS_ENV"] == "production":
        check_secret_key(app.config)
    ZoneInfo(app.config["HMS_TIMEZONE"])  # raises on an unknown zone
    os.makedirs(app.instance_path, exist_ok=True)  # home of the embedded SQLite file


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to the app."""
    from hms.database import configure_engine, init_read_only_views
    from hms.services.catalog import init_catalog

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    init_read_only_views(app, db.session)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    init_catalog(app)


def register_blueprints(app: Flask) -> None:
    """Mount the public site, sign-in, the staff areas and the admin console."""
    from hms.admin import init_admin
    from hms.auth import bp as auth_bp
    from hms.doctor import bp as doctor_bp
    from hms.public import bp as public_bp
    from hms.register import bp as register_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(doctor_bp)
    app.register_blueprint(register_bp)
    init_admin(app)


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages in the site's layout, JSON for the API."""
    from hms.errors import init_errors

    init_errors(app)


def register_hooks(app: Flask) -> None:
    """Idle timeout, security headers and template helpers."""
    from hms.auth.access import init_access
    from hms.web import init_web

    init_access(app)
    init_web(app)


def register_commands(app: Flask) -> None:
    """The `flask hms …` commands."""
    from hms.cli import hms_cli

    app.cli.add_command(hms_cli)
