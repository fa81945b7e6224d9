"""Upload tricks through the real forms and endpoints: each is refused with a message, and nothing is kept.

Evidence is checked by its content, never by its name or the browser's
claimed type; the other side's list is read whole before anything is stored.
A file that is kept is served to staff as a download that no browser renders.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image
from rest_framework.test import APIClient

from exchanges.models import CounterpartyList
from prisoners.evidence import MAX_EVIDENCE_FILE_SIZE
from prisoners.models import Evidence
from tests.factories import UserFactory, request_data
from tests.security.conftest import png_bytes

pytestmark = pytest.mark.django_db

PHP = b"<?php system($_GET['c']); ?>"
ONLY_PHOTOS = "only photos (JPEG, PNG, WebP) and PDF documents are accepted."


def _bomb_png() -> bytes:
    """A few kilobytes that would unpack to a picture of 40 000 × 40 000 pixels."""
    out = io.BytesIO()
    Image.new("1", (40_000, 40_000)).save(out, "PNG")
    return out.getvalue()


TRICKS = {
    "photo.jpg.php": (PHP, ONLY_PHOTOS),
    "x.php.jpg": (PHP, ONLY_PHOTOS),
    "jpeg-then-php.jpg": (b"\xff\xd8\xff\xe0" + PHP, ONLY_PHOTOS),
    "drawing.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', ONLY_PHOTOS),
    "page.png": (b"<!doctype html><html><script>alert(document.cookie)</script></html>", ONLY_PHOTOS),
    "empty.png": (b"", "the file is empty."),
    "huge.png": (png_bytes() + b"\0" * MAX_EVIDENCE_FILE_SIZE, "it is larger than 10 MB."),
    "bomb.png": (_bomb_png(), ONLY_PHOTOS),
}


def _upload(name):
    content, _reason = TRICKS[name]
    return SimpleUploadedFile(name, content, content_type="image/png")


def _stored_files(evidence_root) -> list:
    return [path for path in evidence_root.rglob("*") if path.is_file()] if evidence_root.exists() else []


@pytest.fixture
def nothing_kept(evidence_root):
    files, rows = _stored_files(evidence_root), Evidence.objects.count()
    yield
    assert _stored_files(evidence_root) == files
    assert Evidence.objects.count() == rows


@pytest.mark.parametrize("name", TRICKS)
def test_the_filing_page_refuses_the_trick_in_the_familys_language(client, olena, nothing_kept, name):
    client.force_login(olena.user)
    data = {**request_data(), "consent": "on", "files": [_upload(name)]}
    data.pop("date_of_birth")

    response = client.post(reverse("families:request_new"), data, HTTP_ACCEPT_LANGUAGE="uk")

    assert response.status_code == 200
    with translation.override("uk"):
        reason = gettext(TRICKS[name][1])
    assert reason != TRICKS[name][1], "the message has a Ukrainian translation"
    assert any(reason in str(error) for error in response.context["form"].errors["files"])


@pytest.mark.parametrize("name", TRICKS)
def test_the_api_refuses_the_trick(olena, nothing_kept, name):
    client = APIClient()
    client.force_login(olena.user)
    data = {**request_data(), "date_of_birth": "1995-01-09", "consent": "true", "files": [_upload(name)]}

    response = client.post("/api/v1/requests/", data, format="multipart", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["code"] in ("bad_file", "invalid")
    assert TRICKS[name][1] in " ".join(response.json()["fields"]["files"])


@pytest.mark.parametrize("name", ["x.php.jpg", "page.png", "bomb.png"])
def test_the_answer_to_a_caseworker_refuses_the_trick(client, olena, family_a, nothing_kept, name):
    client.force_login(olena.user)
    url = reverse("families:request_answer", args=[family_a["request"].reference])

    response = client.post(url, {"body": "Here is his photo.", "files": [_upload(name)]})

    assert response.status_code == 200
    assert response.context["answer_form"].errors["files"]


def _zip_bomb() -> bytes:
    """An "xlsx" whose one sheet unpacks to 60 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("their-list.xlsx", _zip_bomb()),
        ("their-list.csv.php", PHP),
        ("their-list.csv", b""),
        ("their-list.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64),
        ("their-list.csv", b"surname,given name\n" + b"Testov,Ivan\n" * 500_000),
    ],
)
def test_the_other_sides_list_refuses_the_trick(cole, family_a, name, content):
    client = APIClient()
    client.force_login(cole)
    url = reverse("staff_api:exchange_upload", args=[family_a["exchange"].pk])
    lists = CounterpartyList.objects.count()

    response = client.post(url, {"direction": "receive", "file": SimpleUploadedFile(name, content)}, format="multipart")

    assert response.status_code == 400
    assert response.json()["detail"]
    assert CounterpartyList.objects.count() == lists


def test_a_kept_file_is_served_as_a_download_no_browser_renders(client, carol, family_a):
    client.force_login(carol)

    response = client.get(reverse("prisoners:evidence_file", args=[family_a["evidence"].pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('filename="son.png"')
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_file_sent_with_a_misleading_name_downloads_with_the_type_of_its_content(client, olena, carol):
    client.force_login(olena.user)
    data = {**request_data(), "consent": "on", "files": [SimpleUploadedFile("evil.html", png_bytes(), "text/html")]}
    data.pop("date_of_birth")
    assert client.post(reverse("families:request_new"), data).status_code == 302
    stored = Evidence.objects.get(original_name="evil.html")
    client.force_login(carol)

    response = client.get(reverse("prisoners:evidence_file", args=[stored.pk]))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith('filename="evil.png"')
    assert not stored.file.name.endswith(".html")


def test_a_caseworker_without_a_second_factor_is_sent_to_set_one_up_before_any_download(client, family_a):
    caseworker = UserFactory(username="carol-no-2fa", role="caseworker", second_factor=False)
    client.force_login(caseworker)

    response = client.get(reverse("prisoners:evidence_file", args=[family_a["evidence"].pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
