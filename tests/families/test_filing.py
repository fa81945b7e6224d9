"""Filing a registration request on /my/requests/new/, and the page that shows its code once."""

import datetime
import io
import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from PIL import Image

from core.errors import DomainError
from families.models import FAMILY_FACING_REQUEST_STATUS, RegistrationRequest, RequestStatus
from families.selectors import registration_request_by_code
from prisoners.evidence import MAX_EVIDENCE_FILE_SIZE
from prisoners.models import DateAccuracy, Evidence, EvidenceKind
from tests.factories import PartyFactory, RegistrationRequestFactory

NEW = reverse("families:request_new")
REFERENCE = re.compile(r"HC-\d{4}-\d{6}")
ACCESS_CODE = re.compile(r"\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b")


@pytest.fixture(autouse=True)
def _evidence_root(evidence_root):
    return evidence_root


def _image(name="photo.jpg", image_format="JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _pdf(name="letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n", "application/pdf")


def _stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _submission_key(client) -> str:
    response = client.get(NEW)
    return re.search(r'name="submission_key" value="([^"]+)"', response.text).group(1)


def _form(client, **overrides) -> dict:
    data = {
        "submission_key": _submission_key(client),
        "surname": "Ковальчук",
        "given_names": "Андрій",
        "filer_name": "Olena Testova",
        "filer_email": "olena@example.test",
        "filer_relationship": "mother",
        "language": "uk",
        "consent": "on",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def _errors_of(response, field: str) -> str:
    match = re.search(rf'<ul class="errors" id="id_{field}_error" role="alert">(.*?)</ul>', response.text, re.S)
    return match.group(1) if match else ""


@pytest.fixture
def signed_in(client, olena):
    client.force_login(olena.user)
    return client


def test_it_shows_the_form_with_the_filer_prefilled(signed_in, olena):
    response = signed_in.get(NEW)

    assert response.status_code == 200
    assert 'value="Olena Testova"' in response.text
    assert f'value="{olena.user.email}"' in response.text
    assert 'enctype="multipart/form-data"' in response.text
    assert 'accept="image/jpeg,image/png,image/webp,application/pdf"' in response.text
    assert re.search(r'<input type="file" name="files"[^>]* multiple', response.text)
    assert re.search(r'name="submission_key" value="[0-9a-f-]{36}"', response.text)
    assert "no-store" in response["Cache-Control"]


def test_it_gives_each_form_its_own_submission_key(signed_in):
    assert _submission_key(signed_in) != _submission_key(signed_in)


def test_it_files_a_request_with_evidence_and_shows_the_code_once(
    signed_in, olena, mailoutbox, django_capture_on_commit_callbacks, evidence_root
):
    party = PartyFactory(code="own", name="Fictional Republic")
    data = _form(
        signed_in,
        patronymic="Петрович",
        birth_month="5",
        birth_year="1994",
        party=str(party.pk),
        unit="Fictional brigade 12",
        military_status="mobilised",
        capture_date="2025-03-02",
        capture_place="near Testville",
        circumstances="A comrade saw him taken.",
        link_1="youtube.example/watch?v=abc",
        link_1_identified_by="his brother",
        link_1_identified_on="2025-03-10",
        language="ru",
    )
    data["files"] = [_image(), _pdf()]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(NEW, data)

    filed = RegistrationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("families:request_filed", args=[filed.reference])
    assert REFERENCE.fullmatch(filed.reference)
    assert filed.status == RequestStatus.SUBMITTED
    assert filed.filed_by == olena
    assert (filed.surname, filed.given_names, filed.patronymic) == ("Ковальчук", "Андрій", "Петрович")
    assert (filed.date_of_birth, filed.date_of_birth_accuracy) == (datetime.date(1994, 5, 1), DateAccuracy.MONTH)
    assert (filed.party, filed.unit, filed.military_status) == (party, "Fictional brigade 12", "mobilised")
    assert filed.capture_date == datetime.date(2025, 3, 2)
    assert filed.language == "ru"
    evidence = {item.kind: item for item in filed.evidence.all()}
    assert len(filed.evidence.all()) == 3
    link = evidence[EvidenceKind.LINK]
    assert (link.url, link.identified_by) == ("https://youtube.example/watch?v=abc", "his brother")
    assert sorted(item.content_type for item in filed.evidence.filter(kind=EvidenceKind.FILE)) == [
        "application/pdf",
        "image/jpeg",
    ]
    assert len(_stored_files(evidence_root)) == 2

    page = signed_in.get(response["Location"])
    assert filed.reference in page.text
    access_code = ACCESS_CODE.search(page.text).group(0)
    assert page["Cache-Control"].startswith("max-age=0")
    assert registration_request_by_code(reference=filed.reference, access_code=access_code) == filed

    reload = signed_in.get(response["Location"])
    assert filed.reference in reload.text
    assert access_code not in reload.text
    assert "shown once" in reload.text

    [mail] = mailoutbox
    assert mail.to == ["olena@example.test"]
    assert filed.reference in mail.subject
    assert filed.reference in mail.body
    assert access_code in mail.body
    assert "http://testserver" + reverse("families:lookup") in mail.body
    with translation.override("ru"):
        what_next = str(FAMILY_FACING_REQUEST_STATUS[RequestStatus.SUBMITTED][1])
    assert what_next in mail.body


@pytest.mark.parametrize("language", ["en", "ru", "uk"])
def test_it_writes_the_receipt_in_the_language_chosen(
    signed_in, mailoutbox, django_capture_on_commit_callbacks, language
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(NEW, _form(signed_in, language=language))

    with translation.override(language):
        assert str(FAMILY_FACING_REQUEST_STATUS[RequestStatus.SUBMITTED][1]) in mailoutbox[0].body


@pytest.mark.parametrize(
    ("day", "month", "year", "born", "accuracy"),
    [
        ("", "", "1994", datetime.date(1994, 1, 1), DateAccuracy.YEAR),
        ("", "5", "1994", datetime.date(1994, 5, 1), DateAccuracy.MONTH),
        ("17", "5", "1994", datetime.date(1994, 5, 17), DateAccuracy.DAY),
        ("", "", "", None, DateAccuracy.DAY),
    ],
)
def test_it_takes_the_date_of_birth_as_far_as_it_is_known(signed_in, day, month, year, born, accuracy):
    response = signed_in.post(NEW, _form(signed_in, birth_day=day, birth_month=month, birth_year=year))

    assert response.status_code == 302
    filed = RegistrationRequest.objects.get()
    assert (filed.date_of_birth, filed.date_of_birth_accuracy) == (born, accuracy)


def test_it_takes_latin_names(signed_in):
    signed_in.post(NEW, _form(signed_in, surname="O'Brien-Kovalchuk", given_names="Andrii"))

    assert RegistrationRequest.objects.get().surname == "O'Brien-Kovalchuk"


TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"surname": ""}, "surname", "This field is required."),
        ({"given_names": "   "}, "given_names", "This field is required."),
        ({"surname": "Kovalchuk2"}, "surname", "Use letters only"),
        ({"surname": "Kовальчук"}, "surname", "not a mix of both"),
        ({"patronymic": "<script>"}, "patronymic", "Use letters only"),
        ({"capture_date": TOMORROW}, "capture_date", "This date is in the future."),
        ({"last_contact_on": "yesterday"}, "last_contact_on", "Enter a valid date."),
        ({"birth_year": "1994", "capture_date": "1990-01-01"}, "birth_year", "cannot be after the date of capture"),
        ({"birth_year": str(timezone.localdate().year + 1)}, "birth_year", "This date is in the future."),
        ({"birth_year": "1850"}, "birth_year", "greater than or equal to 1900"),
        ({"birth_day": "3"}, "birth_year", "Give the year too"),
        ({"birth_day": "3", "birth_year": "1994"}, "birth_month", "Give the month too"),
        ({"birth_day": "31", "birth_month": "2", "birth_year": "1994"}, "birth_day", "no such day"),
        ({"birth_month": "13", "birth_year": "1994"}, "birth_month", "Select a valid choice."),
        ({"party": "999999"}, "party", "Select a valid choice."),
        ({"military_status": "general"}, "military_status", "Select a valid choice."),
        ({"link_1": "not a link"}, "link_1", "Enter a valid URL."),
        ({"link_2_identified_by": "his brother"}, "link_2", "Add the link"),
        ({"link_1": "https://video.example/1", "link_1_identified_on": TOMORROW}, "link_1_identified_on", "future"),
        ({"filer_name": ""}, "filer_name", "This field is required."),
        ({"filer_email": "olena@"}, "filer_email", "Enter a valid email address."),
        ({"filer_email": ""}, "filer_email", "This field is required."),
        ({"filer_phone": "call me"}, "filer_phone", "Enter a phone number"),
        ({"filer_relationship": ""}, "filer_relationship", "This field is required."),
        ({"filer_relationship": "boss"}, "filer_relationship", "Select a valid choice."),
        ({"language": "de"}, "language", "Select a valid choice."),
        ({"consent": None}, "consent", "Please give your consent"),
    ],
)
def test_it_refuses_bad_input_next_to_the_field_and_keeps_what_was_typed(
    signed_in, mailoutbox, evidence_root, overrides, field, message
):
    data = _form(signed_in, circumstances="He called on the 1st.", unit="Fictional brigade 12", **overrides)

    response = signed_in.post(NEW, data)

    assert response.status_code == 200
    assert message in _errors_of(response, field)
    assert f'href="#id_{field}"' in response.text  # the summary at the top links to the field
    assert re.search(rf'id="id_{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_{field}"', response.text)
    assert "He called on the 1st." in response.text
    assert 'value="Fictional brigade 12"' in response.text
    assert not RegistrationRequest.objects.exists()
    assert not Evidence.objects.exists()
    assert not _stored_files(evidence_root)
    assert not mailoutbox


def test_it_lists_every_error_at_the_top_in_page_order(signed_in):
    data = _form(signed_in, surname="", birth_day="3", link_2_identified_by="his brother", consent=None)

    response = signed_in.post(NEW, data)

    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', response.text, re.S).group(0)
    labels = re.findall(r'<a href="#id_\w+">([^:]+):', summary)
    assert labels == ["Surname", "Date of birth", "Link 2", "Your consent"]


def test_it_says_the_errors_in_the_page_language(signed_in):
    response = signed_in.post(NEW, _form(signed_in, surname=""), HTTP_ACCEPT_LANGUAGE="uk")

    with translation.override("uk"):
        required = gettext("This field is required.")
    assert required != "This field is required."
    assert escape(required) in _errors_of(response, "surname")


def _oversized(name="big.jpg") -> SimpleUploadedFile:
    image = _image(name).read()
    return SimpleUploadedFile(name, image + b"\0" * (MAX_EVIDENCE_FILE_SIZE + 1 - len(image)), "image/jpeg")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (_oversized, "“big.jpg” cannot be accepted: it is larger than 10 MB."),
        (
            lambda: SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
            "“photo.jpg” cannot be accepted: only photos (JPEG, PNG, WebP) and PDF documents are accepted.",
        ),
        (
            lambda: SimpleUploadedFile("scan.pdf", b"this is no PDF at all", "application/pdf"),
            "“scan.pdf” cannot be accepted: only photos (JPEG, PNG, WebP) and PDF documents are accepted.",
        ),
        (
            lambda: SimpleUploadedFile("cut.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n", "application/pdf"),
            "“cut.pdf” cannot be accepted: the PDF is incomplete or damaged.",
        ),
        (
            lambda: SimpleUploadedFile("empty.png", b"", "image/png"),
            "“empty.png” cannot be accepted: the file is empty.",
        ),
    ],
)
def test_it_refuses_an_oversized_or_disguised_file_by_name(signed_in, mailoutbox, evidence_root, upload, message):
    data = _form(signed_in)
    data["files"] = [_image("fine.png", "PNG"), upload()]

    response = signed_in.post(NEW, data)

    assert response.status_code == 200
    assert message in _errors_of(response, "files")
    assert "fine.png" not in _errors_of(response, "files")
    assert "please choose them again" in response.text
    assert not RegistrationRequest.objects.exists()
    assert not Evidence.objects.exists()
    assert not _stored_files(evidence_root)
    assert not mailoutbox


def test_it_refuses_more_than_five_files(signed_in):
    data = _form(signed_in)
    data["files"] = [_image(f"photo{number}.jpg") for number in range(6)]

    response = signed_in.post(NEW, data)

    assert "You can attach at most 5 files." in _errors_of(response, "files")
    assert not RegistrationRequest.objects.exists()


def test_it_asks_for_the_files_again_when_another_field_fails(signed_in, evidence_root):
    data = _form(signed_in, surname="")
    data["files"] = [_image("brother.jpg"), _pdf("letter.pdf")]

    response = signed_in.post(NEW, data)

    assert "please choose them again (brother.jpg, letter.pdf)" in response.text
    assert not _errors_of(response, "files")
    assert not _stored_files(evidence_root)


def test_it_does_not_mention_files_when_none_were_chosen(signed_in):
    response = signed_in.post(NEW, _form(signed_in, surname=""))

    assert "please choose them again" not in response.text


def test_it_files_a_double_submitted_form_once(
    signed_in, mailoutbox, django_capture_on_commit_callbacks, evidence_root
):
    data = _form(signed_in, link_1="https://video.example/1")

    with django_capture_on_commit_callbacks(execute=True):
        first = signed_in.post(NEW, {**data, "files": [_image()]})
    with django_capture_on_commit_callbacks(execute=True):
        second = signed_in.post(NEW, {**data, "files": [_image()]})

    filed = RegistrationRequest.objects.get()
    assert first["Location"] == second["Location"] == reverse("families:request_filed", args=[filed.reference])
    assert len(mailoutbox) == 1
    assert Evidence.objects.count() == 2
    assert len(_stored_files(evidence_root)) == 1
    # The code, kept by the first submit, is still shown once.
    assert ACCESS_CODE.search(signed_in.get(second["Location"]).text)


def test_it_files_a_form_that_lost_its_submission_key(signed_in):
    response = signed_in.post(NEW, _form(signed_in, submission_key="not-a-key"))

    assert response.status_code == 302
    assert RegistrationRequest.objects.get().submission_key is not None


def test_it_keeps_nothing_when_filing_fails_after_the_evidence_is_stored(
    signed_in, mailoutbox, django_capture_on_commit_callbacks, evidence_root, monkeypatch
):
    def refuse(**kwargs):
        raise DomainError("Refused for the test.", fields={"date_of_birth": ["Not that date."]})

    monkeypatch.setattr("families.views.filing.registration_request_file", refuse)
    data = _form(signed_in, link_1="https://video.example/1", birth_year="1994")
    data["files"] = [_image(), _pdf()]

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(NEW, data)

    assert response.status_code == 200
    assert "Not that date." in _errors_of(response, "birth_year")
    assert "please choose them again" in response.text
    assert not Evidence.objects.exists()
    assert not _stored_files(evidence_root)
    assert not mailoutbox


def test_it_keeps_the_request_when_the_receipt_cannot_be_sent(
    signed_in, smtp_server, django_capture_on_commit_callbacks, caplog
):
    smtp_server.mailbox.refuse["olena@example.test"] = "550 5.1.1 no such user olena@example.test"

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(NEW, _form(signed_in))

    filed = RegistrationRequest.objects.get()
    assert response.status_code == 302
    assert ACCESS_CODE.search(signed_in.get(response["Location"]).text)
    assert f"Receipt for request {filed.reference} not sent: SMTP refused the recipient (550)" in caplog.text
    assert "olena" not in caplog.text.lower()
    assert "Ковальчук" not in caplog.text
    # The receipt is the filer's first notice: it is recorded as refused, for staff to see.
    notice = filed.notifications.get()
    assert (notice.state, notice.last_error) == ("failed", "SMTP refused the recipient (550)")
    assert smtp_server.mailbox.messages == []


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    for response in (
        client.get(NEW),
        client.post(NEW, {}),
        client.get(reverse("families:request_filed", args=["HC-2026-000001"])),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not RegistrationRequest.objects.exists()


@pytest.mark.parametrize("persona", ["carol", "oscar"])
def test_it_shows_staff_and_outsiders_nothing(client, request, olena, persona):
    filed = RegistrationRequestFactory(filed_by=olena)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(NEW).status_code == 404
    assert client.post(NEW, {"surname": "Test"}).status_code == 404
    assert client.get(reverse("families:request_filed", args=[filed.reference])).status_code == 404
    assert RegistrationRequest.objects.count() == 1


def test_it_hides_another_familys_request_and_its_code(client, olena, ivan):
    client.force_login(olena.user)
    filed_page = client.post(NEW, _form(client))["Location"]
    other_family = Client()
    other_family.force_login(ivan.user)

    assert other_family.get(filed_page).status_code == 404
    assert other_family.get(reverse("families:request_filed", args=["HC-2026-999999"])).status_code == 404
    assert ACCESS_CODE.search(client.get(filed_page).text)


def test_it_builds_the_form_in_a_constant_number_of_queries(signed_in, olena):
    with CaptureQueriesContext(connection) as few:
        signed_in.get(NEW)
    for number in range(5):
        PartyFactory(code=f"party{number}")
        RegistrationRequestFactory(filed_by=olena)

    with CaptureQueriesContext(connection) as many:
        signed_in.get(NEW)

    assert len(many) == len(few)
