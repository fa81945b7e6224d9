"""Candidate matches kept for caseworkers: computed after commit, decided once, never proposed again."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import translation

from core.audit import audit_chain_verify
from core.errors import DomainError
from core.models import AuditEvent
from families.models import RequestStatus
from families.services import registration_request_file
from prisoners.matching.store import match_decide, prisoner_matches_store, request_matches_store
from prisoners.models import CaseStatus, MatchCandidate, MatchDecision, Prisoner
from prisoners.services import prisoner_update
from prisoners.tasks import match_sweep
from tests.factories import PartyFactory, PrisonerFactory, RegistrationRequestFactory, request_data

KIRILL_BORN = datetime.date(1990, 5, 17)


def _kirill(**overrides) -> Prisoner:
    fields = {"surname": "Chistyakov", "given_names": "Kirill", "patronymic": "Yurievich", "date_of_birth": KIRILL_BORN}
    return PrisonerFactory(**{**fields, **overrides})


def _file(member, **overrides):
    fields = {"surname": "Чистяков", "given_names": "Кирилл", "patronymic": "Юрьевич", "date_of_birth": KIRILL_BORN}
    request, _code = registration_request_file(
        filed_by=member, actor=member.user, data=request_data(**{**fields, **overrides}), consent=True
    )
    return request


def _proposed(**subject) -> dict[int, str]:
    """Undecided candidates of a request or record: {candidate id: confidence}."""
    rows = MatchCandidate.objects.filter(**subject, decision="")
    return dict(rows.values_list("candidate_id", "confidence"))


# Computed after commit


def test_it_stores_the_likely_records_for_a_new_registration_request(olena, django_capture_on_commit_callbacks):
    kirill = _kirill()
    PrisonerFactory(surname="Zaretsky", given_names="Oleh")

    with django_capture_on_commit_callbacks(execute=True):
        request = _file(olena)

    [match] = MatchCandidate.objects.filter(request=request)
    assert (match.candidate, match.confidence, match.decision) == (kirill, "high", "")
    assert match.score >= 80
    assert "date of birth: same" in match.reasons
    request.refresh_from_db()
    assert request.matched_at is not None


def test_it_matches_a_request_only_once_its_filing_commits(olena, django_capture_on_commit_callbacks):
    _kirill()

    with django_capture_on_commit_callbacks() as callbacks:
        request = _file(olena)
        assert not MatchCandidate.objects.exists()

    request.refresh_from_db()
    assert request.matched_at is None
    for callback in callbacks:
        callback()
    assert MatchCandidate.objects.filter(request=request).count() == 1


def test_it_keeps_only_candidates_of_medium_or_high_confidence(olena, django_capture_on_commit_callbacks):
    same_birthday = _kirill()
    no_birthday = _kirill(date_of_birth=None)
    namesake = _kirill(date_of_birth=datetime.date(1971, 9, 3))

    with django_capture_on_commit_callbacks(execute=True):
        request = _file(olena)

    assert _proposed(request=request) == {same_birthday.pk: "high", no_birthday.pk: "medium"}
    assert namesake.pk not in _proposed(request=request)


def test_it_stores_reasons_in_english_whatever_language_is_active(db):
    kirill = _kirill()
    request = RegistrationRequestFactory(
        surname="Чистяков", given_names="Кирилл", patronymic="Юрьевич", date_of_birth=KIRILL_BORN
    )

    with translation.override("uk"):
        request_matches_store(request.pk)

    [match] = MatchCandidate.objects.filter(request=request, candidate=kirill)
    assert "date of birth: same" in match.reasons


def test_it_matches_a_record_again_when_its_name_is_edited(carol, django_capture_on_commit_callbacks):
    prisoner = PrisonerFactory(surname="Melnyk", given_names="Taras", date_of_birth=KIRILL_BORN)
    other_taras = PrisonerFactory(surname="Melnyk", given_names="Taras", date_of_birth=KIRILL_BORN)
    kirill = _kirill()
    prisoner_matches_store(prisoner.pk)
    assert _proposed(prisoner=prisoner) == {other_taras.pk: "high"}

    with django_capture_on_commit_callbacks(execute=True):
        prisoner_update(
            prisoner=prisoner,
            version=prisoner.version,
            actor=carol,
            data={"surname": "Чистяков", "given_names": "Кирилл"},
        )
        prisoner.refresh_from_db()
        assert prisoner.matched_at is None

    assert _proposed(prisoner=prisoner) == {kirill.pk: "high"}
    prisoner.refresh_from_db()
    assert prisoner.matched_at is not None


def test_it_leaves_the_matches_alone_when_an_edit_does_not_touch_the_identity(
    carol, django_capture_on_commit_callbacks
):
    prisoner = _kirill()
    prisoner_matches_store(prisoner.pk)
    prisoner.refresh_from_db()
    matched_at = prisoner.matched_at

    with django_capture_on_commit_callbacks(execute=True):
        prisoner_update(prisoner=prisoner, version=prisoner.version, actor=carol, data={"health_notes": "Fictional."})

    prisoner.refresh_from_db()
    assert prisoner.matched_at == matched_at


def test_it_matches_imported_rows_against_the_record(tmp_path, db):
    kirill = _kirill(party=PartyFactory(code="fr"))
    path = tmp_path / "list.csv"
    path.write_text(
        "surname,given_name,patronymic,date_of_birth\nЧистяков,Кирилл,Юрьевич,1990-05-17\nZaretsky,Oleh,,\n",
        encoding="utf-8",
    )

    call_command("import_prisoners", str(path), "--party", "fr", stdout=io.StringIO())

    imported = Prisoner.objects.get(surname="Чистяков")
    assert _proposed(prisoner=imported) == {kirill.pk: "high"}
    assert Prisoner.objects.filter(matched_at__isnull=True).exclude(pk=kirill.pk).count() == 0


def test_it_does_not_propose_a_record_as_its_own_match(db):
    kirill = _kirill()

    assert prisoner_matches_store(kirill.pk) == []


def test_it_does_nothing_for_a_record_deleted_before_its_turn(db):
    kirill = _kirill()
    prisoner_id = kirill.pk
    kirill.delete()

    assert prisoner_matches_store(prisoner_id) == []


# Decisions


@pytest.fixture
def proposed(olena, django_capture_on_commit_callbacks):
    """A request and the one record proposed for it."""
    kirill = _kirill()
    with django_capture_on_commit_callbacks(execute=True):
        request = _file(olena)
    return MatchCandidate.objects.get(request=request, candidate=kirill)


def test_it_records_a_caseworkers_decision_with_an_audit_event(carol, proposed):
    match = match_decide(match=proposed, decision=MatchDecision.SAME, actor=carol)

    match.refresh_from_db()
    assert (match.decision, match.decided_by) == ("same", carol)
    assert match.decided_at is not None
    event = AuditEvent.objects.get(action="match.decided")
    assert (event.target_type, event.target_id) == ("families.registrationrequest", str(proposed.request_id))
    assert event.changes == {"candidate": proposed.candidate_id, "decision": "same", "score": proposed.score}
    assert event.actor == carol
    assert audit_chain_verify() is None


@pytest.mark.parametrize("decision", [MatchDecision.SAME, MatchDecision.DIFFERENT])
def test_it_never_proposes_a_decided_pair_again(carol, proposed, decision):
    match_decide(match=proposed, decision=decision, actor=carol)
    newer = _kirill(date_of_birth=None)

    request_matches_store(proposed.request_id)

    assert _proposed(request=proposed.request) == {newer.pk: "medium"}
    [kept] = MatchCandidate.objects.filter(request=proposed.request, candidate=proposed.candidate)
    assert (kept.pk, kept.decision) == (proposed.pk, decision)


def test_it_refuses_to_decide_a_pair_twice(carol, cole, proposed):
    match_decide(match=proposed, decision=MatchDecision.SAME, actor=carol)
    events = AuditEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        match_decide(match=proposed, decision=MatchDecision.DIFFERENT, actor=cole)

    assert refused.value.code == "already_decided"
    proposed.refresh_from_db()
    assert (proposed.decision, proposed.decided_by) == ("same", carol)
    assert AuditEvent.objects.count() == events


def test_it_refuses_a_decision_that_is_neither_same_nor_different(carol, proposed):
    with pytest.raises(DomainError) as refused:
        match_decide(match=proposed, decision="maybe", actor=carol)

    assert refused.value.code == "decision_invalid"
    proposed.refresh_from_db()
    assert proposed.decision == ""
    assert not AuditEvent.objects.filter(action="match.decided").exists()


def test_it_does_not_propose_a_decided_pair_of_records_the_other_way_round(carol):
    kirill = _kirill()
    other_record = _kirill(date_of_birth=None)
    prisoner_matches_store(kirill.pk)
    prisoner_matches_store(other_record.pk)
    assert _proposed(prisoner=other_record) == {kirill.pk: "medium"}
    match = MatchCandidate.objects.get(prisoner=kirill, candidate=other_record)

    match_decide(match=match, decision=MatchDecision.DIFFERENT, actor=carol)

    assert _proposed(prisoner=other_record) == {}
    prisoner_matches_store(other_record.pk)
    assert _proposed(prisoner=other_record) == {}


# The sweep


def test_the_sweep_matches_records_and_open_requests_left_unmatched(db):
    kirill = _kirill()
    merged = _kirill(date_of_birth=None)
    Prisoner.objects.filter(pk=merged.pk).update(status=CaseStatus.MERGED, merged_into=kirill)
    open_request = RegistrationRequestFactory(surname="Чистяков", given_names="Кирилл", date_of_birth=KIRILL_BORN)
    closed_request = RegistrationRequestFactory(
        surname="Чистяков", given_names="Кирилл", date_of_birth=KIRILL_BORN, status=RequestStatus.WITHDRAWN
    )

    match_sweep.delay()

    kirill.refresh_from_db()
    assert kirill.matched_at is not None
    open_request.refresh_from_db()
    assert open_request.matched_at is not None
    assert _proposed(request=open_request) == {kirill.pk: "high"}
    for untouched in (merged, closed_request):
        untouched.refresh_from_db()
        assert untouched.matched_at is None
    assert not MatchCandidate.objects.filter(request=closed_request).exists()


def test_the_sweep_leaves_what_was_matched_since_alone(db):
    kirill = _kirill()
    prisoner_matches_store(kirill.pk)
    kirill.refresh_from_db()
    matched_at = kirill.matched_at

    match_sweep.delay()

    kirill.refresh_from_db()
    assert kirill.matched_at == matched_at


def test_a_request_filed_before_the_record_finds_it_once_the_record_is_imported(
    olena, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = _file(olena)
    assert _proposed(request=request) == {}

    path = tmp_path / "list.csv"
    path.write_text(
        "surname,given_name,patronymic,date_of_birth\nChistiakov,Kirill,Iurievich,1990-05-17\n", encoding="utf-8"
    )
    call_command("import_prisoners", str(path), "--party", PartyFactory().code, stdout=io.StringIO())
    match_sweep()

    kirill = Prisoner.objects.get(surname="Chistiakov")
    assert _proposed(request=request) == {kirill.pk: "high"}
