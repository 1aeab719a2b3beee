"""Browser fixtures: the app served on a real port, driven by Debian's Chromium."""

import os
import threading

import pytest
from playwright.sync_api import Page
from werkzeug.serving import make_server

from tests.browser.support import VIEWPORTS, ErrorLog

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium; a missing browser fails the run, never skips it."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(app):
    """The app on a free local port, served from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="session")
def base_url(live_server):
    """Pages open relative to the live server (pytest-playwright's `browser_context_args`
    passes this on). Overriding it also keeps the plugin's own `base_url`, a fixture on a
    class instance that pytest 9 warns about, from running under filterwarnings=error."""
    return live_server


@pytest.fixture(params=list(VIEWPORTS))
def width(request) -> str:
    """Each browser test runs on a phone-sized and on a desktop-sized screen."""
    return request.param


@pytest.fixture
def page_errors() -> ErrorLog:
    """The errors the browser reported during the test."""
    return ErrorLog()


@pytest.fixture
def screen(new_context, width, page_errors) -> Page:
    """A page at the test's screen size, the app's CSP in force, its errors recorded."""
    return page_errors.watch(new_context(**VIEWPORTS[width]).new_page())


@pytest.fixture
def axe_screen(new_context, width, page_errors) -> Page:
    """Like `screen`, with CSP bypassed so axe-core can be injected: it compiles its
    message templates with `new Function`, which the app's CSP rightly forbids."""
    return page_errors.watch(new_context(bypass_csp=True, **VIEWPORTS[width]).new_page())
