"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from hms import create_app

app = create_app()
# Everything loaded so far lives as long as the process: keep it out of the garbage
# collector's full sweeps, which otherwise walk it again and again under load.
gc.freeze()
