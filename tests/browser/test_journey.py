"""A patient books on a phone and on a desktop, then finds the booking again."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from hms.services.clock import hospital_now
from tests.browser.support import fits_width, save_screenshot

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")


def check_page(page: Page, width: str, name: str) -> None:
    """Screenshot the page and check it fits the screen's width."""
    save_screenshot(page, width, name)
    assert fits_width(page), f"{name} scrolls sideways at {width} px"


def open_menu_link(page: Page, name: str) -> None:
    """Follow a link of the main menu, opening the collapsed menu first on a phone."""
    toggler = page.get_by_role("button", name="Toggle navigation")
    if toggler.is_visible():
        toggler.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_book_then_find_the_booking(app, hospital, screen, width, page_errors):
    page = screen
    now = hospital_now(app.config["HMS_TIMEZONE"])
    tomorrow = (now + timedelta(days=1)).date()

    page.goto("/")
    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()
    check_page(page, width, "home")

    page.get_by_label("Department", exact=True).select_option(label="Cardiology")
    expect(page.locator("#doctor_id optgroup[label='General Medicine']")).to_be_disabled()
    page.get_by_label("Doctor", exact=True).select_option(label="Dr. Hema Heart")
    page.get_by_label("Date", exact=True).fill(tomorrow.isoformat())
    time = page.get_by_label("Time", exact=True)
    expect(time.locator("option")).to_have_count(1 + 32)  # 09:00-16:45 every 15 minutes
    expect(page.locator("#slot-status")).to_have_text("32 free times on this day.")
    time.select_option("10:30")
    page.get_by_label("Full name", exact=True).fill("Asha Verma")
    page.get_by_label("Phone number", exact=True).fill("9876543210")
    page.get_by_label("Email", exact=True).fill("asha@example.com")
    page.get_by_role("button", name="Book appointment").click()

    expect(page).to_have_url(re.compile(r"/appointments/[A-Z2-9-]+$"))
    reference = page.locator("#reference").inner_text()
    patient_id = page.locator("#patient-id").inner_text()
    assert REFERENCE.match(reference)
    assert re.fullmatch(now.strftime("%Y%m%d") + r"\d{3}", patient_id)
    expect(page.locator("#status")).to_have_text("pending")
    expect(page.get_by_text("Dr. Hema Heart")).to_be_visible()
    expect(page.get_by_text("10:30")).to_be_visible()
    check_page(page, width, "confirmation")

    open_menu_link(page, "My bookings")
    expect(page).to_have_url(re.compile(r"/status$"))
    page.get_by_label("Full name", exact=True).fill("asha  verma")
    page.get_by_label("Phone number", exact=True).fill("+91 98765 43210")
    page.get_by_role("button", name="Find my bookings").click()
    expect(page.locator("#patient-id")).to_have_text(patient_id)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_be_visible()
    expect(row).to_contain_text("Dr. Hema Heart")
    expect(row).to_contain_text("pending")
    box = row.get_by_role("link", name=reference).bounding_box()
    left, right = box["x"], box["x"] + box["width"]
    assert left >= 0 and right <= int(width), "the reference is off-screen"
    check_page(page, width, "status")

    open_menu_link(page, "Contact")
    expect(page.get_by_role("heading", name="Contact us")).to_be_visible()
    check_page(page, width, "contact")
    page.get_by_label("Your name", exact=True).fill("Asha Verma")
    page.get_by_label("Email", exact=True).fill("asha@example.com")
    page.get_by_label("Message", exact=True).fill("Is there parking near the cardiology wing?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you")

    assert page_errors == []
