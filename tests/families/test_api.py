"""The family API under /api/v1/: the same actions as the pages, for one's own requests only."""

import datetime
import io
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from families.models import RegistrationRequest, RelationshipKind, RequestMessage, RequestStatus
from families.services import (
    registration_request_file,
    registration_request_set_status,
    relationship_create,
    relationship_verify,
)
from prisoners.evidence import evidence_link_create
from prisoners.models import Evidence, EvidenceKind
from tests.factories import FamilyMemberFactory, PrisonerFactory, request_data

LIST = reverse("api:request_list")


@pytest.fixture(autouse=True)
def evidence_dir(tmp_path, monkeypatch):
    """Evidence files land in a directory of the test's own, to count what is left on disk."""
    monkeypatch.setattr(Evidence._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    return tmp_path


def _files_on_disk(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()]


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def _session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def _png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _pdf(name="letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", content_type="application/pdf"
    )


def _filing(**overrides) -> dict:
    data = {
        "filer_relationship": RelationshipKind.MOTHER,
        "surname": "Ковальчук",
        "given_names": "Андрій",
        "date_of_birth": "1995-01-09",
        "capture_date": "2025-03-02",
        "unit": "72nd brigade",
        "consent": True,
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def _file(member, **overrides) -> RegistrationRequest:
    request, _code = registration_request_file(
        filed_by=member, actor=member.user, data=request_data(**overrides), consent=True
    )
    return request


def _detail(request: RegistrationRequest, action: str = "") -> str:
    return reverse(f"api:request_{action or 'detail'}", args=[request.reference])


def _asking(request: RegistrationRequest, carol, question="Please send a photo of his military ID.") -> None:
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(
        request=request, new_status=RequestStatus.INFO_REQUESTED, actor=carol, reason=question
    )


def _nothing_written() -> bool:
    return not RegistrationRequest.objects.exists() and not Evidence.objects.exists()


# Listing


def test_it_lists_only_the_callers_own_requests(olena, ivan):
    mine = _file(olena)
    _file(ivan, surname="Чужий")

    response = _token_client(olena.user).get(LIST)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    [item] = response.json()["results"]
    assert item["reference"] == mine.reference
    assert item["status"] == "submitted"
    assert item["status_label"] == "Received"
    assert "caseworker will review it" in item["status_explanation"]
    assert (item["surname"], item["given_names"]) == ("Ковальчук", "Андрій")
    assert {"created_at", "updated_at", "patronymic"} <= item.keys()


def test_it_lists_newest_first_in_pages(olena):
    for _ in range(3):
        _file(olena)

    response = _session_client(olena.user).get(LIST, {"page": 1})

    references = [item["reference"] for item in response.json()["results"]]
    assert references == sorted(references, reverse=True)
    assert response.json()["next"] is None


def test_it_lists_with_the_same_number_of_queries_for_one_request_or_ten(olena, django_assert_num_queries):
    client = _token_client(olena.user)
    _file(olena)
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for _ in range(9):
        _file(olena)

    with django_assert_num_queries(len(one)):
        response = client.get(LIST)

    assert response.json()["count"] == 10


# Filing


def test_it_files_a_request_as_json_with_links(olena):
    response = _token_client(olena.user).post(
        LIST, _filing(links=["https://video.example.test/captivity/1"]), format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(rf"HC-{timezone.now().year}-\d{{6}}", body["reference"])
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", body["access_code"])
    assert response["Location"] == reverse("api:request_detail", args=[body["reference"]])
    filed = RegistrationRequest.objects.get(reference=body["reference"])
    assert filed.filed_by == olena
    assert (filed.filer_name, filed.filer_email, filed.language) == ("Olena Testova", "olena@example.test", "uk")
    assert filed.capture_date == datetime.date(2025, 3, 2)
    assert [e.url for e in filed.evidence.all()] == ["https://video.example.test/captivity/1"]
    assert filed.status_changes.get().new_status == RequestStatus.SUBMITTED


@pytest.mark.parametrize(
    "links",
    [
        ["https://video.example.test/1", "https://video.example.test/2"],
        json.dumps(["https://video.example.test/1", "https://video.example.test/2"]),
    ],
    ids=["repeated-fields", "json-array"],
)
def test_it_files_a_request_as_multipart_with_files_and_links(olena, evidence_dir, links):
    response = _session_client(olena.user).post(
        LIST, {**_filing(), "links": links, "files": [_png(), _pdf()]}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    filed = RegistrationRequest.objects.get(reference=response.json()["reference"])
    files = filed.evidence.filter(kind=EvidenceKind.FILE)
    assert sorted(files.values_list("original_name", "content_type")) == [
        ("letter.pdf", "application/pdf"),
        ("photo.png", "image/png"),
    ]
    assert sorted(filed.evidence.filter(kind=EvidenceKind.LINK).values_list("url", flat=True)) == [
        "https://video.example.test/1",
        "https://video.example.test/2",
    ]
    assert len(_files_on_disk(evidence_dir)) == 2


def test_it_files_once_when_the_same_submission_key_is_sent_twice(olena, evidence_dir):
    client = _session_client(olena.user)
    key = str(uuid.uuid4())

    first = client.post(LIST, {**_filing(submission_key=key), "files": [_png()]}, format="multipart")
    again = client.post(LIST, {**_filing(submission_key=key), "files": [_png()]}, format="multipart")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert "access_code" not in again.json()
    assert RegistrationRequest.objects.count() == 1
    assert Evidence.objects.count() == 1
    assert len(_files_on_disk(evidence_dir)) == 1


def test_it_emails_the_receipt_with_the_code_once_the_request_is_filed(
    olena, mailoutbox, django_capture_on_commit_callbacks
):
    client = _token_client(olena.user)
    key = str(uuid.uuid4())

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(LIST, _filing(submission_key=key), format="json")
    with django_capture_on_commit_callbacks(execute=True) as retry_callbacks:
        client.post(LIST, _filing(submission_key=key), format="json")

    [mail] = mailoutbox
    assert mail.to == ["olena@example.test"]
    assert first.json()["reference"] in mail.body
    assert first.json()["access_code"] in mail.body
    assert retry_callbacks == []


def test_it_sends_no_receipt_for_a_refused_request(olena, mailoutbox, django_capture_on_commit_callbacks):
    client = _token_client(olena.user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(LIST, _filing(consent=False), format="json")

    assert callbacks == []
    assert mailoutbox == []


def test_it_refuses_a_submission_key_used_by_another_family(olena, ivan):
    key = str(uuid.uuid4())
    assert _token_client(olena.user).post(LIST, _filing(submission_key=key), format="json").status_code == 201

    response = _token_client(ivan.user).post(LIST, _filing(submission_key=key), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "submission_key_used"
    assert "reference" not in response.json()
    assert not RegistrationRequest.objects.filter(filed_by=ivan).exists()


@pytest.mark.parametrize(
    ("overrides", "code", "fields"),
    [
        ({"surname": "", "given_names": None}, "invalid", {"surname", "given_names"}),
        ({"consent": False}, "consent_required", {"consent"}),
        ({"date_of_birth": "2999-01-01", "capture_date": None}, "invalid", {"date_of_birth"}),
        ({"capture_date": "2999-01-01"}, "invalid", {"capture_date"}),
        ({"last_contact_on": "2999-01-01"}, "invalid", {"last_contact_on"}),
        ({"date_of_birth": "2025-04-01", "capture_date": "2025-03-02"}, "invalid", {"date_of_birth"}),
        ({"filer_relationship": "neighbour"}, "invalid", {"filer_relationship"}),
        ({"links": ["not a link"]}, "invalid", {"links"}),
        ({"party": "nowhere"}, "invalid", {"party"}),
        ({"submission_key": "not-a-uuid"}, "invalid", {"submission_key"}),
        ({"surname": "Kовальчук"}, "invalid", {"surname"}),
        ({"date_of_birth": "1850-01-01"}, "invalid", {"date_of_birth"}),
        ({"filer_phone": "call me"}, "invalid", {"filer_phone"}),
        ({"links": [f"https://video.example.test/{n}" for n in range(6)]}, "invalid", {"links"}),
    ],
    ids=[
        "no-name",
        "no-consent",
        "born-in-future",
        "captured-in-future",
        "last-contact-in-future",
        "born-after-capture",
        "unknown-relationship",
        "bad-link",
        "unknown-party",
        "bad-key",
        "mixed-scripts",
        "born-before-1900",
        "bad-phone",
        "too-many-links",
    ],
)
def test_it_refuses_bad_input_as_json_and_writes_nothing(olena, overrides, code, fields):
    response = _token_client(olena.user).post(
        LIST, _filing(**{"links": ["https://video.example.test/1"], **overrides}), format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert set(response.json()["fields"]) == fields
    assert response.json()["detail"]
    assert _nothing_written()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", b"#!/bin/sh\necho disguised as a photo\n"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"),
        ("empty.jpg", b""),
    ],
    ids=["disguised", "over-10-mb", "empty"],
)
def test_it_refuses_a_bad_file_and_leaves_no_file_behind(olena, evidence_dir, name, content):
    bad_file = SimpleUploadedFile(name, content, content_type="image/png")
    response = _session_client(olena.user).post(
        LIST, {**_filing(), "links": ["https://video.example.test/1"], "files": [_png(), bad_file]}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_file"
    assert set(response.json()["fields"]) == {"files"}
    assert bad_file.name in response.json()["detail"]
    assert _nothing_written()
    assert _files_on_disk(evidence_dir) == []


def test_it_refuses_more_than_five_files(olena, evidence_dir):
    response = _session_client(olena.user).post(
        LIST, {**_filing(), "files": [_png(f"{n}.png") for n in range(6)]}, format="multipart"
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"files"}
    assert _nothing_written()
    assert _files_on_disk(evidence_dir) == []


def test_it_deletes_the_stored_files_when_the_request_is_refused_after_them(olena, evidence_dir):
    response = _session_client(olena.user).post(
        LIST, {**_filing(consent=False), "files": [_png(), _pdf()]}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "consent_required"
    assert _nothing_written()
    assert _files_on_disk(evidence_dir) == []


def test_it_refuses_a_broken_json_array_of_links(olena):
    response = _session_client(olena.user).post(LIST, {**_filing(), "links": "[not json"}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"links"}
    assert _nothing_written()


# Reading one request


def test_it_shows_a_request_with_its_timeline_messages_and_evidence(olena, carol):
    link = evidence_link_create(url="https://video.example.test/captivity/1", actor=olena.user)
    request, _code = registration_request_file(
        filed_by=olena, actor=olena.user, data=request_data(), consent=True, evidence=[link]
    )
    _asking(request, carol)

    response = _token_client(olena.user).get(_detail(request))

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == request.reference
    assert body["status"] == "info_requested"
    assert body["status_label"] == "We need more information"
    assert (body["can_answer"], body["can_withdraw"]) == (True, True)
    assert [(entry["kind"], entry["title"]) for entry in body["timeline"]] == [
        ("status", "Received"),
        ("status", "Being reviewed"),
        ("status", "We need more information"),
        ("message", "From the caseworker"),
    ]
    assert body["messages"] == [
        {
            "direction": "to_family",
            "direction_label": "From the caseworker",
            "body": "Please send a photo of his military ID.",
            "created_at": body["messages"][0]["created_at"],
            "evidence": [],
        }
    ]
    assert [(e["kind"], e["url"]) for e in body["evidence"]] == [("link", "https://video.example.test/captivity/1")]
    assert body["relative_status"] is None
    assert body["rejection_reason"] == ""


def test_it_names_files_but_never_serves_them(olena, evidence_dir):
    created = _session_client(olena.user).post(LIST, {**_filing(), "files": [_pdf("scan.pdf")]}, format="multipart")

    response = _session_client(olena.user).get(reverse("api:request_detail", args=[created.json()["reference"]]))

    [evidence] = response.json()["evidence"]
    assert (evidence["kind"], evidence["file_name"], evidence["url"]) == ("file", "scan.pdf", "")
    stored_name = Evidence.objects.get().file.name
    assert stored_name not in response.content.decode()


def test_it_shows_the_relatives_status_only_once_the_relationship_is_verified(olena, carol):
    prisoner = PrisonerFactory(place_of_internment="Colony No. 7, Secret Town")
    request = _file(olena)
    registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=carol)
    registration_request_set_status(request=request, new_status=RequestStatus.ACCEPTED, actor=carol, prisoner=prisoner)
    relationship = relationship_create(
        family_member=olena, prisoner=prisoner, kind=RelationshipKind.MOTHER, actor=carol
    )
    client = _token_client(olena.user)

    unverified = client.get(_detail(request)).json()
    relationship_verify(relationship=relationship, actor=carol, reason="Birth certificate seen.")
    verified = client.get(_detail(request))

    assert unverified["relative_status"] is None
    assert verified.json()["relative_status"]["label"] == "We have your report"
    assert "Secret Town" not in verified.content.decode()


def test_it_reads_a_request_with_the_same_number_of_queries_for_one_message_or_ten(
    olena, carol, django_assert_num_queries
):
    client = _token_client(olena.user)
    small, large = _file(olena), _file(olena)
    _asking(small, carol)
    _asking(large, carol)
    for number in range(9):
        link = evidence_link_create(url=f"https://video.example.test/{number}", actor=olena.user)
        large.evidence.add(link)
        RequestMessage.objects.create(request=large, direction="from_family", body=f"More {number}").evidence.add(link)
    with CaptureQueriesContext(connection) as one:
        assert client.get(_detail(small)).status_code == 200

    with django_assert_num_queries(len(one)):
        response = client.get(_detail(large))

    assert len(response.json()["messages"]) == 10
    assert len(response.json()["evidence"]) == 9


# Answering


def test_it_answers_a_question_with_json(olena, carol):
    request = _file(olena)
    _asking(request, carol)

    response = _token_client(olena.user).post(
        _detail(request, "answer"),
        {"body": "Here is the video.", "links": ["https://video.example.test/2"]},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["direction"] == "from_family"
    assert [e["url"] for e in response.json()["evidence"]] == ["https://video.example.test/2"]
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_REVIEW
    assert request.evidence.get().url == "https://video.example.test/2"


def test_it_answers_a_question_with_files(olena, carol, evidence_dir):
    request = _file(olena)
    _asking(request, carol)

    response = _session_client(olena.user).post(
        _detail(request, "answer"), {"body": "His ID.", "files": [_png("id.png")]}, format="multipart"
    )

    assert response.status_code == 201
    assert [e["file_name"] for e in response.json()["evidence"]] == ["id.png"]
    assert len(_files_on_disk(evidence_dir)) == 1


def test_it_refuses_an_answer_when_no_question_waits_and_keeps_nothing(olena, evidence_dir):
    request = _file(olena)

    response = _session_client(olena.user).post(
        _detail(request, "answer"), {"body": "Unasked.", "files": [_png()]}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "no_question"
    assert set(response.json()["fields"]) == {"body"}
    assert not RequestMessage.objects.exists()
    assert not Evidence.objects.exists()
    assert _files_on_disk(evidence_dir) == []


@pytest.mark.parametrize(
    ("payload", "fields"),
    [({"body": "   "}, {"body"}), ({}, {"body"}), ({"body": "See this.", "links": ["javascript:alert(1)"]}, {"links"})],
    ids=["blank", "missing", "bad-link"],
)
def test_it_refuses_a_bad_answer(olena, carol, payload, fields):
    request = _file(olena)
    _asking(request, carol)

    response = _token_client(olena.user).post(_detail(request, "answer"), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == fields
    request.refresh_from_db()
    assert request.status == RequestStatus.INFO_REQUESTED
    assert not request.messages.filter(direction="from_family").exists()


def test_it_answers_in_the_clients_language(olena):
    request = _file(olena)

    response = _token_client(olena.user).post(
        _detail(request, "answer"), {"body": "Unasked."}, format="json", HTTP_ACCEPT_LANGUAGE="uk"
    )

    assert response.status_code == 400
    assert response["Content-Language"] == "uk"
    assert response.json()["code"] == "no_question"
    assert set(response.json()["fields"]) == {"body"}
    with translation.override("uk"):
        assert response.json()["detail"] == gettext("No question is waiting for an answer on this request.")


def test_it_explains_bad_input_in_the_clients_language(olena, carol):
    request = _file(olena)
    _asking(request, carol)

    response = _session_client(olena.user).post(
        _detail(request, "answer"), {"body": ""}, format="json", HTTP_ACCEPT_LANGUAGE="uk"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    with translation.override("uk"):
        assert response.json()["detail"] == gettext("Please correct the errors below.")
        assert response.json()["fields"] == {"body": [gettext("This field may not be blank.")]}


# Withdrawing


def test_it_withdraws_a_request_with_a_reason(olena):
    request = _file(olena)

    response = _session_client(olena.user).post(
        _detail(request, "withdraw"), {"reason": "He called home."}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_label"]) == ("withdrawn", "Withdrawn")
    change = request.status_changes.get(new_status=RequestStatus.WITHDRAWN)
    assert (change.reason, change.actor) == ("He called home.", olena.user)


def test_it_withdraws_without_a_reason(olena):
    request = _file(olena)

    response = _token_client(olena.user).post(_detail(request, "withdraw"), format="json")

    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN


def test_it_refuses_to_withdraw_a_closed_request(olena):
    request = _file(olena)
    client = _token_client(olena.user)
    client.post(_detail(request, "withdraw"), format="json")

    response = client.post(_detail(request, "withdraw"), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "same_status"
    assert request.status_changes.count() == 2


def test_it_refuses_an_overlong_withdrawal_reason(olena):
    request = _file(olena)

    response = _token_client(olena.user).post(_detail(request, "withdraw"), {"reason": "x" * 2001}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"reason"}
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


# The attacker's side


@pytest.fixture
def olenas_request(olena, carol):
    request = _file(olena)
    _asking(request, carol)
    return request


def _reference_calls(client, reference):
    return [
        client.get(reverse("api:request_detail", args=[reference])),
        client.post(reverse("api:request_answer", args=[reference]), {"body": "Mine now."}, format="json"),
        client.post(reverse("api:request_withdraw", args=[reference]), {"reason": "Gone."}, format="json"),
    ]


def test_it_hides_another_familys_request_exactly_like_a_missing_one(olenas_request, ivan):
    client = _token_client(ivan.user)

    theirs = _reference_calls(client, olenas_request.reference)
    missing = _reference_calls(client, "HC-2026-999999")

    assert [r.status_code for r in theirs] == [404, 404, 404]
    assert [r.json() for r in theirs] == [r.json() for r in missing]
    olenas_request.refresh_from_db()
    assert olenas_request.status == RequestStatus.INFO_REQUESTED
    assert not olenas_request.messages.filter(direction="from_family").exists()


def test_it_finds_a_reference_only_as_written_by_the_family_who_filed_it(olenas_request, ivan):
    guessed = olenas_request.reference[:-1] + str((int(olenas_request.reference[-1]) + 1) % 10)

    assert _token_client(ivan.user).get(reverse("api:request_detail", args=[guessed])).status_code == 404
    assert _token_client(ivan.user).get(LIST).json()["count"] == 0


def test_it_turns_away_anonymous_visitors(olenas_request):
    client = APIClient()

    responses = [client.get(LIST), client.post(LIST, _filing(), format="json")]
    responses += _reference_calls(client, olenas_request.reference)

    assert {r.status_code for r in responses} <= {401, 403}
    assert all(olenas_request.reference not in r.content.decode() for r in responses)
    assert RegistrationRequest.objects.count() == 1


def test_it_turns_away_a_bad_token(olenas_request):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert client.get(_detail(olenas_request)).status_code in {401, 403}


@pytest.mark.parametrize("persona", ["carol", "cole", "ada", "oscar"])
def test_it_keeps_staff_and_outsiders_out_of_family_requests(olenas_request, persona, request):
    client = _session_client(request.getfixturevalue(persona))

    collection = [client.get(LIST), client.post(LIST, _filing(), format="json")]
    reference = _reference_calls(client, olenas_request.reference)

    assert [r.status_code for r in collection] == [403, 403]
    assert [r.status_code for r in reference] == [404, 404, 404]
    assert RegistrationRequest.objects.count() == 1
    olenas_request.refresh_from_db()
    assert olenas_request.status == RequestStatus.INFO_REQUESTED


def test_it_keeps_out_a_family_account_without_a_profile(olenas_request):
    member = FamilyMemberFactory()
    user = member.user
    member.delete()

    assert _token_client(user).get(LIST).status_code == 403


# The schema


def test_it_publishes_a_schema_that_validates_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", os.devnull],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_it_serves_the_schema_and_the_docs(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert {"/api/v1/requests/", "/api/v1/requests/{reference}/answer/"} <= paths.keys()
    assert set(paths["/api/v1/requests/"]["post"]["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    assert docs.status_code == 200
