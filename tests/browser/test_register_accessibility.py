"""axe-core finds no serious or critical violation on the front desk's pages."""

import pytest
from playwright.sync_api import Page

from hms.extensions import db
from tests.browser.support import describe, serious_violations
from tests.factories import PASSWORD
from tests.register import support

pytestmark = pytest.mark.browser


def assert_accessible(page: Page, name: str) -> None:
    violations = serious_violations(page)
    assert not violations, f"axe-core on {name} ({page.url}):\n{describe(violations)}"


def test_register_pages_pass_axe(app, staff, axe_screen, width, page_errors):
    with app.app_context():
        stay = support.admit(db.session, app)
        admission_id, patient_id = stay.id, stay.patient_id
        support.pay(db.session, stay.bill.id, "100")
    page = axe_screen
    page.goto("/login")
    page.get_by_label("Username").fill(staff["register"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for name, path in [
        ("dashboard", "/register/"),
        ("search", "/register/patients?q=asha"),
        ("walk-in form", "/register/patients/new"),
        ("patient", f"/register/patients/{patient_id}"),
        ("admit form", "/register/admissions/new"),
        ("admission", f"/register/admissions/{admission_id}"),
    ]:
        page.goto(path)
        assert_accessible(page, name)
    page.get_by_role("button", name="Record payment").click()  # empty form: errors shown
    assert_accessible(page, "payment errors")
    assert [e for e in page_errors if "status of 422" not in e] == [], page_errors
