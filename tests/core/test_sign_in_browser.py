"""In Chromium: a new caseworker sets up the authenticator app when first asked, then signs in with a code."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.models import SignInEvent
from core.roles import Role
from tests.browser import browser_sign_in
from tests.factories import UserFactory, totp_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct-horse-battery"


def test_a_new_caseworker_sets_up_two_factor_sign_in_then_signs_in_with_a_recovery_code(phone):
    for role in Role:
        Group.objects.get_or_create(name=role)
    UserFactory(username="nadia", role=Role.CASEWORKER, second_factor=False)
    page = phone

    browser_sign_in(page, "nadia", PASSWORD)
    page.goto(f"{page.base}/staff/")
    # Adding a second factor asks for the password again, then shows the key to scan or type.
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    recovery_code = page.locator("#recovery_codes").input_value().split()[0]
    page.goto(f"{page.base}/staff/")
    expect(page.get_by_role("heading", name="Workspace")).to_be_visible()

    page.locator("form[action$='/logout/'] button").click()
    page.goto(f"{page.base}/accounts/login/")
    page.locator("input[name=login]").fill("nadia")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).get_by_role("button").click()
    page.locator("input[name=code]").fill(f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}")
    page.locator("form").filter(has=page.locator("input[name=code]")).locator("button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("Incorrect code.")
    page.locator("input[name=code]").fill(recovery_code)
    page.locator("form").filter(has=page.locator("input[name=code]")).locator("button[type=submit]").first.click()
    page.goto(f"{page.base}/staff/")
    expect(page.get_by_role("heading", name="Workspace")).to_be_visible()

    page.goto(f"{page.base}/accounts/sign-ins/")
    expect(page.locator("table.sign-ins tbody tr")).to_have_count(
        SignInEvent.objects.filter(user__username="nadia").count()
    )
    expect(page.locator("table.sign-ins")).to_contain_text("Wrong second-factor code")
