"""Every API refusal of bad input comes in one shape: ``{detail, code, fields}``."""

from django.urls import reverse
from rest_framework.test import APIClient

from families.models import RegistrationRequest


def test_it_refuses_a_body_that_is_not_json_in_the_one_shape(olena):
    api = APIClient()
    api.force_login(olena.user)

    response = api.post(reverse("api:request_list"), b"\x95\x95", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["fields"] == {}
    assert response.json()["detail"].startswith("JSON parse error")
    assert not RegistrationRequest.objects.exists()
