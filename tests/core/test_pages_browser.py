"""The home page in a real Chromium, at phone size."""

import pytest

# The live server needs committed data; serialized_rollback puts back the roles
# the migrations created once the test has flushed the database.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_it_switches_language_from_the_page(phone, tmp_path):
    phone.goto(phone.base + "/")
    assert phone.locator("h1").inner_text() == "Bringing prisoners of war home"

    phone.select_option("#language", "uk")
    phone.get_by_role("button", name="Change").click()
    phone.wait_for_load_state()

    assert phone.locator("html").get_attribute("lang") == "uk"
    assert phone.locator("h1").inner_text() != "Bringing prisoners of war home"
    phone.screenshot(path=tmp_path / "home-uk.png", full_page=True)

    phone.goto(phone.base + "/")
    assert phone.locator("html").get_attribute("lang") == "uk", "the choice is remembered"


def test_it_fits_a_phone_screen(phone):
    phone.goto(phone.base + "/")

    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert phone.get_by_role("link", name="Sign in").first.is_visible()
