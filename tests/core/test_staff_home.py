"""The staff workspace's home page, /staff/: the work waiting, counted."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from families.models import RequestStatus
from prisoners.models import CaseStatus
from prisoners.services import official_submission_create
from tests.factories import PrisonerFactory, RegistrationRequestFactory

pytestmark = pytest.mark.django_db

HOME = reverse("staff:home")
LONG_AGO = timezone.now() - datetime.timedelta(days=30)


def _late_submission(actor):
    today = timezone.localdate()
    official_submission_create(
        prisoner=PrisonerFactory(),
        actor=actor,
        data={
            "authority": "icrc",
            "channel": "email",
            "submitted_on": today - datetime.timedelta(days=20),
            "acknowledgement_due_on": today - datetime.timedelta(days=6),
        },
    )


def test_it_counts_the_work_waiting(client, carol, cole):
    RegistrationRequestFactory(status=RequestStatus.SUBMITTED)
    RegistrationRequestFactory(status=RequestStatus.IN_REVIEW, assigned_to=carol, status_changed_at=LONG_AGO)
    RegistrationRequestFactory(status=RequestStatus.INFO_REQUESTED, assigned_to=cole, status_changed_at=LONG_AGO)
    RegistrationRequestFactory(status=RequestStatus.ACCEPTED, assigned_to=carol, prisoner=PrisonerFactory())
    PrisonerFactory(status=CaseStatus.REGISTERED)
    _late_submission(carol)
    client.force_login(carol)

    with translation.override("en"):
        response = client.get(HOME)

    assert response.status_code == 200
    assert response.context["requests"] == {"open": 3, "unassigned": 1, "mine": 1}
    assert response.context["requests_overdue"] == 1
    assert response.context["submissions_overdue"] == 1
    cases = {status: count for status, _label, count in response.context["cases"]}
    assert (cases["reported"], cases["registered"], cases["returned"]) == (2, 1, 0)
    html = response.content.decode()
    queue = reverse("staff:request_queue")
    for link in (f"{queue}?assignee=none", f"{queue}?assignee=me", f"{queue}?overdue=on"):
        assert link in html
    assert reverse("staff:submissions_overdue") in html and reverse("staff:prisoner_search") in html


@pytest.mark.parametrize("persona", ["carol", "cole", "ada"])
def test_every_staff_role_has_a_home(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(HOME).status_code == 200


def test_it_runs_the_same_queries_however_much_is_waiting(client, carol):
    client.force_login(carol)
    client.get(HOME)
    with CaptureQueriesContext(connection) as empty:
        client.get(HOME)
    for status in (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW):
        RegistrationRequestFactory.create_batch(3, status=status, status_changed_at=LONG_AGO)
    for status in CaseStatus.values[:4]:
        PrisonerFactory.create_batch(2, status=status)
    _late_submission(carol)
    with CaptureQueriesContext(connection) as busy:
        client.get(HOME)

    assert len(busy) == len(empty)
