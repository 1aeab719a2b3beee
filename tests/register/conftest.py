"""Front-desk fixtures: a register signed in, patients admitted through the services."""

import pytest

from hms.extensions import db
from tests.helpers import sign_in
from tests.register import support


@pytest.fixture
def desk(client, staff):
    """A test client signed in as the register `desk`."""
    assert sign_in(client, staff["register"]).status_code == 303
    return client


@pytest.fixture
def stay(app, staff) -> support.Stay:
    """Asha Verma admitted to General Medicine under Dr. House, fee on the bill."""
    with app.app_context():
        admission = support.admit(db.session, app)
        return support.Stay(admission.id, admission.bill.id, admission.patient_id)


@pytest.fixture
def discharged(app, staff) -> support.Stay:
    """A patient charged, paid in full and discharged."""
    with app.app_context():
        return support.discharged_stay(db.session, app)
