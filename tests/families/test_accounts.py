"""Accounts: sign-up with a confirmed e-mail, sign-in, password reset, e-mail change, profile, deletion."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from core.audit import audit_chain_verify
from core.models import AuditEvent
from families.models import FamilyMember, RegistrationRequest, Relationship, RelationshipKind, RequestStatus
from families.services import (
    family_member_update,
    registration_request_file,
    registration_request_set_status,
    relationship_create,
)
from prisoners.models import Prisoner
from tests.factories import PrisonerFactory, request_data

pytestmark = pytest.mark.django_db

User = get_user_model()

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-new-and-long-passphrase-42"
LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME


def translated(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def error_shown(page: str, field: str, language: str, message: str) -> bool:
    """Whether ``message``, in ``language``, is shown as the error of ``field`` and announced."""
    expected = re.escape(escape(translated(language, message)))
    return re.search(rf'id="id_{field}_error" role="alert"><p>{expected}</p>', page) is not None


def link_in(mail) -> str:
    """The path of the one link of ``mail`` that leads back to the site."""
    return re.search(r"https?://testserver(/\S+)", mail.body).group(1)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_up(client, headers=None, **overrides):
    data = {
        "full_name": "Oksana Vyhadana",
        "email": "oksana@example.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "preferred_language": "uk",
        **overrides,
    }
    return client.post(reverse("account_signup"), data, headers=headers)


def sign_in(client, login, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def profile_data(member, **overrides) -> dict:
    data = {
        "version": member.version,
        "full_name": member.full_name,
        "phone": member.phone,
        "telegram_handle": member.telegram_handle,
        "preferred_language": member.preferred_language,
        **({"notify_by_email": "on"} if member.notify_by_email else {}),
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


# Sign-up, e-mail confirmation, sign-in


def test_it_signs_up_without_signing_in_until_the_address_is_confirmed(client, mailoutbox):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_signed_in(client)
    member = FamilyMember.objects.get(user__email="oksana@example.test")
    assert member.full_name == "Oksana Vyhadana"
    assert member.preferred_language == "uk"
    assert member.user.groups.filter(name="family").exists()
    assert not EmailAddress.objects.get(email="oksana@example.test").verified
    assert [mail.to for mail in mailoutbox] == [["oksana@example.test"]]


def test_it_writes_the_confirmation_in_the_language_chosen_at_sign_up(client, mailoutbox):
    sign_up(client, preferred_language="uk")  # on an English page

    [mail] = mailoutbox
    subject = translated("uk", "Please Confirm Your Email Address")
    assert subject != "Please Confirm Your Email Address"
    assert mail.subject == f"[Homecoming] {subject}"
    assert translated("uk", "Hello from %(site_name)s!") % {"site_name": translated("uk", "Homecoming")} in mail.body


def test_it_confirms_the_address_and_signs_in_from_the_link(client, mailoutbox):
    sign_up(client, preferred_language="ru")
    path = link_in(mailoutbox[0])

    page = client.get(path)
    assert page.status_code == 200
    assert 'class="language-switch"' in page.content.decode()
    response = client.post(path)

    assert response.status_code == 302
    assert is_signed_in(client)
    assert EmailAddress.objects.get(email="oksana@example.test").verified
    assert response.cookies[LANGUAGE_COOKIE].value == "ru"


def test_it_refuses_to_sign_in_before_the_address_is_confirmed(client, mailoutbox):
    sign_up(client)

    response = sign_in(client, "oksana@example.test")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_signed_in(client)


def test_it_signs_in_and_out(client, olena):
    response = sign_in(client, olena.user.email)

    assert response.status_code == 302
    assert is_signed_in(client)

    client.post(reverse("account_logout"))

    assert not is_signed_in(client)


def test_it_refuses_a_wrong_password_in_the_visitors_language(client, olena):
    response = client.post(
        reverse("account_login"), {"login": olena.user.email, "password": "wrong"}, headers={"accept-language": "ru"}
    )

    assert response.status_code == 200
    assert not is_signed_in(client)
    assert (
        translated("ru", "The email address and/or password you specified are not correct.")
        in response.content.decode()
    )


def test_it_shows_sign_up_errors_next_to_the_field_and_creates_nothing(client, mailoutbox):
    response = sign_up(client, full_name="", headers={"accept-language": "uk"})

    page = response.content.decode()
    assert response.status_code == 200
    assert error_shown(page, "full_name", "uk", "This field is required.")
    assert 'aria-describedby="id_full_name_error"' in page
    assert 'value="oksana@example.test"' in page
    assert not User.objects.filter(email="oksana@example.test").exists()
    assert mailoutbox == []


def test_it_does_not_tell_a_stranger_that_an_address_has_an_account(client, olena, mailoutbox):
    response = sign_up(client, email=olena.user.email)

    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email=olena.user.email).count() == 1
    # Olena hears of it, in her language.
    [mail] = mailoutbox
    assert mail.to == [olena.user.email]
    assert mail.subject == "[Homecoming] " + translated("uk", "Account Already Exists")


# Password reset and e-mail change


def test_it_resets_a_forgotten_password_from_the_e_mailed_link(client, olena, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": olena.user.email})

    [mail] = mailoutbox
    assert mail.to == [olena.user.email]
    assert mail.subject == "[Homecoming] " + translated("uk", "Password Reset Email")
    form_page = client.get(link_in(mail), follow=True)
    assert form_page.status_code == 200
    response = client.post(form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    assert sign_in(client, olena.user.email).status_code == 200
    assert not is_signed_in(client)
    sign_in(client, olena.user.email, NEW_PASSWORD)
    assert is_signed_in(client)


def test_it_changes_the_e_mail_address_only_once_the_new_one_is_confirmed(client, olena, mailoutbox):
    client.force_login(olena.user)

    client.post(reverse("account_email"), {"action_add": "", "email": "olena.new@example.test"})

    olena.user.refresh_from_db()
    assert olena.user.email == "olena@example.test"
    [mail] = mailoutbox
    assert mail.to == ["olena.new@example.test"]
    client.post(reverse("account_logout"))
    assert sign_in(client, "olena.new@example.test")["Location"] == reverse("account_email_verification_sent")
    assert not is_signed_in(client)

    client.force_login(olena.user)
    client.post(link_in(mail))

    olena.user.refresh_from_db()
    assert olena.user.email == "olena.new@example.test"
    assert list(EmailAddress.objects.filter(user=olena.user).values_list("email", "verified")) == [
        ("olena.new@example.test", True)
    ]
    client.logout()
    sign_in(client, "olena.new@example.test")
    assert is_signed_in(client)


@pytest.mark.parametrize(
    ("url_name", "signed_in", "title"),
    [
        ("account_login", False, "Sign In"),
        ("account_signup", False, "Sign Up"),
        ("account_reset_password", False, "Password Reset"),
        ("account_reset_password_done", False, "Password Reset"),
        ("account_email_verification_sent", False, "Verify Your Email Address"),
        ("account_email", True, "Email Address"),
        ("account_change_password", True, "Change Password"),
        ("account_logout", True, "Sign Out"),
    ],
)
@pytest.mark.parametrize("language", ["en", "ru", "uk"])
def test_it_shows_every_account_page_in_the_site_layout_and_language(
    client, olena, url_name, signed_in, title, language
):
    if signed_in:
        client.force_login(olena.user)

    response = client.get(reverse(url_name), headers={"accept-language": language})

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in page
    assert 'class="language-switch"' in page
    assert f"<h1> {translated(language, title)} </h1>" in " ".join(page.split())


# Profile


def test_it_shows_the_profile(client, olena):
    client.force_login(olena.user)

    response = client.get(reverse("families:profile"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "olena@example.test" in page
    assert reverse("account_email") in page
    assert reverse("families:profile_delete") in page
    assert 'value="Olena Testova"' in page
    assert f'name="version" value="{olena.version}"' in page


def test_it_saves_contacts_and_channels(client, olena):
    client.force_login(olena.user)

    response = client.post(
        reverse("families:profile"),
        profile_data(
            olena,
            phone=" +380 50  123-45-67 ",
            telegram_handle="olena_t",
            notify_by_sms="on",
            notify_by_telegram="on",
            notify_by_email=None,
        ),
    )

    assert response.status_code == 302
    olena.refresh_from_db()
    assert (olena.phone, olena.telegram_handle) == ("+380 50 123-45-67", "@olena_t")
    assert (olena.notify_by_email, olena.notify_by_sms, olena.notify_by_telegram) == (False, True, True)
    assert olena.version == 2
    page = client.get(response["Location"]).content.decode()
    assert translated("uk", "Your profile is saved.") in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"notify_by_sms": "on", "phone": ""}, "phone", "Give a phone number to be notified by SMS."),
        (
            {"notify_by_telegram": "on", "telegram_handle": ""},
            "telegram_handle",
            "Give a Telegram handle to be notified by Telegram.",
        ),
        ({"phone": "call me"}, "phone", "Enter a phone number with its country code, for example +380 50 123 4567."),
        ({"phone": "+38 05"}, "phone", "Enter a phone number with its country code, for example +380 50 123 4567."),
        (
            {"phone": "+1 234 567 890 123 456 789 012"},
            "phone",
            "Enter a phone number with its country code, for example +380 50 123 4567.",
        ),
        (
            {"phone": "050+1234567"},
            "phone",
            "Enter a phone number with its country code, for example +380 50 123 4567.",
        ),
        (
            {"telegram_handle": "@ab"},
            "telegram_handle",
            "A Telegram user name has 5 to 32 letters, digits or underscores and starts with a letter.",
        ),
        ({"full_name": "  "}, "full_name", "This field is required."),
    ],
)
def test_it_refuses_bad_profile_input_next_to_the_field(client, olena, changes, field, message):
    client.force_login(olena.user)

    response = client.post(
        reverse("families:profile"), profile_data(olena, **changes), headers={"accept-language": "uk"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert error_shown(page, field, "uk", message)
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error" id="id_{field}"', page)
    typed = changes.get(field, "").strip()
    if typed:
        assert f'value="{typed}"' in page
    saved = FamilyMember.objects.get(pk=olena.pk)
    assert (saved.version, saved.phone, saved.telegram_handle, saved.notify_by_sms) == (1, "", "", False)


def test_it_keeps_what_was_typed_over_a_profile_changed_meanwhile(client, olena):
    client.force_login(olena.user)
    form_version = olena.version
    family_member_update(member=olena, version=olena.version, actor=olena.user, data={"phone": "+380 44 000 1111"})

    response = client.post(
        reverse("families:profile"), profile_data(olena, version=form_version, phone="+380 67 222 3333")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert translated("en", "Someone else changed this record while you were editing it.") in page
    assert 'value="+380 67 222 3333"' in page
    assert FamilyMember.objects.get(pk=olena.pk).phone == "+380 44 000 1111"

    # Saving again, having seen the message, keeps the new number.
    client.post(reverse("families:profile"), profile_data(olena, version=form_version + 1, phone="+380 67 222 3333"))
    assert FamilyMember.objects.get(pk=olena.pk).phone == "+380 67 222 3333"


def test_it_switches_the_site_language_with_the_profile_and_remembers_it_at_next_sign_in(client, olena):
    client.force_login(olena.user)

    response = client.post(reverse("families:profile"), profile_data(olena, preferred_language="ru"))

    assert response.cookies[LANGUAGE_COOKIE].value == "ru"
    page = client.get(response["Location"]).content.decode()
    assert '<html lang="ru">' in page
    assert translated("ru", "Your profile is saved.") in page

    client.post(reverse("account_logout"))
    client.cookies.clear()
    response = sign_in(client, olena.user.email)
    assert response.cookies[LANGUAGE_COOKIE].value == "ru"
    assert '<html lang="ru">' in client.get(reverse("home")).content.decode()


def test_it_sends_a_visitor_who_is_not_signed_in_to_sign_in(client):
    for name in ("families:profile", "families:profile_delete"):
        response = client.get(reverse(name))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["carol", "oscar"])
def test_it_has_no_profile_for_staff_and_outsiders(client, olena, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    assert client.get(reverse("families:profile")).status_code == 404
    assert client.post(reverse("families:profile"), profile_data(olena, phone="+380 50 123 4567")).status_code == 404
    assert client.get(reverse("families:profile_delete")).status_code == 404
    assert client.post(reverse("families:profile_delete"), {"password": PASSWORD}).status_code == 404
    assert FamilyMember.objects.get(pk=olena.pk).phone == ""
    assert User.objects.filter(pk=user.pk).exists()


def test_it_changes_only_the_signed_in_members_own_profile(client, olena, ivan):
    client.force_login(ivan.user)

    client.post(reverse("families:profile"), profile_data(olena, phone="+380 50 123 4567"))

    assert FamilyMember.objects.get(pk=olena.pk).phone == ""
    ivan.refresh_from_db()
    assert (ivan.phone, ivan.full_name) == ("+380 50 123 4567", "Olena Testova")


# Deletion


@pytest.fixture
def olenas_case(olena, carol):
    """Olena has filed a request for her son, now on record as a prisoner; she kept her contacts up to date."""
    family_member_update(
        member=olena,
        version=olena.version,
        actor=olena.user,
        data={"phone": "+380 50 765 4321", "telegram_handle": "@olena_t", "notify_by_telegram": True},
    )
    request, _code = registration_request_file(
        filed_by=olena,
        actor=olena.user,
        data=request_data(filer_name="Olena Testova", filer_email="olena@example.test", filer_phone="+380 50 765 4321"),
        consent=True,
    )
    prisoner = PrisonerFactory()
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(request=request, new_status=RequestStatus.ACCEPTED, actor=carol, prisoner=prisoner)
    relationship_create(family_member=olena, prisoner=prisoner, kind=RelationshipKind.MOTHER, actor=carol)
    request.refresh_from_db()
    return request


def test_it_explains_what_deletion_erases_and_keeps(client, olena):
    client.force_login(olena.user)
    # Signing in through the form sets her language; force_login does not.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = olena.preferred_language

    response = client.get(reverse("families:profile_delete"))

    page = response.content.decode()
    assert response.status_code == 200
    assert translated("uk", "What is erased") in page
    assert translated("uk", "What is kept") in page
    assert 'type="password"' in page


def test_it_refuses_to_delete_with_a_wrong_password(client, olena, olenas_case):
    client.force_login(olena.user)

    response = client.post(reverse("families:profile_delete"), {"password": "wrong"}, headers={"accept-language": "uk"})

    page = response.content.decode()
    assert response.status_code == 200
    assert error_shown(page, "password", "uk", "Incorrect password.")
    assert FamilyMember.objects.filter(pk=olena.pk).exists()
    assert RegistrationRequest.objects.get(pk=olenas_case.pk).filer_name == "Olena Testova"
    assert is_signed_in(client)


def test_it_erases_the_account_and_personal_data_but_keeps_the_case(client, olena, olenas_case):
    client.force_login(olena.user)
    user_pk, prisoner_pk = olena.user.pk, olenas_case.prisoner_id

    response = client.post(reverse("families:profile_delete"), {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not is_signed_in(client)
    page = client.get(response["Location"]).content.decode()
    assert translated("en", "Your account and your personal data have been deleted.") in page
    assert not FamilyMember.objects.filter(pk=olena.pk).exists()
    assert not User.objects.filter(pk=user_pk).exists()
    assert not EmailAddress.objects.filter(email="olena@example.test").exists()
    assert not Relationship.objects.filter(prisoner_id=prisoner_pk).exists()
    kept = RegistrationRequest.objects.get(pk=olenas_case.pk)
    assert (kept.filer_name, kept.filer_email, kept.filer_phone, kept.filed_by) == ("", "", "", None)
    assert kept.status == RequestStatus.ACCEPTED
    assert Prisoner.objects.filter(pk=prisoner_pk).exists()
    assert audit_chain_verify() is None
    trail = " ".join(
        f"{event.actor_label} {event.target_id} {event.reason} {event.changes}" for event in AuditEvent.objects.all()
    )
    for personal in ("olena@example.test", "Olena", "Testova", "765 4321", "olena_t"):
        assert personal not in trail
    assert sign_in(client, "olena@example.test").status_code == 200
    assert not is_signed_in(client)


def test_it_lets_a_member_delete_only_their_own_account(client, olena, ivan, olenas_case):
    client.force_login(ivan.user)

    client.post(reverse("families:profile_delete"), {"password": "not-ivans-password"})
    assert FamilyMember.objects.filter(pk=ivan.pk).exists()

    client.post(reverse("families:profile_delete"), {"password": PASSWORD})

    assert not FamilyMember.objects.filter(pk=ivan.pk).exists()
    assert FamilyMember.objects.filter(pk=olena.pk).exists()
    assert RegistrationRequest.objects.get(pk=olenas_case.pk).filer_name == "Olena Testova"


def test_it_stops_guessing_the_password_on_the_deletion_page(client, olena):
    client.force_login(olena.user)
    for _attempt in range(5):
        client.post(reverse("families:profile_delete"), {"password": "guess"})

    response = client.post(reverse("families:profile_delete"), {"password": PASSWORD})

    assert response.status_code == 200
    assert translated("en", "Too many failed login attempts. Try again later.") in response.content.decode()
    assert FamilyMember.objects.filter(pk=olena.pk).exists()


def test_it_explains_a_rate_limit_in_our_layout_and_the_page_language(client, olena):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"

    responses = [client.post(reverse("account_reset_password"), {"email": olena.user.email}) for _ in range(8)]

    limited = responses[-1]
    assert limited.status_code == 429
    assert '<html lang="uk">' in limited.text
    assert translated("uk", "Too many tries") in limited.text
