"""The one ZIP code check and the one phone number check, for every form, model
and import that takes either (patient profile, client record...)."""

import phonenumbers
import zipcodes
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_REGION = "US"


def validate_zip_code(value: str) -> None:
    """Five digits that name a real US ZIP code (the zipcodes package: no network)."""
    if not value:
        return
    if not (len(value) == 5 and value.isdigit()):
        raise ValidationError(
            _("Enter a US ZIP code of exactly five digits, for example 02114."),
            code="zip_format",
        )
    if not zipcodes.is_real(value):
        raise ValidationError(
            _(
                "We could not find ZIP code %(zip)s. Check the five digits and try "
                "again."
            ),
            params={"zip": value},
            code="unknown_zip",
        )


def parse_phone_number(value: str) -> phonenumbers.PhoneNumber:
    """A US number in any usual spelling, or another country's with its +code."""
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "Enter a phone number with its area code, for example 617-555-0142, "
                "or a number from another country starting with + and its country "
                "code."
            ),
            code="invalid_phone",
        )
    return number


def validate_phone_number(value: str) -> None:
    if value:
        parse_phone_number(value)


def format_phone_number(value: str) -> str:
    """How a valid number is stored and shown: (617) 555-0142 for a US number,
    +44 20 7946 0018 for others."""
    number = parse_phone_number(value)
    if phonenumbers.region_code_for_number(number) == PHONE_REGION:
        return phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.NATIONAL
        )
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
