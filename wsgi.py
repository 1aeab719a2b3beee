"""WSGI entry point: `gunicorn wsgi:app`."""

from hms import create_app

app = create_app()
