"""A prisoner record through the staff API: reading, editing, status, events, spellings, the audit trail."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from families.models import Relationship, RelationshipKind
from prisoners.models import (
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    Evidence,
    EvidenceKind,
    Fact,
    FactSource,
    MatchCandidate,
    NameVariant,
    Prisoner,
    Source,
    StatusChange,
)
from prisoners.services import prisoner_merge, prisoner_set_status, prisoner_update
from tests.factories import PrisonerFactory, RegistrationRequestFactory
from tests.prisoners.test_staff_record import _fill


def _url(name: str, prisoner: Prisoner, *args) -> str:
    return reverse(f"staff_api:{name}", args=[prisoner.pk, *args])


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def _state(*records) -> list[dict]:
    return [Prisoner.objects.filter(pk=record.pk).values().get() for record in records]


@pytest.fixture
def record(db):
    return PrisonerFactory(surname="Melnyk", given_names="Taras", service_number="AA-100")


# Reading


def test_it_returns_the_record_with_everything_its_page_shows(carol, record, olena):
    FactSource.objects.create(prisoner=record, fact=Fact.CAPTURE, source=Source.VIDEO, detail="Channel post")
    NameVariant.objects.create(prisoner=record, surname="Мельник", script="cyrillic")
    evidence = Evidence.objects.create(
        prisoner=record,
        kind=EvidenceKind.FILE,
        file="2026/01/x.png",
        original_name="x.png",
        content_type="image/png",
        size=10,
        sha256="a" * 64,
    )
    prisoner_set_status(prisoner=record, new_status=CaseStatus.CAPTURE_CONFIRMED, actor=carol, source=Source.VIDEO)
    CaseEvent.objects.create(
        prisoner=record, kind=CaseEventKind.CAPTURE, occurred_on=datetime.date(2025, 3, 2), source=Source.VIDEO
    )
    Relationship.objects.create(family_member=olena, prisoner=record, kind=RelationshipKind.MOTHER)
    filed = RegistrationRequestFactory(prisoner=record)
    other = PrisonerFactory(surname="Melnik", given_names="Taras")
    MatchCandidate.objects.create(
        prisoner=record, candidate=other, score=88, confidence="high", reasons=["Same date of birth"]
    )

    response = _client(carol).get(_url("prisoner_detail", record))

    assert response.status_code == 200
    body = response.json()
    assert (body["surname"], body["status"], body["version"]) == ("Melnyk", "capture_confirmed", 2)
    provenance = {row["fact"]: row for row in body["provenance"]}
    assert set(provenance) == set(Fact.values)
    assert (provenance["capture"]["source"], provenance["capture"]["detail"]) == ("video", "Channel post")
    assert provenance["health"]["source"] is None
    assert [v["surname"] for v in body["name_variants"]] == ["Мельник"]
    assert body["evidence"][0]["sha256"] == "a" * 64
    assert body["evidence"][0]["download_url"] == reverse("prisoners:evidence_file", args=[evidence.pk])
    assert [entry["kind"] for entry in body["timeline"]] == ["event", "status"]
    assert body["relationships"][0]["family_member_name"] == "Olena Testova"
    assert body["requests"][0]["reference"] == filed.reference
    assert body["candidate_duplicates"][0]["candidate"] == other.pk
    assert AuditEvent.objects.filter(action="prisoner.viewed", target_id=str(record.pk), actor=carol).count() == 1


@pytest.mark.parametrize("persona", ["carol", "cole", "ada"])
def test_it_lets_every_staff_role_read_and_audits_it(request, record, persona):
    user = request.getfixturevalue(persona)

    assert _client(user).get(_url("prisoner_detail", record)).status_code == 200
    assert _client(user).get(_url("prisoner_audit", record)).status_code == 200
    assert AuditEvent.objects.get(action="prisoner.viewed").actor == user


def test_it_reads_a_record_in_a_constant_number_of_queries(carol):
    small, large = PrisonerFactory(), PrisonerFactory(surname="Ostapenko", given_names="Yurii")
    _fill(small, 1, actor=carol)
    _fill(large, 5, actor=carol)
    client = _client(carol)
    client.get(_url("prisoner_detail", small))

    with CaptureQueriesContext(connection) as one:
        client.get(_url("prisoner_detail", small))
    with CaptureQueriesContext(connection) as many:
        client.get(_url("prisoner_detail", large))

    assert len(many) == len(one)


def test_it_returns_the_audit_trail_newest_first_in_words(carol, ada, record):
    prisoner_update(prisoner=record, version=1, actor=carol, data={"rank": "Sergeant"}, reason="Unit roll")
    _client(carol).get(_url("prisoner_detail", record))

    response = _client(ada).get(_url("prisoner_audit", record))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["action"] for row in rows] == ["prisoner.viewed", "prisoner.updated"]
    edited = rows[1]
    assert (edited["who"], edited["action_label"], edited["reason"]) == ("carol", "Record edited", "Unit roll")
    assert edited["changes"] == [
        {"name": "rank", "label": "rank", "is_change": True, "old": "", "new": "Sergeant", "value": None}
    ]


# Editing


def test_it_edits_the_record_and_keeps_the_source(carol, record):
    body = {"version": 1, "rank": "Sergeant", "source": "unit", "source_detail": "Unit roll", "reason": "Roll"}

    response = _client(carol).patch(_url("prisoner_detail", record), body, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 2
    record.refresh_from_db()
    assert record.rank == "Sergeant"
    assert FactSource.objects.get(prisoner=record, fact=Fact.SERVICE).detail == "Unit roll"


def test_it_refuses_a_stale_edit_with_409(carol, record):
    prisoner_update(prisoner=record, version=1, actor=carol, data={"rank": "Sergeant"})
    before = _state(record)

    response = _client(carol).patch(
        _url("prisoner_detail", record), {"version": 1, "rank": "Major", "source": "unit"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    assert response.json()["fields"]["version"] == ["2"]
    assert _state(record) == before


@pytest.mark.parametrize(
    "body",
    [
        {"rank": "Major", "source": "unit"},  # No version.
        {"version": 1, "rank": "Major"},  # No source.
        {"version": 1, "status": "registered", "source": "unit"},  # Not editable here.
        {"version": 1, "capture_date": "2999-01-01", "source": "unit"},
        {"version": 1, "surname": "", "source": "unit"},
        {"version": 1, "health_status": "fine", "source": "unit"},
        ["not", "an", "object"],
    ],
)
def test_it_refuses_a_bad_edit_and_changes_nothing(carol, record, body):
    before = _state(record)

    response = _client(carol).patch(_url("prisoner_detail", record), body, format="json")

    assert response.status_code == 400
    assert "fields" in response.json()
    assert _state(record) == before


# Status, events, spellings


def test_it_changes_the_status(carol, record):
    body = {"status": "capture_confirmed", "source": "video", "version": 1}

    response = _client(carol).post(_url("prisoner_status", record), body, format="json")

    assert response.status_code == 201
    result = response.json()
    assert (result["record"]["status"], result["record"]["version"]) == ("capture_confirmed", 2)
    assert (result["change"]["old_status"], result["change"]["actor"]) == ("reported", "carol")


@pytest.mark.parametrize(
    "body",
    [
        {"status": "registered", "source": "video", "version": 1},
        {"status": "merged", "source": "video", "version": 1},
        {"status": "capture_confirmed", "source": "rumour", "version": 1},
        {"status": "capture_confirmed", "source": "video", "version": 5},
        {"status": "capture_confirmed", "source": "video"},
    ],
)
def test_it_refuses_a_bad_status_change(carol, record, body):
    before = _state(record)

    response = _client(carol).post(_url("prisoner_status", record), body, format="json")

    assert response.status_code == 400
    assert _state(record) == before
    assert not StatusChange.objects.exists()


def test_it_records_an_event(carol, record):
    body = {"kind": "death", "occurred_on": "2025-06-01", "cause_of_death": "Wounds", "source": "icrc"}

    response = _client(carol).post(_url("prisoner_event_new", record), body, format="json")

    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["recorded_by"]) == ("death", "carol")
    assert record.events.get().cause_of_death == "Wounds"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "death", "source": "icrc"},
        {"kind": "transfer", "source": "icrc", "occurred_on": "2999-01-01"},
        {"kind": "transfer", "source": "icrc", "burial_place": "Cemetery"},
        {"kind": "transfer"},
        {"kind": "transfer", "source": "icrc", "recorded_by": 1},
    ],
)
def test_it_refuses_a_bad_event(carol, record, body):
    response = _client(carol).post(_url("prisoner_event_new", record), body, format="json")

    assert response.status_code == 400
    assert not CaseEvent.objects.exists()


def test_it_keeps_and_removes_a_spelling(carol, record):
    added = _client(carol).post(
        _url("prisoner_variant_add", record), {"surname": "Мельник", "source": "official_list"}, format="json"
    )

    assert added.status_code == 201
    assert added.json()["script"] == "cyrillic"
    variant_id = added.json()["id"]

    removed = _client(carol).post(
        _url("prisoner_variant_remove", record, variant_id), {"reason": "Typing error"}, format="json"
    )

    assert removed.status_code == 204
    assert not NameVariant.objects.exists()


@pytest.mark.parametrize("surname", ["Mельник", "Melnik", ""])
def test_it_refuses_a_bad_spelling(carol, record, surname):
    NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")

    response = _client(carol).post(
        _url("prisoner_variant_add", record), {"surname": surname, "source": "family"}, format="json"
    )

    assert response.status_code == 400
    assert NameVariant.objects.count() == 1


def test_it_refuses_to_remove_a_spelling_without_a_reason_or_of_another_record(carol, record):
    variant = NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")
    other = PrisonerFactory()
    client = _client(carol)

    assert client.post(_url("prisoner_variant_remove", record, variant.pk), {}, format="json").status_code == 400
    response = client.post(_url("prisoner_variant_remove", other, variant.pk), {"reason": "Mine"}, format="json")
    assert response.status_code == 400
    assert NameVariant.objects.filter(pk=variant.pk).exists()


def test_a_merged_record_refuses_changes_through_the_api(carol, record):
    survivor = PrisonerFactory(surname="Ostapenko", given_names="Yurii")
    prisoner_merge(survivor=survivor, duplicate=record, actor=carol, reason="Same man")
    record.refresh_from_db()
    before = _state(record)
    client = _client(carol)

    edited = client.patch(
        _url("prisoner_detail", record), {"version": record.version, "rank": "Major", "source": "unit"}, format="json"
    )
    added = client.post(_url("prisoner_variant_add", record), {"surname": "Melnick", "source": "unit"}, format="json")

    assert (edited.status_code, edited.json()["code"]) == (400, "merged")
    assert (added.status_code, added.json()["code"]) == (400, "merged")
    assert _state(record) == before
    assert client.get(_url("prisoner_detail", record)).json()["merged_into"] == survivor.pk


# Who may do what


def _writes(record: Prisoner, variant: NameVariant):
    return [
        ("patch", _url("prisoner_detail", record)),
        ("post", _url("prisoner_status", record)),
        ("post", _url("prisoner_event_new", record)),
        ("post", _url("prisoner_variant_add", record)),
        ("post", _url("prisoner_variant_remove", record, variant.pk)),
        ("post", _url("prisoner_merge", record)),
    ]


def _reads(record: Prisoner):
    return [("get", _url("prisoner_detail", record)), ("get", _url("prisoner_audit", record))]


def test_it_asks_an_anonymous_client_to_authenticate(record):
    variant = NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")

    for method, url in [*_reads(record), *_writes(record, variant)]:
        assert getattr(_client(), method)(url, {}, format="json").status_code == 401, url


@pytest.mark.parametrize("persona", ["olena", "ivan", "oscar"])
def test_it_answers_404_to_anyone_but_staff(request, record, persona):
    found = request.getfixturevalue(persona)
    client = _client(getattr(found, "user", found))
    variant = NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")
    before = _state(record)

    for method, url in [*_reads(record), *_writes(record, variant)]:
        assert getattr(client, method)(url, {"version": 1, "reason": "x"}, format="json").status_code == 404, url
    assert _state(record) == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["cole", "ada"])
def test_it_refuses_writes_to_staff_who_only_read(request, record, persona):
    client = _client(request.getfixturevalue(persona))
    variant = NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")
    before = _state(record)

    for method, url in _writes(record, variant):
        response = getattr(client, method)(
            url, {"version": 1, "status": "capture_confirmed", "source": "video", "reason": "x"}, format="json"
        )
        assert response.status_code == 403, url
    assert _state(record) == before
    assert NameVariant.objects.filter(pk=variant.pk).exists()


def test_it_answers_404_for_a_record_that_does_not_exist(carol):
    missing = Prisoner(pk=987654)

    assert _client(carol).get(_url("prisoner_detail", missing)).status_code == 404
    assert _client(carol).post(_url("prisoner_status", missing), {}, format="json").status_code == 404


def test_its_schema_names_each_component_once(client, db):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    names = [name for name in schema["components"]["schemas"] if name.startswith("StaffPrisoner")]
    assert "StaffPrisonerRecord" in names and "StaffPrisonerMergeInput" in names
    assert "/api/v1/staff/prisoners/{id}/merge/" in schema["paths"]
