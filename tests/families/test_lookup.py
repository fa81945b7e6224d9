"""Tracking a request without an account: /track/ and /track/<reference>/, and their throttle."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from families.models import RegistrationRequest, Relationship, RequestStatus
from families.services import (
    registration_request_answer,
    registration_request_file,
    registration_request_set_status,
)
from families.views.lookup import GRANTED_SESSION_KEY
from prisoners.evidence import evidence_link_create
from prisoners.models import CaseStatus
from tests.factories import ExchangeEntryFactory, PrisonerFactory, request_data

LOOKUP = reverse("families:lookup")
NOT_RIGHT = "The reference or the access code is not right."
QUESTION = "Which unit did he serve in?"


def _file(member) -> tuple[RegistrationRequest, str]:
    return registration_request_file(filed_by=member, actor=member.user, data=request_data(), consent=True)


def _status(request: RegistrationRequest) -> str:
    return reverse("families:lookup_status", args=[request.reference])


def _try(client, reference, code, address="192.0.2.1"):
    return client.post(LOOKUP, {"reference": reference, "access_code": code}, REMOTE_ADDR=address)


def _comparable(html: str, *typed: str) -> str:
    """The page without what differs by nature: the CSRF token, and what the visitor typed."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    for text in typed:
        html = html.replace(text, "TYPED")
    return html


@pytest.fixture
def filed(olena):
    return _file(olena)


# Finding a request


def test_it_shows_a_request_for_its_reference_and_code(client, filed):
    request, code = filed

    response = _try(client, request.reference, code)

    assert response.status_code == 302
    assert response.url == _status(request)
    page = client.get(response.url)
    assert page.status_code == 200
    assert request.reference in page.text
    assert "Received" in page.text
    assert "We have your request. A caseworker will review it" in page.text
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]


def test_it_takes_the_code_however_it_is_typed(client, filed):
    request, code = filed

    response = _try(client, f"  {request.reference.lower()} ", code.lower().replace("-", " "))

    assert response.status_code == 302
    assert response.url == _status(request)


def test_it_gives_the_same_answer_for_a_wrong_code_and_an_unknown_reference(client, filed):
    request, code = filed
    unknown = "HC-2026-999999"

    wrong_code = _try(client, request.reference, "AAAA-BBBB-CCCC")
    cache.clear()
    wrong_reference = _try(client, unknown, code)

    assert wrong_code.status_code == wrong_reference.status_code == 200
    assert NOT_RIGHT in wrong_code.text
    assert _comparable(wrong_code.text, request.reference) == _comparable(wrong_reference.text, unknown)
    assert code not in wrong_reference.text  # the code typed is never written back into the page
    assert GRANTED_SESSION_KEY not in client.session


def test_it_finds_nothing_by_name(client, filed):
    request, code = filed

    response = _try(client, request.surname, code)

    assert NOT_RIGHT in response.text


def test_it_asks_for_both_fields(client):
    response = _try(client, "", "")

    assert "Enter the reference of the request." in response.text
    assert "Enter the access code." in response.text


def test_it_prefills_the_reference_from_the_link(client):
    response = client.get(LOOKUP, {"reference": "hc-2026-000123"})

    assert 'value="HC-2026-000123"' in response.text


# The status page: only with the code, only that request


@pytest.mark.parametrize("reference", ["existing", "HC-2026-999999"])
def test_it_sends_a_visitor_without_the_code_to_the_form_whether_the_request_exists_or_not(client, filed, reference):
    request, _code = filed
    reference = request.reference if reference == "existing" else reference

    response = client.get(reverse("families:lookup_status", args=[reference]))

    assert response.status_code == 302
    assert response.url == f"{LOOKUP}?reference={reference}"


def test_it_opens_only_the_request_whose_code_was_given(client, olena, ivan):
    mine, my_code = _file(olena)
    theirs, _their_code = _file(ivan)
    _try(client, mine.reference, my_code)

    response = client.get(_status(theirs))

    assert response.status_code == 302
    assert response.url == f"{LOOKUP}?reference={theirs.reference}"
    assert client.get(_status(mine)).status_code == 200


def test_it_remembers_several_requests_until_the_browser_closes(client, olena):
    first, first_code = _file(olena)
    second, second_code = _file(olena)

    _try(client, first.reference, first_code)
    _try(client, second.reference, second_code)

    assert client.get(_status(first)).status_code == 200
    assert client.get(_status(second)).status_code == 200
    assert client.session.get_expire_at_browser_close()


def test_it_starts_a_new_session_when_the_code_is_given(client, filed):
    request, code = filed
    client.get(LOOKUP)
    client.session.save()
    planted = client.session.session_key

    _try(client, request.reference, code)

    assert client.session.session_key != planted


def test_it_never_shows_the_relatives_case_on_the_lookup_page(client, olena, carol):
    request, code = _file(olena)
    prisoner = PrisonerFactory(status=CaseStatus.REGISTERED, place_of_internment="Fictional Colony No. 99")
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(request=request, new_status=RequestStatus.ACCEPTED, actor=carol, prisoner=prisoner)
    Relationship.objects.create(
        family_member=olena, prisoner=prisoner, kind="mother", verified_at=timezone.now(), verified_by=carol
    )
    ExchangeEntryFactory(
        prisoner=prisoner, exchange__title="Summer exchange 144 for 144", exchange__inclusion_released_at=timezone.now()
    )

    _try(client, request.reference, code)
    page = client.get(_status(request)).text

    assert "Accepted" in page
    assert "Registered as a prisoner of war" not in page
    assert "Fictional Colony No. 99" not in page
    assert "Summer exchange 144 for 144" not in page


def test_it_shows_the_caseworkers_question_but_counts_the_familys_evidence_without_naming_it(client, olena, carol):
    request, code = _file(olena)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=request, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason=QUESTION
    )
    link = evidence_link_create(url="https://video.example.test/secret-video", actor=olena.user)
    registration_request_answer(
        request=request, actor=olena.user, body="He served in the 53rd brigade.", evidence=[link]
    )

    _try(client, request.reference, code)
    page = client.get(_status(request)).text

    assert QUESTION in page
    assert "Your answer reached the caseworker." in page
    assert "With 1 item of evidence." in page
    assert "secret-video" not in page
    assert "53rd brigade" not in page


def test_it_offers_no_way_to_answer_or_withdraw(client, olena, carol):
    request, code = _file(olena)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=request, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason=QUESTION
    )

    _try(client, request.reference, code)
    page = client.get(_status(request)).text

    assert reverse("families:request_answer", args=[request.reference]) not in page
    assert reverse("families:request_withdraw", args=[request.reference]) not in page
    assert "<textarea" not in page
    assert "sign in to the account you filed the request with" in page


# The throttle


def test_it_refuses_the_sixth_try_from_one_address_even_with_the_right_code(client, olena):
    request, code = _file(olena)
    for number in range(5):
        assert _try(client, f"HC-2026-90000{number}", "AAAA-BBBB-CCCC").status_code == 200

    response = _try(client, request.reference, code)

    assert response.status_code == 429
    assert "Too many tries" in response.text
    assert "Please try again in 15 minutes." in response.text
    assert response["Retry-After"] == "900"
    assert GRANTED_SESSION_KEY not in client.session


def test_it_refuses_the_sixth_try_on_one_reference_from_many_addresses(client, filed):
    request, code = filed
    typed = [request.reference, request.reference.lower(), f" {request.reference} "]
    for number in range(5):
        response = _try(client, typed[number % 3], "AAAA-BBBB-CCCC", address=f"198.51.100.{number}")
        assert response.status_code == 200

    response = _try(client, request.reference, code, address="203.0.113.7")

    assert response.status_code == 429


def test_it_counts_the_tries_that_succeed_too(client, filed):
    request, code = filed
    for _number in range(5):
        assert _try(client, request.reference, code).status_code == 302

    assert _try(client, request.reference, code).status_code == 429


def test_it_lets_the_visitor_try_again_once_the_window_has_passed(client, filed):
    request, code = filed
    for _number in range(6):
        _try(client, request.reference, "AAAA-BBBB-CCCC")
    assert _try(client, request.reference, code).status_code == 429

    cache.clear()  # the counters live in the cache, in windows of 15 minutes

    assert _try(client, request.reference, code).status_code == 302


def test_it_does_not_count_opening_the_form(client, filed):
    request, code = filed
    for _number in range(10):
        client.get(LOOKUP)

    assert _try(client, request.reference, code).status_code == 302


def test_it_throttles_each_address_on_its_own(client, filed):
    request, code = filed
    for number in range(6):
        _try(client, f"HC-2026-90000{number}", "AAAA-BBBB-CCCC", address="192.0.2.1")

    assert _try(client, request.reference, code, address="192.0.2.2").status_code == 302


# The status page reads the same number of rows whatever the request's history


def _answered(member, carol, answers: int) -> tuple[RegistrationRequest, str]:
    request, code = _file(member)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    for number in range(answers):
        registration_request_set_status(
            request=request, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason=f"Question {number}"
        )
        links = [
            evidence_link_create(url=f"https://video.example.test/{number}/{n}", actor=member.user) for n in range(2)
        ]
        registration_request_answer(request=request, actor=member.user, body=f"Answer {number}", evidence=links)
    return request, code


# The request, its status changes, messages, their evidence and its own evidence (the session comes from
# the cache).
STATUS_QUERIES = 5


@pytest.mark.parametrize("answers", [1, 10])
def test_it_reads_the_status_page_in_a_constant_number_of_queries(
    client, olena, carol, answers, django_assert_num_queries
):
    request, code = _answered(olena, carol, answers)
    _try(client, request.reference, code)

    with django_assert_num_queries(STATUS_QUERIES):
        response = client.get(_status(request))

    assert response.text.count("Your answer reached the caseworker.") == answers
