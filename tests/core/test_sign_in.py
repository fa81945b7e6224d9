"""Signing in: the second factor staff must have, failed attempts, idle staff sessions, the sign-in history."""

import time

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import SignInEvent, SignInStep
from core.roles import Role
from core.security import STAFF_SEEN_SESSION_KEY
from tests.factories import TEST_TOTP_SECRET, UserFactory, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _password(client, login, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_it_asks_staff_for_the_code_after_the_password(client, carol):
    response = _password(client, "carol")

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("staff:home")).status_code == 401

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert response.status_code == 302
    assert client.get(reverse("staff:home")).status_code == 200


def test_it_refuses_a_wrong_code_and_records_it(client, carol):
    _password(client, "carol")
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert "Incorrect code." in response.text
    assert client.get(reverse("staff:home")).status_code == 401
    assert SignInEvent.objects.filter(user=carol, step=SignInStep.SECOND_FACTOR, succeeded=False).count() == 1


def test_it_refuses_a_code_used_once_already(client, carol):
    code = totp_code()
    _password(client, "carol")
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.post(reverse("account_logout"))

    _password(client, "carol")
    response = client.post(reverse("mfa_authenticate"), {"code": code})

    assert response.status_code == 200
    assert client.get(reverse("staff:home")).status_code == 401


def test_it_lets_a_recovery_code_in_once(client, carol):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(carol).get_unused_codes()
    _password(client, "carol")
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    client.post(reverse("account_logout"))

    _password(client, "carol")
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})

    assert response.status_code == 200
    assert client.get(reverse("staff:home")).status_code == 401


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COORDINATOR, Role.ADMINISTRATOR])
def test_it_sends_staff_without_a_second_factor_to_set_one_up(client, role):
    user = UserFactory(role=role, second_factor=False)
    client.force_login(user)

    response = client.get(reverse("staff:home"))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert client.get(reverse("staff_api:request_list")).status_code == 403


def test_it_lets_staff_in_once_they_have_set_up_the_app(client):
    user = UserFactory(role=Role.CASEWORKER, second_factor=False)
    _password(client, user.username)
    assert client.get(reverse("staff:home")).status_code == 302
    # Adding a second factor asks for the password once more.
    assert client.get(reverse("mfa_activate_totp")).url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert page.context["totp_svg_data_uri"].startswith("data:image/svg+xml;base64,")
    secret = client.session["mfa.totp.secret"]

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert client.get(reverse("staff:home")).status_code == 200


def test_it_refuses_a_token_of_a_staff_account_without_a_second_factor(db):
    user = UserFactory(role=Role.COORDINATOR, second_factor=False)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    response = api.get(reverse("staff_api:exchange_list"))

    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


def test_it_keeps_staff_from_removing_their_only_second_factor(client, carol):
    client.force_login(carol)

    client.post(reverse("mfa_deactivate_totp"), {"code": totp_code()})

    assert Authenticator.objects.filter(user=carol, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("staff:home")).status_code == 200


def test_it_lets_a_family_member_sign_in_without_a_second_factor(client, olena):
    response = _password(client, "olena")

    assert response.status_code == 302
    assert client.get(reverse("families:request_list")).status_code == 200


@pytest.mark.parametrize("persona", ["olena", "carol"])
def test_it_locks_an_account_after_five_wrong_passwords(client, request, persona):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    for _attempt in range(5):
        assert "not correct" in _password(client, user.username, "wrong-password").text

    response = _password(client, user.username)

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session
    assert SignInEvent.objects.filter(user=user, succeeded=False).count() == 5


def test_it_locks_the_account_for_every_address(client, olena):
    for attempt in range(5):
        client.post(
            reverse("account_login"),
            {"login": "olena", "password": "wrong-password"},
            REMOTE_ADDR=f"198.51.100.{attempt + 1}",
        )

    response = client.post(
        reverse("account_login"), {"login": "olena", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )

    assert "Too many failed login attempts" in response.text


def test_it_stops_one_address_trying_many_accounts(client, db):
    users = [UserFactory(role=Role.FAMILY) for _ in range(11)]
    for user in users[:10]:
        client.post(reverse("account_login"), {"login": user.username, "password": "wrong-password"})

    response = _password(client, users[10].username)

    assert "Too many failed login attempts" in response.text


def test_it_signs_an_idle_staff_session_out(client, carol, settings):
    client.force_login(carol)
    session = client.session
    session[STAFF_SEEN_SESSION_KEY] = int(time.time()) - settings.STAFF_SESSION_IDLE_MINUTES * 60 - 1
    session.save()

    response = client.get(reverse("staff:home"))

    assert response.status_code == 401
    assert "without activity" in response.text
    assert "_auth_user_id" not in client.session


def test_it_keeps_a_busy_staff_session(client, carol, settings):
    client.force_login(carol)
    session = client.session
    session[STAFF_SEEN_SESSION_KEY] = int(time.time()) - settings.STAFF_SESSION_IDLE_MINUTES * 60 + 120
    session.save()

    assert client.get(reverse("staff:home")).status_code == 200
    assert client.session[STAFF_SEEN_SESSION_KEY] >= int(time.time()) - 5
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_IDLE_MINUTES * 60


def test_it_leaves_a_family_session_without_an_idle_limit(client, olena):
    client.force_login(olena.user)

    client.get(reverse("families:request_list"))

    assert STAFF_SEEN_SESSION_KEY not in client.session


def test_it_shows_the_owner_their_sign_ins_and_failures(client, olena, ivan):
    _password(client, "olena", "wrong-password")
    client.post(
        reverse("account_login"),
        {"login": "olena", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="FictionalBrowser/1.0",
    )
    _password(client, "ivan", "wrong-password")

    page = client.get(reverse("sign_in_history"))

    assert page.status_code == 200
    events = list(page.context["events"])
    assert [(event.succeeded, event.user_id) for event in events] == [(True, olena.user.pk), (False, olena.user.pk)]
    assert "203.0.113.7" in page.text
    assert "FictionalBrowser/1.0" in page.text


def test_it_asks_a_visitor_to_sign_in_for_the_history(client, db):
    response = client.get(reverse("sign_in_history"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_it_keeps_the_authenticator_secret_encrypted(carol):
    stored = Authenticator.objects.get(user=carol, type=Authenticator.Type.TOTP).data["secret"]

    assert TEST_TOTP_SECRET not in stored


def test_it_stops_guessing_of_the_code_after_five_wrong_ones(client, carol):
    _password(client, "carol")
    right = totp_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong})

    response = client.post(reverse("mfa_authenticate"), {"code": right})

    assert "Too many failed login attempts" in response.text
    assert client.get(reverse("staff:home")).status_code == 401
