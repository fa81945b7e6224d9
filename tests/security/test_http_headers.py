"""HTTP hardening: the headers every answer carries, cookies, CSRF, and pages with no inline script or style."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from families.models import RegistrationRequest
from tests.factories import RegistrationRequestFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Mail is read in mail programs, which ignore style sheets: its HTML carries its styles inline.
MAIL_TEMPLATES = {"notifications/email.html"}


class InlineCode(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, _value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if name in ("href", "src", "action") and (_value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self._in_script = True

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}…")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def _template_names():
    return sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if str(path.relative_to(TEMPLATES)) not in MAIL_TEMPLATES
    )


@pytest.mark.parametrize("name", _template_names())
def test_no_template_has_inline_script_style_or_handlers(name):
    source = (TEMPLATES / name).read_text()
    # Template tags are not HTML: blank them so the parser sees the markup around them.
    markup = re.sub(r"{%.*?%}|{{.*?}}", "x", source, flags=re.S)

    assert inline_code(markup) == []


def test_it_sends_the_policy_and_the_hardening_headers(client):
    response = client.get("/", secure=True)

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_it_sends_the_policy_with_the_api_too(client, carol):
    api = APIClient()
    api.force_login(carol)

    response = api.get(reverse("staff_api:request_list"), secure=True)

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "url",
    ["/", "/accounts/login/", "/accounts/signup/", "/track/", "/api/docs/", "/accounts/2fa/", "/my/requests/new/"],
)
def test_rendered_pages_carry_no_inline_code(client, carol, olena, url):
    client.force_login(olena.user if url.startswith("/my/") else carol)

    response = client.get(url, follow=True)

    assert response.status_code == 200
    assert inline_code(response.content.decode()) == []


def test_staff_pages_carry_no_inline_code(client, carol, olena):
    request = RegistrationRequestFactory(filed_by=olena, prisoner=None)
    client.force_login(carol)

    for url in (
        reverse("staff:home"),
        reverse("staff:request_queue"),
        reverse("staff:request_review", args=[request.reference]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url


def test_the_session_and_csrf_cookies_are_secure_and_the_session_one_httponly(client, olena):
    client.get(reverse("account_login"), secure=True)
    response = client.post(
        reverse("account_login"), {"login": "olena", "password": "correct-horse-battery"}, secure=True
    )

    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["secure"]


def test_it_refuses_a_form_post_without_the_csrf_token(olena):
    client = Client(enforce_csrf_checks=True)
    client.force_login(olena.user)
    before = RegistrationRequest.objects.count()

    response = client.post(reverse("families:request_new"), {"surname": "Melnyk"})

    assert response.status_code == 403
    assert RegistrationRequest.objects.count() == before


def test_it_refuses_a_sign_in_post_without_the_csrf_token(olena):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("account_login"), {"login": "olena", "password": "correct-horse-battery"})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_api_write_with_a_session_but_no_csrf_token(olena):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(olena.user)
    before = RegistrationRequest.objects.count()

    response = api.post(reverse("api:request_list"), {"surname": "Melnyk"}, format="json")

    assert response.status_code == 403
    assert RegistrationRequest.objects.count() == before
