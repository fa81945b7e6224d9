"""Celery tasks: each calls a service; the services hold the logic."""

from celery import shared_task

from families.retention import retention_apply


@shared_task
def retention_apply_task() -> int:
    """Celery beat's daily run of the retention rules (families.retention)."""
    return len(retention_apply())
