"""SMS, Telegram and e-mail transports against local servers: success, a temporary error, a permanent one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from families.models import Language, RelationshipKind
from families.services import relationship_create, relationship_verify
from notifications.models import Notification
from notifications.services import notifications_sweep, retry_delay
from notifications.transports import message_id
from prisoners.models import CaseStatus, Source
from prisoners.services import prisoner_set_status
from tests.factories import FamilyMemberFactory, PrisonerFactory
from tests.gateway import Answer, Gateway
from tests.i18n import translated

PHONE = "+380 50 000 0001"
CHAT = "424242"


@pytest.fixture
def gateway(settings):
    server = Gateway().start()
    settings.SMS_GATEWAY_URL = f"{server.url}/sms"
    settings.SMS_GATEWAY_TOKEN = "sms-test-token"
    settings.TELEGRAM_API_URL = server.url
    settings.TELEGRAM_BOT_TOKEN = "123:telegram-test-token"
    # A retry is due at once, and the sweep takes it at once: the test plays the minutes that pass.
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    yield server
    server.stop()


@pytest.fixture
def son(db):
    return PrisonerFactory(surname="Ковальчук", given_names="Андрій", status=CaseStatus.REPORTED)


def _relative(son, carol, **channels):
    member = FamilyMemberFactory(
        user__username="olena",
        full_name="Olena Testova",
        preferred_language=Language.UKRAINIAN,
        notify_by_email=False,
        **channels,
    )
    tie = relationship_create(family_member=member, prisoner=son, kind=RelationshipKind.MOTHER, actor=carol)
    relationship_verify(relationship=tie, actor=carol, reason="Birth certificate seen.")
    return member


@pytest.fixture
def by_sms(son, carol):
    return _relative(son, carol, phone=PHONE, notify_by_sms=True)


@pytest.fixture
def by_telegram(son, carol):
    return _relative(son, carol, telegram_handle=CHAT, notify_by_telegram=True)


def _confirm_capture(son, carol, capture):
    with capture(execute=True):
        prisoner_set_status(
            prisoner=son, new_status=CaseStatus.CAPTURE_CONFIRMED, actor=carol, source=Source.CASEWORKER
        )
    return Notification.objects.get()


def _sweep(capture):
    with capture(execute=True):
        notifications_sweep()


# SMS


def test_an_sms_reaches_the_gateway_without_the_prisoners_name(
    son, by_sms, carol, gateway, django_capture_on_commit_callbacks
):
    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)

    (request,) = gateway.received
    assert request.path == "/sms"
    assert request.headers["Authorization"] == "Bearer sms-test-token"
    assert request.headers["Idempotency-Key"] == notification.delivery_id
    assert request.body["to"] == PHONE
    assert request.body["reference"] == notification.delivery_id
    assert translated("uk", "Captivity confirmed") in request.body["text"]
    assert "Ковальчук" not in request.body["text"]
    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.last_error) == ("sent", 1, "")


def test_a_temporary_gateway_error_is_tried_again_under_the_same_key(
    son, by_sms, carol, gateway, django_capture_on_commit_callbacks
):
    gateway.answer(Answer(503, {"error": f"queue full for {PHONE}"}))

    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)
    notification.refresh_from_db()
    assert notification.state == "pending"
    assert "503" in notification.last_error
    assert PHONE not in notification.last_error

    _sweep(django_capture_on_commit_callbacks)

    notification.refresh_from_db()
    assert (notification.state, notification.attempts, notification.last_error) == ("sent", 2, "")
    first, second = gateway.received
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == notification.delivery_id


def test_throttling_waits_as_long_as_the_gateway_asks(
    son, by_sms, carol, gateway, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    gateway.answer(Answer(429, {"error": "slow down"}, {"Retry-After": "600"}))

    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)
    _sweep(django_capture_on_commit_callbacks)

    notification.refresh_from_db()
    assert notification.state == "pending"
    assert notification.next_attempt_at >= timezone.now() + timedelta(seconds=590)
    assert len(gateway.received) == 1


def test_a_permanent_gateway_error_marks_it_failed_and_stops(
    son, by_sms, carol, gateway, django_capture_on_commit_callbacks
):
    gateway.answer(Answer(400, {"error": "not a mobile number"}))

    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)
    _sweep(django_capture_on_commit_callbacks)

    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("failed", 1)
    assert "400" in notification.last_error
    assert "not a mobile number" in notification.last_error
    assert len(gateway.received) == 1


def test_temporary_errors_give_up_after_the_last_attempt(
    son, by_sms, carol, gateway, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    gateway.answer(*[Answer(502, {"error": "upstream"})] * 5)

    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)
    for _attempt in range(4):
        _sweep(django_capture_on_commit_callbacks)

    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("failed", 3)
    assert len(gateway.received) == 3


def test_an_unreachable_gateway_is_a_temporary_error(
    son, by_sms, carol, gateway, settings, django_capture_on_commit_callbacks
):
    gateway.stop()

    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)

    notification.refresh_from_db()
    assert notification.state == "pending"
    assert "unreachable" in notification.last_error


def test_without_a_gateway_an_sms_fails_where_staff_see_it(
    son, by_sms, carol, gateway, settings, django_capture_on_commit_callbacks
):
    settings.SMS_GATEWAY_URL = ""

    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)

    notification.refresh_from_db()
    assert notification.state == "failed"
    assert "not configured" in notification.last_error
    assert gateway.received == []


# Telegram


def test_a_telegram_message_goes_to_the_bot_apis_send_message(
    son, by_telegram, carol, gateway, django_capture_on_commit_callbacks
):
    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)

    (request,) = gateway.received
    assert request.path == "/bot123:telegram-test-token/sendMessage"
    assert request.body["chat_id"] == CHAT
    assert translated("uk", "Captivity confirmed") in request.body["text"]
    assert "Ковальчук" not in request.body["text"]
    notification.refresh_from_db()
    assert notification.state == "sent"


def test_telegrams_flood_control_is_retried_after_the_wait_it_names(
    son, by_telegram, carol, gateway, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 1
    gateway.answer(Answer(429, {"ok": False, "error_code": 429, "parameters": {"retry_after": 300}}))

    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)

    notification.refresh_from_db()
    assert notification.state == "pending"
    assert notification.next_attempt_at >= timezone.now() + timedelta(seconds=290)


def test_a_blocked_bot_is_a_permanent_error(son, by_telegram, carol, gateway, django_capture_on_commit_callbacks):
    gateway.answer(Answer(403, {"ok": False, "description": "Forbidden: bot was blocked by the user"}))

    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)
    _sweep(django_capture_on_commit_callbacks)

    notification.refresh_from_db()
    assert notification.state == "failed"
    assert "blocked by the user" in notification.last_error
    assert len(gateway.received) == 1


# E-mail


@pytest.fixture
def by_email(son, carol):
    member = _relative(son, carol)
    member.notify_by_email = True
    member.save()
    return member


def test_a_mailbox_full_is_tried_again_with_the_same_message_id(
    son, by_email, carol, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    smtp_server.mailbox.refuse["olena@example.test"] = "450 Mailbox of olena@example.test is full"

    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)
    notification.refresh_from_db()
    assert notification.state == "pending"
    assert "450" in notification.last_error
    assert "olena@example.test" not in notification.last_error

    del smtp_server.mailbox.refuse["olena@example.test"]
    _sweep(django_capture_on_commit_callbacks)

    notification.refresh_from_db()
    assert notification.state == "sent"
    (message,) = smtp_server.mailbox.messages
    assert message["Message-ID"] == message_id(notification)


def test_an_unknown_mailbox_is_a_permanent_error(
    son, by_email, carol, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    smtp_server.mailbox.refuse["olena@example.test"] = "550 No such user"

    notification = _confirm_capture(son, carol, django_capture_on_commit_callbacks)
    _sweep(django_capture_on_commit_callbacks)

    notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("failed", 1)
    assert "550" in notification.last_error
    assert smtp_server.mailbox.messages == []


# Backoff


def test_the_wait_doubles_from_the_base_up_to_the_cap(settings):
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 3600

    waits = [retry_delay(attempts) for attempts in range(1, 10)]

    for wait, expected in zip(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600], strict=True):
        assert expected <= wait <= expected * 1.1
    assert 3600 <= retry_delay(1, retry_after=7200) <= 3960
