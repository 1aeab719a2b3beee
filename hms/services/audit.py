"""The audit log: one function that every sign-in, account change and patient record
view or change goes through."""

from sqlalchemy.orm import Session

from hms.models import AuditEvent, User


def record_event(
    session: Session,
    action: str,
    *,
    user: User | None = None,
    username: str = "",
    record_type: str = "",
    record_id: object = "",
    patient_id: int | None = None,
    client_ip: str = "",
    details: str = "",
) -> AuditEvent:
    """Add an audit event to the session's transaction; the caller's commit writes it."""
    event = AuditEvent(
        action=action,
        user_id=user.id if user is not None else None,
        username=(user.username if user is not None else username)[:64],
        record_type=record_type,
        record_id=str(record_id)[:40],
        patient_id=patient_id,
        client_ip=(client_ip or "")[:45],
        details=details[:500],
    )
    session.add(event)
    return event
