"""The public status lookup counts every try: wrong codes are throttled with a 429 page in the visitor's language."""

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from families.views.lookup import GRANTED_SESSION_KEY, LOOKUP_WINDOW_MINUTES
from tests.factories import RegistrationRequestFactory

pytestmark = pytest.mark.django_db

RIGHT_CODE = "K7PQ-M2XW-9RTD"
ALLOWED_TRIES = 5


@pytest.fixture
def filed(db):
    return RegistrationRequestFactory(access_code_hash=make_password(RIGHT_CODE))


def _try(client, reference, code, language="en"):
    return client.post(
        reverse("families:lookup"), {"reference": reference, "access_code": code}, HTTP_ACCEPT_LANGUAGE=language
    )


def test_it_throttles_repeated_wrong_codes_with_a_translated_page(client, filed):
    answers = [_try(client, filed.reference, f"AAAA-BBBB-{n:04d}").status_code for n in range(ALLOWED_TRIES)]

    throttled = _try(client, filed.reference, "AAAA-BBBB-9999", language="uk")

    assert answers == [200] * ALLOWED_TRIES
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == str(LOOKUP_WINDOW_MINUTES * 60)
    assert "families/rate_limited.html" in [template.name for template in throttled.templates]
    with translation.override("uk"):
        title = gettext("Too many tries")
    assert title != "Too many tries"
    assert title in throttled.content.decode()


def test_the_right_code_is_refused_too_once_the_reference_is_throttled(client, filed):
    for n in range(ALLOWED_TRIES):
        _try(client, filed.reference, f"AAAA-BBBB-{n:04d}")

    response = _try(client, filed.reference, RIGHT_CODE)

    assert response.status_code == 429
    assert GRANTED_SESSION_KEY not in client.session


def test_a_guesser_changing_references_is_throttled_by_address(client, filed):
    answers = [_try(client, f"HC-2026-{n:06d}", "AAAA-BBBB-CCCC").status_code for n in range(ALLOWED_TRIES + 1)]

    assert answers[-1] == 429


def test_a_guesser_changing_addresses_is_throttled_by_reference(client, filed):
    answers = [
        client.post(
            reverse("families:lookup"),
            {"reference": filed.reference, "access_code": f"AAAA-BBBB-{n:04d}"},
            REMOTE_ADDR=f"203.0.113.{n + 1}",
        ).status_code
        for n in range(ALLOWED_TRIES + 1)
    ]

    assert answers[-1] == 429


def test_the_right_code_within_the_limit_opens_the_status_page(client, filed):
    _try(client, filed.reference, "AAAA-BBBB-0000")

    response = _try(client, filed.reference, RIGHT_CODE)

    assert response.status_code == 302
    assert response["Location"] == reverse("families:lookup_status", args=[filed.reference])
