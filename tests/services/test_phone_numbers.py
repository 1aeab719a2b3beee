"""The short way to a plainly written number gives what phonenumbers.parse gives, for every
number it takes, and leaves every other number to parse."""

import random

import phonenumbers
import pytest

from hms.services import patients
from hms.services.patients import InvalidPhone, normalize_phone


def by_parse(text: str, region: str) -> str | None:
    """What normalize_phone gave before the short way: parse, check, format; None if refused."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def written(rng: random.Random, region: str) -> str:
    """A number as someone might type it: real-looking or random digits, with or without
    the country code, a plus, a leading 0, groups split by spaces or hyphens."""
    code = str(phonenumbers.country_code_for_region(region))
    example = phonenumbers.example_number_for_type(
        region,
        rng.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]),
    )
    if example and rng.random() < 0.5:
        digits = str(example.national_number)
        digits = digits[:2] + "".join(rng.choice("0123456789") for _ in digits[2:])
    else:
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 15)))
    text = rng.choice(["", "0", code, "+" + code, "+", "00" + code, "+0"]) + digits
    if rng.random() < 0.5:
        cut = rng.randint(1, max(1, len(text) - 1))
        text = text[:cut] + rng.choice([" ", "-", "  "]) + text[cut:]
    return text


@pytest.mark.parametrize("region", ["IN", "DE", "FR", "BR", "JP", "US", "GB"])
def test_the_short_way_agrees_with_parse(region):
    rng = random.Random(f"phones-{region}")
    taken = 0
    for _ in range(4000):
        text = written(rng, region)
        short = patients._plain_number(text, region)
        if short is not None:
            taken += 1
            assert short == by_parse(text, region), text
        if len(text) <= 25:
            expected = by_parse(text, region)
            if expected is None:
                with pytest.raises(InvalidPhone):
                    normalize_phone(text, region)
            else:
                assert normalize_phone(text, region) == expected, text
    if region in ("US", "GB"):  # +1 and +44 are shared by several regions: always parse
        assert taken == 0
    else:
        assert taken > 100  # the short way is taken for the usual numbers


@pytest.mark.parametrize(
    "text",
    ["9876543210", "98765 43210", "98765-43210", "+919876543210", "+91 98765 43210"],
)
def test_the_usual_indian_numbers_take_the_short_way(text):
    assert patients._plain_number(text, "IN") == "+919876543210"


@pytest.mark.parametrize(
    "text",
    [
        "098765 43210",  # national prefix
        "0091 98765 43210",  # international prefix
        "919876543210",  # country code without a plus
        "+44 20 7946 0958",  # another country
        "(+91) 98765.43210",  # other separators
        "९८७६५४३२१०",  # Devanagari digits
        "+91 99999",  # too short for an Indian number
    ],
)
def test_anything_else_goes_to_parse(text):
    assert patients._plain_number(text, "IN") is None
