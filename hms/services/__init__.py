"""Domain rules as plain functions over a SQLAlchemy session; no request in sight."""
