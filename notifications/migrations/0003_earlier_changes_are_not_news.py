"""Changes made before notifications were sent are history, not news: nobody is told of them now."""

from django.db import migrations
from django.utils import timezone

OUTBOXES = [
    ("prisoners", "StatusChange"),
    ("families", "RequestStatusChange"),
    ("families", "RequestAssignment"),
    ("exchanges", "ExchangeStatusChange"),
    ("exchanges", "InclusionRelease"),
]


def mark_claimed(apps, schema_editor):
    now = timezone.now()
    for app_label, name in OUTBOXES:
        apps.get_model(app_label, name).objects.filter(notifications_claimed_at__isnull=True).update(
            notifications_claimed_at=now
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_outbox_delivery"),
        ("prisoners", "0005_official_submission"),
        ("families", "0005_requestassignment"),
        ("exchanges", "0002_inclusion_release"),
    ]

    operations = [migrations.RunPython(mark_claimed, migrations.RunPython.noop)]
