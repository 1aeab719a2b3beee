"""The audit log: one function that every sign-in, account change and patient record
view or change goes through."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from hms.database import reading, write_transaction, writes_alone
from hms.models import AuditEvent, User

INSERT_EVENT = sa.insert(AuditEvent)


def event_columns(
    action: str,
    *,
    user: User | None = None,
    username: str = "",
    record_type: str = "",
    record_id: object = "",
    patient_id: int | None = None,
    client_ip: str = "",
    details: str = "",
) -> dict:
    """An audit event's columns, each cut to its column's length: who (`user`, or the
    `username` as typed for a failed sign-in) did `action` to which record, from where."""
    return {
        "action": action,
        "user_id": user.id if user is not None else None,
        "username": (user.username if user is not None else username)[:64],
        "record_type": record_type,
        "record_id": str(record_id)[:40],
        "patient_id": patient_id,
        "client_ip": (client_ip or "")[:45],
        "details": details[:500],
    }


def _insert_view_event() -> sa.Insert:
    """One INSERT of a view's entry that, on PostgreSQL, commits without waiting for the
    disk: set_config(..., true) turns synchronous_commit off for its own transaction alone.

    A read page's entry would otherwise wait for its WAL flush, and on a disk that stalls
    now and then that wait is the page's slowest response. The WAL writer flushes the entry
    within a fraction of a second (wal_writer_delay); only a crash of the database server
    in that moment loses it, never a change's entry, which commits with the change. The
    order holds: a later commit that waits for the disk flushes the entries before it.
    """
    table, columns = AuditEvent.__table__, tuple(event_columns("view"))
    setting = sa.func.set_config(
        sa.literal_column("'synchronous_commit'"), sa.literal_column("'off'"), sa.true()
    )
    relaxed = sa.select(setting.label("setting")).cte("relaxed")
    values = sa.select(
        *(sa.bindparam(name, type_=table.c[name].type) for name in columns)
    ).select_from(relaxed)
    return sa.insert(AuditEvent).from_select(columns, values)


INSERT_VIEW_EVENT = _insert_view_event()


def record_event(session: Session, action: str, **fields) -> AuditEvent:
    """Add an audit event (`fields` as event_columns takes them) to the session's
    transaction; the caller's commit writes it."""
    event = AuditEvent(**event_columns(action, **fields))
    session.add(event)
    return event


def write_event(session: Session, action: str, **fields) -> None:
    """Write an audit event (`fields` as event_columns takes them) now, on its own: the
    entry of a page that only reads (who looked at which patient record). It is one INSERT,
    written whether or not the caller commits.

    On PostgreSQL the INSERT runs alone on a connection in autocommit, which the server
    makes atomic by itself: no BEGIN and COMMIT round trips, and the session is left as
    it is; it does not wait for the disk (INSERT_VIEW_EVENT). Elsewhere (SQLite, or a
    session already in a transaction of its own) it is written in a writing transaction,
    taking its turn like any other writer.
    """
    values = event_columns(action, **fields)
    if writes_alone(session):
        with reading(session) as connection:
            connection.execute(INSERT_VIEW_EVENT, values)
        return
    with write_transaction(session, expire=False):
        session.connection().execute(INSERT_EVENT, values)
