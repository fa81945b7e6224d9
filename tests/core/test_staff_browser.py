"""A caseworker's day on the demo data, in a real Chromium, and what the family sees after it.

The caseworker signs in, opens demo-family's request about a brother from the
queue, sees the records that may be him, links the request to his record,
verifies the sister's relationship and registers him through the
official-registration track. demo-family then signs in and reads the new
status on her request.

Screenshots of each step go to ``$ARTIFACTS_DIR/staff`` (by default
``var/test-artifacts/staff``), and one of the page a failure stopped on.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from core.management.commands.seed_demo import DEMO_TOTP_SECRET
from core.roles import Role
from families.models import RegistrationRequest, Relationship, RequestStatus
from prisoners.models import CaseStatus, MatchCandidate
from tests.browser import browser_page, browser_sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or REPO / "var" / "test-artifacts") / "staff"


class Steps:
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
def desk(chromium, live_server):
    """A desktop-sized page on the live server, in English."""
    with browser_page(chromium, live_server.url, width=1280, height=900) as page:
        yield page


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()


def test_a_caseworker_registers_a_brother_and_his_sister_sees_it(desk):
    # An earlier transactional test may have flushed the roles the migrations made.
    for role in Role:
        Group.objects.get_or_create(name=role)
    call_command("seed_demo", "--prisoners=50", "--force", stdout=io.StringIO())
    request = RegistrationRequest.objects.get(filed_by__user__username="demo-family", status=RequestStatus.IN_REVIEW)
    brother = Relationship.objects.get(family_member__user__username="demo-family", verified_at=None).prisoner
    assert brother.status == CaseStatus.CAPTURE_CONFIRMED
    assert MatchCandidate.objects.filter(request=request, candidate=brother).exists()
    page = desk

    with Steps(page) as steps:
        browser_sign_in(page, "demo-caseworker", "demo-caseworker-2026", totp_secret=DEMO_TOTP_SECRET)
        page.get_by_role("link", name="Requests", exact=True).click()
        expect(page.get_by_role("heading", name="Registration requests")).to_be_visible()
        steps.shot("queue")

        page.get_by_role("link", name=request.reference).click()
        candidates = page.get_by_role("region", name="Records that may be him")
        candidate = candidates.get_by_role("article").filter(has=page.get_by_role("link", name=brother.full_name))
        expect(candidate).to_be_visible()
        steps.shot("review-with-candidates")

        candidate.get_by_role("button", name="This is him: link the request to this record").click()
        expect(page.locator(".messages")).to_be_visible()
        steps.shot("linked")

        relationship = page.get_by_role("region", name="The family’s relationship to him")
        relationship.get_by_role("textbox").fill("Birth certificates of both shown at the office (fictional).")
        relationship.get_by_role("button", name="Verify the relationship").click()
        expect(page.get_by_text(re.compile(r"^Verified on "))).to_be_visible()
        steps.shot("verified")

        page.goto(f"{page.base}/staff/prisoners/{brother.pk}/")
        expect(page.get_by_role("heading", level=1)).to_contain_text(brother.surname)
        page.get_by_role("link", name="Record a submission").click()
        page.get_by_label("Sent to").select_option("icrc")
        page.get_by_label("Channel").select_option("portal")
        page.get_by_label("Their reference").fill("ICRC-DEMO-0001")
        page.get_by_role("button", name="Record the submission").click()
        steps.shot("submitted")

        page.get_by_text(re.compile(r"^Record an answer from ICRC")).click()
        page.get_by_role("button", name="Record the confirmation").click()
        expect(page.locator("main")).to_contain_text("Registered as a prisoner of war")
        steps.shot("registered")
        sign_out(page)

        browser_sign_in(page, "demo-family", "demo-family-2026")
        page.goto(f"{page.base}/my/requests/{request.reference}/")
        expect(page.locator("main")).to_contain_text("Registered as a prisoner of war")
        steps.shot("family-sees-registered")

    brother.refresh_from_db()
    assert brother.status == CaseStatus.REGISTERED
