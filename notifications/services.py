"""The outbox and the delivery of notices (healthchecks' ``sendalerts``, with a transactional outbox).

1. A service writes its change row (a status change, an assignment, a list's
   release) in the transaction of the change itself, and asks for
   ``outbox_dispatch`` once it commits.
2. ``outbox_dispatch`` claims its rows (locked, skipping any another worker
   holds, and only if still unclaimed) and, in the same transaction, writes
   one ``Notification`` per recipient and channel under a unique key: a row
   is claimed once, and its notices are written once, however often it is
   dispatched. A service that writes many rows at once (an exchange's
   completion) gathers them with ``outbox_batch`` into a few tasks.
3. ``notifications_deliver`` claims each notice in turn (another conditional
   UPDATE, leasing it for ``NOTIFICATION_LEASE_SECONDS``), sends it, and
   records the outcome. A temporary failure is tried again with exponential
   backoff, a permanent one or the last attempt marks it failed.
4. ``notifications_sweep``, every minute, dispatches rows nobody claimed
   (the broker was down when the change committed) and sends notices left
   pending (a worker died, a task was lost).

A worker killed between the far end's acceptance and the UPDATE that records
it leaves that one notice pending: it is sent again when its lease expires,
with the same Message-ID (or idempotency key), which lets the receiver drop
the repeat. No notice is lost; none is written twice.
"""

import contextlib
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from core.audit import audit_record
from core.queue import enqueue_on_commit
from notifications.models import EmailOptOut, Notification, NotificationState
from notifications.outbox import DISPATCH_CHUNK
from notifications.render import address_of, case_references, message_for
from notifications.rules import OUTBOXES, Planned, receipt_plan
from notifications.transports import TRANSPORTS, TransportError, redacted

logger = logging.getLogger(__name__)

# Notices one delivery task sends; several tasks share a large change between workers.
DELIVERY_CHUNK = 50


def _notification_of(plan: Planned, *, now, next_attempt_at=None, attempts: int = 0) -> Notification:
    return Notification(
        key=plan.key,
        kind=plan.kind,
        channel=plan.channel,
        language=plan.language,
        recipient_id=plan.recipient_id,
        recipient_kind=plan.recipient_kind,
        prisoner_id=plan.prisoner_id,
        request_id=plan.request_id,
        exchange_id=plan.exchange_id,
        context=plan.context,
        created_at=now,
        next_attempt_at=next_attempt_at or now,
        attempts=attempts,
    )


def outbox_dispatch(*, label: str, pks: list[int]) -> list[int]:
    """Claim these outbox rows and write their notices. Returns the ids of the notices now due."""
    model, related, rule = OUTBOXES[label]
    now = timezone.now()
    with transaction.atomic():
        # Rows another worker is claiming are its own: skipped, not waited for.
        rows = list(
            model.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*related)
            .filter(pk__in=pks, notifications_claimed_at__isnull=True)
            .order_by("pk")
        )
        if not rows:
            return []
        model.objects.filter(pk__in=[row.pk for row in rows]).update(notifications_claimed_at=now)
        plans = rule(rows)
        Notification.objects.bulk_create(
            [_notification_of(plan, now=now) for plan in plans], ignore_conflicts=True, batch_size=1000
        )
        due = list(
            Notification.objects.filter(
                key__in=[plan.key for plan in plans], state=NotificationState.PENDING, next_attempt_at__lte=now
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        deliver_on_commit(due)
    return due


def deliver_on_commit(ids: list[int]) -> None:
    from notifications.tasks import notifications_deliver_task

    for start in range(0, len(ids), DELIVERY_CHUNK):
        enqueue_on_commit(notifications_deliver_task, ids[start : start + DELIVERY_CHUNK])


def _claim(notification_id: int) -> bool:
    """Lease one due notice to this worker: True if no other worker holds it and it is still to send."""
    now = timezone.now()
    return bool(
        Notification.objects.filter(
            pk=notification_id, state=NotificationState.PENDING, next_attempt_at__lte=now
        ).update(
            next_attempt_at=now + timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )


def retry_delay(attempts: int, *, retry_after: float | None = None) -> float:
    """Seconds before the next attempt: doubling from the base, capped, with a little jitter."""
    delay = min(
        settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
        settings.NOTIFICATION_RETRY_MAX_SECONDS,
    )
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.NOTIFICATION_RETRY_MAX_SECONDS))
    return delay * (1 + random.random() / 10)  # noqa: S311 (spreading retries, not a secret)


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _record_failure(notification: Notification, error: TransportError, *, delivery: Delivery) -> None:
    attempts = notification.attempts + 1
    now = timezone.now()
    last_error = str(error)
    if error.temporary and attempts < settings.NOTIFICATION_MAX_ATTEMPTS:
        delay = retry_delay(attempts, retry_after=error.retry_after)
        Notification.objects.filter(pk=notification.pk).update(
            next_attempt_at=now + timedelta(seconds=delay), last_error=last_error
        )
        delivery.retried += 1
        _retry_later(notification.pk, delay)
    else:
        Notification.objects.filter(pk=notification.pk).update(state=NotificationState.FAILED, last_error=last_error)
        delivery.failed += 1
    logger.warning(
        "Notification %s, attempt %s on %s: %s (%s)",
        notification.pk,
        attempts,
        notification.channel,
        "retry" if error.temporary and attempts < settings.NOTIFICATION_MAX_ATTEMPTS else "failed",
        last_error,
    )


def _retry_later(notification_id: int, delay: float) -> None:
    from notifications.tasks import notifications_deliver_task

    if notifications_deliver_task.app.conf.task_always_eager:
        # In-process (the embedded default) a countdown is not kept; the next
        # sweep, or the next change, sends it.
        return
    try:
        notifications_deliver_task.apply_async(([notification_id],), countdown=delay)
    except Exception as error:
        logger.warning("Retry of notification %s not queued (%s); the sweep sends it", notification_id, error)


def _message(notification: Notification, references: dict):
    try:
        return message_for(notification, references=references)
    except Exception as error:
        # A notice that cannot be written is a fault of ours: it fails where
        # staff see it, and the rest of the batch goes on.
        logger.exception("Notification %s could not be written", notification.pk)
        raise TransportError(f"Could not be written: {type(error).__name__}", temporary=False) from error


def receipt_reserve(*, change) -> Notification | None:
    """Hold a new request's e-mail to its filer for the receipt, sent by the web process at once.

    The receipt carries the access code, which is never stored and never
    passes through the broker. Leased to the web process, the notice is left
    alone by the workers; if the receipt cannot be sent, its lease is ended and
    a worker sends the notice without the code.
    """
    plan = receipt_plan(change)
    if plan is None:
        return None
    now = timezone.now()
    lease = now + timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    notification = _notification_of(plan, now=now, next_attempt_at=lease, attempts=1)
    notification.save()
    return notification


def receipt_delivered(*, notification: Notification, error: Exception | None) -> None:
    if error is None:
        Notification.objects.filter(pk=notification.pk, state=NotificationState.PENDING).update(
            state=NotificationState.SENT, sent_at=timezone.now(), last_error=""
        )
        return
    Notification.objects.filter(pk=notification.pk, state=NotificationState.PENDING).update(
        next_attempt_at=timezone.now(), last_error=redacted(f"Receipt not sent: {error}")
    )
    deliver_on_commit([notification.pk])


def notifications_deliver(*, ids: Iterable[int]) -> Delivery:
    """Send each of these notices that is still due, one lease at a time."""
    ids = list(ids)
    delivery = Delivery()
    notifications = list(
        Notification.objects.filter(pk__in=ids, state=NotificationState.PENDING)
        .select_related("recipient__family_member", "request", "prisoner", "exchange")
        .order_by("pk")
    )
    references = case_references(notifications)
    transports = {}
    try:
        with _commits_without_flush():
            for notification in notifications:
                _deliver_one(notification, transports=transports, references=references, delivery=delivery)
    finally:
        for transport in transports.values():
            transport.close()
    return delivery


@contextlib.contextmanager
def _commits_without_flush():
    """Let each notice's lease and outcome commit without waiting for the disk (PostgreSQL).

    Every notice's lease and outcome is a commit of its own, and waiting for
    the WAL flush is most of what it costs. Only a crash of the database
    server itself, in the fraction of a second before the flush, loses such a
    commit: the notice is then left pending and sent again under the same
    Message-ID, the repeat a worker's death can already cause. The notices
    themselves are written by ``outbox_dispatch`` with the usual durable commit.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _deliver_one(notification: Notification, *, transports: dict, references: dict, delivery: Delivery) -> None:
    if not _claim(notification.pk):
        return
    transport = transports.get(notification.channel)
    if transport is None:
        transport = transports[notification.channel] = TRANSPORTS[notification.channel]()
    try:
        address = address_of(notification)
        if not address:
            raise TransportError("No address to send to", temporary=False)
        transport.send(notification, _message(notification, references), address)
    except TransportError as error:
        _record_failure(notification, error, delivery=delivery)
        return
    Notification.objects.filter(pk=notification.pk).update(
        state=NotificationState.SENT, sent_at=timezone.now(), last_error=""
    )
    delivery.sent += 1


@dataclass
class Sweep:
    dispatched: int = 0
    requeued: int = 0


def notifications_sweep(*, limit: int | None = None) -> Sweep:
    """Dispatch outbox rows left unclaimed and send notices left pending, past a grace period."""
    limit = limit or settings.NOTIFICATION_SWEEP_LIMIT
    cutoff = timezone.now() - timedelta(seconds=settings.NOTIFICATION_SWEEP_GRACE_SECONDS)
    sweep = Sweep()
    for label, (model, _related, _rule) in OUTBOXES.items():
        unclaimed = model.objects.filter(notifications_claimed_at__isnull=True, created_at__lte=cutoff)
        pks = list(unclaimed.order_by("created_at").values_list("pk", flat=True)[:limit])
        for start in range(0, len(pks), DISPATCH_CHUNK):
            outbox_dispatch(label=label, pks=pks[start : start + DISPATCH_CHUNK])
        sweep.dispatched += len(pks)
    stale = Notification.objects.filter(state=NotificationState.PENDING, next_attempt_at__lte=cutoff)
    ids = list(stale.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    with transaction.atomic():
        deliver_on_commit(ids)
    sweep.requeued = len(ids)
    if sweep.dispatched or sweep.requeued:
        logger.info("Notification sweep: %s changes dispatched, %s notices sent again", sweep.dispatched, len(ids))
    return sweep


def notifications_silence(*, since) -> None:
    """Claim every outbox row and drop every unsent notice written since ``since``.

    For history written in bulk that is nobody's news: the demo data.
    """
    now = timezone.now()
    for model, _related, _rule in OUTBOXES.values():
        model.objects.filter(notifications_claimed_at__isnull=True).update(notifications_claimed_at=now)
    Notification.objects.filter(created_at__gte=since).exclude(state=NotificationState.SENT).delete()


def email_opt_out(*, user, kind: str) -> bool:
    """Stop ``kind`` of optional notice by e-mail for ``user``. True if it was not stopped already."""
    with transaction.atomic():
        _opt_out, created = EmailOptOut.objects.get_or_create(user=user, kind=kind)
        if created:
            audit_record(actor=user, action="notifications.email_stopped", target=user, changes={"kind": kind})
    return created


def email_opt_in(*, user, kind: str) -> bool:
    """Send ``kind`` to ``user`` by e-mail again. True if it had been stopped."""
    with transaction.atomic():
        deleted, _rows = EmailOptOut.objects.filter(user=user, kind=kind).delete()
        if deleted:
            audit_record(actor=user, action="notifications.email_resumed", target=user, changes={"kind": kind})
    return bool(deleted)
