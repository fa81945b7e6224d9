"""The list builder: the pool, the priority rules, assembling, pinning, moving, removing."""

import datetime

import pytest
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent
from exchanges.models import Direction, EntryOutcome, ExchangeEntry
from exchanges.priority import DEFAULT_WEIGHTS, ranked_pool, reason_texts
from exchanges.services import (
    exchange_assemble,
    exchange_create,
    exchange_entry_add,
    exchange_entry_move,
    exchange_entry_pin,
    exchange_entry_remove,
    exchange_entry_set_outcome,
    exchange_inclusion_release,
    exchange_rerank,
)
from prisoners.models import CaseStatus, HealthStatus, MilitaryStatus, RepatriationConsent
from tests.factories import OpposingPartyFactory, PartyFactory, PrisonerFactory


@pytest.fixture
def exchange(cole):
    return exchange_create(
        actor=cole, title="Builder exchange", our_party=PartyFactory(code="own"), other_party=OpposingPartyFactory()
    )


def _held(months: int, **fields):
    """A registered man of ours held by the other side for ``months``."""
    captured = timezone.localdate() - datetime.timedelta(days=int(months * 30.5) + 1)
    return PrisonerFactory(**{"status": CaseStatus.REGISTERED, "capture_date": captured, **fields})


def _order(exchange, direction=Direction.RECEIVE):
    return list(exchange.entries.filter(direction=direction).order_by("position").values_list("prisoner_id", flat=True))


def test_it_ranks_the_seriously_wounded_first_then_by_score(exchange):
    long_held = _held(30)
    conscript = _held(6, military_status=MilitaryStatus.CONSCRIPT)
    art110 = _held(1, health_status=HealthStatus.SERIOUSLY_WOUNDED_OR_SICK)
    recent = _held(2)

    ranked = ranked_pool(exchange, Direction.RECEIVE, limit=10)

    assert [rank.prisoner_id for rank in ranked] == [art110.pk, long_held.pk, conscript.pk, recent.pk]
    assert reason_texts(ranked[0].reasons)[0].startswith("Seriously wounded or sick")
    assert reason_texts(ranked[2].reasons) == ["6 months in captivity", "Conscript"]


def test_it_leaves_out_whoever_cannot_go(cole, exchange):
    eligible = _held(3)
    _held(3, status=CaseStatus.DECEASED)
    _held(3, repatriation_consent=RepatriationConsent.DECLINES)
    PrisonerFactory(status=CaseStatus.CAPTURE_CONFIRMED)
    elsewhere = _held(40)
    other = exchange_create(actor=cole, title="Another", our_party=exchange.our_party, other_party=exchange.other_party)
    exchange_entry_add(exchange=other, prisoner=elsewhere, direction=Direction.RECEIVE, actor=cole)

    assert [rank.prisoner_id for rank in ranked_pool(exchange, Direction.RECEIVE, limit=10)] == [eligible.pk]


def test_it_assembles_the_top_n_and_tells_why(cole, exchange):
    people = [_held(months) for months in (5, 40, 12, 1, 24)]

    added = exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=3, actor=cole)

    assert [entry.prisoner_id for entry in added] == [people[1].pk, people[4].pk, people[2].pk]
    assert _order(exchange) == [people[1].pk, people[4].pk, people[2].pk]
    first = exchange.entries.get(prisoner=people[1])
    assert reason_texts(first.priority_reasons) == ["40 months in captivity"]
    assert AuditEvent.objects.get(action="exchange.assembled").changes["count"] == 3


def test_it_fills_up_to_n_around_people_added_by_hand(cole, exchange):
    by_hand = _held(1)
    others = [_held(months) for months in (10, 20, 30)]
    exchange_entry_add(exchange=exchange, prisoner=by_hand, direction=Direction.RECEIVE, actor=cole)

    exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=3, actor=cole)

    assert _order(exchange) == [by_hand.pk, others[2].pk, others[1].pk]
    assert exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=3, actor=cole) == []


def test_it_assembles_in_a_bounded_number_of_queries(cole, exchange, django_assert_max_num_queries):
    for months in range(1, 41):
        _held(months)

    with django_assert_max_num_queries(16):
        exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=30, actor=cole)

    assert exchange.entries.count() == 30


@pytest.mark.parametrize("count", [0, -1, 100_000])
def test_it_refuses_a_count_out_of_range(cole, exchange, count):
    _held(3)

    with pytest.raises(DomainError) as refused:
        exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=count, actor=cole)

    assert "count" in refused.value.fields
    assert not ExchangeEntry.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": CaseStatus.DECEASED}, "is not registered as a prisoner of war"),
        ({"status": CaseStatus.CAPTURE_CONFIRMED}, "is not registered as a prisoner of war"),
        ({"repatriation_consent": RepatriationConsent.DECLINES}, "has declined repatriation"),
    ],
)
def test_it_refuses_an_ineligible_person_by_name(cole, exchange, fields, message):
    prisoner = _held(3, surname="Тестовий", given_names="Петро", **fields)

    with pytest.raises(DomainError) as refused:
        exchange_entry_add(exchange=exchange, prisoner=prisoner, direction=Direction.RECEIVE, actor=cole)

    assert message in str(refused.value.message)
    assert "Тестовий Петро" in str(refused.value.message)
    assert not ExchangeEntry.objects.exists()


def test_it_refuses_to_hand_over_one_of_ours(cole, exchange):
    ours = _held(3)

    with pytest.raises(DomainError) as refused:
        exchange_entry_add(exchange=exchange, prisoner=ours, direction=Direction.HAND_OVER, actor=cole)

    assert "is not held by Fictional Republic" in str(refused.value.message)


def test_it_names_the_other_open_exchange(cole, exchange):
    prisoner = _held(3)
    other = exchange_create(actor=cole, title="Autumn", our_party=exchange.our_party, other_party=exchange.other_party)
    exchange_entry_add(exchange=other, prisoner=prisoner, direction=Direction.RECEIVE, actor=cole)

    with pytest.raises(DomainError) as refused:
        exchange_entry_add(exchange=exchange, prisoner=prisoner, direction=Direction.RECEIVE, actor=cole)

    assert "“Autumn”" in str(refused.value.message)
    assert not exchange.entries.exists()


def test_pinned_people_keep_their_place_when_the_rules_change(cole, exchange):
    old = _held(30)
    conscript = _held(2, military_status=MilitaryStatus.CONSCRIPT)
    middle = _held(10)
    exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=3, actor=cole)
    assert _order(exchange) == [old.pk, conscript.pk, middle.pk]
    exchange_entry_pin(entry=exchange.entries.get(prisoner=middle), pinned=True, actor=cole)

    exchange_rerank(exchange=exchange, weights={**DEFAULT_WEIGHTS, "conscript": 100.0}, actor=cole)

    assert _order(exchange) == [conscript.pk, old.pk, middle.pk]
    exchange.refresh_from_db()
    assert exchange.priority_weights["conscript"] == 100.0


def test_it_moves_a_person_and_closes_up(cole, exchange):
    people = [_held(months) for months in (30, 20, 10)]
    exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=3, actor=cole)

    exchange_entry_move(entry=exchange.entries.get(prisoner=people[2]), position=1, actor=cole)

    assert _order(exchange) == [people[2].pk, people[0].pk, people[1].pk]
    with pytest.raises(DomainError) as refused:
        exchange_entry_move(entry=exchange.entries.get(prisoner=people[2]), position=4, actor=cole)
    assert "from 1 to 3" in str(refused.value.message)


def test_it_removes_a_person_until_the_list_is_released(cole, exchange):
    people = [_held(months) for months in (30, 20, 10)]
    exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=3, actor=cole)

    exchange_entry_remove(entry=exchange.entries.get(prisoner=people[0]), actor=cole)

    assert _order(exchange) == [people[1].pk, people[2].pk]
    assert list(exchange.entries.order_by("position").values_list("position", flat=True)) == [1, 2]
    exchange_inclusion_release(exchange=exchange, actor=cole)
    with pytest.raises(DomainError) as refused:
        exchange_entry_remove(entry=exchange.entries.get(prisoner=people[1]), actor=cole)
    assert refused.value.code == "withdraw_instead"
    assert exchange.entries.count() == 2


def test_a_withdrawn_person_returns_to_the_pool(cole, exchange):
    prisoner = _held(3)
    entry = exchange_entry_add(exchange=exchange, prisoner=prisoner, direction=Direction.RECEIVE, actor=cole)

    exchange_entry_set_outcome(entry=entry, outcome=EntryOutcome.WITHDRAWN, actor=cole, reason="Disputed.")

    other = exchange_create(actor=cole, title="Next", our_party=exchange.our_party, other_party=exchange.other_party)
    assert [rank.prisoner_id for rank in ranked_pool(other, Direction.RECEIVE, limit=5)] == [prisoner.pk]
