"""Merging two records of one person, on the merge page and through the staff API."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from families.models import Relationship, RelationshipKind
from prisoners.models import CaseEvent, CaseEventKind, CaseStatus, Evidence, EvidenceKind, Prisoner, Source
from prisoners.services import prisoner_merge, prisoner_update
from tests.factories import PrisonerFactory, RegistrationRequestFactory


def _merge_url(prisoner: Prisoner) -> str:
    return reverse("staff:prisoner_merge", args=[prisoner.pk])


def _state(*records) -> list[dict]:
    return [Prisoner.objects.filter(pk=record.pk).values().get() for record in records]


@pytest.fixture
def record(db):
    return PrisonerFactory(surname="Melnyk", given_names="Taras", service_number="AA-100")


@pytest.fixture
def duplicate(db):
    return PrisonerFactory(
        surname="Мельник", given_names="Тарас", patronymic="Иванович", date_of_birth=datetime.date(1990, 5, 17)
    )


@pytest.fixture
def belongings(duplicate, olena):
    """What the duplicate holds, that a merge moves to the survivor."""
    return [
        Evidence.objects.create(prisoner=duplicate, kind=EvidenceKind.LINK, url="https://video.example.test/1"),
        CaseEvent.objects.create(prisoner=duplicate, kind=CaseEventKind.CAPTURE, source=Source.VIDEO),
        Relationship.objects.create(family_member=olena, prisoner=duplicate, kind=RelationshipKind.MOTHER),
        RegistrationRequestFactory(prisoner=duplicate),
    ]


def _merge_data(client, prisoner: Prisoner, other: Prisoner, **choices) -> dict:
    """The merge form as the page filled it in, with ``choices`` made."""
    form = client.get(_merge_url(prisoner), {"other": other.pk}).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update({"other": other.pk, "reason": "Same man: same birth date and unit"})
    data.update(choices)
    return data


# The page


def test_it_asks_for_the_other_record_first(client, carol, record):
    client.force_login(carol)

    response = client.get(_merge_url(record))

    assert response.status_code == 200
    assert response.context["choose"] is not None and response.context["form"] is None


def test_it_compares_the_two_records_field_by_field(client, carol, record, duplicate):
    client.force_login(carol)

    response = client.get(_merge_url(record), {"other": duplicate.pk})

    assert response.status_code == 200
    form = response.context["form"]
    assert {"keep_surname", "keep_given_names", "keep_patronymic", "keep_service_number"} <= set(form.fields)
    assert "keep_date_of_birth" not in form.fields  # Both records hold the same date.
    # A field empty here takes the other record's value unless the caseworker says otherwise.
    assert (form["keep_surname"].value(), form["keep_patronymic"].value()) == ("this", "other")


def test_it_merges_the_duplicate_into_this_record(client, carol, record, duplicate, belongings):
    client.force_login(carol)

    response = client.post(_merge_url(record), _merge_data(client, record, duplicate))

    assert response.status_code == 302
    assert response.url == reverse("staff:prisoner_detail", args=[record.pk])
    duplicate.refresh_from_db()
    record.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (CaseStatus.MERGED, record)
    assert (record.surname, record.patronymic) == ("Melnyk", "Иванович")
    for row in belongings:
        row.refresh_from_db()
        assert row.prisoner_id == record.pk
    old_page = client.get(reverse("staff:prisoner_detail", args=[duplicate.pk])).content.decode()
    assert reverse("staff:prisoner_detail", args=[record.pk]) in old_page
    assert AuditEvent.objects.get(action="prisoner.merged").reason == "Same man: same birth date and unit"


def test_it_lets_the_other_record_survive_with_chosen_values(client, carol, record, duplicate, belongings):
    client.force_login(carol)
    data = _merge_data(
        client,
        record,
        duplicate,
        survivor="other",
        keep_surname="other",
        keep_given_names="other",
        keep_service_number="this",
    )

    response = client.post(_merge_url(record), data)

    assert response.url == reverse("staff:prisoner_detail", args=[duplicate.pk])
    record.refresh_from_db()
    duplicate.refresh_from_db()
    assert (record.status, record.merged_into) == (CaseStatus.MERGED, duplicate)
    # The other record keeps its own name and takes this record's service number.
    assert (duplicate.surname, duplicate.service_number, record.service_number) == ("Мельник", "AA-100", "")


@pytest.mark.parametrize("other", ["self", "missing", "merged", "nonsense"])
def test_it_refuses_a_bad_other_record_and_changes_nothing(client, carol, record, duplicate, other):
    survivor = PrisonerFactory(surname="Ostapenko", given_names="Yurii")
    prisoner_merge(survivor=survivor, duplicate=duplicate, actor=carol, reason="Same man")
    other_id = {"self": record.pk, "missing": 987654, "merged": duplicate.pk, "nonsense": "abc"}[other]
    before = _state(record, duplicate, survivor)
    client.force_login(carol)

    shown = client.get(_merge_url(record), {"other": other_id})
    posted = client.post(_merge_url(record), {"other": other_id, "reason": "Same man", "survivor": "this"})

    assert (shown.status_code, posted.status_code) == (400, 400)
    assert shown.context["choose"].errors["other"]
    assert _state(record, duplicate, survivor) == before


def test_it_refuses_a_merge_without_a_reason(client, carol, record, duplicate, belongings):
    client.force_login(carol)
    before = _state(record, duplicate)

    response = client.post(_merge_url(record), _merge_data(client, record, duplicate, reason=""))

    assert response.status_code == 400
    assert _state(record, duplicate) == before


def test_it_refuses_a_merge_when_a_record_changed_since_the_comparison(client, carol, record, duplicate, belongings):
    client.force_login(carol)
    data = _merge_data(client, record, duplicate)
    prisoner_update(prisoner=duplicate, version=1, actor=carol, data={"unit": "72nd Brigade"})
    before = _state(record, duplicate)

    response = client.post(_merge_url(record), data)

    assert response.status_code == 409
    assert "One of the records changed while you compared them" in response.content.decode()
    assert _state(record, duplicate) == before
    assert Evidence.objects.get(pk=belongings[0].pk).prisoner_id == duplicate.pk
    # The comparison is shown again as the records are now.
    assert response.context["form"]["other_version"].value() == 2


def test_it_says_why_a_record_in_a_final_status_cannot_end_as_merged(client, carol, record, duplicate):
    Prisoner.objects.filter(pk=duplicate.pk).update(status=CaseStatus.RETURNED)
    client.force_login(carol)
    data = _merge_data(client, record, duplicate)
    before = _state(record, duplicate)

    response = client.post(_merge_url(record), data)

    assert response.status_code == 400
    assert "cannot change from “Returned”" in response.content.decode()
    assert _state(record, duplicate) == before


def test_a_merged_record_cannot_be_merged_again(client, carol, record, duplicate):
    prisoner_merge(survivor=record, duplicate=duplicate, actor=carol, reason="Same man")
    client.force_login(carol)

    response = client.get(_merge_url(duplicate), follow=True)

    assert "no longer changes" in response.content.decode()


def test_it_refuses_the_merge_page_to_anyone_but_a_caseworker(client, record, duplicate, cole, olena):
    assert client.get(_merge_url(record)).status_code == 401
    client.force_login(olena.user)
    assert client.get(_merge_url(record)).status_code == 404
    client.force_login(cole)
    assert client.get(_merge_url(record), {"other": duplicate.pk}).status_code == 403
    assert client.post(_merge_url(record), {"other": duplicate.pk, "reason": "x"}).status_code == 403
    assert Prisoner.objects.get(pk=duplicate.pk).status == CaseStatus.REPORTED


# The API


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _api_url(prisoner: Prisoner) -> str:
    return reverse("staff_api:prisoner_merge", args=[prisoner.pk])


def test_it_merges_through_the_api(carol, record, duplicate, belongings):
    body = {
        "duplicate": duplicate.pk,
        "take_fields": ["patronymic"],
        "reason": "Same man",
        "survivor_version": 1,
        "duplicate_version": 1,
    }

    response = _api(carol).post(_api_url(record), body, format="json")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (record.pk, "reported")
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == (CaseStatus.MERGED, record.pk)
    for row in belongings:
        row.refresh_from_db()
        assert row.prisoner_id == record.pk
    record.refresh_from_db()
    assert record.patronymic == "Иванович"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"duplicate": "self"}, 400, "merge_self"),
        ({"duplicate": 987654}, 400, "not_found"),
        ({"reason": ""}, 400, "invalid"),
        ({"take_fields": ["status"]}, 400, "invalid"),
        ({"duplicate_version": 3}, 409, "stale"),
        ({"survivor_version": None}, 400, "invalid"),
    ],
)
def test_it_refuses_a_bad_merge_through_the_api(carol, record, duplicate, belongings, change, status, code):
    body = {"duplicate": duplicate.pk, "reason": "Same man", "survivor_version": 1, "duplicate_version": 1}
    body.update(change)
    if body["duplicate"] == "self":
        body["duplicate"] = record.pk
    before = _state(record, duplicate)

    response = _api(carol).post(_api_url(record), body, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    assert _state(record, duplicate) == before


def test_it_refuses_to_merge_into_a_merged_record_through_the_api(carol, record, duplicate):
    prisoner_merge(survivor=record, duplicate=duplicate, actor=carol, reason="Same man")
    third = PrisonerFactory(surname="Ostapenko", given_names="Yurii")
    body = {"duplicate": third.pk, "reason": "Same man", "survivor_version": 2, "duplicate_version": 1}

    response = _api(carol).post(_api_url(duplicate), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "merge_target_merged"
    third.refresh_from_db()
    assert third.status == CaseStatus.REPORTED
