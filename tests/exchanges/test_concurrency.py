"""Two coordinators put the same prisoner on two exchanges at once: the database lets exactly one through.

Each coordinator is a thread with its own PostgreSQL connection, so both
transactions are real and overlap.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from core.errors import DomainError
from exchanges.models import Direction, ExchangeEntry
from exchanges.services import exchange_create, exchange_entry_add
from prisoners.models import CaseStatus
from tests.factories import OpposingPartyFactory, PartyFactory, PrisonerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WAIT = 10


def _setup():
    coordinator = UserFactory(username="cole")
    own, other = PartyFactory(code="own"), OpposingPartyFactory()
    first, second = (
        exchange_create(actor=coordinator, title=title, our_party=own, other_party=other)
        for title in ("First", "Second")
    )
    return coordinator, first, second, PrisonerFactory(status=CaseStatus.REGISTERED)


def _in_thread(target):
    """Run ``target`` in a thread with a connection of its own; returns (thread, outcome list)."""
    outcome = []

    def run():
        try:
            outcome.append(target())
        except DomainError as error:
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_the_second_coordinator_waits_for_the_first_and_is_refused():
    coordinator, first, second, prisoner = _setup()
    added, release = threading.Event(), threading.Event()

    def hold_first():
        with transaction.atomic():
            entry = exchange_entry_add(
                exchange=first, prisoner=prisoner, direction=Direction.RECEIVE, actor=coordinator
            )
            added.set()
            # Keep the transaction open until the other one is blocked behind it.
            assert release.wait(WAIT)
        return entry

    def add_second():
        assert added.wait(WAIT)
        return exchange_entry_add(exchange=second, prisoner=prisoner, direction=Direction.RECEIVE, actor=coordinator)

    one, first_outcome = _in_thread(hold_first)
    two, second_outcome = _in_thread(add_second)
    assert added.wait(WAIT)
    for _ in range(WAIT * 20):
        if _waiting_on_a_lock():
            break
        threading.Event().wait(0.05)
    else:
        pytest.fail("the second transaction never waited for the first")
    release.set()
    one.join(WAIT)
    two.join(WAIT)

    assert isinstance(first_outcome[0], ExchangeEntry)
    refusal = second_outcome[0]
    assert isinstance(refusal, DomainError)
    assert refusal.code == "already_in_open_exchange"
    assert list(ExchangeEntry.objects.values_list("exchange__title", flat=True)) == ["First"]


def test_exactly_one_of_two_simultaneous_coordinators_succeeds():
    coordinator, first, second, prisoner = _setup()
    start = threading.Barrier(2)

    def add_to(exchange):
        def add():
            start.wait(WAIT)
            return exchange_entry_add(
                exchange=exchange, prisoner=prisoner, direction=Direction.RECEIVE, actor=coordinator
            )

        return add

    runs = [_in_thread(add_to(exchange)) for exchange in (first, second)]
    for thread, _outcome in runs:
        thread.join(WAIT)

    outcomes = [outcome[0] for _thread, outcome in runs]
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["DomainError", "ExchangeEntry"]
    assert ExchangeEntry.objects.filter(prisoner=prisoner).count() == 1
