"""A family member downloads everything held about them, and nothing of anyone else; deletion leaves no trace."""

import json

import pytest
from django.apps import apps
from django.core import serializers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent
from families.models import RelationshipKind, RequestStatus
from families.selectors import family_member_data
from families.services import (
    family_member_update,
    registration_request_answer,
    registration_request_file,
    registration_request_set_status,
    relationship_create,
)
from notifications.models import EmailOptOut, NotificationKind
from prisoners.evidence import evidence_link_create
from tests.factories import PrisonerFactory, request_data

PASSWORD = "correct-horse-battery"


def _file(member, *, surname: str, phone: str, circumstances: str):
    evidence = [evidence_link_create(url=f"https://video.example.test/{surname}", actor=member.user)]
    request, _code = registration_request_file(
        filed_by=member,
        actor=member.user,
        data=request_data(
            filer_name=member.full_name,
            filer_email=member.user.email,
            filer_phone=phone,
            surname=surname,
            circumstances=circumstances,
        ),
        consent=True,
        evidence=evidence,
    )
    return request


@pytest.fixture
def olenas_data(olena, carol, django_capture_on_commit_callbacks):
    family_member_update(
        member=olena,
        version=olena.version,
        actor=olena.user,
        data={"phone": "+380 44 765 4321", "telegram_handle": "olena_t"},
    )
    # Filed as in production: the receipt e-mail is written and sent once the filing commits.
    with django_capture_on_commit_callbacks(execute=True):
        request = _file(olena, surname="Ковальчук", phone="+380 44 765 4321", circumstances="Seen at the river port")
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=request, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason="Which brigade?"
    )
    registration_request_answer(request=request, actor=olena.user, body="The 93rd, second battalion")
    prisoner = PrisonerFactory()
    relationship_create(family_member=olena, prisoner=prisoner, kind=RelationshipKind.MOTHER, actor=carol)
    EmailOptOut.objects.create(user=olena.user, kind=NotificationKind.EXCHANGE_INCLUSION)
    return request, prisoner


@pytest.fixture
def ivans_data(ivan, carol, django_capture_on_commit_callbacks):
    family_member_update(member=ivan, version=ivan.version, actor=ivan.user, data={"phone": "+380 50 999 8877"})
    with django_capture_on_commit_callbacks(execute=True):
        request = _file(ivan, surname="Бережной", phone="+380 50 999 8877", circumstances="Taken near Vovchansk")
    prisoner = PrisonerFactory(surname="Ostapenko", given_names="Yurii")
    relationship_create(family_member=ivan, prisoner=prisoner, kind=RelationshipKind.FATHER, actor=carol)
    EmailOptOut.objects.create(user=ivan.user, kind=NotificationKind.PRISONER_STATUS)
    return request, prisoner


def _download(client, member):
    client.force_login(member.user)
    response = client.get(reverse("families:profile_data"))
    assert response.status_code == 200
    return response


def test_it_downloads_everything_held_about_the_member_as_a_file(client, olena, olenas_data):
    request, prisoner = olenas_data

    response = _download(client, olena)

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "olena@example.test"
    assert data["account"]["email_addresses"] == [{"email": "olena@example.test", "verified": True, "primary": True}]
    assert data["profile"]["full_name"] == "Olena Testova"
    assert (data["profile"]["phone"], data["profile"]["telegram_handle"]) == ("+380 44 765 4321", "olena_t")
    (filed,) = data["requests"]
    assert filed["reference"] == request.reference
    assert filed["status"] == RequestStatus.IN_REVIEW
    assert filed["filer"]["phone"] == "+380 44 765 4321"
    assert filed["relative"]["surname"] == "Ковальчук"
    assert filed["relative"]["circumstances"] == "Seen at the river port"
    assert [message["text"] for message in filed["messages"]] == ["Which brigade?", "The 93rd, second battalion"]
    assert filed["evidence"][0]["link"] == "https://video.example.test/Ковальчук"
    assert [change["to"] for change in filed["status_changes"]] == [
        "submitted",
        "in_review",
        "info_requested",
        "in_review",
    ]
    assert data["relationships"] == [
        {
            "prisoner_record": prisoner.pk,
            "relationship": "mother",
            "created_at": data["relationships"][0]["created_at"],
            "verified_at": None,
        }
    ]
    assert data["consents"]["processing"][0]["request"] == request.reference
    assert data["consents"]["email_notices_stopped"][0]["kind"] == NotificationKind.EXCHANGE_INCLUSION
    assert any(notice["request"] == request.reference for notice in data["notifications"])


def test_it_shows_the_unicode_as_written(client, olena, olenas_data):
    response = _download(client, olena)

    assert "Ковальчук" in response.content.decode()


def test_it_never_shows_another_familys_data(client, olena, ivan, olenas_data, ivans_data):
    ivans_request, ivans_prisoner = ivans_data

    content = _download(client, olena).content.decode()

    for theirs in (
        "Ivan",
        "Probny",
        "ivan@example.test",
        "+380 50 999 8877",
        ivans_request.reference,
        "Бережной",
        "Vovchansk",
        NotificationKind.PRISONER_STATUS.value,
    ):
        assert theirs not in content
    assert f'"prisoner_record": {ivans_prisoner.pk},' not in content
    # And the other way round.
    client.logout()
    assert "Olena" not in _download(client, ivan).content.decode()


def test_it_records_the_download_in_the_audit_trail(client, olena):
    _download(client, olena)

    event = AuditEvent.objects.get(action="family_member.data_exported")
    assert (event.actor, event.target_type, event.target_id) == (olena.user, "families.familymember", str(olena.pk))


def test_it_sends_anonymous_visitors_to_sign_in(client, olena):
    url = reverse("families:profile_data")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not AuditEvent.objects.filter(action="family_member.data_exported").exists()


def test_it_has_nothing_for_staff_without_a_family_profile(client, carol):
    client.force_login(carol)

    assert client.get(reverse("families:profile_data")).status_code == 404


def test_it_links_the_download_from_the_profile(client, olena):
    client.force_login(olena.user)

    page = client.get(reverse("families:profile")).content.decode()

    assert reverse("families:profile_data") in page


def test_deleting_the_account_leaves_no_personal_data_of_the_member(client, olena, ivan, olenas_data, ivans_data):
    request, _prisoner = olenas_data
    client.force_login(olena.user)

    response = client.post(reverse("families:profile_delete"), {"password": PASSWORD})

    assert response.status_code == 302
    request.refresh_from_db()
    # The anonymous record: her request stays on the case, with its status and timeline.
    assert (request.status, request.filed_by, request.filer_name) == (RequestStatus.IN_REVIEW, None, "")
    assert request.status_changes.count() == 4
    for model in apps.get_models():
        dump = serializers.serialize("json", model._default_manager.all())
        for personal in ("Olena", "Testova", "olena@example.test", "+380 44 765 4321", "olena_t"):
            assert personal not in dump, model._meta.label
    # Ivan's family is untouched.
    assert "ivan@example.test" in serializers.serialize(
        "json", apps.get_model("families", "RegistrationRequest").objects.all()
    )


def test_it_reads_the_data_in_the_same_number_of_queries_for_one_request_or_four(olena, carol):
    def queries_for_the_data() -> int:
        with CaptureQueriesContext(connection) as queries:
            family_member_data(olena)
        return len(queries)

    def file_and_answer(surname: str) -> None:
        request = _file(olena, surname=surname, phone="+380 44 111 2233", circumstances="Seen at the port")
        registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
        registration_request_set_status(
            request=request, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason="Which brigade?"
        )
        registration_request_answer(request=request, actor=olena.user, body="The 93rd")

    file_and_answer("Мельник")
    one = queries_for_the_data()
    for number in range(3):
        file_and_answer(f"Тестов{number}")

    assert queries_for_the_data() == one
