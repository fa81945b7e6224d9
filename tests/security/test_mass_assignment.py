"""A family member sending fields that are not theirs to set: they are refused or ignored, and nothing changes.

Status, the linked record, who filed the request, its reference, the
caseworker it is assigned to, whether a relationship is verified: staff
decide these, never a family's form or API call.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from families.models import RegistrationRequest, RequestStatus
from tests.factories import request_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_only_fields(family_a, ivan, carol):
    return {
        "status": RequestStatus.ACCEPTED,
        "prisoner": family_a["prisoner"].pk,
        "prisoner_id": family_a["prisoner"].pk,
        "filed_by": ivan.pk,
        "filed_by_id": ivan.pk,
        "reference": "HC-1999-123456",
        "assigned_to": carol.pk,
        "caseworker": carol.pk,
        "verified": True,
        "verified_at": "2026-01-01T00:00:00Z",
        "access_code_hash": "md5$$0",
        "rejection_reason": "planted",
        "is_staff": True,
        "is_superuser": True,
        "user": carol.pk,
    }


@pytest.fixture
def api(olena):
    client = APIClient()
    client.force_login(olena.user)
    return client


def _assert_filed_as_family(olena, before: set):
    for filed in RegistrationRequest.objects.exclude(pk__in=before):
        assert filed.filed_by_id == olena.pk
        assert filed.status == RequestStatus.SUBMITTED
        assert filed.prisoner_id is None and filed.assigned_to_id is None
        assert filed.reference != "HC-1999-123456"
        assert filed.rejection_reason == ""


def test_the_api_files_a_request_without_the_fields_a_family_may_not_set(api, olena, staff_only_fields):
    before = set(RegistrationRequest.objects.values_list("pk", flat=True))
    data = {**request_data(), "date_of_birth": "1995-01-09", "consent": True, **staff_only_fields}

    response = api.post("/api/v1/requests/", data, format="json")

    assert response.status_code in (201, 400)
    _assert_filed_as_family(olena, before)
    if response.status_code == 201:
        assert response.json()["status"] == RequestStatus.SUBMITTED


def test_the_filing_page_files_a_request_without_the_fields_a_family_may_not_set(client, olena, staff_only_fields):
    client.force_login(olena.user)
    before = set(RegistrationRequest.objects.values_list("pk", flat=True))
    data = {**request_data(), "consent": "on", **staff_only_fields}
    data.pop("date_of_birth")

    response = client.post(reverse("families:request_new"), data)

    assert response.status_code in (200, 302)
    assert RegistrationRequest.objects.exclude(pk__in=before).count() == (1 if response.status_code == 302 else 0)
    _assert_filed_as_family(olena, before)


@pytest.mark.parametrize("action", ["answer", "withdraw"])
def test_answering_or_withdrawing_through_the_api_sets_nothing_else(api, olena, family_a, staff_only_fields, action):
    request = family_a["request"]
    body = {"body": "He served in the 10th brigade.", "reason": "Found him", **staff_only_fields}

    response = api.post(f"/api/v1/requests/{request.reference}/{action}/", body, format="json")

    assert response.status_code in (200, 201, 400)
    request.refresh_from_db()
    assert request.status in (RequestStatus.INFO_REQUESTED, RequestStatus.IN_REVIEW, RequestStatus.WITHDRAWN)
    assert request.filed_by_id == olena.pk
    assert request.prisoner_id == family_a["prisoner"].pk
    assert request.assigned_to_id is None
    assert request.reference != "HC-1999-123456"


@pytest.mark.parametrize("action", ["answer", "withdraw"])
def test_answering_or_withdrawing_on_the_pages_sets_nothing_else(client, olena, family_a, staff_only_fields, action):
    client.force_login(olena.user)
    request = family_a["request"]
    body = {"body": "He served in the 10th brigade.", "reason": "Found him", **staff_only_fields}

    client.post(reverse(f"families:request_{action}", args=[request.reference]), body)

    request.refresh_from_db()
    assert request.status in (RequestStatus.IN_REVIEW, RequestStatus.WITHDRAWN)
    assert (request.filed_by_id, request.prisoner_id, request.assigned_to_id) == (
        olena.pk,
        family_a["prisoner"].pk,
        None,
    )


def test_the_profile_page_changes_only_the_profile(client, olena, family_a, staff_only_fields):
    client.force_login(olena.user)
    data = {
        **staff_only_fields,
        "version": olena.version,
        "full_name": "Olena Testova-Nova",
        "phone": "",
        "telegram_handle": "",
        "preferred_language": "uk",
    }

    response = client.post(reverse("families:profile"), data)

    assert response.status_code == 302
    olena.refresh_from_db()
    olena.user.refresh_from_db()
    assert olena.full_name == "Olena Testova-Nova"
    assert olena.user_id == family_a["member"].user_id
    assert not (olena.user.is_staff or olena.user.is_superuser)
    assert set(olena.user.groups.values_list("name", flat=True)) == {"family"}
