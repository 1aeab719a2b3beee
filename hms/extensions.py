"""Extension objects, created unbound and initialised by the app factory."""

from collections.abc import Callable
from functools import wraps

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from hms.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address)


def rate_limited(limit_value: Callable[[], str], **options) -> Callable:
    """`limiter.limit(limit_value, **options)`, costing nothing when limits are off.

    Flask-Limiter's decorator looks the request up and walks its (empty) limits on every
    call even with RATELIMIT_ENABLED false, a tenth of a status lookup's time. This one asks
    the limiter first, as Flask-Limiter itself does (`limiter.enabled`, set by init_app).
    """

    def decorate(view: Callable) -> Callable:
        limited = limiter.limit(limit_value, **options)(view)

        @wraps(view)
        def view_or_limited(*args, **kwargs):
            if limiter.enabled:
                return limited(*args, **kwargs)
            return view(*args, **kwargs)

        return view_or_limited

    return decorate
