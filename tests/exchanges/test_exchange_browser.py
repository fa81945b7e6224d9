"""A coordinator's exchange, in a real Chromium, from the first draft to the family's e-mail.

The coordinator creates an exchange, assembles ten people by priority,
uploads the other side's list (their Latin spelling), confirms the matches,
exports the PDF, records that everyone came home and completes the
exchange. The mother of one of them then signs in and reads "returned", and
her e-mail has arrived at a real SMTP server.

Screenshots of each step go to ``$ARTIFACTS_DIR/exchange`` (by default
``var/test-artifacts/exchange``).
"""

import datetime
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import Role
from exchanges.models import EntryOutcome, Exchange, ExchangeStatus
from families.models import RelationshipKind, RequestStatus
from families.services import relationship_create, relationship_verify
from prisoners.models import CaseStatus, HealthStatus, PartyKind
from tests.browser import browser_page, browser_sign_in
from tests.factories import (
    FamilyMemberFactory,
    OpposingPartyFactory,
    PartyFactory,
    PrisonerFactory,
    RegistrationRequestFactory,
    UserFactory,
)
from tests.mail import subject_of

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or REPO / "var" / "test-artifacts") / "exchange"
PASSWORD = "correct-horse-battery"

# Fictional people: (Cyrillic record, the other side's Latin spelling).
PEOPLE = [
    (("Ковальчук", "Андрій"), ("Kovalchuk", "Andrii")),
    (("Чистяков", "Николай"), ("Chistyakov", "Nikolai")),
    (("Бережной", "Тарас"), ("Berezhnoi", "Taras")),
    (("Мельник", "Олег"), ("Melnyk", "Oleh")),
    (("Остапенко", "Юрій"), ("Ostapenko", "Yurii")),
    (("Гуменюк", "Степан"), ("Humeniuk", "Stepan")),
    (("Захарченко", "Іван"), ("Zakharchenko", "Ivan")),
    (("Левченко", "Петро"), ("Levchenko", "Petro")),
    (("Савчук", "Максим"), ("Savchuk", "Maksym")),
    (("Ткаченко", "Дмитро"), ("Tkachenko", "Dmytro")),
    (("Руденко", "Василь"), ("Rudenko", "Vasyl")),
    (("Поліщук", "Роман"), ("Polishchuk", "Roman")),
]


@pytest.fixture
def desk(chromium, live_server):
    with browser_page(chromium, live_server.url, width=1280, height=900, accept_downloads=True) as page:
        yield page


def _shot(page, name: str, counter=[0]) -> None:  # noqa: B006 - a step counter for the file names
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    counter[0] += 1
    page.screenshot(path=ARTIFACTS / f"{counter[0]:02d}-{name}.png", full_page=True)


def _people():
    """Twelve registered men of ours; the first is seriously wounded, the rest held for 30, 29, … months."""
    today = timezone.localdate()
    records = []
    for index, ((surname, given), _latin) in enumerate(PEOPLE):
        records.append(
            PrisonerFactory(
                surname=surname,
                given_names=given,
                status=CaseStatus.REGISTERED,
                date_of_birth=datetime.date(1980 + index, 3, 1 + index),
                capture_date=today - datetime.timedelta(days=31 * (30 - index)),
                health_status=HealthStatus.SERIOUSLY_WOUNDED_OR_SICK if index == 0 else HealthStatus.HEALTHY,
            )
        )
    return records


def test_a_coordinator_runs_an_exchange_and_a_mother_learns_her_son_is_home(desk, smtp_server, tmp_path):
    for role in Role:
        Group.objects.get_or_create(name=role)
    UserFactory(username="cole", role=Role.COORDINATOR)
    caseworker = UserFactory(username="carol", role=Role.CASEWORKER)
    PartyFactory(code="own", name="Fictional Republic", kind=PartyKind.OWN)
    OpposingPartyFactory()
    people = _people()
    son = people[0]
    mother = FamilyMemberFactory(user__username="olena", user__email="olena@example.test", full_name="Olena Testova")
    tie = relationship_create(family_member=mother, prisoner=son, kind=RelationshipKind.MOTHER, actor=caseworker)
    relationship_verify(relationship=tie, actor=caseworker, reason="Documents seen.")
    filed = RegistrationRequestFactory(filed_by=mother, prisoner=son, status=RequestStatus.ACCEPTED)
    their_list = tmp_path / "their-list.csv"
    rows = [f"{latin[0]},{latin[1]},{record.date_of_birth}" for (_c, latin), record in zip(PEOPLE, people, strict=True)]
    their_list.write_text("surname,given_name,date_of_birth\n" + "\n".join(rows[:10]) + "\n", encoding="utf-8")
    page = desk

    browser_sign_in(page, "cole", PASSWORD)
    page.get_by_role("link", name="Exchanges", exact=True).click()
    page.get_by_role("link", name="New exchange").click()
    page.get_by_label("Title").fill("Browser exchange")
    page.get_by_label("Our side").select_option(label="Fictional Republic")
    page.get_by_label("Other side").select_option(label="Fictional Federation")
    page.get_by_role("button", name="Create the exchange").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser exchange")
    _shot(page, "created")

    assemble = page.get_by_role("region", name="Assemble by priority")
    assemble.get_by_label("People on the list").fill("10")
    assemble.get_by_role("button", name="Assemble").click()
    expect(page.locator(".messages")).to_contain_text("10 people were added by priority.")
    receive = page.locator("table[data-direction=receive] tbody tr")
    expect(receive).to_have_count(10)
    expect(receive.first).to_contain_text(son.full_name)
    expect(receive.first).to_contain_text("Art. 110")
    expect(page.get_by_test_id("swap-counts")).to_contain_text("We receive 10 · we hand over 0")
    _shot(page, "assembled")

    page.get_by_role("region", name="The other side's lists").get_by_label("List (CSV or XLSX)").set_input_files(
        their_list
    )
    page.get_by_role("button", name="Upload and match").click()
    expect(page.get_by_test_id("reconcile-summary")).to_contain_text("10 to decide")
    _shot(page, "reconcile")
    for _ in range(10):
        page.locator("table.reconcile").get_by_role("button", name="Confirm").first.click()
        expect(page.locator(".messages")).to_contain_text("Confirmed")
    expect(page.get_by_test_id("reconcile-summary")).to_contain_text("0 to decide")
    _shot(page, "reconciled")

    page.get_by_role("link", name="Browser exchange").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")

    for status in ("Proposed", "Agreed"):
        page.get_by_label("Move to").select_option(label=status)
        page.get_by_role("button", name="Change the status").click()
        expect(page.get_by_test_id("exchange-status")).to_have_text(status)
    for index in range(10):
        row = page.locator("table[data-direction=receive] tbody tr").nth(index)
        row.get_by_label("Outcome").select_option(EntryOutcome.RETURNED)
        row.get_by_role("button", name="Record").click()
        expect(page.locator(".messages")).to_contain_text("Returned")
    page.get_by_label("Move to").select_option(label="Completed")
    page.get_by_role("button", name="Change the status").click()
    expect(page.get_by_test_id("exchange-status")).to_have_text("Completed")
    _shot(page, "completed")
    page.get_by_role("button", name="Sign out").click()

    browser_sign_in(page, "olena", PASSWORD)
    page.goto(f"{page.base}/my/requests/{filed.reference}/")
    expect(page.locator("main")).to_contain_text(re.compile("Returned home|Повернувся додому|Вернулся домой"))
    _shot(page, "mother-sees-returned")

    exchange = Exchange.objects.get()
    assert exchange.status == ExchangeStatus.COMPLETED
    son.refresh_from_db()
    assert son.status == CaseStatus.RETURNED
    to_mother = [message for message in smtp_server.mailbox.messages if "olena@example.test" in message["To"]]
    assert len(to_mother) == 1
    assert subject_of(to_mother[0])
