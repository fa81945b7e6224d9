"""The database's own guards: rows written straight with the ORM, past every service.

Each refused write runs in its own savepoint, so the test can check
afterwards that nothing was written.
"""

import datetime

import pytest
from django.db import IntegrityError, transaction

from core.models import AuditChainHead
from exchanges.models import Exchange, ExchangeEntry, ExchangeStatusChange
from families.models import FamilyMember, RegistrationRequest, RequestStatusChange
from prisoners.models import Evidence, Prisoner, StatusChange
from tests.factories import (
    ExchangeEntryFactory,
    ExchangeFactory,
    MediatorPartyFactory,
    OpposingPartyFactory,
    PartyFactory,
    PrisonerFactory,
    RegistrationRequestFactory,
    UserFactory,
)

SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def assert_refused(write, rows):
    """``write`` raises IntegrityError and leaves ``rows`` (a queryset) as they were."""
    before = list(rows.order_by("pk").values())
    with pytest.raises(IntegrityError), transaction.atomic():
        write()
    assert list(rows.order_by("pk").values()) == before


# Prisoners


def test_it_keeps_a_prisoner_in_at_most_one_open_exchange(db):
    entry = ExchangeEntryFactory()

    assert_refused(lambda: ExchangeEntryFactory(prisoner=entry.prisoner), ExchangeEntry.objects.all())


def test_it_lets_a_prisoner_be_in_a_closed_exchange_and_an_open_one(db):
    closed = ExchangeEntryFactory(holds_prisoner=False)

    ExchangeEntryFactory(prisoner=closed.prisoner)

    assert ExchangeEntry.objects.filter(prisoner=closed.prisoner).count() == 2


def test_it_puts_a_prisoner_on_one_list_only_once(db):
    entry = ExchangeEntryFactory(holds_prisoner=False)

    assert_refused(
        lambda: ExchangeEntryFactory(exchange=entry.exchange, prisoner=entry.prisoner, holds_prisoner=False),
        ExchangeEntry.objects.all(),
    )


def test_it_refuses_a_withdrawn_entry_that_holds_its_prisoner(db):
    assert_refused(lambda: ExchangeEntryFactory(outcome="withdrawn"), ExchangeEntry.objects.all())


def test_it_keeps_service_numbers_unique_per_party(db):
    PrisonerFactory(service_number="AA-100")

    assert_refused(lambda: PrisonerFactory(service_number="AA-100"), Prisoner.objects.all())


def test_it_allows_many_prisoners_without_a_service_number(db):
    PrisonerFactory(service_number="")
    PrisonerFactory(service_number="")

    assert Prisoner.objects.filter(service_number="").count() == 2


def test_it_allows_the_same_service_number_in_another_party(db):
    own = PrisonerFactory(service_number="AA-100")

    PrisonerFactory(service_number="AA-100", party=OpposingPartyFactory(), holding_party=own.party)

    assert Prisoner.objects.filter(service_number="AA-100").count() == 2


@pytest.mark.parametrize("field", ["status", "health_status", "repatriation_consent", "military_status"])
def test_it_refuses_a_prisoner_value_outside_its_choices(db, field):
    assert_refused(lambda: PrisonerFactory(**{field: "bogus"}), Prisoner.objects.all())
    prisoner = PrisonerFactory()
    assert_refused(lambda: Prisoner.objects.filter(pk=prisoner.pk).update(**{field: "bogus"}), Prisoner.objects.all())


def test_it_refuses_a_prisoner_born_after_his_capture(db):
    assert_refused(
        lambda: PrisonerFactory(date_of_birth=datetime.date(2025, 3, 3), capture_date=datetime.date(2025, 3, 2)),
        Prisoner.objects.all(),
    )


def test_it_allows_a_prisoner_without_dates(db):
    PrisonerFactory(date_of_birth=None, capture_date=None)


@pytest.mark.parametrize("field", ["surname", "given_names"])
def test_it_refuses_a_prisoner_without_a_name(db, field):
    assert_refused(lambda: PrisonerFactory(**{field: ""}), Prisoner.objects.all())


def test_it_refuses_a_merged_record_that_names_no_survivor(db):
    prisoner = PrisonerFactory()

    assert_refused(lambda: Prisoner.objects.filter(pk=prisoner.pk).update(status="merged"), Prisoner.objects.all())


def test_it_refuses_a_survivor_on_a_record_that_is_not_merged(db):
    survivor = PrisonerFactory()
    prisoner = PrisonerFactory()

    assert_refused(
        lambda: Prisoner.objects.filter(pk=prisoner.pk).update(status="registered", merged_into=survivor),
        Prisoner.objects.all(),
    )


def test_it_refuses_a_record_merged_into_itself(db):
    prisoner = PrisonerFactory()

    assert_refused(
        lambda: Prisoner.objects.filter(pk=prisoner.pk).update(status="merged", merged_into=prisoner),
        Prisoner.objects.all(),
    )


def test_it_allows_a_merged_record_that_names_its_survivor(db):
    survivor = PrisonerFactory()
    prisoner = PrisonerFactory()

    Prisoner.objects.filter(pk=prisoner.pk).update(status="merged", merged_into=survivor)

    assert survivor.merged_records.get() == prisoner


# Evidence


def _evidence(**fields):
    return Evidence.objects.create(prisoner=PrisonerFactory(), **fields)


def _file(**overrides):
    fields = {
        "kind": "file",
        "file": "2026/11/letter.pdf",
        "original_name": "letter.pdf",
        "content_type": "application/pdf",
        "size": 1024,
        "sha256": SHA256,
    }
    return {**fields, **overrides}


LINK = {"kind": "link", "url": "https://video.example.test/watch?v=1"}


def test_it_allows_a_link_and_a_hashed_file(db):
    _evidence(**LINK)
    _evidence(**_file())

    assert Evidence.objects.count() == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "link", "url": ""},
        {**LINK, "file": "2026/11/letter.pdf"},
        {**LINK, "sha256": SHA256},
        _file(sha256=""),
        _file(sha256=SHA256[:63]),
        _file(file=""),
        _file(size=None),
        _file(content_type=""),
        _file(url="https://video.example.test/watch?v=1"),
        {**LINK, "kind": "photo"},
    ],
    ids=[
        "link-without-url",
        "link-with-file",
        "link-with-hash",
        "file-without-hash",
        "file-with-short-hash",
        "file-without-file",
        "file-without-size",
        "file-without-type",
        "file-with-url",
        "unknown-kind",
    ],
)
def test_it_refuses_evidence_of_the_wrong_shape(db, fields):
    PrisonerFactory()

    assert_refused(lambda: _evidence(**fields), Evidence.objects.all())


# Status-change rows


@pytest.fixture(params=["prisoner", "request", "exchange"])
def status_change(request, db):
    """A status-change model and the fields of a valid row of it."""
    if request.param == "prisoner":
        return StatusChange, {
            "prisoner": PrisonerFactory(),
            "old_status": "capture_confirmed",
            "new_status": "registered",
            "source": "caseworker",
        }
    if request.param == "request":
        return RequestStatusChange, {
            "request": RegistrationRequestFactory(),
            "old_status": "submitted",
            "new_status": "in_review",
        }
    return ExchangeStatusChange, {"exchange": ExchangeFactory(), "old_status": "draft", "new_status": "proposed"}


def test_it_allows_a_valid_status_change_row(status_change):
    model, fields = status_change

    model.objects.create(**fields)
    model.objects.create(**{**fields, "old_status": ""})
    model.objects.create(**fields, is_reversal=True, reason="Corrected")

    assert model.objects.count() == 3


@pytest.mark.parametrize("field", ["old_status", "new_status"])
def test_it_refuses_a_status_change_row_with_an_unknown_status(status_change, field):
    model, fields = status_change

    assert_refused(lambda: model.objects.create(**{**fields, field: "bogus"}), model.objects.all())


def test_it_refuses_a_reversal_without_a_reason(status_change):
    model, fields = status_change

    assert_refused(lambda: model.objects.create(**fields, is_reversal=True, reason=""), model.objects.all())


def test_it_refuses_a_prisoner_status_change_from_an_unknown_source(db):
    prisoner = PrisonerFactory()

    assert_refused(
        lambda: StatusChange.objects.create(prisoner=prisoner, new_status="reported", source="rumour"),
        StatusChange.objects.all(),
    )


# Registration requests


def test_it_allows_a_valid_request(db):
    RegistrationRequestFactory(reference="HC-2026-000123")


@pytest.mark.parametrize(
    "reference",
    ["HC-26-000123", "HC-2026-00123", "HC-2026-00012A", "HC 2026 000123", "hc-2026-000123", "XX-2026-000123", ""],
)
def test_it_refuses_a_malformed_reference(db, reference):
    assert_refused(lambda: RegistrationRequestFactory(reference=reference), RegistrationRequest.objects.all())


def test_it_refuses_a_reference_used_twice(db):
    RegistrationRequestFactory(reference="HC-2026-000123")

    assert_refused(lambda: RegistrationRequestFactory(reference="HC-2026-000123"), RegistrationRequest.objects.all())


@pytest.mark.parametrize("field", ["status", "language", "filer_relationship"])
def test_it_refuses_a_request_value_outside_its_choices(db, field):
    assert_refused(lambda: RegistrationRequestFactory(**{field: "bogus"}), RegistrationRequest.objects.all())


def test_it_refuses_an_accepted_request_without_a_prisoner(db):
    request = RegistrationRequestFactory()

    assert_refused(
        lambda: RegistrationRequest.objects.filter(pk=request.pk).update(status="accepted"),
        RegistrationRequest.objects.all(),
    )
    RegistrationRequest.objects.filter(pk=request.pk).update(status="accepted", prisoner=PrisonerFactory())


def test_it_refuses_a_rejected_request_without_a_reason(db):
    request = RegistrationRequestFactory()

    assert_refused(
        lambda: RegistrationRequest.objects.filter(pk=request.pk).update(status="rejected"),
        RegistrationRequest.objects.all(),
    )
    RegistrationRequest.objects.filter(pk=request.pk).update(status="rejected", rejection_reason="No trace")


def test_it_refuses_a_request_for_someone_born_after_his_capture(db):
    assert_refused(
        lambda: RegistrationRequestFactory(
            date_of_birth=datetime.date(2025, 3, 3), capture_date=datetime.date(2025, 3, 2)
        ),
        RegistrationRequest.objects.all(),
    )


# Exchanges


def test_it_refuses_an_exchange_with_the_same_party_on_both_sides(db):
    party = PartyFactory(code="own")

    assert_refused(lambda: ExchangeFactory(our_party=party, other_party=party), Exchange.objects.all())


def test_it_refuses_a_mediator_who_is_a_side(db):
    party = OpposingPartyFactory()

    assert_refused(lambda: ExchangeFactory(other_party=party, mediator=party), Exchange.objects.all())
    ExchangeFactory(other_party=party, mediator=MediatorPartyFactory())


def test_it_refuses_an_exchange_status_outside_its_choices(db):
    assert_refused(lambda: ExchangeFactory(status="postponed"), Exchange.objects.all())
    exchange = ExchangeFactory()
    assert_refused(lambda: Exchange.objects.filter(pk=exchange.pk).update(status="postponed"), Exchange.objects.all())


@pytest.mark.parametrize(("field", "value"), [("outcome", "lost"), ("direction", "sideways")])
def test_it_refuses_an_entry_value_outside_its_choices(db, field, value):
    assert_refused(lambda: ExchangeEntryFactory(**{field: value}), ExchangeEntry.objects.all())


# Family members


@pytest.mark.parametrize(
    "fields",
    [{"notify_by_sms": True, "phone": ""}, {"notify_by_telegram": True, "telegram_handle": ""}],
    ids=["sms-without-phone", "telegram-without-handle"],
)
def test_it_refuses_a_channel_without_its_address(db, fields):
    user = UserFactory()

    assert_refused(
        lambda: FamilyMember.objects.create(user=user, full_name="Test Relative", **fields),
        FamilyMember.objects.all(),
    )


def test_it_allows_sms_with_a_phone(db):
    FamilyMember.objects.create(user=UserFactory(), full_name="Test Relative", notify_by_sms=True, phone="+000 555")


# Audit chain


def test_it_keeps_one_audit_chain_head(db):
    assert AuditChainHead.objects.filter(pk=1).exists()

    assert_refused(lambda: AuditChainHead.objects.create(pk=2), AuditChainHead.objects.all())
