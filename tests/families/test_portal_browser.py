"""A family's whole journey through the portal, in a real Chromium at phone size.

Sign up, confirm the e-mail address, file a request in Russian with a photo,
sign out, and find the request again with its reference and access code.
Fields and buttons are found by their labels and roles, as a screen reader
finds them: an input without a label fails the test.

A screenshot of every step goes to ``$ARTIFACTS_DIR/portal`` (by default
``var/test-artifacts/portal``, which outlives the run for CI to collect), and
one of the page a failure stopped on.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from django.utils.text import capfirst
from PIL import Image
from playwright.sync_api import expect

from families.models import FamilyMember, RegistrationRequest

# The live server needs committed data; serialized_rollback puts back the roles
# the migrations created once the test has flushed the database.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or REPO / "var" / "test-artifacts") / "portal"

EMAIL = "anna.chistyakova@example.test"
PASSWORD = "sunflower-kettle-harbour-42"
REFERENCE = re.compile(r"HC-\d{4}-\d{6}")
ACCESS_CODE = re.compile(r"\b[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}\b")


def ru(message: str) -> str:
    """What a Russian-speaking family reads where the English page says ``message``."""
    with translation.override("ru"):
        return translation.gettext(message)


def ru_label(model_field_name: str) -> str:
    """The label of a form field named after a model field: its verbose name, capitalised."""
    return capfirst(ru(model_field_name))


def field(page, label: str):
    """The input labelled ``label``, with or without the colon of Django's label tags or a “(required)” mark."""
    required = "|".join(re.escape(mark) for mark in {"(required)", ru("(required)")})
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}:?(\s*({required}))?\s*$"))


class Steps:
    """Numbered full-page screenshots, one per step of the journey, and one of the page a failure left."""

    def __init__(self, page):
        self.page = page
        self.number = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()

    def shot(self, name: str) -> None:
        self.number += 1
        self.page.screenshot(path=ARTIFACTS / f"{self.number:02d}-{name}.png", full_page=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None:
            self.shot("failed-here")


@pytest.fixture
def photo(tmp_path):
    """A small, real PNG: the server checks the type by content, not by name."""
    path = tmp_path / "фото-кирилла.png"
    Image.new("RGB", (64, 48), (90, 120, 160)).save(path, format="PNG")
    return path


def test_it_takes_a_family_from_sign_up_to_tracking_a_request_in_russian(phone, mailoutbox, photo):
    page = phone
    page.set_default_timeout(10_000)
    with Steps(page) as steps:
        # Sign up, in English: the browser asks for it.
        page.goto(page.base + "/")
        page.get_by_role("link", name="Create an account", exact=True).click()
        field(page, "Email").fill(EMAIL)
        field(page, "Password").fill(PASSWORD)
        field(page, "Password (again)").fill(PASSWORD)
        field(page, "Your full name").fill("Анна Чистякова")
        field(page, "Language for our messages").select_option("en")
        steps.shot("sign-up")
        page.get_by_role("button", name="Sign Up").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")
        steps.shot("verification-sent")

        # Confirm the address from the e-mail. The link names the production
        # scheme and host; the path is what matters here.
        assert [message.to for message in mailoutbox] == [[EMAIL]]
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mailoutbox[0].body)
        assert link, "the e-mail carries a confirmation link"
        page.goto(page.base + urlsplit(link[0]).path)
        steps.shot("confirm-email")
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        steps.shot("signed-in")

        # Switch the site to Russian; the profile remembers it.
        field(page, "Language").select_option("ru")
        page.get_by_role("button", name="Change", exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        assert FamilyMember.objects.get(user__email=EMAIL).preferred_language == "ru"

        # File a request for him, in Cyrillic, with a photo.
        page.get_by_role("link", name=ru("File a request"), exact=True).click()
        expect(field(page, ru("Language for our messages"))).to_have_value("ru")
        field(page, ru_label("surname")).fill("Чистяков")
        field(page, ru_label("given names")).fill("Кирилл")
        field(page, ru_label("patronymic or father's first name")).fill("Андреевич")
        field(page, ru_label("what you know of what happened")).fill(
            "Последний звонок был в марте. Потом его узнали на видео."
        )
        field(page, ru("Photos or documents")).set_input_files(photo)
        field(page, ru_label("your relationship to him")).select_option(label=ru("Mother"))
        field(
            page, ru("I agree that this information is processed to find and register my relative, as explained above.")
        ).check()
        steps.shot("request-form")
        page.get_by_role("button", name=ru("Send the request")).click()

        # The reference and the one-time access code, shown once and e-mailed.
        expect(page.get_by_text(REFERENCE).first).to_be_visible()
        steps.shot("request-filed")
        text = page.locator("main").inner_text()
        reference, access_code = REFERENCE.search(text)[0], ACCESS_CODE.search(text)[0]
        filed = RegistrationRequest.objects.get(reference=reference)
        assert (filed.surname, filed.given_names, filed.language) == ("Чистяков", "Кирилл", "ru")
        assert filed.evidence.count() == 1, "the photo is kept as evidence"
        receipt = mailoutbox[-1]
        assert receipt.to == [EMAIL] and reference in receipt.body and access_code in receipt.body

        page.get_by_role("link", name=ru("Follow the request")).click()
        expect(page.locator("main")).to_contain_text(reference)
        expect(page.locator("main")).to_contain_text(ru("Received"))
        steps.shot("request-detail")

        # Sign out, and find the request again with what the page showed.
        page.get_by_role("button", name=ru("Sign out")).click()
        expect(page.get_by_role("link", name=ru("Sign in")).first).to_be_visible()
        steps.shot("signed-out")
        page.get_by_role("link", name=ru("Track a request"), exact=True).click()
        field(page, ru("Reference")).fill(reference)
        field(page, ru("Access code")).fill(access_code)
        steps.shot("lookup")
        page.get_by_role("button", name=ru("Show the status")).click()

        main = page.locator("main")
        expect(main).to_contain_text(reference)
        expect(main).to_contain_text(ru("Received"))
        steps.shot("request-status")
