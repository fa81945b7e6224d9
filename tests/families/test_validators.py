import pytest
from django.core.exceptions import ValidationError

from families.validators import validate_name, validate_phone


@pytest.mark.parametrize("phone", ["+380 50 123 4567", "(050) 123-45-67", "+1 (202) 555 0100"])
def test_it_accepts_a_phone_the_profile_and_the_filing_form_both_take(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["call me", "+38 05", "050+1234567", "+1 234 567 890 123 456 789 012"])
def test_it_refuses_what_is_not_a_phone_number(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)


def test_it_refuses_a_name_that_mixes_scripts():
    with pytest.raises(ValidationError, match="not a mix"):
        validate_name("Мeльник")  # the second letter is a Latin "e"
