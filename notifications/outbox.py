"""The one call a service makes to have its change row's notices sent (notifications.services)."""

import contextlib
import contextvars
from collections import defaultdict

from django.db import transaction

from core.queue import enqueue_on_commit

# Change rows one dispatch task claims: an exchange that brings a thousand
# people home is written up by a few tasks, not a thousand.
DISPATCH_CHUNK = 200

_batch: contextvars.ContextVar[dict[str, list[int]] | None] = contextvars.ContextVar("outbox_batch", default=None)


def outbox_label(row) -> str:
    return row._meta.label_lower


def outbox_dispatch_on_commit(label: str, pks: list[int]) -> None:
    from notifications.tasks import outbox_dispatch_task

    for start in range(0, len(pks), DISPATCH_CHUNK):
        enqueue_on_commit(outbox_dispatch_task, label, pks[start : start + DISPATCH_CHUNK])


def outbox_enqueue(row) -> None:
    """Ask for ``row``'s notices once the transaction that wrote it commits; the sweep asks again if this is lost."""
    batch = _batch.get()
    if batch is None:
        outbox_dispatch_on_commit(outbox_label(row), [row.pk])
    else:
        batch[outbox_label(row)].append(row.pk)


@contextlib.contextmanager
def outbox_batch():
    """Gather the rows written inside into a few dispatch tasks, asked for once the block has written them all.

    If the block raises, nothing is asked for: its rows roll back with it, or,
    if the caller commits them anyway, the sweep finds them.
    """
    if _batch.get() is not None:
        yield
        return
    batch = defaultdict(list)
    token = _batch.set(batch)
    try:
        with transaction.atomic():
            yield
            for label, pks in batch.items():
                outbox_dispatch_on_commit(label, pks)
    finally:
        _batch.reset(token)
