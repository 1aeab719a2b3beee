"""After discharge nothing changes the bill, its items, its payments or the admission:
not the services, and not any route of the app, whoever is signed in."""

from decimal import Decimal
from uuid import uuid4

import pytest
import sqlalchemy as sa

from hms.extensions import db
from hms.models import Admission, Bill, BillItem, Patient, Payment, PriceItem
from hms.services import admissions, billing
from tests.helpers import csrf_token, sign_in
from tests.register import support

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
NOT_ABOUT_BILLS = {"auth.login", "auth.logout"}  # signing out would end the sweep early
# Console views of these models get ?id=<the discharged record> on their edit/delete routes.
RECORD_OF = {Admission: "admission_id", Bill: "bill_id", Payment: "payment_id",
             BillItem: "item_id", Patient: "patient_id"}  # fmt: skip


@pytest.fixture
def frozen(app, staff, discharged):
    """The discharged stay's ids, plus its fee item and a price-list entry."""
    with app.app_context():
        price = PriceItem(code="ECG", name="Electrocardiogram", unit_price=Decimal("350"))
        db.session.add(price)
        db.session.commit()
        item_id = db.session.scalar(
            sa.select(BillItem.id).where(BillItem.bill_id == discharged.bill_id).limit(1)
        )
        ids = {
            "admission_id": discharged.admission_id,
            "bill_id": discharged.bill_id,
            "payment_id": discharged.payment_id,
            "patient_id": discharged.patient_id,
            "item_id": item_id,
            "price_item_id": price.id,
        }
        return ids, support.snapshot(db.session, discharged.bill_id)


def kitchen_sink(ids: dict, token: str) -> dict:
    """Every field name a bill-changing form might read, filled in plausibly."""
    return {
        "csrf_token": token,
        "amount": "100",
        "method": "cash",
        "reference": "late",
        "request_key": uuid4().hex,
        "description": "Late charge",
        "quantity": "1",
        "unit_price": "100.00",
        "price_item_id": str(ids["price_item_id"]),
        "override_reason": "once more",
        "discharged_at": "",
        "discharge_override": "",
        "frozen_at": "",
        "department_id": "1",
        "doctor_id": "1",
        "status": "completed",
        "text": "note",
        "note": "note",
        "id": str(ids["bill_id"]),
        "rowid": [str(ids[name]) for name in ("admission_id", "bill_id", "payment_id")],
        "action": "delete",
    }


def write_urls(app, ids: dict) -> list[str]:
    """A URL for every state-changing route, pointing at the discharged records."""
    views = {view.endpoint: view for admin in app.extensions["admin"] for view in admin._views}
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.methods & WRITES or rule.endpoint in NOT_ABOUT_BILLS:
            continue
        values = {name: ids.get(name, 1) for name in rule.arguments}
        url = adapter.build(rule.endpoint, values, method="POST")
        model = getattr(views.get(rule.endpoint.partition(".")[0]), "model", None)
        if model in RECORD_OF:
            url += f"?id={ids[RECORD_OF[model]]}"
        urls.append(url)
    return urls


@pytest.mark.parametrize("role", ["register", "doctor", "admin"])
def test_no_route_changes_a_discharged_bill(app, client, staff, frozen, role):
    ids, before = frozen
    sign_in(client, staff[role])
    urls = write_urls(app, ids)
    answers, crashed = {}, {}
    for url in urls:
        try:
            response = client.post(url, data=kitchen_sink(ids, csrf_token(client, "/doctors")))
            answers[url] = response.status_code
        except Exception as exc:  # the testing config re-raises what would be a 500
            answers[url], crashed[url] = 500, repr(exc)[:200]
            with app.app_context():
                db.session.rollback()
    about_bills = {
        u: c for u, c in answers.items() if "admission" in u or "bill" in u or "pay" in u
    }
    print(f"\n[frozen] {role}, {len(answers)} routes; on bill routes: {about_bills}")
    with app.app_context():
        assert support.snapshot(db.session, ids["bill_id"]) == before
    # A crash elsewhere is another test's business, but must not touch the bill either.
    bill_routes = [url for url in crashed if "admission" in url or "bill" in url or "pay" in url]
    assert bill_routes == [], crashed
    if crashed:
        print(f"[frozen] {role}: routes that crashed (not bill routes): {crashed}")


def test_no_service_changes_a_discharged_bill(app, session, frozen):
    ids, before = frozen
    doctor, desk = support.user(session, "dr.house"), support.user(session, "desk")
    refused = [
        lambda: support.charge(session, ids["admission_id"], "Late charge", 1, "10"),
        lambda: billing.add_item(
            session, admission_id=ids["admission_id"], quantity=1, by=doctor,
            price_item_id=ids["price_item_id"],
        ),
        lambda: billing.remove_item(session, ids["item_id"], by=desk),
        lambda: support.pay(session, ids["bill_id"], "1"),
        lambda: admissions.discharge_admission(
            session, ids["admission_id"], by=desk, letterhead=support.letterhead(app),
            override_reason="again",
        ),
    ]  # fmt: skip
    for attempt in refused:
        with pytest.raises((billing.BillFrozen, admissions.AdmissionClosed)):
            attempt()
    assert support.snapshot(session, ids["bill_id"]) == before
