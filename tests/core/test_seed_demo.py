"""``manage.py seed_demo``: fictional demo data and one demo account per role."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.audit import audit_chain_verify
from core.management.commands.seed_demo import DEMO_ACCOUNTS
from core.roles import Role
from exchanges.models import Direction, EntryOutcome, Exchange, ExchangeStatus
from families.models import FamilyMember, RegistrationRequest, Relationship, RequestStatus
from prisoners.models import CaseEvent, CaseEventKind, CaseStatus, NameScript, NameVariant, PartyKind, Prisoner

User = get_user_model()

# The fewest records the command accepts: enough for every status, and quick.
FEW = "--prisoners=50"


@pytest.fixture
def debug_on(settings):
    # pytest-django runs tests with DEBUG off, which the command refuses.
    settings.DEBUG = True


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def is_cyrillic(text: str) -> bool:
    return any("\u0400" <= char <= "\u04ff" for char in text)


@pytest.mark.django_db
def test_it_creates_the_demo_data(debug_on):
    seed()

    assert Prisoner.objects.count() >= 300
    assert set(Prisoner.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert set(RegistrationRequest.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    assert sorted(Exchange.objects.values_list("status", flat=True)) == [
        ExchangeStatus.COMPLETED,
        ExchangeStatus.PROPOSED,
    ]
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.groups.filter(name=account.role).exists()
        assert user.check_password(account.password)
    assert User.objects.get(username="demo-admin").is_staff
    assert FamilyMember.objects.filter(user__groups__name=Role.FAMILY).count() >= 40
    relationships = Relationship.objects.all()
    assert relationships.filter(verified_at__isnull=False).count() > relationships.count() / 2
    assert relationships.filter(verified_at__isnull=True).exists()
    assert audit_chain_verify() is None


@pytest.mark.django_db
def test_it_adds_nothing_when_run_again(debug_on):
    seed(FEW)
    before = row_counts()

    out = seed(FEW)

    assert row_counts() == before
    assert "nothing added" in out
    assert "demo-caseworker-2026" in out
    assert audit_chain_verify() is None


@pytest.mark.django_db
def test_it_refuses_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        seed(FEW)

    assert not Prisoner.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_runs_with_debug_off_when_forced(settings):
    settings.DEBUG = False

    seed(FEW, "--force")

    assert Prisoner.objects.count() == 50


@pytest.mark.django_db
def test_it_refuses_too_few_prisoners(debug_on):
    with pytest.raises(CommandError, match="at least 50"):
        seed("--prisoners=10")

    assert not Prisoner.objects.exists()


@pytest.mark.django_db
def test_it_prints_the_demo_accounts_and_no_personal_data(debug_on):
    out = seed(FEW)

    for account in DEMO_ACCOUNTS:
        assert account.username in out
        assert account.password in out
    names = {p.surname for p in Prisoner.objects.all()} | {m.full_name for m in FamilyMember.objects.all()}
    assert not [name for name in names if name in out]
    assert "@example.test" not in out


@pytest.mark.django_db
def test_it_makes_plausible_fictional_records(debug_on):
    seed(FEW)
    today = timezone.localdate()

    prisoners = list(Prisoner.objects.all())
    assert any(is_cyrillic(p.surname) for p in prisoners)
    assert any(not is_cyrillic(p.surname) for p in prisoners)
    for prisoner in prisoners:
        assert "fictional" in prisoner.party.name
        if prisoner.capture_date:
            assert datetime.date(2024, 1, 1) <= prisoner.capture_date <= today
            assert prisoner.date_of_birth < prisoner.capture_date
        assert prisoner.holding_party_id != prisoner.party_id
    held_by_us = Prisoner.objects.filter(holding_party__kind=PartyKind.OWN, party__kind=PartyKind.OPPOSING)
    assert held_by_us.exists()
    assert Prisoner.objects.filter(health_status="seriously_wounded_or_sick").exists()
    assert set(NameVariant.objects.values_list("script", flat=True)) == set(NameScript.values)
    assert not CaseEvent.objects.filter(occurred_on__gt=today).exists()
    deaths = CaseEvent.objects.filter(kind=CaseEventKind.DEATH)
    assert deaths.exists()
    assert set(deaths.values_list("prisoner__status", flat=True)) == {CaseStatus.DECEASED}
    assert not CaseEvent.objects.exclude(kind=CaseEventKind.DEATH).exclude(cause_of_death="").exists()


@pytest.mark.django_db
def test_it_returns_the_completed_exchanges_returned_prisoners(debug_on):
    seed(FEW)

    completed = Exchange.objects.get(status=ExchangeStatus.COMPLETED)
    outcomes = set(completed.entries.values_list("outcome", flat=True))
    assert {EntryOutcome.RETURNED, EntryOutcome.NOT_PRESENTED} <= outcomes
    for entry in completed.entries.filter(outcome=EntryOutcome.RETURNED):
        assert entry.prisoner.status == CaseStatus.RETURNED
    in_progress = Exchange.objects.get(status=ExchangeStatus.PROPOSED)
    assert set(in_progress.entries.values_list("direction", flat=True)) == set(Direction.values)
    assert {entry.prisoner.status for entry in in_progress.entries.all()} == {CaseStatus.REGISTERED}


@pytest.mark.django_db
def test_it_gives_families_relationships_and_requests(debug_on):
    seed(FEW)

    demo_family = FamilyMember.objects.get(user__username="demo-family")
    assert demo_family.relationships.filter(verified_at__isnull=False).exists()
    assert demo_family.relationships.filter(verified_at__isnull=True).exists()
    assert set(demo_family.requests.values_list("status", flat=True)) == set(RequestStatus.values)
    accepted = RegistrationRequest.objects.filter(status=RequestStatus.ACCEPTED)
    assert not accepted.filter(prisoner__isnull=True).exists()
    assert not RegistrationRequest.objects.filter(status=RequestStatus.REJECTED, rejection_reason="").exists()
    relatives = FamilyMember.objects.exclude(user__username="demo-family")
    assert all(m.user.email == f"{m.user.username}@example.test" for m in relatives)
    assert all(m.user.username.startswith("family-") for m in relatives)
