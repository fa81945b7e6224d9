"""Handing work to the Celery workers once a transaction commits."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits.

    A broker that cannot take it does not undo the write, nor fail the request
    that made it: the work is found again by the periodic sweep that goes with
    the task. In-process (the embedded default, and tests) the task runs at
    commit and its errors are the caller's.
    """

    def send():
        if task.app.conf.task_always_eager:
            task.delay(*args)
            return
        try:
            task.delay(*args)
        except Exception as error:
            logger.warning("Task %s not queued (%s); its sweep will find the work", task.name, type(error).__name__)

    transaction.on_commit(send)
