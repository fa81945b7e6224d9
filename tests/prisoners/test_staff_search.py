"""The staff record search: /staff/prisoners/, by name, number, request and filters."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from prisoners.models import CaseStatus, Prisoner
from prisoners.staff_search import PrisonerSearchForm, prisoner_search
from tests.factories import OpposingPartyFactory, PartyFactory, PrisonerFactory, RegistrationRequestFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("staff:prisoner_search")


def found(**params) -> list[str]:
    """The surnames the search finds for ``params``, in its order."""
    form = PrisonerSearchForm(params)
    assert form.is_valid(), form.errors
    return [record.surname for record in prisoner_search(criteria=form.cleaned_data).records]


@pytest.fixture
def records(db):
    """A few fictional records that differ in one criterion each."""
    third = PartyFactory(code="third", name="Fictional Kingdom")
    return {
        "chistyakov": PrisonerFactory(
            surname="Чистяков",
            given_names="Николай",
            patronymic="Петрович",
            date_of_birth=datetime.date(1991, 4, 2),
            service_number="АВ-123456",
            unit="12th Fictional Brigade",
            capture_date=datetime.date(2024, 6, 1),
        ),
        "melnyk": PrisonerFactory(
            surname="Melnyk",
            given_names="Taras",
            date_of_birth=datetime.date(1985, 1, 1),
            unit="Fictional Marines",
            capture_date=datetime.date(2025, 2, 1),
            status=CaseStatus.REGISTERED,
        ),
        "ostapenko": PrisonerFactory(
            surname="Ostapenko",
            given_names="Yurii",
            date_of_birth=datetime.date(2000, 12, 31),
            holding_party=third,
            capture_date=None,
            status=CaseStatus.CAPTURE_CONFIRMED,
        ),
    }


def test_it_finds_a_cyrillic_record_by_its_latin_spelling(records):
    assert found(surname="Chistyakov", given_name="Nikolai") == ["Чистяков"]


def test_it_ranks_by_name_and_shows_the_score(client, carol, records):
    PrisonerFactory(surname="Чистяков", given_names="Кирилл")
    client.force_login(carol)

    query = {"surname": "Чистяков", "given_name": "Николай", "patronymic": "Петрович", "born": "1991-04-02"}

    response = client.get(SEARCH, query)

    assert response.status_code == 200
    assert response.context["ranked"]
    ranked = list(response.context["page"])
    assert ranked[0].pk == records["chistyakov"].pk
    assert [record.match_score for record in ranked] == sorted((record.match_score for record in ranked), reverse=True)
    assert ranked[0].match_confidence == "high"


def test_it_narrows_a_name_search_with_the_other_criteria(records):
    assert found(surname="Chistyakov", given_name="Nikolai", status=["registered"]) == []
    assert found(surname="Chistyakov", given_name="Nikolai", born="1991-04") == ["Чистяков"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"service_number": "ab 123456"}, ["Чистяков"]),
        ({"service_number": "ZZ-1"}, []),
        ({"status": ["registered", "capture_confirmed"]}, ["Melnyk", "Ostapenko"]),
        ({"unit": "marines"}, ["Melnyk"]),
        ({"capture_date_from": "2025-01-01"}, ["Melnyk"]),
        ({"capture_date_to": "2024-12-31"}, ["Чистяков"]),
        ({"date_of_birth_from": "1990-01-01", "date_of_birth_to": "1999-12-31"}, ["Чистяков"]),
    ],
)
def test_it_filters_by_each_criterion(records, params, expected):
    assert found(**params) == expected


def test_it_filters_by_party_and_holding_party(records):
    third = records["ostapenko"].holding_party
    own = records["melnyk"].party

    assert found(holding_party=str(third.pk)) == ["Ostapenko"]
    assert found(party=str(own.pk)) == ["Melnyk", "Ostapenko", "Чистяков"]
    assert found(party=str(OpposingPartyFactory().pk)) == []


def test_it_filters_by_the_date_of_the_last_status_change(records):
    Prisoner.objects.filter(pk=records["melnyk"].pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(days=40)
    )
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

    assert found(status_changed_from=since) == ["Ostapenko", "Чистяков"]
    assert found(status_changed_to=since) == ["Melnyk"]


def test_it_finds_the_record_a_request_is_linked_to(records):
    request = RegistrationRequestFactory(prisoner=records["melnyk"])
    RegistrationRequestFactory(reference="HC-2026-000001", prisoner=None)

    assert found(request_reference=request.reference.lower()) == ["Melnyk"]
    assert found(request_reference="HC-2026-000001") == []
    assert found(request_reference="HC-1999-999999") == []


def test_an_empty_search_lists_nothing(client, cole, records):
    client.force_login(cole)

    response = client.get(SEARCH)

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "Melnyk" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"capture_date_from": "not a date"}, "capture_date_from"),
        ({"date_of_birth_from": "2000-01-01", "date_of_birth_to": "1990-01-01"}, "date_of_birth_to"),
        ({"status": ["lost"]}, "status"),
        ({"surname": "Chistyakov"}, "given_name"),
        ({"surname": "Chistяков", "given_name": "Nikolai"}, "surname"),
        ({"surname": "Chistyakov", "given_name": "Nikolai", "born": "1991-13"}, "born"),
        ({"party": "999999"}, "party"),
    ],
)
def test_it_explains_what_cannot_be_searched(client, ada, records, params, field):
    client.force_login(ada)

    with translation.override("en"):
        response = client.get(SEARCH, params)

    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_it_orders_other_searches_by_surname_and_pages_them(client, carol):
    for number in range(30):
        PrisonerFactory(surname=f"Testov{number:02d}", given_names="Petro", unit="Fictional Battalion")
    client.force_login(carol)

    first = client.get(SEARCH, {"unit": "battalion"})
    second = client.get(SEARCH, {"unit": "battalion", "page": 2})

    assert [record.surname for record in first.context["page"]] == [f"Testov{n:02d}" for n in range(25)]
    assert [record.surname for record in second.context["page"]] == [f"Testov{n:02d}" for n in range(25, 30)]
    assert "unit=battalion&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("params", [{"unit": "brigade"}, {"surname": "Testov", "given_name": "Petro"}])
def test_it_runs_the_same_queries_for_one_result_or_many(client, carol, params):
    PrisonerFactory(surname="Testov", given_names="Petro", unit="Fictional Brigade")
    client.force_login(carol)
    client.get(SEARCH, params)
    with CaptureQueriesContext(connection) as one:
        client.get(SEARCH, params)
    for _number in range(10):
        PrisonerFactory(surname="Testov", given_names="Petro", unit="Fictional Brigade")
    with CaptureQueriesContext(connection) as eleven:
        response = client.get(SEARCH, params)

    assert len(response.context["page"]) == 11
    assert len(eleven) == len(one)
