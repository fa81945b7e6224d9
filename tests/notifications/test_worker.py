"""Delivery by a real Celery worker, through a real Redis broker, to a real SMTP server on loopback.

Each test has a broker of its own (``tests.workers.Broker``), so that it can
stop Redis without touching the suite's; the worker embeds beat, whose sweep
runs every second here instead of every minute.
"""

import time

import pytest
from django.db import connection
from django.utils import translation

from config.celery import app
from families.models import Language, RelationshipKind
from families.services import relationship_create, relationship_verify
from notifications.models import Notification
from prisoners.models import CaseStatus, Source
from prisoners.services import prisoner_set_status
from tests.factories import FamilyMemberFactory, PrisonerFactory
from tests.mail import text_of
from tests.workers import Broker, Worker, wait_until, worker_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LEASE_SECONDS = 3


@pytest.fixture
def broker(tmp_path):
    broker = Broker(tmp_path).start()
    yield broker
    broker.stop()


@pytest.fixture
def publishing_to(broker):
    """This process sends its tasks to ``broker``, as the web processes do, instead of running them itself."""
    _forget_connections()
    previous = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = broker.url, False
    yield broker
    _forget_connections()
    app.conf.broker_url, app.conf.task_always_eager = previous


def _forget_connections():
    """Drop the pools of broker connections and producers, for the next to go to the broker now configured.

    Both keep the broker they were made for. ``app.close()`` drops only the
    first, and drops the app from Celery's list too, so that a task module
    imported afterwards would register its tasks with no app.
    """
    app._after_fork()


@pytest.fixture
def start_worker(tmp_path, broker, smtp_server):
    database = connection.settings_dict
    database_url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    workers = []

    def start(**overrides) -> Worker:
        env = worker_env(
            database_url=database_url,
            broker_url=broker.url,
            smtp_port=smtp_server.port,
            NOTIFICATION_SWEEP_SECONDS="1",
            NOTIFICATION_SWEEP_GRACE_SECONDS="1",
            NOTIFICATION_LEASE_SECONDS=str(LEASE_SECONDS),
            **overrides,
        )
        worker = Worker(env=env, log=tmp_path / f"worker-{len(workers)}.log").start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def _relatives(prisoner, count: int, carol) -> list:
    members = []
    for number in range(count):
        member = FamilyMemberFactory(
            user__username=f"relative{number}",
            full_name=f"Test Relative {number}",
            preferred_language=Language.RUSSIAN if number % 2 else Language.UKRAINIAN,
        )
        tie = relationship_create(
            family_member=member, prisoner=prisoner, kind=RelationshipKind.OTHER_RELATIVE, actor=carol
        )
        relationship_verify(relationship=tie, actor=carol, reason="Documents seen.")
        members.append(member)
    return members


def _confirm_capture(prisoner, carol):
    prisoner_set_status(prisoner=prisoner, new_status=CaseStatus.CAPTURE_CONFIRMED, actor=carol, source=Source.VIDEO)


def _settle(seconds: float) -> None:
    """Let the sweep run a few more times: anything it would send twice, it would send now."""
    time.sleep(seconds)


def test_it_delivers_a_status_change_once_in_the_family_s_language(carol, publishing_to, start_worker, smtp_server):
    son = PrisonerFactory()
    (mother,) = _relatives(son, 1, carol)
    start_worker()

    _confirm_capture(son, carol)

    mailbox = smtp_server.mailbox
    wait_until(lambda: mailbox.messages, timeout=30, what="the e-mail")
    _settle(3)
    (message,) = mailbox.messages
    assert message["To"] == mother.user.email
    with translation.override("uk"):
        assert translation.gettext("Captivity confirmed") in text_of(message)
    assert Notification.objects.get().state == "sent"


def test_it_delivers_every_message_once_when_the_worker_is_killed_mid_batch(
    carol, publishing_to, start_worker, smtp_server
):
    son = PrisonerFactory()
    relatives = _relatives(son, 200, carol)
    mailbox = smtp_server.mailbox
    # 20 ms a message: the batch takes seconds, long enough to die in.
    mailbox.delay = 0.02
    worker = start_worker()

    _confirm_capture(son, carol)
    wait_until(lambda: mailbox.count() >= 30, timeout=60, what="the batch to be under way")
    worker.kill()
    delivered_before_the_kill = mailbox.count()
    start_worker()

    wait_until(lambda: len(set(mailbox.message_ids())) == len(relatives), timeout=120, what="every message")
    _settle(LEASE_SECONDS + 3)
    ids = mailbox.message_ids()
    assert 30 <= delivered_before_the_kill < len(relatives)
    assert len(set(ids)) == len(relatives)
    assert {message["To"] for message in mailbox.messages} == {member.user.email for member in relatives}
    # The message in flight when the worker died may reach the server twice,
    # under the same Message-ID, which lets the receiver drop the repeat.
    assert len(ids) - len(set(ids)) <= 1
    assert Notification.objects.filter(state="sent").count() == len(relatives)


def test_it_delivers_what_changed_while_the_broker_was_down(
    carol, broker, publishing_to, start_worker, smtp_server, caplog
):
    son = PrisonerFactory()
    (mother,) = _relatives(son, 1, carol)
    broker.stop()

    _confirm_capture(son, carol)

    son.refresh_from_db()
    assert son.status == CaseStatus.CAPTURE_CONFIRMED
    pass
    assert "notifications.tasks.outbox_dispatch_task not queued" in caplog.text
    broker.start()
    start_worker()
    mailbox = smtp_server.mailbox
    wait_until(lambda: mailbox.messages, timeout=30, what="the sweep to deliver the e-mail")
    _settle(3)
    (message,) = mailbox.messages
    assert message["To"] == mother.user.email
    assert Notification.objects.get().state == "sent"
