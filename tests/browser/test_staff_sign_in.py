"""Each role signs in, sees its own dashboard, and signs out, in real Chromium."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import fits_width, save_screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

DASHBOARDS = {"doctor": "/doctor/", "register": "/register/", "admin": "/admin/"}
TITLES = {"doctor": "Doctor's dashboard", "register": "Front desk", "admin": "Administration"}


def sign_out(page: Page) -> None:
    """Use the visible sign-out button (in the collapsed menu on a phone)."""
    toggler = page.get_by_role("button", name="Toggle navigation")
    if toggler.count() and toggler.first.is_visible():
        toggler.first.click()
        # Wait until the collapsed menu has finished opening before clicking inside it.
        expect(page.locator(".navbar-collapse.show")).to_be_visible()
        expect(page.locator(".navbar-collapse.collapsing")).to_have_count(0)
    page.get_by_role("button", name="Sign out").first.click()


@pytest.mark.parametrize("role", DASHBOARDS)
def test_role_signs_in_to_its_dashboard_and_out(
    live_server, staff, screen, width, page_errors, role
):
    page = screen
    page.goto("/login")
    page.get_by_label("Username").fill(staff[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server}{DASHBOARDS[role]}")
    expect(page.locator("#dashboard-title")).to_have_text(TITLES[role])
    save_screenshot(page, width, f"dashboard-{role}")
    assert fits_width(page), f"the {role} dashboard scrolls sideways at {width} px"
    for other, path in DASHBOARDS.items():
        if other != role:
            assert page.request.get(f"{live_server}{path}", max_redirects=0).status == 403

    sign_out(page)
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(DASHBOARDS[role])
    expect(page).to_have_url(f"{live_server}/login?next={DASHBOARDS[role]}")
    assert page_errors == [], page_errors
