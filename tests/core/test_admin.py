"""The administration site: who gets in, what it shows, what it refuses to change."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.audit import audit_chain_verify
from core.models import AuditEvent
from core.roles import Role
from exchanges.models import Direction, EntryOutcome
from exchanges.services import exchange_create, exchange_entry_add
from families.models import RelationshipKind
from families.services import registration_request_file, relationship_create
from notifications.models import Channel, Notification, NotificationKind
from prisoners.models import (
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    Evidence,
    EvidenceKind,
    NameScript,
    NameVariant,
    Party,
    PartyKind,
    Prisoner,
    Source,
)
from prisoners.services import prisoner_create
from tests.factories import PartyFactory, PrisonerFactory, UserFactory, request_data, totp_code


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def own_party(db):
    return PartyFactory(code="own", name="Fictional Republic", kind=PartyKind.OWN)


@pytest.fixture
def other_party(db):
    return PartyFactory(code="other", name="Fictional Federation", kind=PartyKind.OPPOSING)


@pytest.fixture
def prisoner(carol, own_party, other_party):
    return prisoner_create(
        actor=carol,
        data={
            "surname": "Zaretsky",
            "given_names": "Oleh",
            "party": own_party,
            "holding_party": other_party,
            "service_number": "ZX-100234",
            "date_of_birth": datetime.date(1990, 5, 17),
            "capture_date": datetime.date(2025, 3, 2),
        },
    )


@pytest.fixture
def records(prisoner, olena, carol, cole, own_party, other_party):
    """At least one row of every registered kind, written the way the app writes them."""
    NameVariant.objects.create(prisoner=prisoner, surname="Зарецкий", given_names="Олег", script=NameScript.CYRILLIC)
    CaseEvent.objects.create(
        prisoner=prisoner, kind=CaseEventKind.CAPTURE, occurred_on=datetime.date(2025, 3, 2), source=Source.VIDEO
    )
    Evidence.objects.create(
        prisoner=prisoner, kind=EvidenceKind.LINK, url="https://video.example.test/clip/1", source=Source.VIDEO
    )
    request, _code = registration_request_file(filed_by=olena, actor=olena.user, data=request_data(), consent=True)
    relationship_create(family_member=olena, prisoner=prisoner, kind=RelationshipKind.MOTHER, actor=carol)
    exchange = exchange_create(actor=cole, title="Exchange 1", our_party=own_party, other_party=other_party)
    # Only a registered prisoner goes on an exchange list.
    Prisoner.objects.filter(pk=prisoner.pk).update(status=CaseStatus.REGISTERED)
    prisoner.refresh_from_db()
    exchange_entry_add(exchange=exchange, prisoner=prisoner, direction=Direction.RECEIVE, actor=cole)
    Notification.objects.create(
        key=f"request-update:{request.pk}:user:{olena.user.pk}:email",
        kind=NotificationKind.REQUEST_UPDATE,
        recipient=olena.user,
        channel=Channel.EMAIL,
        language="uk",
        request=request,
    )
    return {"prisoner": prisoner, "request": request, "exchange": exchange}


@pytest.fixture
def ada_client(client, ada):
    client.force_login(ada)
    return client


def test_it_lets_the_administrator_in(ada_client):
    response = ada_client.get(reverse("admin:index"))

    assert response.status_code == 200
    assert b"Homecoming administration" in response.content


def test_it_registers_every_model(db):
    labels = {model._meta.label for model in admin.site._registry}

    assert labels >= {
        "core.AuditEvent",
        "core.AuditChainHead",
        "prisoners.Party",
        "prisoners.Prisoner",
        "prisoners.NameVariant",
        "prisoners.FactSource",
        "prisoners.StatusChange",
        "prisoners.CaseEvent",
        "prisoners.Evidence",
        "families.FamilyMember",
        "families.Relationship",
        "families.ReferenceCounter",
        "families.RegistrationRequest",
        "families.RequestStatusChange",
        "exchanges.Exchange",
        "exchanges.ExchangeEntry",
        "exchanges.ExchangeStatusChange",
        "notifications.Notification",
        "auth.User",
        "auth.Group",
    }


def test_it_shows_every_changelist_and_record_to_the_administrator(ada_client, records):
    for model in admin.site._registry:
        changelist = ada_client.get(admin_url(model, "changelist"))
        assert changelist.status_code == 200, model._meta.label

        record = model._default_manager.order_by("pk").first()
        assert record is not None, f"no {model._meta.label} to show"
        page = ada_client.get(admin_url(model, "change", record.pk))
        assert page.status_code == 200, model._meta.label


@pytest.mark.parametrize("persona", ["carol", "cole", "olena", "oscar", None])
def test_it_keeps_everyone_else_out(client, request, persona, records):
    if persona is not None:
        user = request.getfixturevalue(persona)
        client.force_login(getattr(user, "user", user))

    for url in (reverse("admin:index"), admin_url(Prisoner, "changelist"), admin_url(AuditEvent, "changelist")):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response.url.startswith(reverse("admin:login")), url


def test_it_searches_prisoners_by_name_variant_and_service_number(ada_client, records, own_party, other_party):
    PrisonerFactory(surname="Melnyk", given_names="Taras", party=own_party, holding_party=other_party)
    url = admin_url(Prisoner, "changelist")

    by_variant = ada_client.get(url, {"q": "Зарецкий"})
    by_number = ada_client.get(url, {"q": "ZX-100234"})

    assert list(by_variant.context["cl"].result_list) == [records["prisoner"]]
    assert list(by_number.context["cl"].result_list) == [records["prisoner"]]


def test_it_searches_the_audit_trail_by_action_and_record(ada_client, records):
    url = admin_url(AuditEvent, "changelist")

    by_action = ada_client.get(url, {"q": "exchange.created"})
    by_record = ada_client.get(url, {"q": f"prisoners.prisoner {records['prisoner'].pk}"})

    assert [event.action for event in by_action.context["cl"].result_list] == ["exchange.created"]
    found = by_record.context["cl"].result_list
    assert {event.action for event in found} >= {"prisoner.created"}
    assert all(event.target_id == str(records["prisoner"].pk) for event in found)


def test_it_lists_prisoners_without_a_query_per_row(ada_client, own_party, other_party):
    url = admin_url(Prisoner, "changelist")
    PrisonerFactory.create_batch(2, party=own_party, holding_party=other_party)
    with CaptureQueriesContext(connection) as few:
        ada_client.get(url)

    PrisonerFactory.create_batch(10, party=own_party, holding_party=other_party)
    with CaptureQueriesContext(connection) as many:
        ada_client.get(url)

    assert len(many) == len(few)


def test_it_refuses_to_delete_an_audit_event(ada_client, records):
    event = AuditEvent.objects.order_by("pk").first()

    response = ada_client.post(admin_url(AuditEvent, "delete", event.pk), {"post": "yes"})

    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_to_change_an_audit_event(ada_client, records):
    event = AuditEvent.objects.order_by("pk").first()

    response = ada_client.post(admin_url(AuditEvent, "change", event.pk), {"action": "nothing.happened"})

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.action != "nothing.happened"
    assert audit_chain_verify() is None


def test_it_offers_no_bulk_action_on_the_audit_trail(ada_client, records):
    count = AuditEvent.objects.count()
    ids = list(AuditEvent.objects.values_list("pk", flat=True))

    page = ada_client.get(admin_url(AuditEvent, "changelist"))
    ada_client.post(
        admin_url(AuditEvent, "changelist"), {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )

    assert "action_form" not in page.context or page.context["action_form"] is None
    assert AuditEvent.objects.count() == count


def test_it_refuses_to_add_an_audit_event(ada_client):
    response = ada_client.get(admin_url(AuditEvent, "add"))

    assert response.status_code == 403


@pytest.mark.parametrize("model", [Prisoner, Evidence, Notification, AuditEvent])
def test_it_keeps_domain_records_read_only(ada_client, records, model):
    record = model._default_manager.first()

    assert ada_client.get(admin_url(model, "add")).status_code == 403
    assert ada_client.post(admin_url(model, "change", record.pk), {}).status_code == 403
    assert ada_client.post(admin_url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=record.pk).exists()


def test_it_adds_a_party_and_audits_it(ada_client, ada):
    response = ada_client.post(
        admin_url(Party, "add"), {"name": "Fictional Red Cross", "code": "frc", "kind": PartyKind.MEDIATOR}
    )

    assert response.status_code == 302
    party = Party.objects.get(code="frc")
    event = AuditEvent.objects.get(action="party.created")
    assert event.target_type == "prisoners.party"
    assert event.target_id == str(party.pk)
    assert event.actor == ada
    assert event.changes == {"name": "Fictional Red Cross", "code": "frc", "kind": "mediator"}
    assert audit_chain_verify() is None


def test_it_renames_a_party_and_audits_the_change(ada_client, own_party):
    response = ada_client.post(
        admin_url(Party, "change", own_party.pk), {"name": "Fictional Commonwealth", "code": "own", "kind": "own"}
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="party.updated")
    assert event.changes == {"name": {"old": "Fictional Republic", "new": "Fictional Commonwealth"}}


def test_it_refuses_to_delete_a_party(ada_client, own_party):
    response = ada_client.post(admin_url(Party, "delete", own_party.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Party.objects.filter(pk=own_party.pk).exists()


def test_it_never_shows_the_access_code_hash(ada_client, records):
    request = records["request"]

    page = ada_client.get(admin_url(type(request), "change", request.pk))
    listing = ada_client.get(admin_url(type(request), "changelist"))

    assert page.status_code == 200
    for response in (page, listing):
        assert request.access_code_hash.encode() not in response.content
        assert b"access_code_hash" not in response.content


def test_it_audits_a_read_of_a_prisoner_record(ada_client, ada, records):
    prisoner = records["prisoner"]

    ada_client.get(admin_url(Prisoner, "change", prisoner.pk))

    event = AuditEvent.objects.get(action="prisoner.viewed")
    assert (event.actor, event.target_type, event.target_id) == (ada, "prisoners.prisoner", str(prisoner.pk))


def test_it_gives_a_role_and_audits_it(ada_client, carol):
    coordinator = Group.objects.get(name=Role.COORDINATOR)
    caseworker = Group.objects.get(name=Role.CASEWORKER)

    response = ada_client.post(
        admin_url(type(carol), "change", carol.pk),
        {
            "username": "carol",
            "email": carol.email,
            "first_name": "",
            "last_name": "",
            "is_active": "on",
            "groups": [caseworker.pk, coordinator.pk],
        },
    )

    assert response.status_code == 302
    assert set(carol.groups.values_list("name", flat=True)) == {Role.CASEWORKER, Role.COORDINATOR}
    event = AuditEvent.objects.get(action="account.updated")
    assert event.target_id == str(carol.pk)
    assert event.changes["roles"] == {"old": ["caseworker"], "new": ["caseworker", "coordinator"]}
    assert audit_chain_verify() is None


def test_it_does_not_let_an_administrator_make_a_superuser(ada_client, ada):
    ada_client.post(
        admin_url(type(ada), "change", ada.pk),
        {
            "username": "ada",
            "email": ada.email,
            "is_active": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name=Role.ADMINISTRATOR).pk],
        },
    )

    ada.refresh_from_db()
    assert not ada.is_superuser


def test_it_does_not_let_an_administrator_change_a_superuser(ada_client):
    root = UserFactory(username="root", is_superuser=True)

    assert ada_client.post(admin_url(type(root), "change", root.pk), {"username": "root2"}).status_code == 403
    assert ada_client.get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code == 403


def test_it_audits_a_password_set_by_an_administrator(ada_client, carol):
    response = ada_client.post(
        reverse("admin:auth_user_password_change", args=[carol.pk]),
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase", "usable_password": "true"},
    )

    assert response.status_code == 302
    carol.refresh_from_db()
    assert carol.check_password("a-new-long-passphrase")
    event = AuditEvent.objects.get(action="account.password_set")
    assert event.target_id == str(carol.pk)
    assert event.changes == {}


def test_it_creates_an_account_and_audits_it(ada_client):
    response = ada_client.post(
        admin_url(get_user_model(), "add"),
        {
            "username": "nadia",
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="account.created")
    assert event.changes == {"fields": ["username"]}


def test_it_keeps_entries_on_the_exchange_page(ada_client, records):
    exchange = records["exchange"]

    page = ada_client.get(admin_url(type(exchange), "change", exchange.pk))

    assert page.status_code == 200
    assert EntryOutcome.PENDING.label.encode() in page.content
    assert b"Zaretsky" in page.content


def test_it_signs_in_on_the_sites_own_page_with_the_second_factor(client, ada):
    """The admin's password-only form is never offered: its login page sends to the one that asks for the code."""
    response = client.get(reverse("admin:login"), {"next": "/admin/"})

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=%2Fadmin%2F"
    client.post(reverse("account_login"), {"login": "ada", "password": "correct-horse-battery", "next": "/admin/"})
    assert client.get(reverse("admin:index")).status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_it_signs_nobody_in_with_a_password_posted_to_its_login_page(client, ada):
    response = client.post(reverse("admin:login"), {"username": "ada", "password": "correct-horse-battery"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("persona", ["carol", "olena"])
def test_it_refuses_other_roles_on_its_login_page(client, db, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))

    response = client.get(reverse("admin:login"))

    assert response.status_code == 403
