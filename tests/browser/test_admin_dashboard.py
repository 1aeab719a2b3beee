"""The admin's live dashboard in Chromium: charts drawn, then updated in place when a
register admits a patient in another browser."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import VIEWPORTS, ErrorLog, fits_width, save_screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

CHARTS = ("chart-admissions", "chart-occupancy", "chart-statuses", "chart-revenue")
INK = """id => {
  const canvas = document.getElementById(id);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked++;
  return inked;
}"""
OCCUPIED = (
    "() => Chart.getChart('chart-occupancy').data.datasets[0].data.reduce((a, b) => a + b, 0)"
)


def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def admit_walk_in(page: Page, name: str) -> None:
    """The register's flow: register a walk-in and admit them to Cardiology."""
    page.goto("/register/patients/new")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Phone number").fill("98450 99999")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("Date of birth").fill("1990-05-17")
    page.get_by_label("Address").fill("4 Lake View Road, Bengaluru")
    page.get_by_role("button", name="Register patient").click()
    page.get_by_role("link", name=f"Admit {name}").click()
    page.get_by_label("Department").select_option(label="Cardiology (4 of 4 beds free)")
    page.get_by_role("button", name="Admit", exact=True).click()
    expect(page.get_by_text(f"Admitted {name} to Cardiology.")).to_be_visible()


def test_charts_draw_and_follow_a_new_admission_without_reload(
    live_server, staff, hospital, new_context
):
    errors = ErrorLog()
    admin = errors.watch(new_context(**VIEWPORTS["1280"]).new_page())
    sign_in(admin, staff["admin"])
    expect(admin.locator("#dashboard")).to_have_attribute("data-loaded", "1")
    for chart in CHARTS:
        assert admin.evaluate(INK, chart) > 500, f"{chart} is blank"
    expect(admin.locator("#counter-admitted_now")).to_have_text("0")
    assert admin.evaluate(OCCUPIED) == 0
    admin.evaluate("() => { window.notReloaded = true; }")
    save_screenshot(admin, "1280", "admin-dashboard")
    assert fits_width(admin)

    desk = new_context(**VIEWPORTS["1280"]).new_page()
    sign_in(desk, staff["register"])
    admit_walk_in(desk, "Kavya Menon")

    # Within one refresh period (30 s), in place: counters and the occupancy chart move.
    expect(admin.locator("#counter-admitted_now")).to_have_text("1", timeout=35_000)
    expect(admin.locator("#counter-admissions_today")).to_have_text("1")
    assert admin.evaluate(OCCUPIED) == 1
    assert admin.evaluate("() => window.notReloaded === true")
    assert errors == [], errors


def test_dashboard_fits_a_phone(live_server, staff, hospital, new_context):
    page = new_context(**VIEWPORTS["375"]).new_page()
    sign_in(page, staff["admin"])
    expect(page.locator("#dashboard")).to_have_attribute("data-loaded", "1")
    save_screenshot(page, "375", "admin-dashboard")
    assert fits_width(page)
