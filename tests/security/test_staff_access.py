"""Every staff page and endpoint, tried from outside the staff.

The list of URLs comes from the URL conf (the ``staff`` and ``staff_api``
namespaces), so a page added later is tried too. An anonymous visitor is asked
to sign in (401); a family member, even one whose own request is on the page,
and an account without a role get 404, as for a page that does not exist.
Nothing they send changes anything.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from exchanges.models import CounterpartyList, CounterpartyRow, EntryOutcome, MatchState
from families.models import RegistrationRequest
from families.services import relationship_create
from prisoners.models import NameVariant, OfficialSubmission, Prisoner
from tests.factories import ExchangeEntryFactory, ExchangeFactory, PrisonerFactory, RegistrationRequestFactory

pytestmark = pytest.mark.django_db

NAMESPACES = ("staff", "staff_api")


def _patterns(resolver, namespace=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and namespace in NAMESPACES and entry.name:
            yield namespace, entry


def staff_url_names() -> list[tuple[str, tuple[str, ...], str]]:
    """Each staff URL name, the names of the arguments its route takes, and the route's first segment."""
    found = {
        f"{namespace}:{pattern.name}": (
            tuple(re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))),
            str(pattern.pattern).split("/", 1)[0],
        )
        for namespace, pattern in _patterns(get_resolver())
    }
    return sorted((name, args, segment) for name, (args, segment) in found.items())


@pytest.fixture
def case(olena, carol):
    """Olena's own request, linked to a record with a spelling, a submission and her tie to him."""
    prisoner = PrisonerFactory()
    request = RegistrationRequestFactory(filed_by=olena, prisoner=None)
    relationship = relationship_create(family_member=olena, prisoner=prisoner, kind="mother", actor=carol)
    variant = NameVariant.objects.create(prisoner=prisoner, surname="Testov", script="latin")
    submission = OfficialSubmission.objects.create(
        prisoner=prisoner,
        authority="icrc",
        channel="email",
        submitted_on="2026-01-05",
        acknowledgement_due_on="2026-01-19",
    )
    exchange = ExchangeFactory()
    their_list = CounterpartyList.objects.create(exchange=exchange, original_name="their-list.csv")
    return {
        "exchange": exchange,
        # With an outcome, the entry cannot be removed by the staff's own tour of the URLs.
        "entry": ExchangeEntryFactory(exchange=exchange, prisoner=PrisonerFactory(), outcome=EntryOutcome.DECLINED),
        "counterparty_list": their_list,
        "row": CounterpartyRow.objects.create(
            counterparty_list=their_list, line=2, surname="Testov", given_name="Ivan", state=MatchState.NOT_FOUND
        ),
        "prisoner": prisoner,
        "request": request,
        "relationship": relationship,
        "variant": variant,
        "submission": submission,
    }


OWNERS = {"submissions": "submission", "relationships": "relationship", "exchanges": "exchange"}
# URL arguments other than ``pk`` and ``reference``: the case's record each names.
ARGUMENTS = {"variant_id": "variant", "entry_id": "entry", "list_id": "counterparty_list", "row_id": "row"}


def url_for(name: str, args: tuple[str, ...], segment: str, case) -> str:
    kwargs = {}
    for arg in args:
        if arg == "reference":
            kwargs[arg] = case["request"].reference
        elif arg in ARGUMENTS:
            kwargs[arg] = case[ARGUMENTS[arg]].pk
        elif arg == "fmt":
            kwargs[arg] = "csv"
        elif arg == "pk":
            kwargs[arg] = case[OWNERS.get(segment, "prisoner")].pk
        else:
            raise AssertionError(f"{name}: no test value for the URL argument {arg!r}; add one here")
    return reverse(name, kwargs=kwargs)


def state() -> tuple:
    """What an outsider's request must leave as it was."""
    return (
        list(Prisoner.objects.order_by("pk").values()),
        list(RegistrationRequest.objects.order_by("pk").values()),
        AuditEvent.objects.count(),
    )


def test_it_knows_the_staff_urls():
    names = {name for name, _, _ in staff_url_names()}
    for expected in ("staff:home", "staff:request_queue", "staff:prisoner_detail", "staff_api:request_list"):
        assert expected in names


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_asks_an_anonymous_visitor_to_sign_in_everywhere(client, case, carol, method):
    client.force_login(carol)
    supported = {}
    for name, args, segment in staff_url_names():
        url = url_for(name, args, segment, case)
        supported[url] = getattr(client, method)(url).status_code != 405
    client.logout()
    before = state()

    refused = {}
    for url, is_supported in supported.items():
        code = getattr(APIClient() if "/api/" in url else client, method)(url).status_code
        if is_supported or code != 405:
            refused[url] = code

    assert refused and set(refused.values()) == {401}, refused
    assert state() == before


@pytest.mark.parametrize("persona", ["olena", "ivan", "oscar"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_404_to_anyone_outside_the_staff(client, case, request, persona, method):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    before = state()

    answers = {}
    for name, args, segment in staff_url_names():
        url = url_for(name, args, segment, case)
        answers[url] = getattr(client, method)(url).status_code

    assert set(answers.values()) <= {404, 405}, answers
    assert 404 in answers.values()
    assert state() == before


@pytest.mark.parametrize("persona", ["carol", "cole", "ada"])
def test_it_opens_every_staff_url_to_the_staff(client, case, request, persona):
    """The other side: no staff URL hides from caseworkers, coordinators or administrators."""
    client.force_login(request.getfixturevalue(persona))

    hidden = {}
    for name, args, segment in staff_url_names():
        url = url_for(name, args, segment, case)
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url)
        if response.status_code in (401, 404):
            hidden[name] = response.status_code

    assert hidden == {}
