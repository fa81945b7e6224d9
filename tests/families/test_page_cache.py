"""A request's status page comes from the cache while nothing changed, and never to anyone else.

Writes are wrapped in ``django_capture_on_commit_callbacks(execute=True)``:
the page is invalidated when a write commits, and these tests run inside a
transaction that never does.
"""

import pytest
from django.urls import reverse

from families.models import RegistrationRequest, RequestStatus
from families.services import registration_request_file, registration_request_set_status
from tests.factories import request_data


@pytest.fixture
def filed(olena) -> RegistrationRequest:
    request, _code = registration_request_file(filed_by=olena, actor=olena.user, data=request_data(), consent=True)
    return request


def _detail(request: RegistrationRequest) -> str:
    return reverse("families:request_detail", args=[request.reference])


def _warm(client, url: str) -> str:
    """Load the page twice: the first load sets the CSRF cookie the cached copy is kept under."""
    client.get(url)
    return client.get(url).content.decode()


def test_a_reload_costs_no_sql_and_shows_the_same_page(client, olena, filed, django_assert_num_queries):
    client.force_login(olena.user)
    page = _warm(client, _detail(filed))

    with django_assert_num_queries(0):
        response = client.get(_detail(filed))

    assert response.content.decode() == page
    assert filed.reference in page
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_caseworkers_change_shows_on_the_next_load(client, olena, carol, filed, django_capture_on_commit_callbacks):
    client.force_login(olena.user)
    _warm(client, _detail(filed))

    with django_capture_on_commit_callbacks(execute=True):
        registration_request_set_status(request=filed, new_status=RequestStatus.IN_REVIEW, actor=carol)

    assert "A caseworker is checking the information" in client.get(_detail(filed)).content.decode()


def test_another_family_never_gets_the_cached_page(client, olena, ivan, filed):
    client.force_login(olena.user)
    _warm(client, _detail(filed))
    csrf_cookie = client.cookies["csrftoken"].value

    client.force_login(ivan.user)
    client.cookies["csrftoken"] = csrf_cookie

    assert client.get(_detail(filed)).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(client, olena, filed):
    client.force_login(olena.user)
    _warm(client, _detail(filed))

    client.post(reverse("account_logout"))

    response = client.get(_detail(filed))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_password_change_elsewhere_ends_the_cached_view(client, olena, filed, django_capture_on_commit_callbacks):
    client.force_login(olena.user)
    _warm(client, _detail(filed))

    with django_capture_on_commit_callbacks(execute=True):
        olena.user.set_password("a-new-password-2026")
        olena.user.save()

    response = client.get(_detail(filed))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_deactivated_account_no_longer_sees_the_page(client, olena, filed, django_capture_on_commit_callbacks):
    client.force_login(olena.user)
    _warm(client, _detail(filed))

    with django_capture_on_commit_callbacks(execute=True):
        olena.user.is_active = False
        olena.user.save()

    assert client.get(_detail(filed)).status_code == 302


def test_the_page_follows_a_language_change(client, olena, filed):
    client.force_login(olena.user)
    _warm(client, _detail(filed))

    client.post(reverse("families:set_language"), {"language": "uk", "next": _detail(filed)})

    page = client.get(_detail(filed)).content.decode()
    assert '<html lang="uk">' in page


def test_a_waiting_message_is_shown_not_a_cached_page(client, olena, filed, django_capture_on_commit_callbacks):
    client.force_login(olena.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("families:request_withdraw", args=[filed.reference]), {"reason": "He came home."})
    _warm(client, _detail(filed))

    response = client.get(reverse("families:request_withdraw", args=[filed.reference]), follow=True)

    assert "This request is already withdrawn." in response.content.decode()
