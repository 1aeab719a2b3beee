"""Loading the signed-in staff member for Flask-Login."""

from hms.extensions import db, login_manager
from hms.models import User


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the active staff account stored in the session, if any."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None
