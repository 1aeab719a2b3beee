"""Who a patient is: canonical phone, folded name, patient ID allocation and matching."""

import re
import unicodedata
from contextlib import nullcontext
from datetime import date
from functools import lru_cache

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hms.models import Patient, PatientIdCounter
from hms.models.base import UTCDateTime
from hms.services.counters import increment, upsert_statement

# phonenumbers passes each metadata pattern through re.compile on every use (a lookup in the
# re module's cache each time; about 0.5 % of a status lookup's instructions). Its own
# cache keeps the compiled patterns instead.
phonenumbers.enable_pattern_cache()


class InvalidPhone(ValueError):
    """The text is not a phone number we can dial."""


def normalize_phone(raw: str, region: str) -> str:
    """Return the phone number in E.164 form (+919876543210), or raise InvalidPhone."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhone("Enter a phone number.")
    if len(text) > 25:
        raise InvalidPhone("Enter a valid phone number, e.g. 98765 43210.")
    plain = _plain_number(text, region)
    if plain is not None:
        return plain
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone("Enter a valid phone number, e.g. 98765 43210.") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("Enter a valid phone number, e.g. 98765 43210.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# A number as most people type it: ASCII digits, perhaps after a plus, perhaps in groups.
PLAIN_NUMBER = re.compile(r"\+?[1-9][0-9]{5,16}")


@lru_cache(maxsize=32)
def _home_country(region: str):
    """The region's metadata when its country code is the region's alone (91: India only;
    not 1, which many regions share), else None."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(metadata.country_code, ())
    return metadata if list(regions) == [region] else None


def _plain_number(text: str, region: str) -> str | None:
    """The E.164 form of a plainly written valid number of the home country, as
    phonenumbers.parse would make it, or None for anything else.

    parse walks some twenty patterns (extensions, prefixes, Unicode digits) for any number;
    a string of ASCII digits that neither starts with the national or international prefix
    nor needs its country code taken off, with or without "+" and the country code in front,
    needs none of them: the number is the digits, checked by is_valid_number (a third of
    the time). Everything else goes to parse. tests/services/test_phone_numbers.py checks
    that both ways agree.
    """
    compact = text.replace(" ", "").replace("-", "")
    metadata = PLAIN_NUMBER.fullmatch(compact) and _home_country(region)
    if not metadata:
        return None
    code = str(metadata.country_code)
    if compact[0] == "+":
        if not compact.startswith(code, 1):
            return None
        national = compact[1 + len(code) :]
    else:
        # Without a plus, parse may read a leading IDD prefix or country code; leave those.
        national = compact
        idd = metadata.international_prefix
        if national.startswith(code) or (idd and re.match(idd, national)):
            return None
    prefix = metadata.national_prefix_for_parsing
    if not national or national[0] == "0" or (prefix and re.match(prefix, national)):
        return None
    number = phonenumbers.PhoneNumber(
        country_code=metadata.country_code, national_number=int(national)
    )
    if not phonenumbers.is_valid_number(number):
        return None
    return f"+{code}{national}"


@lru_cache(maxsize=4096)  # a page lists up to a few dozen numbers, each parsed again
def display_phone(e164: str) -> str:
    """Format a stored phone number for people to read."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_name(raw: str) -> str:
    """Trim a name and collapse runs of whitespace, keeping its case for display."""
    return " ".join(unicodedata.normalize("NFC", raw or "").split())


# Above every character a name or a reference can hold (names refuse private-use
# characters), so [prefix, prefix + TOP) holds exactly the keys that start with the prefix.
TOP = "\U0010ffff"


def fold_name(raw: str) -> str:
    """Return the matching key of a name: Unicode-normalised, case and spacing folded."""
    return " ".join(unicodedata.normalize("NFKC", raw or "").casefold().split())


def format_patient_id(day: date, number: int) -> str:
    """Spell a patient ID: YYYYMMDD and a three-digit number (four past 999)."""
    return f"{day:%Y%m%d}{number:03d}"


def allocate_patient_id(session: Session, day: date) -> str:
    """Take the next patient ID of a hospital-local day.

    One atomic upsert on the day's counter row: the database serialises concurrent
    callers on that row, so no two transactions can ever get the same number.
    """
    number = increment(
        session, PatientIdCounter, PatientIdCounter.day, day, PatientIdCounter.last_number
    )
    return format_patient_id(day, number)


MATCH = (Patient.phone == sa.bindparam("phone"), Patient.name_key == sa.bindparam("name_key"))
FIND_PATIENT = sa.select(Patient).where(*MATCH)
# The public booking registers or matches a patient inside its write lock: these plain
# statements (built once) keep that short.
FIND_PATIENT_ID = sa.select(Patient.id, Patient.email).where(*MATCH)
INSERT_PATIENT = sa.insert(Patient.__table__).returning(Patient.id)


def match_params(name: str, phone: str) -> dict:
    """The parameters of MATCH (FIND_PATIENT, FIND_PATIENT_ID) for a name and canonical phone."""
    return {"phone": phone, "name_key": fold_name(name)}


def new_patient_params(name: str, phone: str, email: str | None, day: date) -> dict:
    """The parameters new_patient_cte takes to register this person on `day` (all but
    booked_at, the registration time the whole statement shares)."""
    return {
        "key": day,
        "day_prefix": f"{day:%Y%m%d}",
        "full_name": clean_name(name),
        "email": email or None,
        **match_params(name, phone),
    }


def new_patient_cte() -> sa.CTE:
    """PostgreSQL: a `new_patient` CTE that registers a patient with the day's next
    patient ID and returns the patient's `id`, for one statement that goes on to use it.

    Parameters: those of new_patient_params, and booked_at (the registration time). The
    number is spelt as format_patient_id spells it. A statement that fails undoes the
    counter with everything else: no gap, no duplicate.
    """
    number = upsert_statement(
        "postgresql", PatientIdCounter, PatientIdCounter.day, PatientIdCounter.last_number
    ).cte("number")
    digits = sa.cast(number.c.last_number, sa.Text)
    patient_number = sa.bindparam("day_prefix", type_=sa.Text).concat(
        sa.func.lpad(digits, sa.func.greatest(3, sa.func.length(digits)), "0")
    )
    values = sa.select(
        patient_number,
        *(sa.bindparam(name, type_=sa.Text) for name in ("full_name", "name_key", "phone")),
        sa.bindparam("email", type_=sa.Text),
        sa.bindparam("booked_at", type_=UTCDateTime),
    ).select_from(number)
    return (
        sa.insert(Patient.__table__)
        .from_select(
            ["patient_number", "full_name", "name_key", "phone", "email", "created_at"],
            values,
            include_defaults=False,
        )
        .returning(Patient.id)
        .cte("new_patient")
    )


def find_patient(session: Session, name: str, phone: str) -> Patient | None:
    """Return the patient with this canonical phone and name, if any."""
    return session.scalar(FIND_PATIENT, match_params(name, phone))


def register_patient(
    session: Session, *, name: str, phone: str, day: date, email: str | None = None, **details
) -> int:
    """The id of the patient with this phone and name, registered with a fresh patient ID
    if new (and given the email if they had none).

    `phone` must already be canonical (normalize_phone). `day` is the hospital-local date
    that a new patient's ID is based on. Extra keyword arguments are demographics
    (gender, date_of_birth, address) for a new patient.
    """
    match = match_params(name, phone)
    session.flush()  # the statements below run straight on the connection, past the ORM
    connection = session.connection()
    found = connection.execute(FIND_PATIENT_ID, match).first()
    if found is not None:
        if email and not found.email:
            connection.execute(sa.update(Patient).where(Patient.id == found.id).values(email=email))
        return found.id
    # On SQLite the caller holds the write lock since BEGIN IMMEDIATE (write_transaction),
    # so nobody registers this person between the match above and the insert below. A
    # server database can see that race: the savepoint undoes the failed insert and the
    # patient number it took, where the error would otherwise abort the whole transaction.
    guard = nullcontext() if connection.dialect.name == "sqlite" else session.begin_nested()
    try:
        with guard:
            return connection.execute(
                INSERT_PATIENT,
                {
                    "patient_number": allocate_patient_id(session, day),
                    "full_name": clean_name(name),
                    "name_key": match["name_key"],
                    "phone": phone,
                    "email": email or None,
                    **details,
                },
            ).scalar_one()
    except IntegrityError:
        # The same person was registered by a concurrent request a moment ago.
        found = connection.execute(FIND_PATIENT_ID, match).first()
        if found is None:
            raise
        return found.id


def find_or_create_patient(session: Session, **person) -> Patient:
    """The patient with this phone and name, registered if new (see register_patient)."""
    return session.get(Patient, register_patient(session, **person))
