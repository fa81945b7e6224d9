"""Who is told of what, in which language: through the services, to a real SMTP server on loopback."""

import pytest

from core.roles import Role
from exchanges.models import Direction, EntryOutcome, ExchangeStatus
from exchanges.services import (
    exchange_create,
    exchange_entry_add,
    exchange_entry_set_outcome,
    exchange_inclusion_release,
    exchange_set_status,
)
from families.models import Language, RelationshipKind, RequestStatus
from families.services import (
    registration_request_answer,
    registration_request_assign,
    registration_request_file,
    registration_request_set_status,
    registration_request_withdraw,
    relationship_create,
    relationship_verify,
)
from notifications.models import EmailOptOut, Notification, NotificationKind
from prisoners.models import CaseStatus, Source
from prisoners.services import prisoner_create, prisoner_merge, prisoner_set_status
from tests.factories import FamilyMemberFactory, OpposingPartyFactory, PartyFactory, PrisonerFactory, UserFactory
from tests.factories import request_data as filing_data
from tests.i18n import translated
from tests.mail import html_of, subject_of, text_of


@pytest.fixture
def son(db):
    return PrisonerFactory(surname="Ковальчук", given_names="Андрій", status=CaseStatus.REPORTED)


@pytest.fixture
def mother(son, carol):
    """Olena's tie to her son, verified: she hears of his case."""
    olena = FamilyMemberFactory(
        user__username="olena", full_name="Olena Testova", preferred_language=Language.UKRAINIAN
    )
    tie = relationship_create(family_member=olena, prisoner=son, kind=RelationshipKind.MOTHER, actor=carol)
    relationship_verify(relationship=tie, actor=carol, reason="Birth certificate seen.")
    return olena


@pytest.fixture
def father(son, carol):
    """Petro reads Russian, and his tie is verified too."""
    petro = FamilyMemberFactory(user__username="petro", full_name="Petro Testov", preferred_language=Language.RUSSIAN)
    tie = relationship_create(family_member=petro, prisoner=son, kind=RelationshipKind.FATHER, actor=carol)
    relationship_verify(relationship=tie, actor=carol, reason="Called the unit.")
    return petro


@pytest.fixture
def stranger(son, carol):
    """Ivan says he is a brother; nobody has checked it yet."""
    ivan = FamilyMemberFactory(user__username="ivan", full_name="Ivan Probny")
    relationship_create(family_member=ivan, prisoner=son, kind=RelationshipKind.SIBLING, actor=carol)
    return ivan


def _move(prisoner, status, actor, capture, **kwargs):
    with capture(execute=True):
        return prisoner_set_status(
            prisoner=prisoner, new_status=status, actor=actor, source=Source.CASEWORKER, **kwargs
        )


# A prisoner's status


def test_it_tells_each_verified_relative_once_in_their_language(
    son, mother, father, stranger, carol, smtp_server, django_capture_on_commit_callbacks
):
    _move(son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)

    mailbox = smtp_server.mailbox
    (to_mother,) = mailbox.to("olena@example.test")
    (to_father,) = mailbox.to("petro@example.test")
    assert mailbox.to("ivan@example.test") == []
    assert len(mailbox.messages) == 2
    assert subject_of(to_mother) == translated("uk", "Homecoming: news about your relative")
    assert translated("uk", "Captivity confirmed") in text_of(to_mother)
    assert translated("uk", "Captivity confirmed") in html_of(to_mother)
    assert translated("ru", "Captivity confirmed") in text_of(to_father)
    assert "Ковальчук Андрій" in text_of(to_mother)
    assert translated("uk", "Captivity confirmed") != "Captivity confirmed"
    assert Notification.objects.filter(state="sent").count() == 2


def test_it_tells_nobody_when_a_record_is_opened(carol, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        prisoner_create(actor=carol, data={"surname": "Мельник", "given_names": "Тарас", "party": PartyFactory()})

    assert smtp_server.mailbox.messages == []
    assert not Notification.objects.exists()


def test_it_never_announces_a_death_in_a_message(son, mother, carol, smtp_server, django_capture_on_commit_callbacks):
    _move(son, CaseStatus.DECEASED, carol, django_capture_on_commit_callbacks, reason="Confirmed by the ICRC.")

    (message,) = smtp_server.mailbox.messages
    assert translated("uk", "Reported deceased") not in text_of(message)
    assert translated("uk", "A caseworker will contact you personally with what is known.") in text_of(message)
    assert subject_of(message) == translated("uk", "Homecoming: important news about your relative")


def test_it_tells_the_families_of_both_records_of_a_merge(
    son, mother, carol, smtp_server, django_capture_on_commit_callbacks
):
    duplicate = PrisonerFactory(surname="Kovalchuk", given_names="Andrii")
    sister = FamilyMemberFactory(user__username="oksana", full_name="Oksana Testova")
    tie = relationship_create(family_member=sister, prisoner=duplicate, kind=RelationshipKind.SIBLING, actor=carol)
    relationship_verify(relationship=tie, actor=carol, reason="Passport seen.")

    with django_capture_on_commit_callbacks(execute=True):
        prisoner_merge(survivor=son, duplicate=duplicate, actor=carol, reason="Same man, two spellings.")

    assert len(smtp_server.mailbox.to("olena@example.test")) == 1
    assert len(smtp_server.mailbox.to("oksana@example.test")) == 1
    assert translated("uk", "Joined with another record") in text_of(smtp_server.mailbox.to("oksana@example.test")[0])


def test_it_sends_no_email_to_someone_who_chose_not_to_get_any(
    son, mother, carol, smtp_server, django_capture_on_commit_callbacks
):
    mother.notify_by_email = False
    mother.save()

    _move(son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)

    assert smtp_server.mailbox.messages == []
    assert not Notification.objects.exists()


def test_it_carries_an_unsubscribe_link_on_optional_notices(
    son, mother, carol, smtp_server, django_capture_on_commit_callbacks
):
    _move(son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)

    (message,) = smtp_server.mailbox.messages
    link = message["List-Unsubscribe"].strip()
    assert link.startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.strip("<>") in text_of(message)


def test_it_stops_an_optional_notice_for_who_opted_out(
    son, mother, father, carol, smtp_server, django_capture_on_commit_callbacks
):
    EmailOptOut.objects.create(user=mother.user, kind=NotificationKind.PRISONER_STATUS)

    _move(son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)

    assert smtp_server.mailbox.to("olena@example.test") == []
    assert len(smtp_server.mailbox.to("petro@example.test")) == 1


def test_it_writes_a_change_s_notices_once_however_often_it_is_dispatched(
    son, mother, carol, smtp_server, django_capture_on_commit_callbacks
):
    from notifications.services import notifications_deliver, outbox_dispatch

    change = _move(son, CaseStatus.CAPTURE_CONFIRMED, carol, django_capture_on_commit_callbacks)

    assert outbox_dispatch(label="prisoners.statuschange", pks=[change.pk]) == []
    notifications_deliver(ids=Notification.objects.values_list("pk", flat=True))
    assert Notification.objects.count() == 1
    assert len(smtp_server.mailbox.messages) == 1


# A registration request


@pytest.fixture
def filer(db):
    return FamilyMemberFactory(user__username="olena", full_name="Olena Testova", preferred_language=Language.UKRAINIAN)


def _file(filer, capture):
    with capture(execute=True):
        request, _code = registration_request_file(
            filed_by=filer,
            actor=filer.user,
            data=filing_data(filer_email="olena@example.test", filer_name=filer.full_name),
            consent=True,
        )
    return request


def test_it_sends_the_receipt_without_the_code_if_the_web_process_could_not(
    filer, smtp_server, settings, django_capture_on_commit_callbacks
):
    from notifications.services import notifications_sweep

    request = _file(filer, django_capture_on_commit_callbacks)

    # The web process holds the filer's first notice for the receipt with the
    # access code (families.receipts); here it never sent it.
    notice = Notification.objects.get()
    assert (notice.kind, notice.state, notice.recipient) == ("request_update", "pending", filer.user)
    assert smtp_server.mailbox.messages == []
    settings.NOTIFICATION_LEASE_SECONDS = settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    Notification.objects.update(next_attempt_at=notice.created_at)
    with django_capture_on_commit_callbacks(execute=True):
        notifications_sweep()
    with django_capture_on_commit_callbacks(execute=True):
        notifications_sweep()

    (message,) = smtp_server.mailbox.messages
    assert subject_of(message) == translated(
        "uk", "Homecoming: request %(reference)s received", reference=request.reference
    )
    assert Notification.objects.get().state == "sent"


@pytest.mark.parametrize(
    ("status", "reason", "subject"),
    [
        (
            RequestStatus.INFO_REQUESTED,
            "Which unit did he serve in?",
            "Homecoming: request %(reference)s needs more information",
        ),
        (
            RequestStatus.REJECTED,
            "He is not missing: he called home.",
            "Homecoming: request %(reference)s not accepted",
        ),
    ],
)
def test_it_tells_the_filer_what_a_caseworker_asks_or_decides(
    filer, carol, smtp_server, django_capture_on_commit_callbacks, status, reason, subject
):
    request = _file(filer, django_capture_on_commit_callbacks)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    smtp_server.mailbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration_request_set_status(request=request, new_status=status, actor=carol, reason=reason)

    (message,) = smtp_server.mailbox.messages
    assert subject_of(message) == translated("uk", subject, reference=request.reference)
    assert reason in text_of(message)
    # It answers the family's own request: no link stops it.
    assert message["List-Unsubscribe"] is None


def test_it_tells_the_filer_of_an_accepted_request(filer, carol, son, smtp_server, django_capture_on_commit_callbacks):
    request = _file(filer, django_capture_on_commit_callbacks)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    smtp_server.mailbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration_request_set_status(request=request, new_status=RequestStatus.ACCEPTED, actor=carol, prisoner=son)

    (message,) = smtp_server.mailbox.messages
    assert subject_of(message) == translated(
        "uk", "Homecoming: request %(reference)s accepted", reference=request.reference
    )


def test_it_does_not_write_of_a_review_starting_or_the_family_s_own_withdrawal(
    filer, carol, smtp_server, django_capture_on_commit_callbacks
):
    request = _file(filer, django_capture_on_commit_callbacks)
    smtp_server.mailbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    with django_capture_on_commit_callbacks(execute=True):
        registration_request_withdraw(request=request, actor=filer.user, reason="He called home.")

    assert smtp_server.mailbox.messages == []


# Caseworkers


def test_it_tells_a_caseworker_of_a_request_a_colleague_gives_them(
    filer, carol, smtp_server, django_capture_on_commit_callbacks
):
    dana = UserFactory(username="dana", role=Role.CASEWORKER)
    request = _file(filer, django_capture_on_commit_callbacks)
    smtp_server.mailbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration_request_assign(request=request, assignee=dana, actor=carol)
    with django_capture_on_commit_callbacks(execute=True):
        registration_request_assign(request=request, assignee=carol, actor=carol)

    (message,) = smtp_server.mailbox.messages
    assert message["To"] == "dana@example.test"
    assert subject_of(message) == f"Homecoming: request {request.reference} is assigned to you"
    assert f"/staff/requests/{request.reference}/" in text_of(message)


def test_it_tells_the_assigned_caseworker_when_the_family_answers(
    filer, carol, smtp_server, django_capture_on_commit_callbacks
):
    request = _file(filer, django_capture_on_commit_callbacks)
    registration_request_assign(request=request, assignee=carol, actor=carol)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=request, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason="Which unit?"
    )
    smtp_server.mailbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registration_request_answer(request=request, actor=filer.user, body="The 12th brigade.")

    (message,) = smtp_server.mailbox.messages
    assert message["To"] == "carol@example.test"
    assert subject_of(message) == f"Homecoming: the family answered on request {request.reference}"


# Exchanges


@pytest.fixture
def exchange(cole):
    return exchange_create(
        actor=cole,
        title="Winter exchange",
        our_party=PartyFactory(code="own", name="Fictional Republic"),
        other_party=OpposingPartyFactory(),
    )


def test_it_tells_the_families_when_a_list_is_released(
    son, mother, exchange, cole, smtp_server, django_capture_on_commit_callbacks
):
    son.status = CaseStatus.REGISTERED
    son.save()
    exchange_entry_add(exchange=exchange, prisoner=son, direction=Direction.RECEIVE, actor=cole)
    handed_over = PrisonerFactory(
        status=CaseStatus.REGISTERED, party=exchange.other_party, holding_party=exchange.our_party
    )
    exchange_entry_add(exchange=exchange, prisoner=handed_over, direction=Direction.HAND_OVER, actor=cole)
    assert smtp_server.mailbox.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        exchange_inclusion_release(exchange=exchange, actor=cole)

    (message,) = smtp_server.mailbox.messages
    assert "Winter exchange" in text_of(message)
    assert subject_of(message) == translated("uk", "Homecoming: news about an exchange")


def test_it_tells_each_family_what_the_exchange_meant_for_them(
    son, mother, exchange, cole, carol, smtp_server, django_capture_on_commit_callbacks
):
    left_behind = PrisonerFactory(status=CaseStatus.REGISTERED)
    wife = FamilyMemberFactory(user__username="maria", full_name="Maria Testova", preferred_language=Language.ENGLISH)
    tie = relationship_create(family_member=wife, prisoner=left_behind, kind=RelationshipKind.SPOUSE, actor=carol)
    relationship_verify(relationship=tie, actor=carol, reason="Marriage certificate seen.")
    son.status = CaseStatus.REGISTERED
    son.save()
    home = exchange_entry_add(exchange=exchange, prisoner=son, direction=Direction.RECEIVE, actor=cole)
    not_home = exchange_entry_add(exchange=exchange, prisoner=left_behind, direction=Direction.RECEIVE, actor=cole)
    exchange_set_status(exchange=exchange, new_status=ExchangeStatus.PROPOSED, actor=cole)
    exchange_set_status(exchange=exchange, new_status=ExchangeStatus.AGREED, actor=cole)
    exchange_entry_set_outcome(entry=home, outcome=EntryOutcome.RETURNED, actor=cole)
    exchange_entry_set_outcome(entry=not_home, outcome=EntryOutcome.NOT_PRESENTED, actor=cole)

    with django_capture_on_commit_callbacks(execute=True):
        exchange_set_status(exchange=exchange, new_status=ExchangeStatus.COMPLETED, actor=cole)

    (to_mother,) = smtp_server.mailbox.to("olena@example.test")
    (to_wife,) = smtp_server.mailbox.to("maria@example.test")
    assert translated("uk", "Returned home") in text_of(to_mother)
    assert "was on its list but was not handed over" in text_of(to_wife)


def test_it_tells_the_families_when_a_released_exchange_is_cancelled(
    son, mother, exchange, cole, smtp_server, django_capture_on_commit_callbacks
):
    son.status = CaseStatus.REGISTERED
    son.save()
    exchange_entry_add(exchange=exchange, prisoner=son, direction=Direction.RECEIVE, actor=cole)
    exchange_inclusion_release(exchange=exchange, actor=cole)

    with django_capture_on_commit_callbacks(execute=True):
        exchange_set_status(
            exchange=exchange, new_status=ExchangeStatus.CANCELLED, actor=cole, reason="The other side withdrew."
        )

    (message,) = smtp_server.mailbox.messages
    assert "Winter exchange" in text_of(message)
    assert Notification.objects.get().context == {"event": "cancelled"}
