"""Walk the audit trail's hash chain and report the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_chain_verify
from core.models import AuditChainHead


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chain; exit 1 naming the first event that was changed or removed."

    def handle(self, *args, **options):
        broken = audit_chain_verify()
        if broken is None:
            head = AuditChainHead.objects.filter(pk=1).first()
            self.stdout.write(f"The audit trail is whole: {head.length if head else 0} events, every link checked.")
            return
        if broken.event is None:
            raise CommandError(f"The audit trail is broken at its end: {broken.problem}.")
        event = broken.event
        raise CommandError(
            f"The audit trail is broken at event #{event.pk} ({event.created_at:%Y-%m-%d %H:%M:%S}, "
            f"{event.action} on {event.target_type}#{event.target_id}): {broken.problem}."
        )
