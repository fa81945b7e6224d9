"""The official-registration track: its services, its pages, the overdue list and the printable submission."""

import base64
import datetime
import re
import time
import zlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import DomainError
from core.models import AuditEvent
from prisoners.models import CaseStatus, Evidence, NameVariant, OfficialSubmission, Prisoner, StatusChange
from prisoners.services import (
    official_submission_acknowledge,
    official_submission_confirm,
    official_submission_create,
)
from tests.factories import PrisonerFactory, RegistrationRequestFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def submission_data(**overrides) -> dict:
    data = {
        "authority": "icrc",
        "channel": "email",
        "reference": "",
        "submitted_on": days(-3),
        "acknowledgement_due_on": days(11),
        "note": "",
    }
    data.update(overrides)
    return data


def submit(prisoner, actor, **overrides) -> OfficialSubmission:
    return official_submission_create(prisoner=prisoner, actor=actor, data=submission_data(**overrides))


def state() -> tuple:
    """What a refused action must leave as it was."""
    return (
        list(OfficialSubmission.objects.order_by("pk").values()),
        list(Prisoner.objects.order_by("pk").values()),
        StatusChange.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def prisoner(db):
    return PrisonerFactory(surname="Чистяков", given_names="Николай", patronymic="Петрович")


@pytest.fixture
def sent(prisoner, carol) -> OfficialSubmission:
    return submit(prisoner, carol, reference="ICRC-0001")


# Services


def test_it_records_a_submission_and_audits_it(prisoner, carol):
    submission = submit(prisoner, carol, reference="NIB-77")

    assert (submission.stage, submission.due_on, submission.created_by) == ("submitted", days(11), carol)
    assert AuditEvent.objects.filter(action="prisoner.submission_recorded", target_id=str(prisoner.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"submitted_on": days(1), "acknowledgement_due_on": days(10)}, "submitted_on"),
        ({"acknowledgement_due_on": days(-4)}, "acknowledgement_due_on"),
        ({"authority": "martians"}, "authority"),
    ],
)
def test_it_refuses_a_submission_with_bad_dates_or_choices(prisoner, carol, overrides, field):
    before = state()

    with pytest.raises(DomainError) as refused:
        submit(prisoner, carol, **overrides)

    assert field in refused.value.fields
    assert state() == before


def test_it_refuses_a_second_open_submission_to_the_same_authority(sent, prisoner, carol):
    before = state()

    with pytest.raises(DomainError) as refused:
        submit(prisoner, carol)

    assert "already waiting for an answer from this authority" in str(refused.value.fields)
    assert state() == before
    assert submit(prisoner, carol, authority="national").authority == "national"


@pytest.mark.parametrize("status", [CaseStatus.RETURNED, CaseStatus.DECEASED])
def test_it_refuses_to_submit_a_closed_case(carol, status):
    prisoner = PrisonerFactory(status=status)
    before = state()

    with pytest.raises(DomainError) as refused:
        submit(prisoner, carol)

    assert refused.value.code == "not_submittable"
    assert state() == before


def test_it_records_an_acknowledgement(sent, carol):
    official_submission_acknowledge(
        submission=sent, actor=carol, acknowledged_on=days(-1), confirmation_due_on=days(29), reference="ICRC-0002"
    )

    sent.refresh_from_db()
    assert (sent.stage, sent.due_on, sent.reference, sent.version) == ("acknowledged", days(29), "ICRC-0002", 2)


@pytest.mark.parametrize(
    ("acknowledged_on", "confirmation_due_on", "field"),
    [
        (days(-4), days(20), "acknowledged_on"),
        (days(1), days(20), "acknowledged_on"),
        (days(-1), days(-2), "confirmation_due_on"),
    ],
)
def test_it_refuses_an_acknowledgement_with_impossible_dates(sent, carol, acknowledged_on, confirmation_due_on, field):
    before = state()

    with pytest.raises(DomainError) as refused:
        official_submission_acknowledge(
            submission=sent, actor=carol, acknowledged_on=acknowledged_on, confirmation_due_on=confirmation_due_on
        )

    assert field in refused.value.fields
    assert state() == before


def test_it_refuses_a_second_acknowledgement(sent, carol):
    official_submission_acknowledge(submission=sent, actor=carol, acknowledged_on=TODAY, confirmation_due_on=days(30))
    before = state()

    with pytest.raises(DomainError) as refused:
        official_submission_acknowledge(
            submission=sent, actor=carol, acknowledged_on=TODAY, confirmation_due_on=days(9)
        )

    assert refused.value.code == "already_answered"
    assert state() == before


def test_a_confirmation_registers_a_reported_case_through_capture_confirmed(sent, prisoner, carol):
    official_submission_confirm(submission=sent, actor=carol, confirmed_on=TODAY)

    prisoner.refresh_from_db()
    assert prisoner.status == CaseStatus.REGISTERED
    steps = list(StatusChange.objects.filter(prisoner=prisoner).order_by("id").values_list("old_status", "new_status"))
    assert steps == [("reported", "capture_confirmed"), ("capture_confirmed", "registered")]
    assert set(StatusChange.objects.filter(prisoner=prisoner).values_list("source", flat=True)) == {"icrc"}
    sent.refresh_from_db()
    assert (sent.stage, sent.acknowledged_on, sent.confirmed_on) == ("confirmed", TODAY, TODAY)


def test_it_refuses_a_second_confirmation(sent, carol):
    official_submission_confirm(submission=sent, actor=carol, confirmed_on=TODAY)
    before = state()

    with pytest.raises(DomainError) as refused:
        official_submission_confirm(submission=sent, actor=carol, confirmed_on=TODAY)

    assert refused.value.code == "already_answered"
    assert state() == before


@pytest.mark.parametrize("confirmed_on", [days(-4), days(1)])
def test_it_refuses_a_confirmation_before_the_submission_or_in_the_future(sent, carol, confirmed_on):
    before = state()

    with pytest.raises(DomainError) as refused:
        official_submission_confirm(submission=sent, actor=carol, confirmed_on=confirmed_on)

    assert "confirmed_on" in refused.value.fields
    assert state() == before


@pytest.mark.parametrize("status", [CaseStatus.RETURNED, CaseStatus.DECEASED])
def test_it_refuses_to_register_a_case_that_has_ended_meanwhile(sent, prisoner, carol, status):
    Prisoner.objects.filter(pk=prisoner.pk).update(status=status)
    before = state()

    with pytest.raises(DomainError) as refused:
        official_submission_confirm(submission=sent, actor=carol, confirmed_on=TODAY)

    assert refused.value.code == "not_registrable"
    assert state() == before


def test_it_refuses_a_stale_answer(sent, carol):
    before = state()

    with pytest.raises(DomainError) as refused:
        official_submission_confirm(submission=sent, actor=carol, confirmed_on=TODAY, version=sent.version + 1)

    assert refused.value.code == "stale"
    assert state() == before


# Pages


def test_the_record_page_partial_offers_answers_to_a_caseworker_only(sent, prisoner, rf, carol):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = carol
    with translation.override("en"):
        editable = render_to_string(
            "staff/track/_track.html", {"prisoner": prisoner, "submissions": [sent], "can_edit": True}, request
        )
        readonly = render_to_string(
            "staff/track/_track.html", {"prisoner": prisoner, "submissions": [sent], "can_edit": False}, request
        )

    assert reverse("staff:submission_acknowledge", args=[sent.pk]) in editable
    assert f'value="{days(30).isoformat()}"' in editable
    assert reverse("staff:submission_acknowledge", args=[sent.pk]) not in readonly
    assert "ICRC-0001" in readonly and reverse("staff:submission_pdf", args=[prisoner.pk]) in readonly


def test_the_new_submission_form_has_the_usual_deadline(client, carol, prisoner):
    client.force_login(carol)

    response = client.get(reverse("staff:submission_new", args=[prisoner.pk]))

    assert response.status_code == 200
    assert f'value="{days(14).isoformat()}"' in response.content.decode()


def test_a_caseworker_records_a_submission_from_the_page(client, carol, prisoner):
    client.force_login(carol)
    data = {**submission_data(reference="NIB-5"), "submitted_on": days(-1), "acknowledgement_due_on": days(13)}

    response = client.post(reverse("staff:submission_new", args=[prisoner.pk]), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:prisoner_detail", args=[prisoner.pk])
    assert OfficialSubmission.objects.get(prisoner=prisoner).reference == "NIB-5"


def test_the_page_shows_why_a_submission_is_refused(client, carol, sent, prisoner):
    client.force_login(carol)
    before = state()

    with translation.override("en"):
        response = client.post(reverse("staff:submission_new", args=[prisoner.pk]), submission_data())

    assert response.status_code == 400
    assert "already waiting for an answer from this authority" in response.content.decode()
    assert state() == before


def test_a_caseworker_records_an_acknowledgement_then_a_confirmation(client, carol, sent, prisoner):
    client.force_login(carol)

    acknowledged = client.post(
        reverse("staff:submission_acknowledge", args=[sent.pk]),
        {"version": sent.version, "acknowledged_on": TODAY, "confirmation_due_on": days(30), "reference": ""},
    )
    confirmed = client.post(
        reverse("staff:submission_confirm", args=[sent.pk]),
        {"version": sent.version + 1, "confirmed_on": TODAY, "note": "Listed by the ICRC."},
    )

    assert acknowledged.status_code == confirmed.status_code == 302
    sent.refresh_from_db()
    prisoner.refresh_from_db()
    assert (sent.reference, sent.stage, prisoner.status) == ("ICRC-0001", "confirmed", CaseStatus.REGISTERED)
    assert StatusChange.objects.filter(prisoner=prisoner, reason="Listed by the ICRC.").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"acknowledged_on": days(-9), "confirmation_due_on": days(30)}, "cannot be acknowledged before it was sent"),
        ({"acknowledged_on": TODAY, "confirmation_due_on": days(-1)}, "cannot be due before the acknowledgement"),
        ({"acknowledged_on": "not a date", "confirmation_due_on": days(30)}, "Enter a valid date"),
        ({"acknowledged_on": TODAY, "confirmation_due_on": days(30), "version": 9}, "Someone else changed"),
    ],
)
def test_a_refused_answer_shows_its_form_again(client, carol, sent, data, message):
    client.force_login(carol)
    before = state()

    with translation.override("en"):
        response = client.post(
            reverse("staff:submission_acknowledge", args=[sent.pk]), {"version": sent.version, **data}
        )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert state() == before


def test_a_confirmation_of_a_case_that_has_ended_is_refused_on_the_page(client, carol, sent, prisoner):
    Prisoner.objects.filter(pk=prisoner.pk).update(status=CaseStatus.DECEASED)
    client.force_login(carol)
    before = state()

    with translation.override("en"):
        response = client.post(
            reverse("staff:submission_confirm", args=[sent.pk]), {"version": sent.version, "confirmed_on": TODAY}
        )

    assert response.status_code == 400
    assert "cannot be registered" in response.content.decode()
    assert state() == before


# The overdue list


def _overdue_fixture(carol):
    """One submission late for acknowledgement, one late for confirmation, and some on time."""
    late_ack = submit(
        PrisonerFactory(surname="Лаптев", given_names="Олег"),
        carol,
        submitted_on=days(-30),
        acknowledgement_due_on=days(-16),
    )
    late_confirm = submit(
        PrisonerFactory(surname="Zarubin", given_names="Ivan"),
        carol,
        submitted_on=days(-60),
        acknowledgement_due_on=days(-46),
    )
    official_submission_acknowledge(
        submission=late_confirm, actor=carol, acknowledged_on=days(-50), confirmation_due_on=days(-5)
    )
    on_time = submit(PrisonerFactory(surname="Ontimov", given_names="Petro"), carol)
    confirmed = submit(
        PrisonerFactory(surname="Donenko", given_names="Yurii"),
        carol,
        submitted_on=days(-60),
        acknowledgement_due_on=days(-50),
    )
    official_submission_confirm(submission=confirmed, actor=carol, confirmed_on=days(-2))
    return late_ack, late_confirm, on_time, confirmed


def test_the_overdue_list_shows_late_answers_oldest_deadline_first(client, cole, carol):
    late_ack, late_confirm, _on_time, _confirmed = _overdue_fixture(carol)
    RegistrationRequestFactory(status="submitted", status_changed_at=timezone.now() - datetime.timedelta(days=30))
    client.force_login(cole)

    with translation.override("en"):
        response = client.get(reverse("staff:submissions_overdue"))

    assert response.status_code == 200
    rows = [(row.pk, row.overdue_by.days) for row in response.context["page"]]
    assert rows == [(late_ack.pk, 16), (late_confirm.pk, 5)]
    html = response.content.decode()
    assert "Ontimov" not in html and "Donenko" not in html
    assert reverse("staff:prisoner_detail", args=[late_ack.prisoner_id]) in html
    assert response.context["requests_overdue"] == 1
    assert f"{reverse('staff:request_queue')}?overdue=on" in html


def test_the_overdue_list_runs_the_same_queries_for_one_or_many(client, carol, ada):
    client.force_login(ada)
    submit(PrisonerFactory(), carol, submitted_on=days(-30), acknowledgement_due_on=days(-16))
    client.get(reverse("staff:submissions_overdue"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("staff:submissions_overdue"))
    for _n in range(5):
        submit(PrisonerFactory(), carol, submitted_on=days(-30), acknowledgement_due_on=days(-16))
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("staff:submissions_overdue"))

    assert len(response.context["page"]) == 6
    assert len(six) == len(one)


# The printable submission


def _pdf_stream(body: bytes) -> bytes:
    length = int(re.search(rb"/Length (\d+)", body).group(1))
    start = re.search(rb"stream\r?\n", body).end()
    data = body[start : start + length]
    if b"/ASCII85Decode" in body:
        data = base64.a85decode(data.strip(), adobe=True)
    return zlib.decompress(data) if b"/FlateDecode" in body else data


def _pdf_unescape(string: bytes) -> bytes:
    return re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda escape: bytes([int(escape.group(1), 8)]) if escape.group(1).isdigit() else escape.group(1),
        string,
    )


def pdf_text(document: bytes) -> str:
    """The text a reportlab PDF shows, decoded through each font's ToUnicode map: no PDF library needed.

    reportlab shows text with ``/Font size Tf`` and ``(string) Tj``; an
    embedded TrueType subset maps its one-byte codes to Unicode in a CMap.
    """
    objects = dict(re.findall(rb"(\d+) 0 obj\n(.*?)\nendobj", document, re.S))
    fonts = {}
    for body in objects.values():
        font = re.search(rb"/Name /(\S+) .*?/ToUnicode (\d+) 0 R", body, re.S)
        if font:
            cmap = _pdf_stream(objects[font.group(2)])
            pairs = re.findall(rb"<([0-9A-F]{2})> <([0-9A-F]{4})>", cmap)
            fonts[font.group(1)] = {int(code, 16): chr(int(char, 16)) for code, char in pairs}
    lines = []
    for body in objects.values():
        contents = re.search(rb"/Contents (\d+) 0 R", body)
        if not contents:
            continue
        font = {}
        for name, string in re.findall(
            rb"/(\S+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", _pdf_stream(objects[contents.group(1)])
        ):
            if name:
                font = fonts.get(name, {})
            else:
                lines.append("".join(font.get(byte, chr(byte)) for byte in _pdf_unescape(string)))
    return "\n".join(lines)


def test_the_submission_pdf_prints_the_record_in_cyrillic_and_is_audited(client, cole, carol, sent, prisoner):
    NameVariant.objects.create(prisoner=prisoner, surname="Chistyakov", given_names="Nikolai", script="latin")
    Evidence.objects.create(prisoner=prisoner, kind="link", url="https://video.example.test/1", description="Видео")
    client.force_login(cole)

    with translation.override("en"):
        response = client.get(reverse("staff:submission_pdf", args=[prisoner.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="prisoner-{prisoner.pk}-submission.pdf"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    document = response.content
    assert document.startswith(b"%PDF") and b"DejaVuSans" in document
    text = pdf_text(document)
    assert "Чистяков Николай Петрович" in text
    assert "Chistyakov Nikolai" in text and "Видео" in text and "https://video.example.test/1" in text
    assert "ICRC-0001" in text and "Date of birth" in text
    event = AuditEvent.objects.get(action="prisoner.exported")
    assert (event.actor, event.target_id) == (cole, str(prisoner.pk))


def test_the_submission_pdf_lists_a_hundred_files_within_a_second(client, carol, prisoner):
    Evidence.objects.bulk_create(
        Evidence(
            prisoner=prisoner,
            kind="file",
            description=f"Фото {number}",
            file=f"2026/01/photo{number}.jpg",
            original_name=f"photo{number}.jpg",
            content_type="image/jpeg",
            size=2048 * number,
            sha256=f"{number:064x}",
        )
        for number in range(1, 101)
    )
    client.force_login(carol)

    started = time.perf_counter()
    response = client.get(reverse("staff:submission_pdf", args=[prisoner.pk]))
    elapsed = time.perf_counter() - started

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Фото 100" in text and "photo100.jpg" in text and f"{100:064x}" in text
    assert elapsed < 1, elapsed


# From each side


def _pages(prisoner, submission) -> dict[str, tuple[str, str, dict]]:
    answer = {"version": submission.version, "acknowledged_on": TODAY, "confirmation_due_on": days(30)}
    return {
        "home": ("get", reverse("staff:home"), {}),
        "search": ("get", reverse("staff:prisoner_search"), {"surname": "Chistyakov", "given_name": "Nikolai"}),
        "overdue": ("get", reverse("staff:submissions_overdue"), {}),
        "pdf": ("get", reverse("staff:submission_pdf", args=[prisoner.pk]), {}),
        "new form": ("get", reverse("staff:submission_new", args=[prisoner.pk]), {}),
        "new": ("post", reverse("staff:submission_new", args=[prisoner.pk]), submission_data(authority="other")),
        "acknowledge": ("post", reverse("staff:submission_acknowledge", args=[submission.pk]), answer),
        "confirm": (
            "post",
            reverse("staff:submission_confirm", args=[submission.pk]),
            {"version": submission.version, "confirmed_on": TODAY},
        ),
    }


READS = {"home", "search", "overdue", "pdf"}


@pytest.mark.parametrize("persona", [None, "olena", "ivan", "oscar", "cole", "ada"])
def test_each_page_answers_each_side(client, request, sent, prisoner, persona):
    if persona:
        user = request.getfixturevalue(persona)
        client.force_login(getattr(user, "user", user))
    before = (list(OfficialSubmission.objects.order_by("pk").values()), StatusChange.objects.count())

    answers = {name: getattr(client, method)(url, data) for name, (method, url, data) in _pages(prisoner, sent).items()}

    for name, response in answers.items():
        if persona is None:
            expected = 401
        elif persona in ("olena", "ivan", "oscar"):
            expected = 404
        else:
            expected = 200 if name in READS else 403
        assert response.status_code == expected, (name, response.status_code)
    assert (list(OfficialSubmission.objects.order_by("pk").values()), StatusChange.objects.count()) == before
    assert (
        not AuditEvent.objects.filter(action="prisoner.exported").exclude(actor__username__in=["cole", "ada"]).exists()
    )


def test_it_refuses_a_confirmation_dated_before_the_acknowledgement(sent, carol):
    official_submission_acknowledge(
        submission=sent, actor=carol, acknowledged_on=days(-1), confirmation_due_on=days(29)
    )
    sent.refresh_from_db()
    before = state()

    with pytest.raises(DomainError) as refused:
        official_submission_confirm(submission=sent, actor=carol, confirmed_on=days(-2))

    assert "confirmed_on" in refused.value.fields
    assert state() == before
