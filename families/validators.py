"""Checks shared by the family's forms and the API, so that both accept the same input."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
CYRILLIC = "\u0400-\u04ff"
NAME_PATTERN = re.compile(rf"^[{LATIN}{CYRILLIC}][{LATIN}{CYRILLIC} .'’ʼ-]*$")
# A plausible international number: an optional leading "+", then digits that
# may be grouped with spaces, hyphens or brackets, 7 to 20 digits in all.
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]+$")
PHONE_DIGITS = range(7, 21)


def validate_not_in_future(value: datetime.date) -> None:
    if value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")


def validate_name(value: str) -> None:
    """Letters of one script: a Latin “o” inside a Cyrillic name would hide him from every search."""
    if not NAME_PATTERN.match(value):
        raise ValidationError(
            _("Use letters only (Cyrillic or Latin), with spaces, hyphens or apostrophes if needed."), code="letters"
        )
    if re.search(f"[{LATIN}]", value) and re.search(f"[{CYRILLIC}]", value):
        raise ValidationError(_("Write the name in Cyrillic or in Latin letters, not a mix of both."), code="mixed")


def validate_phone(value: str) -> None:
    digits = sum(character.isdigit() for character in value)
    if not PHONE_PATTERN.match(value) or digits not in PHONE_DIGITS:
        raise ValidationError(
            _("Enter a phone number with its country code, for example +380 50 123 4567."), code="invalid"
        )
