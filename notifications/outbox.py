"""The one call a service makes to have its change row's notices sent (notifications.services)."""

from core.queue import enqueue_on_commit


def outbox_label(row) -> str:
    return row._meta.label_lower


def outbox_enqueue(row) -> None:
    """Ask for ``row``'s notices once the transaction that wrote it commits; the sweep asks again if this is lost."""
    from notifications.tasks import outbox_dispatch_task

    enqueue_on_commit(outbox_dispatch_task, outbox_label(row), row.pk)
