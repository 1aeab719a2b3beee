"""Customer queries from the public contact form."""

from sqlalchemy.orm import Session

from hms.database import write_transaction
from hms.models import CustomerQuery


def submit_query(session: Session, *, name: str, email: str, message: str) -> CustomerQuery:
    """Store a customer query for the admins to answer."""
    with write_transaction(session):
        query = CustomerQuery(name=name, email=email, message=message)
        session.add(query)
    return query
