"""axe-core finds no serious or critical violation on the public pages."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import describe, save_screenshot, serious_violations
from tests.helpers import booking_form

pytestmark = pytest.mark.browser


def assert_accessible(page: Page, name: str) -> None:
    """Fail with a readable list of axe-core's serious and critical findings."""
    violations = serious_violations(page)
    assert not violations, f"axe-core on {name} ({page.url}):\n{describe(violations)}"


def test_public_pages_pass_axe(client, hospital, tomorrow, axe_screen, width, page_errors):
    page = axe_screen
    booked = client.post(
        "/appointments", data=booking_form(client, hospital.doctors["house"], tomorrow)
    )
    assert booked.status_code == 303

    page.goto("/")
    assert_accessible(page, "home")

    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the highlighted fields")
    expect(page.get_by_label("Full name", exact=True)).to_have_attribute("aria-invalid", "true")
    save_screenshot(page, width, "home-errors")
    assert_accessible(page, "home with validation errors")

    page.goto(booked.headers["Location"])
    expect(page.locator("#status")).to_have_text("pending")
    assert_accessible(page, "confirmation")

    page.goto("/status")
    page.get_by_label("Full name", exact=True).fill("Asha Verma")
    page.get_by_label("Phone number", exact=True).fill("98765 43210")
    page.get_by_role("button", name="Find my bookings").click()
    expect(page.get_by_role("table")).to_contain_text("Dr. Gregory House")
    assert_accessible(page, "status with a result")

    page.goto("/contact")
    assert_accessible(page, "contact")

    # The bad submit's 422 is the only error the browser may report.
    assert [e for e in page_errors if "status of 422" not in e] == []
