"""The front desk's whole journey in Chromium: walk-in, admission, charges, payments,
discharge refused with a balance, paid in full, discharged, final bill downloaded."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from hms.extensions import db
from hms.services import billing
from tests.browser.support import fits_width, save_screenshot
from tests.factories import PASSWORD
from tests.register import support

pytestmark = pytest.mark.browser

NAME = "Zoë Ñúñez-Łukasz"


def check_page(page: Page, width: str, name: str) -> None:
    save_screenshot(page, width, f"register-{name}")
    assert fits_width(page), f"{name} scrolls sideways at {width} px"


def doctor_charges(app, admission_id: int) -> None:
    """The doctor's charges, through the billing service the doctor's workspace uses."""
    with app.app_context():
        doctor = support.user(db.session, "dr.heart")
        for description, quantity, price in [("ECG", 1, "350.00"), ("ICU bed, per day", 2, "6000")]:
            billing.add_item(
                db.session,
                admission_id=admission_id,
                quantity=quantity,
                by=doctor,
                description=description,
                unit_price=Decimal(price),
            )


def pay(page: Page, amount: str, method: str) -> None:
    page.get_by_label("Amount", exact=True).fill(amount)
    page.get_by_label("Method", exact=True).select_option(method)
    page.get_by_role("button", name="Record payment").click()


def test_walk_in_to_final_bill(app, live_server, staff, hospital, screen, width, page_errors):
    page = screen
    page.goto("/login")
    page.get_by_label("Username").fill(staff["register"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#dashboard-title")).to_have_text("Front desk")
    check_page(page, width, "dashboard-empty")
    # Each department's occupancy meter is drawn readably wide (it was a hairline once the
    # table stacked on a phone).
    meters = page.locator("meter.occupancy-meter")
    widths = meters.evaluate_all("all => all.map(meter => meter.getBoundingClientRect().width)")
    assert widths and min(widths) >= 90, widths

    # A walk-in patient is registered and gets a patient ID.
    page.get_by_role("link", name="Register walk-in").click()
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Phone number").fill("98450 12345")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("Date of birth").fill("1988-02-29")
    page.get_by_label("Address").fill("Flat 3B, Łódź Residency\n5 Church Street, Bengaluru")
    check_page(page, width, "walk-in-form")
    page.get_by_role("button", name="Register patient").click()
    expect(
        page.get_by_text(re.compile(rf"Registered {NAME}: patient ID \d{{11}}\."))
    ).to_be_visible()
    patient_id = page.locator("#patient-id").inner_text()
    check_page(page, width, "patient")

    # Admitted to Cardiology; choosing the department offers its own doctor.
    page.get_by_role("link", name=f"Admit {NAME}").click()
    expect(page.locator("#admit-patient-name")).to_have_text(NAME)
    page.get_by_label("Department").select_option(label="Cardiology (4 of 4 beds free)")
    expect(page.get_by_label("Attending doctor")).to_have_value(str(hospital.doctors["heart"]))
    check_page(page, width, "admit-form")
    page.get_by_role("button", name="Admit", exact=True).click()
    expect(page.get_by_text(f"Admitted {NAME} to Cardiology.")).to_be_visible()
    expect(page.locator("#bill-balance")).to_have_text("₹500.00")
    admission_id = int(re.search(r"/admissions/(\d+)$", page.url).group(1))

    # The doctor charges an ECG and two ICU days (service call, see doctor_charges).
    doctor_charges(app, admission_id)
    page.reload()
    expect(page.locator("#bill-total")).to_have_text("₹12,850.00")

    # A partial payment: receipt number, balance down.
    pay(page, "10,000", "card")
    expect(page.get_by_text("Payment recorded: receipt R00000001.")).to_be_visible()
    expect(page.locator("#bill-balance")).to_have_text("₹2,850.00")
    check_page(page, width, "admission-partly-paid")

    # Discharge is refused while money is due, and says why.
    page.get_by_role("button", name=f"Discharge {NAME}").click()
    expect(page.locator("#override_reason-error")).to_contain_text(
        "The balance of ₹2,850.00 is still open"
    )
    expect(page.locator("#admission-status")).to_have_text("Admitted")
    check_page(page, width, "discharge-refused")

    # The rest is paid by UPI; then the discharge goes through.
    pay(page, "2850", "upi")
    expect(page.get_by_text("Payment recorded: receipt R00000002.")).to_be_visible()
    expect(page.locator("#bill-balance")).to_have_text("₹0.00")
    page.get_by_role("button", name=f"Discharge {NAME}").click()
    expect(page.get_by_text("Discharged. The final bill is ready to download.")).to_be_visible()
    expect(page.locator("#admission-status")).to_have_text("Discharged")
    expect(page.locator("#payment-form")).to_have_count(0)
    check_page(page, width, "discharged")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the final bill (PDF)").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    assert download.value.suggested_filename.startswith("bill-B")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    assert NAME in text and patient_id in text and "Balance ₹0.00" in text

    with page.expect_download() as receipt:
        page.get_by_role("link", name="R00000001").click()
    assert Path(receipt.value.path()).read_bytes().startswith(b"%PDF-")

    page.goto("/register/")
    expect(page.locator("#count-discharges-today")).to_have_text("1")
    check_page(page, width, "dashboard-after")
    # Chromium logs the refused discharge's 422 answer; that one is intended.
    refused = [e for e in page_errors if "status of 422" in e and "/discharge" in e]
    assert len(refused) == 1 and [e for e in page_errors if e not in refused] == [], page_errors
