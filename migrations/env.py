"""Alembic environment: migrations run against the app's own engine and metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    # Keep the app's (or pytest's) logging set-up when one exists.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def engine():
    """The Flask-SQLAlchemy engine of the current app."""
    return current_app.extensions["migrate"].db.engine


def metadata():
    """The metadata of every HMS model."""
    return current_app.extensions["migrate"].db.metadata


def render_item(type_, obj, autogen_context):
    """Write HMS's own column types as the plain SQLAlchemy types they store."""
    from hms.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (alembic --sql)."""
    context.configure(
        url=engine().url.render_as_string(hide_password=False),
        target_metadata=metadata(),
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live connection."""

    def skip_empty(context_, revision, directives):
        # `flask db migrate` with no model changes should not write an empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", skip_empty)
    conf_args.setdefault("render_item", render_item)
    with engine().connect() as connection:
        context.configure(connection=connection, target_metadata=metadata(), **conf_args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
