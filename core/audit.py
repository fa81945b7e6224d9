"""Writing and checking the audit trail."""

import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from core.models import GENESIS_HASH, AuditChainHead, AuditEvent


def actor_label_for(actor) -> str:
    return f"user:{actor.pk}" if actor is not None else "system"


def _canonical(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _event_hash(event: AuditEvent) -> str:
    payload = _canonical(
        {
            "created_at": event.created_at.isoformat(),
            "actor": event.actor_label,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "reason": event.reason,
            "changes": event.changes,
            "prev_hash": event.prev_hash,
        }
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def target_of(record) -> tuple[str, str]:
    return record._meta.label_lower, str(record.pk)


def audit_record(*, actor, action: str, target, reason: str = "", changes: dict | None = None) -> AuditEvent:
    """Append one event to the trail, inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    target_type, target_id = target_of(target) if not isinstance(target, tuple) else target
    event = AuditEvent(
        actor=actor,
        actor_label=actor_label_for(actor),
        action=action,
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        changes=json.loads(_canonical(changes or {})),
        prev_hash=head.last_hash,
    )
    event.hash = _event_hash(event)
    event.save()
    head.last_hash = event.hash
    head.length += 1
    head.save(update_fields=["last_hash", "length"])
    return event


@dataclass(frozen=True)
class AuditChainBreak:
    """Where the trail stops being the one that was written.

    ``event`` is the first event that was changed, or that follows a removed
    one; it is None when events were removed from the end of the trail.
    """

    event: AuditEvent | None
    problem: str


def audit_chain_verify() -> AuditChainBreak | None:
    """Recompute the chain; return the first break, or None if the trail is whole."""
    expected_prev = GENESIS_HASH
    length = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return AuditChainBreak(event, "an earlier event was removed or changed")
        if _event_hash(event) != event.hash:
            return AuditChainBreak(event, "this event was changed")
        expected_prev = event.hash
        length += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != expected_prev or head.length != length):
        return AuditChainBreak(None, f"the newest events were removed: {head.length - length} missing")
    return None
