"""The baseline: a hello-world Flask app served by the same gunicorn settings as HMS."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """The smallest useful response."""
    return "Hello, World!"
