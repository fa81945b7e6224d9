"""The audit trail: every write appends to a hash chain that shows tampering."""

import datetime
import io
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core.audit import _event_hash, audit_chain_verify, audit_record
from core.models import AuditChainHead, AuditEvent
from exchanges.models import Direction, EntryOutcome, ExchangeStatus
from exchanges.services import exchange_create, exchange_entry_add, exchange_entry_set_outcome, exchange_set_status
from families.models import RelationshipKind, RequestStatus
from families.services import (
    family_member_create,
    registration_request_file,
    registration_request_set_status,
    relationship_create,
    relationship_verify,
)
from prisoners.models import CaseStatus, Source
from prisoners.services import prisoner_create, prisoner_set_status, prisoner_update
from tests.factories import OpposingPartyFactory, PartyFactory, UserFactory, request_data


def _write_through_every_service(*, olena, carol, cole) -> list[str]:
    """Run each write service once; return the actions they should have audited."""
    own, other = PartyFactory(code="own"), OpposingPartyFactory()
    prisoner = prisoner_create(actor=carol, data={"surname": "Melnyk", "given_names": "Taras", "party": own})
    prisoner = prisoner_update(
        prisoner=prisoner,
        version=1,
        actor=carol,
        data={"holding_party": other, "capture_date": datetime.date(2025, 3, 2)},
        reason="Unit report",
    )
    prisoner_set_status(prisoner=prisoner, new_status=CaseStatus.CAPTURE_CONFIRMED, actor=carol, source=Source.VIDEO)
    prisoner_set_status(prisoner=prisoner, new_status=CaseStatus.REGISTERED, actor=carol, source=Source.ICRC)
    request, _code = registration_request_file(
        filed_by=olena, actor=olena.user, data=request_data(party=own), consent=True
    )
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(request=request, new_status=RequestStatus.ACCEPTED, actor=carol, prisoner=prisoner)
    member = family_member_create(user=UserFactory(), actor=carol, full_name="Test Relative", phone="+000 555")
    relationship = relationship_create(
        family_member=member, prisoner=prisoner, kind=RelationshipKind.SPOUSE, actor=carol
    )
    relationship_verify(relationship=relationship, actor=carol, reason="Marriage certificate seen")
    exchange = exchange_create(actor=cole, title="Spring exchange", our_party=own, other_party=other)
    entry = exchange_entry_add(exchange=exchange, prisoner=prisoner, direction=Direction.RECEIVE, actor=cole)
    exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.RETURNED, actor=cole)
    for status in (ExchangeStatus.PROPOSED, ExchangeStatus.AGREED, ExchangeStatus.COMPLETED):
        exchange_set_status(exchange=exchange, new_status=status, actor=cole)
    return [
        "prisoner.created",
        "prisoner.updated",
        "prisoner.status_changed",
        "prisoner.status_changed",
        "request.filed",
        "request.status_changed",
        "request.status_changed",
        "family_member.created",
        "relationship.created",
        "relationship.verified",
        "exchange.created",
        "exchange.entry_added",
        "exchange.entry_outcome",
        "exchange.status_changed",
        "exchange.status_changed",
        # Completing the exchange returns the prisoner before it records itself.
        "prisoner.status_changed",
        "exchange.status_changed",
    ]


@pytest.fixture
def trail(olena, carol, cole):
    return _write_through_every_service(olena=olena, carol=carol, cole=cole)


def _events():
    return list(AuditEvent.objects.order_by("id"))


def test_it_audits_every_service_write_in_a_chain_that_verifies(trail):
    events = _events()

    assert [event.action for event in events] == trail
    assert audit_chain_verify() is None
    assert events[0].prev_hash == "0" * 64
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
    head = AuditChainHead.objects.get()
    assert (head.last_hash, head.length) == (events[-1].hash, len(events))


def test_it_verifies_an_empty_trail(db):
    assert audit_chain_verify() is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reason", "Nothing to see here"),
        ("action", "prisoner.viewed"),
        ("actor_label", "system"),
        ("target_id", "999999"),
        ("changes", {"status": {"old": "registered", "new": "deceased"}}),
        ("created_at", timezone.now() - datetime.timedelta(days=30)),
    ],
)
def test_it_finds_an_event_changed_after_the_fact(trail, field, value):
    tampered = _events()[len(trail) // 2]

    AuditEvent.objects.filter(pk=tampered.pk).update(**{field: value})

    assert audit_chain_verify().event == tampered


def test_it_finds_an_event_rewritten_with_a_fresh_hash(trail):
    events = _events()
    tampered, following = events[3], events[4]
    tampered.reason = "Rewritten"
    tampered.hash = _event_hash(tampered)

    AuditEvent.objects.filter(pk=tampered.pk).update(reason=tampered.reason, hash=tampered.hash)

    assert audit_chain_verify().event == following


def test_it_finds_a_deleted_event(trail):
    events = _events()
    middle = len(events) // 2

    AuditEvent.objects.filter(pk=events[middle].pk).delete()

    assert audit_chain_verify().event == events[middle + 1]


def test_it_finds_a_deleted_first_event(trail):
    events = _events()

    AuditEvent.objects.filter(pk=events[0].pk).delete()

    assert audit_chain_verify().event == events[1]


def test_it_finds_the_newest_events_deleted(trail):
    events = _events()

    AuditEvent.objects.filter(pk__in=[event.pk for event in events[-2:]]).delete()

    broken = audit_chain_verify()
    assert broken.event is None
    assert "2 missing" in broken.problem


def test_it_finds_the_newest_event_rewritten_with_a_fresh_hash(trail):
    newest = _events()[-1]
    newest.reason = "Rewritten"
    newest.hash = _event_hash(newest)

    AuditEvent.objects.filter(pk=newest.pk).update(reason=newest.reason, hash=newest.hash)

    assert audit_chain_verify() is not None


def test_it_keeps_the_chain_when_an_account_is_erased(trail, carol):
    label = f"user:{carol.pk}"

    carol.delete()

    assert AuditEvent.objects.filter(actor_label=label, actor__isnull=True).exists()
    assert audit_chain_verify() is None


def test_it_refuses_to_audit_outside_a_transaction():
    # No database access here at all: the check must come before any write.
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=None, action="prisoner.updated", target=("prisoners.prisoner", "1"))


def test_it_labels_the_actor_by_id_or_as_the_system(carol):
    prisoner = prisoner_create(actor=carol, data={"surname": "Melnyk", "given_names": "Taras", "party": PartyFactory()})
    prisoner_set_status(prisoner=prisoner, new_status=CaseStatus.CAPTURE_CONFIRMED, actor=None, source=Source.ICRC)

    by_carol, by_system = _events()
    assert (by_carol.actor, by_carol.actor_label) == (carol, f"user:{carol.pk}")
    assert (by_system.actor, by_system.actor_label) == (None, "system")


def test_it_keeps_names_and_addresses_of_accounts_out_of_the_trail(trail, olena, carol, cole):
    people = [olena.user, carol, cole]
    identifying = [word for user in people for word in (user.username, user.email)]
    identifying += [olena.full_name, request_data()["filer_email"], request_data()["filer_name"]]

    for row in AuditEvent.objects.values():
        text = repr(row).lower()
        for word in identifying:
            assert word.lower() not in text, (row["action"], word)


def test_verify_audit_reports_a_whole_trail(trail):
    out = io.StringIO()

    call_command("verify_audit", stdout=out)

    assert f"The audit trail is whole: {len(trail)} events" in out.getvalue()


def test_verify_audit_names_the_first_row_edited_in_the_database_behind_the_apps_back(trail):
    events = list(AuditEvent.objects.order_by("id"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["nothing happened", events[4].pk])
        cursor.execute("UPDATE core_auditevent SET action = %s WHERE id = %s", ["request.viewed", events[9].pk])

    with pytest.raises(CommandError) as broken:
        call_command("verify_audit")

    assert f"broken at event #{events[4].pk}" in str(broken.value)
    assert "this event was changed" in str(broken.value)


def test_verify_audit_finds_a_row_deleted_in_the_database(trail):
    events = list(AuditEvent.objects.order_by("id"))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [events[2].pk])

    with pytest.raises(CommandError) as broken:
        call_command("verify_audit")

    assert f"broken at event #{events[3].pk}" in str(broken.value)
    assert "removed or changed" in str(broken.value)
