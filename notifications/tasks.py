"""Celery tasks: each loads by id and calls a service; the services hold the logic."""

from celery import shared_task

from notifications.services import notifications_deliver, notifications_sweep, outbox_dispatch


@shared_task
def outbox_dispatch_task(label: str, pks: list[int]) -> int:
    return len(outbox_dispatch(label=label, pks=pks))


@shared_task
def notifications_deliver_task(ids: list[int]) -> int:
    return notifications_deliver(ids=ids).sent


@shared_task
def notifications_sweep_task() -> int:
    sweep = notifications_sweep()
    return sweep.dispatched + sweep.requeued
