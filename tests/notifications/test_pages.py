"""The delivery log for staff, a person's own messages, and the unsubscribe link an e-mail carries."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent
from families.models import Language, RelationshipKind
from families.receipts import registration_request_receipt_send
from families.services import registration_request_file, relationship_create, relationship_verify
from notifications.models import EmailOptOut, Notification
from notifications.render import unsubscribe_token
from prisoners.models import CaseStatus, Source
from prisoners.services import prisoner_set_status
from tests.factories import FamilyMemberFactory, PrisonerFactory
from tests.factories import request_data as filing_data


@pytest.fixture
def son(db):
    return PrisonerFactory(surname="Ковальчук", given_names="Андрій", status=CaseStatus.REPORTED)


def _relative(son, carol, name: str):
    member = FamilyMemberFactory(
        user__username=name, full_name=f"{name.title()} Testova", preferred_language=Language.UKRAINIAN
    )
    tie = relationship_create(family_member=member, prisoner=son, kind=RelationshipKind.SIBLING, actor=carol)
    relationship_verify(relationship=tie, actor=carol, reason="Documents seen.")
    return member


@pytest.fixture
def mother(son, carol):
    return _relative(son, carol, "olena")


def _move(prisoner, status, carol, capture):
    with capture(execute=True):
        prisoner_set_status(prisoner=prisoner, new_status=status, actor=carol, source=Source.CASEWORKER)


def _prisoner_page(client, prisoner):
    return client.get(reverse("staff:prisoner_detail", args=[prisoner.pk]))


# The staff's delivery log


def test_staff_see_what_was_sent_and_what_failed_on_the_prisoners_page(
    client, son, mother, carol, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.mailbox.refuse["olena@example.test"] = "550 No such user"
    _move(son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)
    client.force_login(carol)

    page = _prisoner_page(client, son).content.decode()

    log = page[page.index('id="delivery-log-heading"') :]
    assert "Olena Testova" in log
    assert "notification-failed" in log
    assert "550" in log


def test_the_prisoners_page_reads_its_log_in_the_same_queries_however_long(
    client, son, carol, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    _relative(son, carol, "olena")
    _move(son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as one:
        _prisoner_page(client, son)

    for number in range(9):
        _relative(son, carol, f"relative{number}")
    _move(son, CaseStatus.REGISTERED, carol, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as eleven:
        page = _prisoner_page(client, son)

    assert Notification.objects.filter(prisoner=son).count() == 11
    assert page.content.decode().count('class="notification-sent"') == 11
    assert len(eleven) == len(one)


def test_staff_see_the_receipt_on_the_requests_page(
    client, olena, carol, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request, code = registration_request_file(
            filed_by=olena, actor=olena.user, data=filing_data(filer_email="olena@example.test"), consent=True
        )
    registration_request_receipt_send(request=request, access_code=code, lookup_url="http://testserver/track/")
    client.force_login(carol)

    page = client.get(reverse("staff:request_review", args=[request.reference])).content.decode()

    log = page[page.index('id="delivery-log-heading"') :]
    assert "notification-sent" in log
    assert len(smtp_server.mailbox.messages) == 1


def test_a_family_member_never_reaches_a_staff_delivery_log(client, son, mother, ivan, carol, smtp_server):
    client.force_login(mother.user)

    assert _prisoner_page(client, son).status_code == 404


# What was sent to me


def test_a_relative_sees_what_was_sent_to_them_and_nothing_else(
    client, son, mother, carol, smtp_server, django_capture_on_commit_callbacks
):
    other_son = PrisonerFactory(surname="Мельник", given_names="Тарас", status=CaseStatus.REPORTED)
    _relative(other_son, carol, "ivan")
    _move(son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)
    _move(other_son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)
    client.force_login(mother.user)

    page = client.get(reverse("notifications:mine"))

    assert page.status_code == 200
    assert page.content.decode().count('class="case-card"') == 1
    assert ">Sent<" in page.content.decode()


def test_the_other_familys_member_sees_none_of_her_messages(
    client, son, mother, ivan, carol, smtp_server, django_capture_on_commit_callbacks
):
    _move(son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)
    client.force_login(ivan.user)

    page = client.get(reverse("notifications:mine")).content.decode()

    assert 'class="case-card"' not in page
    assert "Ковальчук" not in page


def test_an_anonymous_visitor_is_asked_to_sign_in(client, db):
    page = client.get(reverse("notifications:mine"))

    assert page.status_code == 302
    assert reverse("account_login") in page["Location"]


# Unsubscribe


def _unsubscribe_path(message) -> str:
    return urlsplit(str(message["List-Unsubscribe"]).strip().strip("<>")).path


@pytest.fixture
def unsubscribe_path(son, mother, carol, smtp_server, django_capture_on_commit_callbacks):
    _move(son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)
    (message,) = smtp_server.mailbox.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    smtp_server.mailbox.clear()
    return _unsubscribe_path(message)


def test_opening_the_link_only_asks(client, unsubscribe_path, mother):
    page = client.get(unsubscribe_path)

    assert page.status_code == 200
    assert not EmailOptOut.objects.exists()


def test_the_one_click_post_stops_that_kind_and_later_changes_send_nothing(
    client, son, mother, carol, unsubscribe_path, smtp_server, django_capture_on_commit_callbacks
):
    client.handler.enforce_csrf_checks = True

    page = client.post(unsubscribe_path, {"List-Unsubscribe": "One-Click"})

    assert page.status_code == 200
    assert EmailOptOut.objects.filter(user=mother.user, kind="prisoner_status").exists()
    assert AuditEvent.objects.filter(action="notifications.email_stopped").count() == 1
    _move(son, CaseStatus.REGISTERED, carol, django_capture_on_commit_callbacks)
    assert smtp_server.mailbox.messages == []


def test_the_page_sends_them_again_when_asked(
    client, son, mother, carol, unsubscribe_path, smtp_server, django_capture_on_commit_callbacks
):
    client.post(unsubscribe_path, {"action": "stop"})

    client.post(unsubscribe_path, {"action": "resume"})

    assert not EmailOptOut.objects.exists()
    _move(son, CaseStatus.REGISTERED, carol, django_capture_on_commit_callbacks)
    assert len(smtp_server.mailbox.messages) == 1


def test_a_tampered_link_is_refused_and_changes_nothing(client, unsubscribe_path):
    page = client.post(unsubscribe_path[:-6] + "xxxxx/")

    assert page.status_code == 400
    assert not EmailOptOut.objects.exists()


def test_a_request_update_cannot_be_stopped(client, olena):
    token = unsubscribe_token(user_id=olena.user_id, kind="request_update")

    page = client.post(reverse("notifications:unsubscribe", args=[token]))

    assert page.status_code == 400
    assert not EmailOptOut.objects.exists()


def test_a_closed_accounts_link_does_nothing(client, unsubscribe_path, mother):
    mother.user.is_active = False
    mother.user.save()

    page = client.post(unsubscribe_path)

    assert page.status_code == 400
    assert not EmailOptOut.objects.exists()
