"""My cases: /my/requests/, a request's page, answering a caseworker, withdrawing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.errors import DomainError
from families.models import (
    MessageDirection,
    RegistrationRequest,
    Relationship,
    RequestMessage,
    RequestStatus,
    RequestStatusChange,
)
from families.services import registration_request_file, registration_request_set_status
from prisoners.models import CaseStatus, Evidence, EvidenceKind
from tests.factories import ExchangeEntryFactory, PrisonerFactory, RegistrationRequestFactory, request_data

QUESTION = "Which unit did he serve in?"


def _file(member, **data) -> RegistrationRequest:
    request, _code = registration_request_file(
        filed_by=member, actor=member.user, data=request_data(**data), consent=True
    )
    return request


def _detail(request: RegistrationRequest) -> str:
    return reverse("families:request_detail", args=[request.reference])


def _answer(request: RegistrationRequest) -> str:
    return reverse("families:request_answer", args=[request.reference])


def _withdraw(request: RegistrationRequest) -> str:
    return reverse("families:request_withdraw", args=[request.reference])


def _png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def asked(olena, carol):
    """Olena's request, on which a caseworker has asked her a question."""
    request = _file(olena)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=request, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason=QUESTION
    )
    request.refresh_from_db()
    return request


@pytest.fixture
def accepted(olena, carol):
    """Olena's request, accepted and linked to her son's record."""
    request = _file(olena)
    prisoner = PrisonerFactory(
        surname="Testenko",
        given_names="Petro",
        status=CaseStatus.REGISTERED,
        place_of_internment="Fictional Colony No. 99",
    )
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(request=request, new_status=RequestStatus.ACCEPTED, actor=carol, prisoner=prisoner)
    request.refresh_from_db()
    return request


# The list


def test_it_lists_my_requests_newest_first(client, olena):
    older = _file(olena, surname="Ковальчук", given_names="Андрій")
    RegistrationRequest.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(days=3))
    newer = _file(olena, surname="Мельник", given_names="Тарас")
    client.force_login(olena.user)

    response = client.get(reverse("families:request_list"))

    assert response.status_code == 200
    text = response.text
    assert text.index(newer.reference) < text.index(older.reference)
    assert "Мельник Тарас" in text
    assert "Ковальчук Андрій" in text
    assert "Received" in text  # the family-facing label, not "submitted"
    assert _detail(newer) in text


def test_it_shows_an_empty_list_with_a_way_to_file(client, olena):
    client.force_login(olena.user)

    response = client.get(reverse("families:request_list"))

    assert "You have not filed a request yet." in response.text
    assert reverse("families:request_new") in response.text


def test_it_does_not_list_another_familys_requests(client, olena, ivan):
    theirs = _file(ivan, surname="Чужий")
    client.force_login(olena.user)

    response = client.get(reverse("families:request_list"))

    assert theirs.reference not in response.text
    assert "Чужий" not in response.text


# Who may come in


def test_it_sends_anonymous_visitors_to_sign_in(client, olena):
    request = _file(olena)

    for url in (reverse("families:request_list"), _detail(request), _answer(request), _withdraw(request)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


@pytest.mark.parametrize("persona", ["carol", "oscar", "ada"])
def test_it_has_no_case_pages_for_staff_or_outsiders(client, olena, persona, request):
    user = request.getfixturevalue(persona)
    registration_request = _file(olena)
    client.force_login(user)

    assert client.get(reverse("families:request_list")).status_code == 404
    assert client.get(_detail(registration_request)).status_code == 404
    assert client.post(_withdraw(registration_request)).status_code == 404


def test_it_gives_another_family_the_same_404_as_a_missing_reference(client, asked, ivan):
    client.force_login(ivan.user)
    missing = "HC-2026-999999"

    for hers, nobodys in (
        (client.get(_detail(asked)), client.get(reverse("families:request_detail", args=[missing]))),
        (client.get(_withdraw(asked)), client.get(reverse("families:request_withdraw", args=[missing]))),
        (
            client.post(_answer(asked), {"body": "Not my question"}),
            client.post(reverse("families:request_answer", args=[missing]), {"body": "Not my question"}),
        ),
        (client.post(_withdraw(asked)), client.post(reverse("families:request_withdraw", args=[missing]))),
    ):
        assert hers.status_code == nobodys.status_code == 404
        assert hers.content == nobodys.content

    asked.refresh_from_db()
    assert asked.status == RequestStatus.INFO_REQUESTED
    assert not asked.messages.filter(direction=MessageDirection.FROM_FAMILY).exists()


def test_it_finds_my_request_however_the_reference_is_typed(client, olena):
    request = _file(olena)
    client.force_login(olena.user)

    response = client.get(reverse("families:request_detail", args=[request.reference.lower()]))

    assert response.status_code == 200


# A request's page


def test_it_tells_the_story_of_a_request_in_order_and_in_plain_words(client, asked, olena):
    client.force_login(olena.user)

    response = client.get(_detail(asked))

    now, timeline = response.text.split('<ol class="timeline">')
    assert "We need more information" in now  # the current status, explained
    assert QUESTION in now  # quoted above the answer form
    received = timeline.index("We have your request. A caseworker will review it")
    reviewing = timeline.index("A caseworker is checking the information and the evidence")
    asking = timeline.index("A caseworker has a question for you.")
    question = timeline.index(QUESTION)
    assert received < reviewing < asking < question
    assert "From the caseworker" in timeline


def test_it_explains_why_a_request_was_rejected(client, olena, carol):
    request = _file(olena)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=request, new_status=RequestStatus.REJECTED, actor=carol, reason="He is already on our record."
    )
    client.force_login(olena.user)

    response = client.get(_detail(request))

    assert "Not accepted" in response.text
    assert "He is already on our record." in response.text
    assert _withdraw(request) not in response.text


def test_it_lists_the_evidence_sent_by_name_without_download_links(client, asked, olena, evidence_root):
    client.force_login(olena.user)
    client.post(
        _answer(asked),
        {"body": "The 53rd brigade.", "links": "https://video.example.test/watch?v=42", "files": [_png("scan.png")]},
    )

    response = client.get(_detail(asked))

    assert "scan.png" in response.text
    assert "https://video.example.test/watch?v=42" in response.text
    assert "/staff/evidence/" not in response.text


def test_it_shows_the_relatives_status_once_the_relationship_is_verified(client, accepted, olena, carol):
    relationship = Relationship.objects.create(family_member=olena, prisoner=accepted.prisoner, kind="mother")
    client.force_login(olena.user)

    before = client.get(_detail(accepted)).text
    Relationship.objects.filter(pk=relationship.pk).update(verified_at=timezone.now(), verified_by=carol)
    after = client.get(_detail(accepted)).text

    assert "Registered as a prisoner of war" not in before
    assert "Registered as a prisoner of war" in after
    assert "He is on the official list of prisoners of war" in after
    for text in (before, after):
        assert "Fictional Colony No. 99" not in text


def test_it_names_an_exchange_only_once_its_inclusion_is_released(client, accepted, olena, carol):
    Relationship.objects.create(
        family_member=olena, prisoner=accepted.prisoner, kind="mother", verified_at=timezone.now(), verified_by=carol
    )
    entry = ExchangeEntryFactory(prisoner=accepted.prisoner, exchange__title="Summer exchange 144 for 144")
    client.force_login(olena.user)

    negotiating = client.get(_detail(accepted)).text
    entry.exchange.inclusion_released_at = timezone.now()
    entry.exchange.save(update_fields=["inclusion_released_at"])
    released = client.get(_detail(accepted)).text

    assert "Summer exchange 144 for 144" not in negotiating
    assert "He is included in the exchange “Summer exchange 144 for 144”" in released


# Answering a caseworker


def test_it_shows_the_question_and_a_form_to_answer_it(client, asked, olena):
    client.force_login(olena.user)

    response = client.get(_detail(asked))

    assert f'action="{_answer(asked)}"' in response.text
    assert 'enctype="multipart/form-data"' in response.text


def test_it_takes_an_answer_with_links_and_files_and_sends_the_request_back_to_review(
    client, asked, olena, evidence_root
):
    client.force_login(olena.user)
    pdf = SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", content_type="application/pdf")

    response = client.post(
        _answer(asked),
        {
            "body": "He served in the 53rd brigade.",
            "links": "https://video.example.test/a\n\nvideo.example.test/b\n",
            "files": [_png(), pdf],
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == _detail(asked)
    assert "Thank you. Your answer is with the caseworker" in response.text
    asked.refresh_from_db()
    assert asked.status == RequestStatus.IN_REVIEW
    answer = asked.messages.get(direction=MessageDirection.FROM_FAMILY)
    assert answer.body == "He served in the 53rd brigade."
    assert answer.author == olena.user
    assert sorted(e.url or e.original_name for e in answer.evidence.all()) == [
        "https://video.example.test/a",
        "https://video.example.test/b",
        "letter.pdf",
        "photo.png",
    ]
    assert set(asked.evidence.all()) == set(answer.evidence.all())
    assert len(list(evidence_root.rglob("*.*"))) == 2


def test_it_refuses_an_empty_answer_and_changes_nothing(client, asked, olena, evidence_root):
    client.force_login(olena.user)

    response = client.post(_answer(asked), {"body": "   ", "files": [_png()]})

    assert response.status_code == 200
    assert "Write your answer." in response.text
    assert 'role="alert"' in response.text
    assert "Your files were not kept because the form had errors: please choose them again (photo.png)." in (
        " ".join(response.text.split())
    )
    asked.refresh_from_db()
    assert asked.status == RequestStatus.INFO_REQUESTED
    assert not RequestMessage.objects.filter(direction=MessageDirection.FROM_FAMILY).exists()
    assert not Evidence.objects.exists()


def test_it_refuses_a_disguised_file_and_keeps_nothing(client, asked, olena, evidence_root):
    client.force_login(olena.user)
    disguised = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a photo at all", content_type="image/jpeg")

    response = client.post(
        _answer(asked), {"body": "Here is his photo.", "links": "https://video.example.test/a", "files": [disguised]}
    )

    assert "“photo.jpg” cannot be accepted: only photos (JPEG, PNG, WebP) and PDF documents are accepted." in (
        response.text.replace("&ldquo;", "“").replace("&rdquo;", "”")
    )
    asked.refresh_from_db()
    assert asked.status == RequestStatus.INFO_REQUESTED
    assert not Evidence.objects.exists()
    assert not list(evidence_root.rglob("*.*"))


def test_it_refuses_a_file_over_10_mb(client, asked, olena, evidence_root):
    client.force_login(olena.user)
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")

    response = client.post(_answer(asked), {"body": "The scan", "files": [big]})

    assert "it is larger than 10 MB." in response.text
    asked.refresh_from_db()
    assert asked.status == RequestStatus.INFO_REQUESTED
    assert not Evidence.objects.exists()


def test_it_removes_the_stored_files_when_the_answer_is_refused(client, asked, olena, evidence_root, monkeypatch):
    def refuse(**kwargs):
        raise DomainError("No question is waiting for an answer on this request.", fields={"body": ["Too late."]})

    monkeypatch.setattr("families.views.cases.registration_request_answer", refuse)
    client.force_login(olena.user)

    response = client.post(_answer(asked), {"body": "Here", "links": "https://video.example.test/a", "files": [_png()]})

    assert "Too late." in response.text
    assert not Evidence.objects.exists()
    assert not list(evidence_root.rglob("*.*"))


def test_it_refuses_more_than_five_links_or_files(client, asked, olena, evidence_root):
    client.force_login(olena.user)
    links = "\n".join(f"https://video.example.test/{n}" for n in range(6))

    response = client.post(
        _answer(asked), {"body": "Many", "links": links, "files": [_png(f"p{n}.png") for n in range(6)]}
    )

    assert "Send at most 5 links at a time." in response.text
    assert "You can attach at most 5 files." in response.text
    assert not Evidence.objects.exists()


def test_it_refuses_a_link_that_is_not_a_web_address(client, asked, olena):
    client.force_login(olena.user)

    response = client.post(_answer(asked), {"body": "See this", "links": "javascript:alert(1)"})

    assert "is not a web address" in response.text
    assert not Evidence.objects.exists()


def test_it_refuses_an_answer_when_no_question_is_waiting(client, olena):
    request = _file(olena)
    client.force_login(olena.user)

    response = client.post(_answer(request), {"body": "Unasked"}, follow=True)

    assert "No question is waiting for an answer on this request." in response.text
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED
    assert not request.messages.exists()


def test_it_answers_through_the_request_page_only(client, asked, olena):
    client.force_login(olena.user)

    response = client.get(_answer(asked))

    assert response.status_code == 302
    assert response.url == _detail(asked)


# Withdrawing


def test_it_asks_before_withdrawing(client, olena):
    request = _file(olena)
    client.force_login(olena.user)

    page = client.get(_detail(request)).text
    confirm = client.get(_withdraw(request))

    assert _withdraw(request) in page
    assert confirm.status_code == 200
    assert "Withdraw the request?" in confirm.text
    assert request.reference in confirm.text
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_it_withdraws_a_request_with_a_reason(client, olena):
    request = _file(olena)
    client.force_login(olena.user)

    response = client.post(_withdraw(request), {"reason": "He called us: he is home."}, follow=True)

    assert response.redirect_chain[-1][0] == _detail(request)
    assert "Your request is withdrawn." in response.text
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN
    change = request.status_changes.get(new_status=RequestStatus.WITHDRAWN)
    assert change.reason == "He called us: he is home."
    assert change.actor == olena.user
    assert _withdraw(request) not in response.text


def test_it_refuses_to_withdraw_an_accepted_request(client, accepted, olena):
    client.force_login(olena.user)

    response = client.post(_withdraw(accepted), {"reason": "Changed my mind"}, follow=True)

    assert "This request is closed: it can no longer be withdrawn." in response.text
    accepted.refresh_from_db()
    assert accepted.status == RequestStatus.ACCEPTED
    assert not accepted.status_changes.filter(new_status=RequestStatus.WITHDRAWN).exists()


def test_it_takes_a_double_clicked_withdrawal_once(client, olena):
    request = _file(olena)
    client.force_login(olena.user)

    client.post(_withdraw(request))
    response = client.post(_withdraw(request), follow=True)

    assert "This request is already withdrawn." in response.text
    assert request.status_changes.filter(new_status=RequestStatus.WITHDRAWN).count() == 1


# Query counts: the same whatever the number of requests, changes, messages and evidence


def _long_history(member, carol, size: int, status: str) -> RegistrationRequest:
    prisoner = PrisonerFactory(status=CaseStatus.REGISTERED)
    request = RegistrationRequestFactory(
        filed_by=member, status=status, prisoner=prisoner if status == RequestStatus.ACCEPTED else None
    )
    Relationship.objects.create(
        family_member=member, prisoner=prisoner, kind="mother", verified_at=timezone.now(), verified_by=carol
    )
    ExchangeEntryFactory(prisoner=prisoner, exchange__inclusion_released_at=timezone.now())
    start = timezone.now() - datetime.timedelta(days=size + 1)
    for n in range(size):
        at = start + datetime.timedelta(days=n)
        RegistrationRequestFactory(filed_by=member)
        RequestStatusChange.objects.create(
            request=request, old_status="", new_status=RequestStatus.IN_REVIEW, created_at=at
        )
        link = Evidence.objects.create(kind=EvidenceKind.LINK, url=f"https://video.example.test/{n}")
        scan = Evidence.objects.create(
            kind=EvidenceKind.FILE,
            file=f"2026/01/{n}.pdf",
            original_name=f"scan-{n}.pdf",
            size=1000,
            content_type="application/pdf",
            sha256="a" * 64,
        )
        request.evidence.add(link, scan)
        for direction in MessageDirection.values:
            message = RequestMessage.objects.create(
                request=request, direction=direction, body=f"Message {n}", created_at=at
            )
            message.evidence.add(link, scan)
    return request


# User and family member (the session comes from the cache), then the requests (list); or the request, its
# status changes, messages, their evidence and its own evidence, and for a linked prisoner the verified
# relationship and released entry.
LIST_QUERIES = 3
DETAIL_QUERIES = {RequestStatus.ACCEPTED: 9, RequestStatus.INFO_REQUESTED: 7}


@pytest.mark.parametrize("size", [1, 10])
@pytest.mark.parametrize("status", [RequestStatus.ACCEPTED, RequestStatus.INFO_REQUESTED])
def test_it_reads_a_request_in_a_constant_number_of_queries(
    client, olena, carol, size, status, django_assert_num_queries
):
    request = _long_history(olena, carol, size, status)
    client.force_login(olena.user)

    with django_assert_num_queries(DETAIL_QUERIES[status]):
        response = client.get(_detail(request))

    assert response.status_code == 200
    assert response.text.count("scan-") == size * 3  # in the answers' evidence and in the list of evidence sent


@pytest.mark.parametrize("size", [1, 10])
def test_it_lists_requests_in_a_constant_number_of_queries(client, olena, carol, size, django_assert_num_queries):
    _long_history(olena, carol, size, RequestStatus.ACCEPTED)
    client.force_login(olena.user)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("families:request_list"))

    assert response.text.count('class="case-card"') == size + 1
