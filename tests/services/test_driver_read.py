"""DriverRead runs a fixed select straight on the driver's cursor: the same rows, with the
same Python types, as SQLAlchemy's execution of the statement, and SQLAlchemy's errors."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from hms.database import reading_engine
from hms.driver_read import DriverRead
from hms.extensions import db
from hms.models import Patient
from hms.services.lookup import LOOKUP
from hms.services.patients import fold_name
from tests import factories
from tests.helpers import booking_form
from tests.register.support import admit


def test_the_status_lookup_reads_what_sqlalchemy_reads(app, client, hospital, tomorrow):
    doctor = hospital.doctors["house"]
    for time in ("10:00", "11:30"):
        form = booking_form(client, doctor, tomorrow, time=time)
        assert client.post("/appointments", data=form).status_code == 303
    with app.app_context():
        factories.make_user(db.session, "desk", "register", "Front Desk")
        db.session.commit()
        number = db.session.scalar(sa.select(Patient.patient_number))
        admit(db.session, app, patient_number=number)
        params = {"phone": "+919876543210", "name_key": fold_name("Asha Verma")}
        with db.engine.connect() as connection:
            expected = [tuple(row) for row in connection.execute(LOOKUP.statement, params)]
            in_transaction = LOOKUP.rows(connection, params)  # the cursor's way
        with reading_engine(db.engine).connect() as connection:
            alone = LOOKUP.rows(connection, params)  # libpq's way on PostgreSQL
    for rows in (in_transaction, alone):
        assert len(rows) == 2 and rows == expected
        assert [type(value) for value in rows[0]] == [type(value) for value in expected[0]]
        assert rows[0][2].tzinfo is not None  # admitted_at, an aware UTC time as the type gives
        assert [row[4].strftime("%H:%M") for row in rows] == ["11:30", "10:00"]


def test_no_row_is_an_empty_list(app):
    with app.app_context(), db.engine.connect() as connection:
        assert LOOKUP.rows(connection, {"phone": "+910000000000", "name_key": "nobody"}) == []


def test_a_driver_error_is_raised_as_sqlalchemys(app):
    broken = DriverRead(sa.select(sa.column("x")).select_from(sa.table("no_such_table")))
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(sa.exc.DBAPIError) as raised:
            broken.rows(connection, {})
        assert "no_such_table" in str(raised.value)


def test_the_sql_is_compiled_for_each_database_and_driver():
    from sqlalchemy.dialects import postgresql, sqlite

    params = {"phone": "+919876543210", "name_key": "asha verma"}
    on_sqlite = LOOKUP.driver_sql(sqlite.dialect(), params)
    on_postgresql = LOOKUP.driver_sql(postgresql.psycopg.dialect(), params)
    assert on_sqlite[1][:2] == ("+919876543210", "asha verma")  # qmark: by position
    assert "?" in on_sqlite[0] and "%(phone)s" in on_postgresql[0]
    assert on_postgresql[1]["phone"] == "+919876543210"  # pyformat: by name
    # Asked again for the first, it is not given the second's SQL.
    assert LOOKUP.driver_sql(sqlite.dialect(), params) == on_sqlite


def prepared_names(connection) -> set[str]:
    return set(
        connection.exec_driver_sql("SELECT name FROM pg_prepared_statements").scalars().all()
    )


def test_on_postgresql_the_statement_is_prepared_once_per_connection(app):
    """psycopg connections outside a transaction run it through libpq, prepared on first
    use (and again after something drops it); others run it on the cursor."""
    values = {"day": date(2026, 11, 26), "count": 7, "text": "Aś", "flag": True, "nothing": None}
    expected = [(date(2026, 11, 26), 7, "Aś", True, None)]
    types = {"day": sa.Date, "count": sa.Integer, "text": sa.String, "flag": sa.Boolean}
    types["nothing"] = sa.String
    with app.app_context(), reading_engine(db.engine).connect() as connection:
        postgresql = connection.dialect.name == "postgresql"
        columns = [sa.bindparam(name, type_=kind) for name, kind in types.items()]
        # A bare $1 is text to PostgreSQL; SQLite's CAST would make the date a number.
        if postgresql:
            columns = [sa.cast(column, column.type) for column in columns]
        typed = DriverRead(sa.select(*columns))
        assert typed.rows(connection, values) == expected
        if not postgresql:
            assert not connection.info.get("hms prepared")
            return
        name = typed._name.decode()
        assert name in prepared_names(connection)
        assert typed.rows(connection, values) == expected  # the same statement again
        connection.exec_driver_sql("DEALLOCATE ALL")  # as a pooler's DISCARD ALL would
        assert typed.rows(connection, values) == expected  # prepared again at once
        assert name in prepared_names(connection)
        connection.invalidate()  # the other statements' names on it are gone too
    with app.app_context(), db.engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")  # in a transaction: the cursor runs it
        assert typed.rows(connection, values) == expected
        assert name not in prepared_names(connection)


def test_a_value_libpq_is_not_given_goes_through_the_cursor(app):
    binary = DriverRead(sa.select(sa.func.length(sa.bindparam("x", type_=sa.LargeBinary))))
    with app.app_context(), db.engine.connect() as connection:
        assert binary.rows(connection, {"x": b"\x00\x01\x02"}) == [(3,)]
        assert binary._name.decode() not in (
            prepared_names(connection) if connection.dialect.name == "postgresql" else set()
        )


def test_the_front_desk_statements_read_what_sqlalchemy_reads(app, hospital):
    """Sums of money (numeric on PostgreSQL, whatever SQLite makes of them), counts, aware
    times and the movements' kind: the same values of the same types both ways."""
    from hms.services import front_desk
    from hms.services.clock import hospital_now, local_day_bounds
    from tests.register.support import charge, discharge, new_patient, pay

    with app.app_context():
        factories.make_user(db.session, "desk", "register", "Front Desk")
        db.session.commit()
        staying = admit(db.session, app)
        charge(db.session, staying.id, "Dressing", 3, "120.50")
        pay(db.session, staying.bill.id, "200.25")
        leaving = admit(db.session, app, new_patient("Ravi Kumar", "+919812345678"))
        pay(db.session, leaving.bill.id, "500.00")
        discharge(db.session, app, leaving.id)
        zone = app.config["HMS_TIMEZONE"]
        start, end = local_day_bounds(hospital_now(zone).date(), zone)
        day = {"start": start, "end": end}
        cases = [
            (front_desk.OCCUPANCY, {}),
            (front_desk.DAY_COUNTS, day),
            (front_desk.LATEST, {**day, "limit": 10}),
            *(
                (statement, {"offset": 0, "department_id": staying.department_id})
                for pair in front_desk.OPEN_BILLS.values()
                for statement in pair
            ),
        ]
        read_alone = {read: read_both_ways(read, params) for read, params in cases}
    (bill,) = read_alone[front_desk.OPEN_BILLS[True][0]]  # the department's open bills
    assert bill[7:] == (Decimal("861.50"), Decimal("200.25"), 1)  # fee and dressings; paid; stays


def read_both_ways(read: DriverRead, params: dict) -> list[tuple]:
    """The rows `read` gives for `params` in a transaction (the cursor) and alone (libpq, on
    PostgreSQL), checked to be those of Connection.execute, with the same Python types."""
    with db.engine.connect() as connection:
        expected = [tuple(row) for row in connection.execute(read.statement, params)]
        in_transaction = read.rows(connection, params)  # the cursor's way
    with reading_engine(db.engine).connect() as connection:
        alone = read.rows(connection, params)  # libpq's way on PostgreSQL
    assert expected, read.statement
    for rows in (in_transaction, alone):
        assert rows == expected
        assert [list(map(type, row)) for row in rows] == [list(map(type, row)) for row in expected]
    return alone


def test_the_doctor_counts_and_the_staff_search_read_what_sqlalchemy_reads(
    app, client, hospital, tomorrow
):
    """Counts bound to a date, and patients with a date of birth (text on SQLite)."""
    from hms.services import doctor_queue, patient_search

    house = hospital.doctors["house"]
    booked = client.post("/appointments", data=booking_form(client, house, tomorrow))
    assert booked.status_code == 303
    with app.app_context():
        patient = db.session.scalar(sa.select(Patient))
        patient.date_of_birth = date(1990, 5, 17)
        db.session.commit()
        (counts,) = read_both_ways(
            doctor_queue.COUNT_LISTS, {"doctor_id": house, "today": tomorrow}
        )
        assert counts == (1, 1, 0, 0)  # the new request: pending, and on the day asked for
        page = {"limit": 21, "offset": 0}
        key = fold_name(patient.full_name)[:3]
        cases = {
            ("name",): {**page, "low": key, "high": key + patient_search.TOP},
            ("number",): {**page, "number": patient.patient_number},
            ("phone",): {**page, "phone": patient.phone},
            ("number", "phone"): {**page, "number": patient.patient_number, "phone": "+91"},
        }
        for form, params in cases.items():
            (found,) = read_both_ways(patient_search.SEARCHES[form], params)
            assert found[0] == patient.id and found[4] == date(1990, 5, 17), form
