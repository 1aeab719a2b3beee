"""The admission page: payments, receipts, discharge and the final bill download."""

import io
import re
from uuid import uuid4

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from hms.extensions import db
from hms.models import Admission, AuditEvent, Bill, Payment
from tests.helpers import csrf_token, sign_in, table_counts
from tests.register import support


def pay_form(client, **overrides) -> dict:
    form = {
        "amount": "200",
        "method": "cash",
        "reference": "",
        "request_key": uuid4().hex,
        "csrf_token": csrf_token(client, "/register/"),
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def actions(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_admission_page_shows_the_bill_and_is_audited(app, desk, stay):
    page = desk.get(f"/register/admissions/{stay.admission_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Asha Verma" in html and "Admission fee" in html
    assert 'id="bill-balance">₹500.00<' in html
    assert re.search(r'name="request_key" type="hidden" value="[0-9a-f]{32}"', html)
    [event] = actions(app, "admission_viewed")
    assert (event.username, event.patient_id) == ("desk", stay.patient_id)


def test_a_payment_gets_a_receipt_number_and_a_receipt_pdf(app, desk, stay):
    response = desk.post(
        f"/register/admissions/{stay.admission_id}/payments",
        data=pay_form(desk, amount="1,50.5", method="upi", reference="UPI 8812"),
    )
    assert response.status_code == 303
    page = desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "Payment recorded: receipt R00000001." in page
    assert 'id="bill-balance">₹349.50<' in page

    with app.app_context():
        payment = db.session.scalar(sa.select(Payment))
        assert (payment.amount, payment.method, payment.reference) == (150.5, "upi", "UPI 8812")
    receipt = desk.get(f"/register/payments/{payment.id}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    assert "attachment" in receipt.headers["Content-Disposition"]
    text = pdf_text(receipt.data)
    assert "R00000001" in text and "₹150.50" in text and "Asha Verma" in text
    assert len(actions(app, "receipt_downloaded")) == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"amount": "500.01"}, "The balance is 500.00; take at most that."),
        ({"amount": "0"}, "The amount must be more than zero."),
        ({"amount": "-20"}, "The amount must be more than zero."),
        ({"amount": "abc"}, "Enter an amount such as 250 or 99.50."),
        ({"amount": "10.001"}, "Use at most two decimal places."),
        ({"amount": ""}, "Enter the amount."),
        ({"amount": "1" * 400}, "Enter an amount such as 250 or 99.50."),
        ({"method": "bitcoin"}, "Not a valid choice."),
        ({"method": ""}, "Choose how the patient paid."),
        ({"request_key": None}, "The payment was not recorded"),
        ({"request_key": "'; drop table payments"}, "Reload the page and try again."),
        ({"reference": "x" * 61}, "The payment was not recorded"),
    ],
)
def test_bad_payments_are_refused_with_a_message_and_change_nothing(
    app, desk, stay, change, message
):
    before = table_counts(app)
    response = desk.post(
        f"/register/admissions/{stay.admission_id}/payments", data=pay_form(desk, **change)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert table_counts(app) == before


def test_a_double_submit_of_the_same_form_records_one_payment(app, desk, stay):
    form = pay_form(desk, amount="300")
    first = desk.post(f"/register/admissions/{stay.admission_id}/payments", data=form)
    second = desk.post(f"/register/admissions/{stay.admission_id}/payments", data=form)
    assert (first.status_code, second.status_code) == (303, 303)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1


def test_a_payment_without_csrf_token_is_refused(app, desk, stay):
    before = table_counts(app)
    form = pay_form(desk)
    del form["csrf_token"]
    response = desk.post(f"/register/admissions/{stay.admission_id}/payments", data=form)
    assert response.status_code == 400
    assert table_counts(app) == before


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/register/admissions/999999"),
        ("get", "/register/admissions/99999999999999999999"),
        ("post", "/register/admissions/999999/payments"),
        ("post", "/register/admissions/999999/discharge"),
        ("get", "/register/payments/999999/receipt.pdf"),
        ("get", "/register/bills/999999/final.pdf"),
        ("get", "/register/patients/999999"),
    ],
)
def test_unknown_ids_are_404(desk, method, path):
    data = {"csrf_token": csrf_token(desk, "/register/")} if method == "post" else None
    assert getattr(desk, method)(path, data=data).status_code == 404


def test_discharge_is_refused_with_a_balance_then_allowed_with_a_reason(app, desk, stay):
    url = f"/register/admissions/{stay.admission_id}/discharge"
    before = table_counts(app)
    refused = desk.post(url, data={"csrf_token": csrf_token(desk, "/register/")})
    assert refused.status_code == 422
    assert "The balance of ₹500.00 is still open" in refused.get_data(as_text=True)
    assert table_counts(app) == before

    done = desk.post(
        url,
        data={"override_reason": "Corporate account", "csrf_token": csrf_token(desk, "/register/")},
    )
    assert done.status_code == 303
    page = desk.get(done.headers["Location"]).get_data(as_text=True)
    assert 'id="admission-status">Discharged<' in page and "Corporate account" in page
    assert 'id="payment-form"' not in page and 'id="discharge-form"' not in page
    again = desk.post(url, data={"override_reason": "x", "csrf_token": csrf_token(desk, "/")})
    assert again.status_code == 409
    assert "This patient has been discharged" in again.get_data(as_text=True)


def test_the_final_bill_downloads_byte_for_byte_for_registers_and_admins(
    app, client, staff, discharged
):
    with app.app_context():
        stored = db.session.get(Bill, discharged.bill_id).final_pdf
    url = f"/register/bills/{discharged.bill_id}/final.pdf"
    for role in ("register", "admin"):
        sign_in(client, staff[role])
        response = client.get(url)
        assert response.status_code == 200, role
        assert response.data == stored
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["Content-Disposition"] == 'attachment; filename="bill-B0000001.pdf"'
        client.post("/logout", data={"csrf_token": csrf_token(client, "/register/patients")})
    sign_in(client, staff["doctor"])
    assert client.get(url).status_code == 403
    downloads = actions(app, "final_bill_downloaded")
    assert [(e.username, e.patient_id) for e in downloads] == [
        ("desk", discharged.patient_id),
        ("boss", discharged.patient_id),
    ]


def test_no_final_bill_before_discharge(desk, stay):
    assert desk.get(f"/register/bills/{stay.bill_id}/final.pdf").status_code == 404


def test_discharge_then_the_bed_is_free_on_the_dashboard(app, desk, stay):
    assert 'class="text-end occupied">1<' in desk.get("/register/").get_data(as_text=True)
    desk.post(
        f"/register/admissions/{stay.admission_id}/payments",
        data=pay_form(desk, amount="500", method="card"),
    )
    desk.post(
        f"/register/admissions/{stay.admission_id}/discharge",
        data={"csrf_token": csrf_token(desk, "/register/")},
    )
    with app.app_context():
        assert db.session.get(Admission, stay.admission_id).discharged_at is not None
    html = desk.get("/register/").get_data(as_text=True)
    assert 'id="count-discharges-today">1<' in html
    assert 'class="text-end occupied">1<' not in html
    assert support.FEE == 500


@pytest.mark.parametrize("reason", ["x" * 501, "Reason\x00with NUL"])
def test_a_bad_override_reason_is_refused_and_changes_nothing(app, desk, stay, reason):
    before = table_counts(app)
    response = desk.post(
        f"/register/admissions/{stay.admission_id}/discharge",
        data={"override_reason": reason, "csrf_token": csrf_token(desk, "/register/")},
    )
    assert response.status_code == 422
    assert table_counts(app) == before
