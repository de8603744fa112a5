"""Field types and format checks shared by every domain: coordinates, names, phones, emails."""

from __future__ import annotations

from typing import Annotated

import msgspec
import phonenumbers
from email_validator import EmailNotValidError, validate_email

from backend.kit.problems import Invalid

Latitude = Annotated[float, msgspec.Meta(ge=-90.0, le=90.0, description="WGS84 latitude in degrees")]
Longitude = Annotated[float, msgspec.Meta(ge=-180.0, le=180.0, description="WGS84 longitude in degrees")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320, description="An email address")]
Phone = Annotated[
    str, msgspec.Meta(min_length=3, max_length=32, description="E.164 (+358401234567) or national format")
]
NonNegative = Annotated[float, msgspec.Meta(ge=0.0, le=1_000_000.0)]
Count = Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class FieldInvalid(Invalid):
    """One field failed a format check; `field` names it so clients can point at it."""

    type_slug = "invalid-field"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", extra={"errors": [{"field": field, "message": message}]})
        self.field = field
        self.message = message


def normalize_phone(raw: str, *, region: str, field: str = "phone") -> str:
    """Parse with libphonenumber and return E.164; national numbers are read in the organization's country."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise FieldInvalid(field, f"not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(number):
        raise FieldInvalid(field, "not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str, *, field: str = "email") -> str:
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise FieldInvalid(field, str(exc)) from exc
