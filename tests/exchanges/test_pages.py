"""The exchange pages and API: coordinators build and finish the list; others read it or learn nothing of it."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from exchanges.models import CounterpartyRow, Direction, EntryOutcome, Exchange, ExchangeEntry, ExchangeStatus
from exchanges.services import exchange_assemble, exchange_create
from prisoners.models import CaseStatus, HealthStatus
from tests.factories import OpposingPartyFactory, PartyFactory, PrisonerFactory

# The other side's spelling of Чистяков Николай, born 17 May 1990.
THEIR_LIST = b"surname,given_name,date_of_birth\nChistiakov,Mykola,1990-05-17\n"


@pytest.fixture
def exchange(cole):
    return exchange_create(
        actor=cole, title="Page exchange", our_party=PartyFactory(code="own"), other_party=OpposingPartyFactory()
    )


def _held(months: int, **fields):
    captured = timezone.localdate() - datetime.timedelta(days=int(months * 30.5) + 1)
    return PrisonerFactory(**{"status": CaseStatus.REGISTERED, "capture_date": captured, **fields})


def _signed_in(client, persona):
    client.force_login(getattr(persona, "user", persona))
    return client


def test_it_creates_an_exchange_from_the_page(client, cole):
    own, other = PartyFactory(code="own"), OpposingPartyFactory()
    _signed_in(client, cole)

    response = client.post(
        reverse("staff:exchange_new"),
        {"title": "Winter exchange", "our_party": own.pk, "other_party": other.pk, "planned_date": "2027-01-10"},
    )

    exchange = Exchange.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:exchange_detail", args=[exchange.pk])
    assert (exchange.title, exchange.status, exchange.created_by) == ("Winter exchange", ExchangeStatus.DRAFT, cole)


def test_it_refuses_a_bad_exchange_form_and_creates_nothing(client, cole):
    other = OpposingPartyFactory()
    _signed_in(client, cole)

    response = client.post(reverse("staff:exchange_new"), {"title": "", "our_party": other.pk, "other_party": other.pk})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Exchange.objects.exists()


def test_the_page_shows_both_sides_counted_and_warns_when_they_differ(client, cole, exchange):
    _held(20, surname="Чистяков", given_names="Николай")
    _held(3, health_status=HealthStatus.SERIOUSLY_WOUNDED_OR_SICK)
    theirs = PrisonerFactory(status=CaseStatus.REGISTERED, party=exchange.other_party, holding_party=exchange.our_party)
    exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=2, actor=cole)
    exchange_assemble(exchange=exchange, direction=Direction.HAND_OVER, count=1, actor=cole)
    _signed_in(client, cole)

    page = client.get(reverse("staff:exchange_detail", args=[exchange.pk])).content.decode()

    assert "We receive 2 · we hand over 1" in page
    assert "The two sides differ: 2 for 1." in page
    assert page.index("Art. 110") < page.index("Чистяков Николай")
    assert "20 months in captivity" in page
    assert theirs.full_name in page
    assert "Confidential: families do not see this list" in page


def test_it_assembles_from_the_page(client, cole, exchange):
    people = [_held(months) for months in (4, 14, 24)]
    _signed_in(client, cole)

    response = client.post(
        reverse("staff:exchange_assemble", args=[exchange.pk]), {"direction": Direction.RECEIVE, "count": 2}
    )

    assert response.status_code == 302
    assert list(exchange.entries.order_by("position").values_list("prisoner_id", flat=True)) == [
        people[2].pk,
        people[1].pk,
    ]


@pytest.mark.parametrize(
    ("count", "said"), [(1, "1 person was added by priority."), (2, "2 people were added by priority.")]
)
def test_it_says_how_many_people_it_added(client, cole, exchange, count, said):
    for months in (4, 14):
        _held(months)
    _signed_in(client, cole)

    response = client.post(
        reverse("staff:exchange_assemble", args=[exchange.pk]),
        {"direction": Direction.RECEIVE, "count": count},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert said in response.text


def test_it_says_why_a_person_cannot_be_added_and_adds_nobody(client, cole, exchange):
    dead = _held(3, status=CaseStatus.DECEASED, surname="Тестовий", given_names="Петро")
    _signed_in(client, cole)

    response = client.post(
        reverse("staff:exchange_entry_add", args=[exchange.pk]), {"direction": Direction.RECEIVE, "prisoner": dead.pk}
    )

    assert response.status_code == 400
    assert "Тестовий Петро is not registered as a prisoner of war" in response.content.decode()
    assert not ExchangeEntry.objects.exists()


def test_completing_with_pending_outcomes_is_refused_on_the_page(client, cole, exchange):
    _held(3)
    exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=1, actor=cole)
    _signed_in(client, cole)
    for status in (ExchangeStatus.PROPOSED, ExchangeStatus.AGREED):
        exchange.refresh_from_db()
        client.post(
            reverse("staff:exchange_status", args=[exchange.pk]), {"status": status, "version": exchange.version}
        )
    exchange.refresh_from_db()

    response = client.post(
        reverse("staff:exchange_status", args=[exchange.pk]),
        {"status": ExchangeStatus.COMPLETED, "version": exchange.version},
    )

    assert response.status_code == 400
    assert "1 still pending" in response.content.decode()
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.AGREED


def test_an_entry_of_another_exchange_is_not_found(client, cole, exchange):
    other = exchange_create(actor=cole, title="Other", our_party=exchange.our_party, other_party=exchange.other_party)
    _held(3)
    entry = exchange_assemble(exchange=other, direction=Direction.RECEIVE, count=1, actor=cole)[0]
    _signed_in(client, cole)

    response = client.post(
        reverse("staff:exchange_entry_outcome", args=[exchange.pk, entry.pk]), {"outcome": EntryOutcome.RETURNED}
    )

    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.outcome == EntryOutcome.PENDING


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
    ],
)
def test_it_exports_the_list_as_a_download_and_audits_it(client, carol, cole, exchange, fmt, content_type, magic):
    _held(3)
    exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=1, actor=cole)
    _signed_in(client, carol)

    response = client.get(reverse("staff:exchange_export", args=[exchange.pk, fmt]))

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type.split(";")[0]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(magic)
    assert AuditEvent.objects.filter(action="exchange.exported", actor=carol).count() == 1


def test_it_reconciles_an_uploaded_list_on_the_page(client, cole, exchange):
    prisoner = _held(6, surname="Чистяков", given_names="Николай", date_of_birth=datetime.date(1990, 5, 17))
    _signed_in(client, cole)
    upload = SimpleUploadedFile(
        "their-list.csv", b"surname,given_name,date_of_birth\nChistiakov,Mykola,1990-05-17\n", "text/csv"
    )

    response = client.post(
        reverse("staff:exchange_upload", args=[exchange.pk]), {"direction": Direction.RECEIVE, "file": upload}
    )

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Chistiakov Mykola" in page
    assert prisoner.full_name in page
    row = CounterpartyRow.objects.get()
    client.post(reverse("staff:exchange_row_decide", args=[exchange.pk, row.pk]), {"decision": "confirmed"})
    assert exchange.entries.get().prisoner == prisoner


def test_a_bad_upload_is_refused_with_the_reason(client, cole, exchange):
    _signed_in(client, cole)
    upload = SimpleUploadedFile("their-list.csv", b"nom,prenom\nA,B\n", "text/csv")

    response = client.post(
        reverse("staff:exchange_upload", args=[exchange.pk]), {"direction": Direction.RECEIVE, "file": upload}
    )

    assert response.status_code == 400
    assert "nom" in response.content.decode()
    assert not exchange.counterparty_lists.exists()


# Who reaches what.


@pytest.mark.parametrize("name", ["exchange_list", "exchange_new"])
def test_visitors_are_asked_to_sign_in(client, name):
    assert client.get(reverse(f"staff:{name}")).status_code == 401


@pytest.mark.parametrize("persona", ["olena", "oscar"])
def test_families_and_outsiders_learn_nothing_of_exchanges(client, request, exchange, persona):
    _signed_in(client, request.getfixturevalue(persona))

    assert client.get(reverse("staff:exchange_detail", args=[exchange.pk])).status_code == 404
    assert client.get(reverse("staff:exchange_export", args=[exchange.pk, "csv"])).status_code == 404
    assert client.get(reverse("staff_api:exchange_detail", args=[exchange.pk])).status_code == 404
    response = client.post(
        reverse("staff:exchange_assemble", args=[exchange.pk]), {"direction": Direction.RECEIVE, "count": 1}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["carol", "ada"])
def test_other_staff_read_but_do_not_change_exchanges(client, request, exchange, persona):
    _held(3)
    _signed_in(client, request.getfixturevalue(persona))

    assert client.get(reverse("staff:exchange_detail", args=[exchange.pk])).status_code == 200
    page = client.post(reverse("staff:exchange_assemble", args=[exchange.pk]), {"direction": "receive", "count": 1})
    api = client.post(
        reverse("staff_api:exchange_assemble", args=[exchange.pk]), {"direction": "receive", "count": 1}, format="json"
    )

    assert (page.status_code, api.status_code) == (403, 403)
    assert not exchange.entries.exists()


def test_the_page_reads_the_list_in_the_same_queries_for_1_or_30(client, cole, exchange, django_assert_num_queries):
    _signed_in(client, cole)
    url = reverse("staff:exchange_detail", args=[exchange.pk])
    _held(3)
    exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=1, actor=cole)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for months in range(4, 33):
        _held(months)
    exchange_assemble(exchange=exchange, direction=Direction.RECEIVE, count=30, actor=cole)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(url)


# The API.


def test_the_api_builds_and_reads_a_list(client, cole):
    own, other = PartyFactory(code="own"), OpposingPartyFactory()
    first, second = _held(30), _held(2, health_status=HealthStatus.SERIOUSLY_WOUNDED_OR_SICK)
    _signed_in(client, cole)

    created = client.post(
        reverse("staff_api:exchange_list"),
        {"title": "API exchange", "our_party": own.code, "other_party": other.code},
        content_type="application/json",
    )
    pk = created.json()["id"]
    pool = client.get(reverse("staff_api:exchange_pool", args=[pk]), {"direction": "receive"}).json()
    assembled = client.post(
        reverse("staff_api:exchange_assemble", args=[pk]),
        {"direction": "receive", "count": 2},
        content_type="application/json",
    )
    detail = client.get(reverse("staff_api:exchange_detail", args=[pk])).json()

    assert created.status_code == 201
    assert [row["prisoner"] for row in pool] == [second.pk, first.pk]
    assert pool[0]["art110"] is True
    assert assembled.status_code == 201
    assert [entry["prisoner"] for entry in detail["entries"]] == [second.pk, first.pk]
    assert (detail["receive_count"], detail["hand_over_count"], detail["counts_differ"]) == (2, 0, True)


def test_the_api_refuses_bad_input_with_field_messages(client, cole, exchange):
    _signed_in(client, cole)

    response = client.post(
        reverse("staff_api:exchange_assemble", args=[exchange.pk]),
        {"direction": "sideways", "count": 0},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"direction", "count"}
    assert not exchange.entries.exists()


def test_the_api_does_not_let_a_status_be_set_on_creation(client, cole):
    own, other = PartyFactory(code="own"), OpposingPartyFactory()
    _signed_in(client, cole)

    response = client.post(
        reverse("staff_api:exchange_list"),
        {"title": "Sneaky", "our_party": own.code, "other_party": other.code, "status": "completed"},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert Exchange.objects.get().status == ExchangeStatus.DRAFT


def test_an_exchange_is_not_agreed_before_the_other_sides_list_is_reconciled(client, cole, exchange):
    _held(6, surname="Чистяков", given_names="Николай", date_of_birth=datetime.date(1990, 5, 17))
    _signed_in(client, cole)
    upload = SimpleUploadedFile("their-list.csv", THEIR_LIST, "text/csv")
    client.post(reverse("staff:exchange_upload", args=[exchange.pk]), {"direction": Direction.RECEIVE, "file": upload})
    client.post(
        reverse("staff:exchange_status", args=[exchange.pk]),
        {"status": ExchangeStatus.PROPOSED, "version": exchange.version},
    )
    exchange.refresh_from_db()

    response = client.post(
        reverse("staff:exchange_status", args=[exchange.pk]),
        {"status": ExchangeStatus.AGREED, "version": exchange.version},
    )

    assert response.status_code == 400
    assert "Reconcile the other side&#x27;s list first: 1 row is not decided." in response.content.decode()
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.PROPOSED
