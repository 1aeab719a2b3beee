"""Reading the doctor's pages the way a test needs them."""

import re

APPOINTMENT_LINK = re.compile(r'href="/doctor/appointments/(\d+)"')
COUNT = re.compile(r'id="count-(\w+)">(\d+)<')
ERROR = re.compile(r'<div id="([\w-]+)-error" class="invalid-feedback[^"]*">(.*?)</div>', re.S)


def listed(html: str) -> list[int]:
    """Ids of the appointments linked from a page, in page order."""
    return [int(found) for found in APPOINTMENT_LINK.findall(html)]


def counts(html: str) -> dict[str, int]:
    """The dashboard's counts by list."""
    return {name: int(value) for name, value in COUNT.findall(html)}


def field_errors(html: str) -> dict[str, str]:
    """The message shown under each field, by field id."""
    return {field: message.strip() for field, message in ERROR.findall(html)}


def form_token(client, path: str = "/doctor/") -> str:
    """The session's CSRF token, from the sign-out form of a page that audits no opening."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
