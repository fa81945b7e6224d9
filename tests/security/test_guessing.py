"""Family B guessing family A's references and ids, and anyone guessing at the public status lookup.

A record that exists but is not yours and one that does not exist must look
the same: same status, same page or the same JSON. Otherwise the difference
tells a guesser which references are real.
"""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from families.views.lookup import GRANTED_SESSION_KEY

pytestmark = pytest.mark.django_db

MISSING_REFERENCE = "HC-2026-999999"
FAMILY_PAGES = ("request_detail", "request_filed", "request_answer", "request_withdraw")


def _shape(response) -> tuple:
    """What a guesser can compare: the status, the templates of a page or the JSON of an endpoint."""
    if response.get("Content-Type", "").startswith("application/json"):
        return response.status_code, json.dumps(response.json(), sort_keys=True)
    return response.status_code, tuple(template.name for template in response.templates)


@pytest.fixture
def ivans_client(client, ivan):
    client.force_login(ivan.user)
    return client


@pytest.mark.parametrize("page", FAMILY_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_olenas_reference_as_one_that_does_not_exist(ivans_client, family_a, page, method):
    send = getattr(ivans_client, method)
    theirs = send(reverse(f"families:{page}", args=[family_a["request"].reference]))
    missing = send(reverse(f"families:{page}", args=[MISSING_REFERENCE]))

    assert theirs.status_code in (404, 405)
    assert _shape(theirs) == _shape(missing)
    assert family_a["request"].reference.encode() not in theirs.content


@pytest.mark.parametrize("spelling", [str.lower, lambda ref: f"  {ref} "])
def test_it_does_not_open_olenas_request_to_another_spelling_of_its_reference(ivans_client, family_a, spelling):
    response = ivans_client.get(reverse("families:request_detail", args=[spelling(family_a["request"].reference)]))

    assert response.status_code == 404


def test_it_does_not_serve_ivan_the_page_it_cached_for_olena(client, olena, ivan, family_a):
    url = reverse("families:request_detail", args=[family_a["request"].reference])
    client.force_login(olena.user)
    assert client.get(url).status_code == 200
    client.force_login(ivan.user)

    response = client.get(url)

    assert response.status_code == 404
    assert family_a["request"].surname.encode() not in response.content


@pytest.mark.parametrize("suffix", ["", "answer/", "withdraw/"])
def test_the_api_answers_olenas_reference_as_one_that_does_not_exist(ivan, family_a, suffix):
    client = APIClient()
    client.force_login(ivan.user)
    method = client.get if not suffix else client.post
    theirs = method(f"/api/v1/requests/{family_a['request'].reference}/{suffix}", {}, format="json")
    missing = method(f"/api/v1/requests/{MISSING_REFERENCE}/{suffix}", {}, format="json")

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


def test_the_api_lists_none_of_olenas_requests_to_ivan(ivan, family_a):
    client = APIClient()
    client.force_login(ivan.user)

    response = client.get("/api/v1/requests/")

    assert response.status_code == 200
    assert family_a["request"].reference not in response.content.decode()


def test_sequential_evidence_ids_give_a_family_nothing(ivans_client, olena, family_a):
    known = family_a["evidence"].pk
    answers = {
        pk: _shape(ivans_client.get(reverse("prisoners:evidence_file", args=[pk])))
        for pk in range(known - 2, known + 3)
    }

    assert set(answers.values()) == {_shape(ivans_client.get(reverse("prisoners:evidence_file", args=[10**9])))}
    assert next(iter(answers.values()))[0] == 404
    # Not even the family who sent the file downloads it: it is kept for the caseworkers.
    ivans_client.force_login(olena.user)
    assert ivans_client.get(reverse("prisoners:evidence_file", args=[known])).status_code == 404


@pytest.mark.parametrize("name", ["staff:prisoner_detail", "staff_api:prisoner_detail", "staff:exchange_detail"])
def test_sequential_record_ids_give_a_family_nothing(ivans_client, family_a, name):
    known = family_a["prisoner"].pk if "prisoner" in name else family_a["exchange"].pk
    answers = {_shape(ivans_client.get(reverse(name, args=[pk]))) for pk in (known, known + 1, 10**9)}

    assert len(answers) == 1
    assert next(iter(answers))[0] == 404


def _lookup(client, reference, code):
    return client.post(reverse("families:lookup"), {"reference": reference, "access_code": code})


def test_the_lookup_answers_a_wrong_code_as_it_answers_a_missing_reference(client, family_a):
    wrong_code = _lookup(client, family_a["request"].reference, "AAAA-BBBB-CCCC")
    missing = _lookup(client, MISSING_REFERENCE, "AAAA-BBBB-CCCC")

    assert wrong_code.status_code == missing.status_code == 200
    assert _shape(wrong_code) == _shape(missing)
    assert wrong_code.context["form"].errors == missing.context["form"].errors
    assert GRANTED_SESSION_KEY not in client.session


def test_the_status_page_sends_a_guesser_back_to_the_lookup_whether_the_reference_exists_or_not(client, family_a):
    theirs = client.get(reverse("families:lookup_status", args=[family_a["request"].reference]))
    missing = client.get(reverse("families:lookup_status", args=[MISSING_REFERENCE]))

    assert theirs.status_code == missing.status_code == 302
    assert theirs["Location"].split("?")[0] == missing["Location"].split("?")[0] == reverse("families:lookup")


def test_a_planted_session_grant_opens_nothing(client, family_a):
    """A grant is only written by a right code: a session that names the request id without one opens nothing."""
    session = client.session
    session[GRANTED_SESSION_KEY] = [family_a["request"].pk + 1]
    session.save()

    response = client.get(reverse("families:lookup_status", args=[family_a["request"].reference]))

    assert response.status_code == 302
