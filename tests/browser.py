"""Pages in Chromium: a window that fails its test on any Content-Security-Policy violation, and signing in."""

from contextlib import contextmanager

from playwright.sync_api import expect

from tests.factories import TEST_TOTP_SECRET, totp_code


def browser_sign_in(page, username: str, password: str, *, totp_secret: str | None = TEST_TOTP_SECRET) -> None:
    """Password, then the authenticator app's code when the account has a second factor."""
    page.goto(f"{page.base}/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form").filter(has=page.locator("input[name=password]")).get_by_role("button").click()
    signed_in = page.locator("form[action$='/logout/'] button")
    code = page.locator("input[name=code]")
    expect(signed_in.or_(code)).to_be_visible()
    if code.is_visible():
        code.fill(totp_code(totp_secret))
        page.locator("form").filter(has=code).locator("button[type=submit]").first.click()
    # Family pages come in the family's language: look for the sign-out form, not its label.
    expect(signed_in).to_be_visible()


@contextmanager
def browser_page(chromium, base_url: str, *, width: int, height: int, **options):
    """A page on the live server (``page.base``); what the policy blocked on it fails the test that used it."""
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="en-GB", **options)
    page = context.new_page()
    page.base = base_url
    blocked = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield page
    context.close()
    assert blocked == [], "the Content-Security-Policy blocked: " + "; ".join(blocked)
