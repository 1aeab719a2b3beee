"""Configuration classes, read from the environment (a `.env` file may hold it)."""

import os
from decimal import Decimal
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")

# Values that must never reach production as the secret key.
INSECURE_SECRET_KEYS = {"", "dev", "change-me", "development-only-secret"}


def _env_bool(name: str, default: bool) -> bool:
    """Read a boolean flag such as `true`, `1`, `no` from the environment."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(default_sqlite_path: Path) -> str:
    """Return the SQLAlchemy URL: DATABASE_URL if set, else the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{default_sqlite_path}"
    # Hosting platforms still hand out the old scheme; psycopg 3 is the driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret")
    SQLALCHEMY_DATABASE_URI = database_url(BASE_DIR / "instance" / "hms.sqlite")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}  # hms.database.configure_engine adds per-database events

    HMS_TIMEZONE = os.environ.get("HMS_TIMEZONE", "Asia/Kolkata")
    HMS_HOSPITAL_NAME = os.environ.get("HMS_HOSPITAL_NAME", "City General Hospital")
    HMS_HOSPITAL_ADDRESS = os.environ.get(
        "HMS_HOSPITAL_ADDRESS", "12 Hospital Road, Bengaluru 560001, India"
    )
    HMS_CURRENCY = os.environ.get("HMS_CURRENCY", "INR")
    HMS_ADMISSION_FEE = Decimal(os.environ.get("HMS_ADMISSION_FEE", "500.00"))
    HMS_BOOKING_HORIZON_DAYS = int(os.environ.get("HMS_BOOKING_HORIZON_DAYS", "60"))
    HMS_SLOT_MINUTES = int(os.environ.get("HMS_SLOT_MINUTES", "15"))
    HMS_SESSION_IDLE_MINUTES = int(os.environ.get("HMS_SESSION_IDLE_MINUTES", "15"))
    HMS_PHONE_REGION = os.environ.get("HMS_PHONE_REGION", "IN")
    HMS_BOOKING_RATE_LIMIT = os.environ.get("HMS_BOOKING_RATE_LIMIT", "10 per minute")
    HMS_LOOKUP_RATE_LIMIT = os.environ.get("HMS_LOOKUP_RATE_LIMIT", "10 per minute")
    # How long each process may show departments and doctors before reading them again.
    HMS_CATALOG_SECONDS = float(os.environ.get("HMS_CATALOG_SECONDS", "30"))
    # How long each process may serve the admin dashboard's figures again.
    HMS_STATS_SECONDS = float(os.environ.get("HMS_STATS_SECONDS", "5"))

    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True

    MAX_CONTENT_LENGTH = 256 * 1024
    WTF_CSRF_TIME_LIMIT = 4 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False


class DevelopmentConfig(Config):
    """The embedded set-up that `make run` serves."""

    ENV_NAME = "development"


class TestingConfig(Config):
    """The test suite; tests override the database URL."""

    ENV_NAME = "testing"
    TESTING = True
    RATELIMIT_STORAGE_URI = "memory://"
    # Limits stay on, as in production, but high enough for the suite's own traffic;
    # the rate-limit tests lower them.
    HMS_BOOKING_RATE_LIMIT = "100000 per minute"
    HMS_LOOKUP_RATE_LIMIT = "100000 per minute"
    # Tests compare every figure with the database right after changing it.
    HMS_STATS_SECONDS = 0.0


class ProductionConfig(Config):
    """Production: real secret, secure cookies."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True


def check_secret_key(config: dict) -> None:
    """Refuse to start in production without a real secret key."""
    key = config.get("SECRET_KEY") or ""
    if key in INSECURE_SECRET_KEYS or len(key) < 32:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    """Pick the configuration class named by the argument or HMS_ENV."""
    name = (name or os.environ.get("HMS_ENV") or "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"HMS_ENV must be one of {sorted(CONFIGS)}, not {name!r}") from None
