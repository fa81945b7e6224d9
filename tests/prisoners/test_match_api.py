"""``POST /api/v1/prisoners/match/``: candidate search, for caseworkers and coordinators only."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PrisonerFactory

MATCH = reverse("prisoners_api:match")


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def kirill(db):
    return PrisonerFactory(
        surname="Chistyakov",
        given_names="Kirill",
        patronymic="Yurievich",
        date_of_birth=datetime.date(1990, 5, 17),
        service_number="FR-100017",
        external_ref="FL-17",
    )


QUERY = {"surname": "Чистяков", "given_name": "Кирилл", "patronymic": "Юрьевич", "date_of_birth": "1990-05-17"}


def test_it_gives_a_caseworker_the_candidates_best_first(carol, kirill):
    namesake = PrisonerFactory(surname="Chistyakov", given_names="Kirill", date_of_birth=datetime.date(1984, 11, 2))

    response = _token_client(carol).post(MATCH, QUERY, format="json")

    assert response.status_code == 200
    found = response.json()
    assert [candidate["prisoner_id"] for candidate in found] == [kirill.pk, namesake.pk]
    assert found[0] == {
        "prisoner_id": kirill.pk,
        "external_ref": "FL-17",
        "surname": "Chistyakov",
        "given_name": "Kirill",
        "patronymic": "Yurievich",
        "date_of_birth": "1990-05-17",
        "score": found[0]["score"],
        "confidence": "high",
        "reasons": found[0]["reasons"],
    }
    assert found[0]["score"] >= 80
    assert "date of birth: same" in found[0]["reasons"]


def test_it_gives_a_coordinator_the_candidates(cole, kirill):
    response = _session_client(cole).post(MATCH, {"surname": "Chistyakov", "given_name": "Kirill"}, format="json")

    assert response.status_code == 200
    assert [candidate["prisoner_id"] for candidate in response.json()] == [kirill.pk]


def test_it_answers_as_the_command_does(carol, kirill):
    PrisonerFactory(surname="Chistyakov", given_names="Kiril", date_of_birth=None)
    out = io.StringIO()
    call_command(
        "match_person",
        "--surname=Чистяков",
        "--given-name=Кирилл",
        "--patronymic=Юрьевич",
        "--date-of-birth=1990-05-17",
        "--json",
        stdout=out,
    )

    response = _token_client(carol).post(MATCH, QUERY, format="json")

    assert response.json() == json.loads(out.getvalue())


def test_it_returns_at_most_limit_candidates(carol, kirill):
    PrisonerFactory(surname="Chistyakov", given_names="Kirill", date_of_birth=None)

    response = _token_client(carol).post(MATCH, {**QUERY, "limit": 1}, format="json")

    assert [candidate["prisoner_id"] for candidate in response.json()] == [kirill.pk]


def test_it_asks_the_database_the_same_few_questions_however_many_candidates(carol, kirill):
    client = _token_client(carol)
    client.post(MATCH, QUERY, format="json")  # the token and the user's roles, once
    with CaptureQueriesContext(connection) as one:
        client.post(MATCH, QUERY, format="json")
    for _number in range(5):
        PrisonerFactory(surname="Chistyakov", given_names="Kirill", date_of_birth=None)

    with CaptureQueriesContext(connection) as six:
        response = client.post(MATCH, QUERY, format="json")

    assert len(response.json()) == 6
    assert len(six) == len(one)


# Who may search: everyone else is refused and learns nothing.


@pytest.mark.parametrize("persona", ["olena", "ada", "oscar"])
def test_it_refuses_anyone_but_caseworkers_and_coordinators(request, persona, kirill):
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)  # olena is a family member; her account is .user

    for client in (_token_client(user), _session_client(user)):
        response = client.post(MATCH, QUERY, format="json")

        assert response.status_code == 403
        assert set(response.json()) == {"detail"}
        assert "Chistyakov" not in response.content.decode()


def test_it_refuses_an_anonymous_client(kirill):
    response = APIClient().post(MATCH, QUERY, format="json")

    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
    assert "Chistyakov" not in response.content.decode()


def test_it_refuses_a_bad_query_from_an_outsider_without_saying_what_is_wrong(oscar):
    response = _token_client(oscar).post(MATCH, {"surname": "", "nickname": "x"}, format="json")

    assert response.status_code == 403
    assert "surname" not in response.content.decode()


def test_it_refuses_a_wrong_token(kirill):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.post(MATCH, QUERY, format="json")

    assert response.status_code in (401, 403)
    assert "Chistyakov" not in response.content.decode()


def test_it_only_answers_a_post(carol):
    assert _token_client(carol).get(MATCH, QUERY).status_code == 405


# Bad input


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"given_name": "Kirill"}, "surname"),
        ({"surname": "", "given_name": "Kirill"}, "surname"),
        ({"surname": "   ", "given_name": "Kirill"}, "surname"),
        ({"surname": "--", "given_name": "Kirill"}, "surname"),
        ({"surname": "Chistyakov"}, "given_name"),
        ({"surname": "Chistyakov", "given_name": None}, "given_name"),
        ({"surname": "Ivаnov", "given_name": "Petro"}, "surname"),
        ({"surname": "Ivanov", "given_name": "Pеtro"}, "given_name"),
        ({"surname": "Ivanov", "given_name": "Petro", "date_of_birth": "1850-01-01"}, "date_of_birth"),
        ({"surname": "Ivanov", "given_name": "Petro", "date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"surname": "Ivanov", "given_name": "Petro", "date_of_birth": "1990-02-30"}, "date_of_birth"),
        ({"surname": "Ivanov", "given_name": "Petro", "date_of_birth": "17.05.1990"}, "date_of_birth"),
        ({"surname": "Ivanov", "given_name": "Petro", "limit": 0}, "limit"),
        ({"surname": "Ivanov", "given_name": "Petro", "limit": 1000}, "limit"),
        ({"surname": "x" * 151, "given_name": "Petro"}, "surname"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(carol, query, field):
    response = _token_client(carol).post(MATCH, query, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and body["code"]
    assert list(body["fields"]) == [field]
    assert body["fields"][field] and all(isinstance(message, str) for message in body["fields"][field])


def test_it_explains_a_name_in_mixed_scripts(carol):
    response = _token_client(carol).post(MATCH, {"surname": "Ivаnov", "given_name": "Petro"}, format="json")

    assert "Cyrillic and Latin" in response.json()["fields"]["surname"][0]


def test_it_refuses_unknown_fields(carol, kirill):
    response = _token_client(carol).post(MATCH, {**QUERY, "status": "released", "party": 1}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"party", "status"}
    assert "Chistyakov" not in response.content.decode()


@pytest.mark.parametrize("body", [[], [{"surname": "Chistyakov"}], "Chistyakov", 17, None])
def test_it_refuses_a_body_that_is_not_an_object(carol, body):
    response = _token_client(carol).post(MATCH, json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["__all__"]
