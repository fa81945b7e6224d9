"""The record page and its actions: reading, editing, status, events, spellings, evidence, the audit trail."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from core.audit import audit_record
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
    OfficialSubmission,
    Prisoner,
    Source,
    StatusChange,
)
from prisoners.services import (
    case_event_record,
    official_submission_create,
    prisoner_evidence_attach,
    prisoner_merge,
    prisoner_set_status,
    prisoner_update,
)
from tests.factories import FamilyMemberFactory, PrisonerFactory, RegistrationRequestFactory


def _url(name: str, prisoner: Prisoner, *args) -> str:
    return reverse(f"staff:{name}", args=[prisoner.pk, *args])


def _login(client, user):
    client.force_login(user)
    return client


def _state(*records) -> list[dict]:
    return [Prisoner.objects.filter(pk=record.pk).values().get() for record in records]


def _views(prisoner: Prisoner) -> int:
    return AuditEvent.objects.filter(action="prisoner.viewed", target_id=str(prisoner.pk)).count()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def record(db):
    return PrisonerFactory(surname="Melnyk", given_names="Taras", service_number="AA-100", unit="3rd Battalion")


def _fill(prisoner: Prisoner, count: int, *, actor) -> None:
    """``count`` of every kind of row the record page shows."""
    for n in range(count):
        NameVariant.objects.create(prisoner=prisoner, surname=f"Melnik{n}", script="latin")
        Evidence.objects.create(
            prisoner=prisoner, kind=EvidenceKind.LINK, url=f"https://video.example.test/{n}", uploaded_by=actor
        )
        CaseEvent.objects.create(
            prisoner=prisoner, kind=CaseEventKind.TRANSFER, source=Source.ICRC, recorded_by=actor, place=f"Camp {n}"
        )
        StatusChange.objects.create(
            prisoner=prisoner, old_status="", new_status=CaseStatus.REPORTED, actor=actor, source=Source.FAMILY
        )
        member = FamilyMemberFactory()
        Relationship.objects.create(
            family_member=member, prisoner=prisoner, kind=RelationshipKind.SIBLING, verified_by=actor
        )
        RegistrationRequestFactory(prisoner=prisoner, assigned_to=actor)
        other = PrisonerFactory(surname=f"Melnik{n}", given_names="Taras")
        MatchCandidate.objects.create(
            prisoner=prisoner, candidate=other, score=80, confidence="medium", reasons=["Same date of birth"]
        )
        OfficialSubmission.objects.create(
            prisoner=prisoner,
            authority=["national", "icrc", "other"][n % 3],
            channel="email",
            submitted_on=datetime.date(2026, 1, 1),
            acknowledgement_due_on=datetime.date(2026, 1, 15),
            confirmed_on=datetime.date(2026, 1, 20) if n >= 3 else None,
            acknowledged_on=datetime.date(2026, 1, 20) if n >= 3 else None,
            confirmation_due_on=datetime.date(2026, 1, 20) if n >= 3 else None,
            created_by=actor,
        )
    for fact in list(Fact.values)[:count]:
        FactSource.objects.create(prisoner=prisoner, fact=fact, source=Source.FAMILY, recorded_by=actor)


# Reading the record


def test_it_shows_the_record_in_its_groups_with_the_source_of_each_fact(client, carol, record):
    FactSource.objects.create(
        prisoner=record, fact=Fact.SERVICE, source=Source.UNIT, detail="Unit roll of May", recorded_by=carol
    )

    response = _login(client, carol).get(_url("prisoner_detail", record))

    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Identity", "Service", "Capture and internment", "Health and repatriation"):
        assert f">{heading}</h2>" in page
    assert "3rd Battalion" in page
    assert "Unit roll of May" in page
    assert "no source recorded" in page
    assert _views(record) == 1


@pytest.mark.parametrize("persona", ["carol", "cole", "ada"])
def test_it_lets_every_staff_role_read_the_record_and_audits_each_read(client, request, record, persona):
    user = request.getfixturevalue(persona)
    _login(client, user)

    assert client.get(_url("prisoner_detail", record)).status_code == 200
    assert client.get(_url("prisoner_detail", record)).status_code == 200

    event = AuditEvent.objects.filter(action="prisoner.viewed").first()
    assert (event.actor, _views(record)) == (user, 2)


@pytest.mark.parametrize("persona", ["cole", "ada"])
def test_it_shows_no_forms_to_staff_who_may_not_change_records(client, request, record, persona):
    page = _login(client, request.getfixturevalue(persona)).get(_url("prisoner_detail", record)).content.decode()

    for name in ("prisoner_variant_add", "prisoner_event_new", "prisoner_status", "prisoner_evidence_add"):
        assert _url(name, record) not in page
    assert _url("prisoner_edit", record) not in page
    assert _url("prisoner_audit", record) in page


def test_it_shows_the_timeline_in_date_order_with_reversals_marked(client, carol, record):
    prisoner_set_status(prisoner=record, new_status=CaseStatus.CAPTURE_CONFIRMED, actor=carol, source=Source.VIDEO)
    prisoner_set_status(
        prisoner=record,
        new_status=CaseStatus.REPORTED,
        actor=carol,
        source=Source.CASEWORKER,
        reason="The video showed someone else",
    )
    CaseEvent.objects.create(
        prisoner=record,
        kind=CaseEventKind.CAPTURE,
        occurred_on=datetime.date(2025, 3, 2),
        place="Near the river",
        source=Source.RELEASED_COMRADE,
        recorded_by=carol,
    )

    page = _login(client, carol).get(_url("prisoner_detail", record)).content.decode()

    capture, confirmed, reversal = (
        page.index("Near the river"),
        page.index("Capture confirmed"),
        page.index("The video showed someone else"),
    )
    assert capture < confirmed < reversal
    assert "moves backwards" in page
    assert "Released comrade" in page


def test_it_lists_relatives_requests_and_candidate_duplicates(client, carol, record, olena):
    Relationship.objects.create(family_member=olena, prisoner=record, kind=RelationshipKind.MOTHER)
    filed = RegistrationRequestFactory(prisoner=record)
    other = PrisonerFactory(surname="Melnik", given_names="Taras")
    MatchCandidate.objects.create(
        prisoner=record, candidate=other, score=91, confidence="high", reasons=["Same date of birth"]
    )

    page = _login(client, carol).get(_url("prisoner_detail", record)).content.decode()

    assert "Olena Testova" in page and "not verified" in page
    assert reverse("staff:request_review", args=[filed.reference]) in page
    assert f"{_url('prisoner_merge', record)}?other={other.pk}" in page
    assert "Same date of birth" in page


def test_it_runs_the_same_number_of_queries_however_much_the_record_holds(client, carol):
    small, large = PrisonerFactory(), PrisonerFactory(surname="Ostapenko", given_names="Yurii")
    _fill(small, 1, actor=carol)
    _fill(large, 5, actor=carol)
    _login(client, carol)
    client.get(_url("prisoner_detail", small))  # Warm up the session and the role cache.

    with CaptureQueriesContext(connection) as one:
        assert client.get(_url("prisoner_detail", small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url("prisoner_detail", large)).status_code == 200

    assert len(many) == len(one)


def test_a_merged_record_points_at_its_survivor_and_offers_no_changes(client, carol, record):
    duplicate = PrisonerFactory(surname="Melnik", given_names="Taras")
    prisoner_merge(survivor=record, duplicate=duplicate, actor=carol, reason="Same man")

    page = _login(client, carol).get(_url("prisoner_detail", duplicate)).content.decode()

    assert _url("prisoner_detail", record) in page
    assert "was merged into record" in page
    for name in ("prisoner_variant_add", "prisoner_event_new", "prisoner_status", "prisoner_edit"):
        assert _url(name, duplicate) not in page


def test_a_merged_record_refuses_an_action_and_says_why(client, carol, record):
    duplicate = PrisonerFactory(surname="Melnik", given_names="Taras")
    prisoner_merge(survivor=record, duplicate=duplicate, actor=carol, reason="Same man")
    before = _state(duplicate)

    response = _login(client, carol).post(
        _url("prisoner_variant_add", duplicate), {"variant-surname": "Melnick", "variant-source": "family"}, follow=True
    )

    assert "no longer changes" in response.content.decode()
    assert _state(duplicate) == before
    assert not NameVariant.objects.filter(prisoner=duplicate, surname="Melnick").exists()


# Status


def test_it_changes_the_status(client, carol, record):
    data = {"status-status": "capture_confirmed", "status-source": "video", "status-version": record.version}

    response = _login(client, carol).post(_url("prisoner_status", record), data)

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == CaseStatus.CAPTURE_CONFIRMED
    assert record.status_changes.get().source == Source.VIDEO


@pytest.mark.parametrize(
    "data",
    [
        {"status-status": "registered", "status-source": "video"},  # Not allowed from "reported".
        {"status-status": "merged", "status-source": "video"},  # Only through a merge.
        {"status-status": "capture_confirmed", "status-source": ""},
        {"status-status": "capture_confirmed", "status-source": "video", "status-version": 9},
    ],
)
def test_it_refuses_a_bad_status_change_and_changes_nothing(client, carol, record, data):
    before = _state(record)

    response = _login(client, carol).post(_url("prisoner_status", record), {"status-version": 1, **data})

    assert response.status_code == 400
    assert _state(record) == before
    assert not StatusChange.objects.exists()


def test_it_refuses_a_move_back_without_a_reason(client, carol, record):
    prisoner_set_status(prisoner=record, new_status=CaseStatus.CAPTURE_CONFIRMED, actor=carol, source=Source.VIDEO)
    record.refresh_from_db()
    data = {"status-status": "reported", "status-source": "caseworker", "status-version": record.version}

    response = _login(client, carol).post(_url("prisoner_status", record), data)

    assert response.status_code == 400
    assert "Say why the status moves back." in response.content.decode()
    record.refresh_from_db()
    assert record.status == CaseStatus.CAPTURE_CONFIRMED


# Events


def test_it_records_a_death_with_its_cause_and_place_of_burial(client, carol, record):
    data = {
        "event-kind": "death",
        "event-occurred_on": "2025-06-01",
        "event-cause_of_death": "Wounds",
        "event-burial_place": "Cemetery No. 3",
        "event-source": "icrc",
    }

    response = _login(client, carol).post(_url("prisoner_event_new", record), data)

    assert response.status_code == 302
    event = record.events.get()
    assert (event.kind, event.cause_of_death, event.burial_place, event.recorded_by) == (
        "death",
        "Wounds",
        "Cemetery No. 3",
        carol,
    )


@pytest.mark.parametrize(
    "data",
    [
        {"event-kind": "death", "event-source": "icrc"},
        {"event-kind": "transfer", "event-source": "icrc", "event-occurred_on": "2999-01-01"},
        {"event-kind": "transfer", "event-source": "icrc", "event-cause_of_death": "Wounds"},
        {"event-kind": "dinner", "event-source": "icrc"},
        {"event-kind": "transfer", "event-source": ""},
    ],
)
def test_it_refuses_a_bad_event_and_records_nothing(client, carol, record, data):
    response = _login(client, carol).post(_url("prisoner_event_new", record), data)

    assert response.status_code == 400
    assert not CaseEvent.objects.exists()


def test_it_shows_why_an_event_was_refused_in_the_open_form(client, carol, record):
    response = _login(client, carol).post(
        _url("prisoner_event_new", record), {"event-kind": "death", "event-source": "icrc"}
    )

    page = response.content.decode()
    assert "Art. 120 asks for the cause of death" in page
    assert '<details class="action" open>' in page
    assert _views(record) == 1  # The record was shown again: a read like any other.


# Name variants


def test_it_keeps_a_spelling(client, carol, record):
    data = {"variant-surname": "Мельник", "variant-given_names": "Тарас", "variant-source": "official_list"}

    response = _login(client, carol).post(_url("prisoner_variant_add", record), data)

    assert response.status_code == 302
    variant = record.name_variants.get()
    assert (variant.surname, variant.script, variant.source) == ("Мельник", "cyrillic", "official_list")


@pytest.mark.parametrize("surname", ["Mельник", "Melnik"])
def test_it_refuses_a_mixed_or_repeated_spelling(client, carol, record, surname):
    NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")

    response = _login(client, carol).post(
        _url("prisoner_variant_add", record), {"variant-surname": surname, "variant-source": "family"}
    )

    assert response.status_code == 400
    assert record.name_variants.count() == 1


def test_it_removes_a_spelling_with_a_reason(client, carol, record):
    variant = NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")

    response = _login(client, carol).post(
        _url("prisoner_variant_remove", record, variant.pk), {f"remove-{variant.pk}-reason": "Typing error"}
    )

    assert response.status_code == 302
    assert not NameVariant.objects.exists()
    assert AuditEvent.objects.get(action="prisoner.name_variant_removed").reason == "Typing error"


def test_it_refuses_to_remove_a_spelling_without_a_reason(client, carol, record):
    variant = NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")

    response = _login(client, carol).post(_url("prisoner_variant_remove", record, variant.pk), {})

    assert response.status_code == 400
    assert NameVariant.objects.filter(pk=variant.pk).exists()


def test_it_does_not_remove_another_records_spelling(client, carol, record):
    other = PrisonerFactory()
    variant = NameVariant.objects.create(prisoner=other, surname="Melnik", script="latin")

    response = _login(client, carol).post(
        _url("prisoner_variant_remove", record, variant.pk), {f"remove-{variant.pk}-reason": "Mine now"}
    )

    assert response.status_code == 302
    assert NameVariant.objects.filter(pk=variant.pk).exists()


# Evidence


def test_it_keeps_a_link_with_who_identified_him(client, carol, record):
    data = {
        "evidence-url": "https://video.example.test/captivity",
        "evidence-identified_by": "His sister",
        "evidence-identified_on": "2026-02-01",
        "evidence-source": "video",
    }

    response = _login(client, carol).post(_url("prisoner_evidence_add", record), data)

    assert response.status_code == 302
    evidence = record.evidence.get()
    assert (evidence.url, evidence.identified_by, evidence.source) == (
        "https://video.example.test/captivity",
        "His sister",
        "video",
    )
    page = client.get(_url("prisoner_detail", record)).content.decode()
    assert "identified by His sister" in page


def test_it_keeps_a_file_with_its_hash_and_offers_its_download(client, carol, record):
    data = {
        "evidence-file": SimpleUploadedFile("letter.png", _png(), "image/png"),
        "evidence-description": "Letter from camp",
        "evidence-source": "family",
    }

    response = _login(client, carol).post(_url("prisoner_evidence_add", record), data)

    assert response.status_code == 302
    evidence = record.evidence.get()
    assert (evidence.kind, evidence.description, evidence.source, evidence.content_type) == (
        "file",
        "Letter from camp",
        "family",
        "image/png",
    )
    page = client.get(_url("prisoner_detail", record)).content.decode()
    assert evidence.sha256 in page
    assert reverse("prisoners:evidence_file", args=[evidence.pk]) in page


@pytest.mark.parametrize(
    "data",
    [
        {"evidence-source": "video"},
        {"evidence-source": "video", "evidence-url": "not a link at all"},
        {"evidence-url": "https://video.example.test/1", "evidence-source": ""},
        {
            "evidence-source": "video",
            "evidence-url": "https://video.example.test/1",
            "evidence-file": SimpleUploadedFile("a.png", _png(), "image/png"),
        },
        {"evidence-source": "family", "evidence-file": SimpleUploadedFile("a.png", b"<html>", "image/png")},
    ],
)
def test_it_refuses_bad_evidence_and_keeps_nothing(client, carol, record, evidence_root, data):
    response = _login(client, carol).post(_url("prisoner_evidence_add", record), data)

    assert response.status_code == 400
    assert not Evidence.objects.exists()
    assert not _stored_files(evidence_root)


# Editing


def _edit_data(client, prisoner: Prisoner, **changes) -> dict:
    """The edit form as the page filled it in, with ``changes`` made."""
    form = client.get(_url("prisoner_edit", prisoner)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data.update({"source": "caseworker", **changes})
    return data


def test_it_edits_the_record_and_keeps_the_source_of_the_change(client, carol, record):
    _login(client, carol)
    data = _edit_data(client, record, rank="Sergeant", source="released_comrade", source_detail="Call of 2 March")

    response = client.post(_url("prisoner_edit", record), data)

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.rank, record.version) == ("Sergeant", 2)
    source = FactSource.objects.get(prisoner=record, fact=Fact.SERVICE)
    assert (source.source, source.detail) == ("released_comrade", "Call of 2 March")
    assert AuditEvent.objects.get(action="prisoner.updated").changes == {"rank": {"old": "", "new": "Sergeant"}}


def test_it_refuses_an_edit_that_breaks_the_records_rules(client, carol, record):
    _login(client, carol)
    data = _edit_data(client, record, date_of_birth="2025-05-01", capture_date="2025-03-02")
    before = _state(record)

    response = client.post(_url("prisoner_edit", record), data)

    assert response.status_code == 400
    assert "cannot be after the date of capture" in response.content.decode()
    assert "is violated" not in response.content.decode()
    assert _state(record) == before


def test_it_asks_where_the_changed_facts_come_from(client, carol, record):
    _login(client, carol)
    before = _state(record)

    response = client.post(_url("prisoner_edit", record), _edit_data(client, record, rank="Major", source=""))

    assert response.status_code == 400
    assert _state(record) == before


def test_it_refuses_a_stale_edit_and_shows_what_the_other_caseworker_changed(client, carol, record):
    _login(client, carol)
    data = _edit_data(client, record, unit="5th Battalion", source="caseworker")
    prisoner_update(prisoner=record, version=1, actor=carol, data={"place_of_internment": "Camp 7"})
    before = _state(record)

    response = client.post(_url("prisoner_edit", record), data)

    assert response.status_code == 409
    assert _state(record) == before
    assert [(field.name, field.value) for field in response.context["changed_since"]] == [
        ("place_of_internment", "Camp 7")
    ]
    # The form now carries the current version: saving again, knowingly, succeeds.
    rebased = response.context["form"]
    assert rebased["version"].value() == 2
    again = {name: str(value) for name, value in rebased.data.items()}
    assert client.post(_url("prisoner_edit", record), again).status_code == 302
    record.refresh_from_db()
    assert (record.unit, record.place_of_internment) == ("5th Battalion", "Camp 7")


def test_it_keeps_the_editors_value_where_both_changed_a_field(client, carol, record):
    _login(client, carol)
    data = _edit_data(client, record, unit="5th Battalion")
    prisoner_update(prisoner=record, version=1, actor=carol, data={"unit": "6th Battalion"})

    response = client.post(_url("prisoner_edit", record), data)

    assert response.status_code == 409
    assert [(field.name, field.value) for field in response.context["changed_since"]] == [("unit", "6th Battalion")]
    assert response.context["form"]["unit"].value() == "5th Battalion"
    record.refresh_from_db()
    assert record.unit == "6th Battalion"


def test_it_refuses_an_edit_with_an_altered_snapshot(client, carol, record):
    _login(client, carol)
    data = _edit_data(client, record, rank="Major", snapshot="forged")
    before = _state(record)

    response = client.post(_url("prisoner_edit", record), data)

    assert response.status_code == 400
    assert _state(record) == before


def test_it_says_when_an_edit_changes_nothing(client, carol, record):
    _login(client, carol)

    response = client.post(_url("prisoner_edit", record), _edit_data(client, record), follow=True)

    assert "Nothing was changed" in response.content.decode()
    record.refresh_from_db()
    assert record.version == 1


# The audit trail


def test_it_shows_the_audit_trail_in_words_newest_first(client, carol, ada, record):
    prisoner_update(prisoner=record, version=1, actor=carol, data={"rank": "Sergeant"}, reason="Unit roll")
    evidence = Evidence.objects.create(prisoner=record, kind=EvidenceKind.LINK, url="https://video.example.test/1")
    _login(client, carol).get(_url("prisoner_detail", record))
    client.force_login(ada)
    with transaction.atomic():
        audit_record(actor=carol, action="evidence.downloaded", target=evidence)

    response = client.get(_url("prisoner_audit", record))

    assert response.status_code == 200
    entries = response.context["entries"]
    assert [entry.action for entry in entries] == ["evidence.downloaded", "prisoner.viewed", "prisoner.updated"]
    page = response.content.decode()
    assert "Record edited" in page and "Record read" in page and "Evidence file downloaded" in page
    assert "Sergeant" in page and "Unit roll" in page and "carol" in page


def test_it_shows_every_kind_of_change_in_the_audit_trail(client, carol, record):
    """Changes that name other rows ("evidence", "event", "submission") as well as fields of the record."""
    evidence = Evidence.objects.create(kind=EvidenceKind.LINK, url="https://video.example.test/2")
    prisoner_evidence_attach(prisoner=record, evidence=[evidence], actor=carol)
    case_event_record(prisoner=record, actor=carol, data={"kind": CaseEventKind.TRANSFER, "source": Source.ICRC})
    official_submission_create(
        prisoner=record,
        actor=carol,
        data={
            "authority": "icrc",
            "channel": "email",
            "submitted_on": datetime.date(2026, 1, 5),
            "acknowledgement_due_on": datetime.date(2026, 1, 19),
        },
    )

    response = _login(client, carol).get(_url("prisoner_audit", record))

    assert response.status_code == 200
    assert [entry.action for entry in response.context["entries"]][:3] == [
        "prisoner.submission_recorded",
        "prisoner.event_recorded",
        "prisoner.evidence_added",
    ]


def test_it_pages_the_audit_trail_with_a_constant_number_of_queries(client, ada, carol, record):
    _login(client, ada)
    client.get(_url("prisoner_audit", record))
    prisoner_update(prisoner=record, version=1, actor=carol, data={"rank": "Sergeant"})

    with CaptureQueriesContext(connection) as one:
        client.get(_url("prisoner_audit", record))
    for n in range(60):
        prisoner_update(prisoner=record, version=2 + n, actor=carol, data={"rank": f"Rank {n}"})
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url("prisoner_audit", record))

    assert len(many) == len(one)
    assert response.context["page"].paginator.num_pages == 2
    assert client.get(_url("prisoner_audit", record), {"page": 2}).status_code == 200


# Who may do what


PAGES = ["prisoner_detail", "prisoner_audit", "prisoner_edit", "prisoner_merge"]
ACTIONS = ["prisoner_status", "prisoner_event_new", "prisoner_variant_add", "prisoner_evidence_add"]


def _all_urls(prisoner: Prisoner, variant: NameVariant):
    return [
        *(("get", _url(name, prisoner)) for name in PAGES),
        *(("post", _url(name, prisoner)) for name in [*ACTIONS, "prisoner_edit", "prisoner_merge"]),
        ("post", _url("prisoner_variant_remove", prisoner, variant.pk)),
    ]


def test_it_asks_an_anonymous_visitor_to_sign_in(client, record):
    variant = NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")

    for method, url in _all_urls(record, variant):
        assert getattr(client, method)(url).status_code == 401, url


@pytest.mark.parametrize("persona", ["olena", "ivan", "oscar"])
def test_it_hides_the_workspace_from_anyone_but_staff(client, request, record, persona):
    found = request.getfixturevalue(persona)
    _login(client, getattr(found, "user", found))
    variant = NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")
    before = _state(record)

    for method, url in _all_urls(record, variant):
        assert getattr(client, method)(url).status_code == 404, url
    assert _state(record) == before
    assert not AuditEvent.objects.filter(action="prisoner.viewed").exists()


@pytest.mark.parametrize("persona", ["cole", "ada"])
def test_it_refuses_changes_to_staff_who_only_read(client, request, record, persona):
    _login(client, request.getfixturevalue(persona))
    variant = NameVariant.objects.create(prisoner=record, surname="Melnik", script="latin")
    before = _state(record)

    for name in ["prisoner_edit", "prisoner_merge"]:
        assert client.get(_url(name, record)).status_code == 403
    for name in [*ACTIONS, "prisoner_edit", "prisoner_merge"]:
        assert client.post(_url(name, record), {"status-status": "capture_confirmed"}).status_code == 403, name
    assert client.post(_url("prisoner_variant_remove", record, variant.pk), {}).status_code == 403
    assert _state(record) == before
    assert NameVariant.objects.filter(pk=variant.pk).exists()


def test_it_answers_404_for_a_record_that_does_not_exist(client, carol):
    _login(client, carol)

    assert client.get(reverse("staff:prisoner_detail", args=[987654])).status_code == 404
    assert client.get(reverse("staff:prisoner_audit", args=[987654])).status_code == 404
    assert client.post(reverse("staff:prisoner_status", args=[987654]), {}).status_code == 404


def test_it_answers_a_get_on_an_action_with_405(client, carol, record):
    assert _login(client, carol).get(_url("prisoner_status", record)).status_code == 405


def test_it_verifies_a_relationship_from_the_record(client, carol, cole, olena):
    prisoner = PrisonerFactory()
    tie = Relationship.objects.create(family_member=olena, prisoner=prisoner, kind=RelationshipKind.MOTHER)
    verify = reverse("staff:relationship_verify", args=[tie.pk])

    assert verify not in _login(client, cole).get(_url("prisoner_detail", prisoner)).content.decode()
    page = _login(client, carol).get(_url("prisoner_detail", prisoner)).content.decode()
    assert verify in page

    response = client.post(verify, {"reason": "Birth certificate seen at the office."})

    assert response.status_code == 302
    assert response.url == _url("prisoner_detail", prisoner)
    tie.refresh_from_db()
    assert tie.verified_by == carol


def test_it_keeps_a_relationship_unverified_without_a_reason(client, carol, olena):
    prisoner = PrisonerFactory()
    tie = Relationship.objects.create(family_member=olena, prisoner=prisoner, kind=RelationshipKind.MOTHER)

    response = _login(client, carol).post(reverse("staff:relationship_verify", args=[tie.pk]), {"reason": " "})

    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Say how the relationship was verified." in page
    tie.refresh_from_db()
    assert tie.verified_at is None
