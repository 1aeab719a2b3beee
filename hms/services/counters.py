"""Gap-free counters advanced by one atomic upsert, safe across processes."""

import functools

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hms.models import Counter


@functools.cache
def upsert_statement(dialect: str, model, key_column, value_column):
    """The counter's upsert statement for a dialect, built once (the key is a parameter)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(model)
        .values({key_column.key: sa.bindparam("key"), value_column.key: 1})
        .on_conflict_do_update(
            index_elements=[key_column], set_={value_column.key: value_column + 1}
        )
        .returning(value_column)
    )


def increment(session: Session, model, key_column, key_value, value_column) -> int:
    """Add one to the counter row `key_value` of `model` (creating it at 1); return the value.

    The row stays locked until the transaction ends, so concurrent callers queue on it and
    a rolled-back caller gives its number back: no duplicates, no gaps.
    """
    dialect = session.get_bind().dialect.name
    statement = upsert_statement(dialect, model, key_column, value_column)
    # Straight on the connection: the ORM adds nothing to a one-row upsert but its overhead.
    return session.connection().execute(statement, {"key": key_value}).scalar_one()


def next_value(session: Session, name: str) -> int:
    """The next number of the named sequence (e.g. "receipt")."""
    return increment(session, Counter, Counter.name, name, Counter.last_value)


def current_value(session: Session, name: str) -> int:
    """The last number handed out by the named sequence, 0 if none."""
    return session.scalar(sa.select(Counter.last_value).where(Counter.name == name)) or 0
