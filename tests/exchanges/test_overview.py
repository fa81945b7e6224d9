"""The coordinators' overview, /staff/exchanges/overview/: figures counted by the database, as charts and tables."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from exchanges.models import EntryOutcome, ExchangeStatus
from exchanges.overview import exchange_overview_figures
from prisoners.models import CaseStatus
from tests.factories import ExchangeEntryFactory, ExchangeFactory, PrisonerFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("staff:exchange_overview")
CHART_SCRIPT = "vendor/chartjs/chart.umd.min.js"
# A fixed moment for the selector's tests: 15 May 2026, midday UTC.
NOW = datetime.datetime(2026, 5, 15, 12, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


class _Tables(HTMLParser):
    """The page's tables by id: each body row as [header, cell, …], its text only."""

    def __init__(self):
        super().__init__()
        self.tables, self._table, self._row, self._cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = self.tables.setdefault(dict(attrs).get("id"), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None


def tables(response) -> dict[str, dict[str, list[str]]]:
    """Each table by id, its rows by their header, without the header row."""
    parser = _Tables()
    parser.feed(response.content.decode())
    return {name: {row[0]: row[1:] for row in rows[1:]} for name, rows in parser.tables.items()}


def overview_data(response) -> dict:
    match = re.search(r'<script id="overview-data" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(match.group(1))


def _captured_months_ago(months: int, *, status=CaseStatus.REGISTERED, days: int = 15):
    """A prisoner captured about ``months`` months before today (``days`` short of the month's end)."""
    return PrisonerFactory(
        status=status, capture_date=timezone.localdate() - datetime.timedelta(days=months * 30 + days)
    )


def _completed_exchange(*, changed_at, returned: int = 0, not_presented: int = 0):
    exchange = ExchangeFactory(status=ExchangeStatus.COMPLETED, status_changed_at=changed_at)
    for _ in range(returned):
        ExchangeEntryFactory(exchange=exchange, outcome=EntryOutcome.RETURNED, holds_prisoner=False)
    for _ in range(not_presented):
        ExchangeEntryFactory(exchange=exchange, outcome=EntryOutcome.NOT_PRESENTED, holds_prisoner=False)
    return exchange


def test_it_counts_the_cases_by_status_without_the_merged_records(client, cole):
    PrisonerFactory.create_batch(2, status=CaseStatus.REPORTED)
    survivor = PrisonerFactory(status=CaseStatus.REGISTERED)
    PrisonerFactory(status=CaseStatus.MERGED, merged_into=survivor)
    PrisonerFactory(status=CaseStatus.RETURNED)
    client.force_login(cole)

    with translation.override("en"):
        response = client.get(OVERVIEW)

    assert response.status_code == 200
    statuses = tables(response)["case-statuses"]
    assert statuses["Reported"] == ["2"]
    assert statuses["Registered as a prisoner of war"] == ["1"]
    assert statuses["Returned"] == ["1"]
    assert statuses["Deceased"] == ["0"]
    assert "Merged into another record" not in statuses
    assert len(statuses) == len(CaseStatus.values) - 1


def test_it_sorts_the_waiting_prisoners_by_time_in_captivity(client, cole):
    for months in (1, 4, 4, 8, 18, 30):
        _captured_months_ago(months)
    _captured_months_ago(2, status=CaseStatus.CAPTURE_CONFIRMED)
    PrisonerFactory(status=CaseStatus.CAPTURE_CONFIRMED, capture_date=None)
    # Neither waits for an exchange.
    _captured_months_ago(8, status=CaseStatus.REPORTED)
    _captured_months_ago(8, status=CaseStatus.RETURNED)
    client.force_login(cole)

    with translation.override("en"):
        response = client.get(OVERVIEW)

    assert tables(response)["waiting"] == {
        "Less than 3 months": ["2"],
        "3 to 6 months": ["2"],
        "6 to 12 months": ["1"],
        "12 to 24 months": ["1"],
        "More than 24 months": ["1"],
        "Date of capture unknown": ["1"],
    }
    # Seven dates: the fourth, about four months and a half ago.
    assert "Half of them have been held for 4 months or longer." in response.content.decode()


def test_it_puts_a_capture_on_a_bucket_boundary_in_the_longer_bucket():
    for day in (datetime.date(2026, 2, 15), datetime.date(2026, 2, 16), datetime.date(2024, 5, 15)):
        PrisonerFactory(status=CaseStatus.REGISTERED, capture_date=day)

    waiting = exchange_overview_figures(now=NOW)["waiting"]

    counts = {row["key"]: row["count"] for row in waiting["rows"]}
    assert counts == {"under_3": 1, "3_to_6": 1, "6_to_12": 0, "12_to_24": 0, "over_24": 1}
    assert waiting["median_months"] == 3


def test_it_takes_the_middle_of_the_two_middle_dates_for_an_even_count():
    for year, month in ((2026, 4), (2025, 11), (2025, 9), (2020, 1)):
        day = datetime.date(year, month, 1)
        PrisonerFactory(status=CaseStatus.REGISTERED, capture_date=day)

    # Between 1 September and 1 November 2025: 1 October, seven months and a half before NOW.
    assert exchange_overview_figures(now=NOW)["waiting"]["median_months"] == 7


def test_it_has_no_median_without_a_date_of_capture():
    PrisonerFactory(status=CaseStatus.REGISTERED, capture_date=None)

    waiting = exchange_overview_figures(now=NOW)["waiting"]

    assert (waiting["median_months"], waiting["unknown"]) == (None, 1)


def test_it_counts_the_completed_exchanges_and_the_people_returned_per_month(client, cole):
    now = timezone.now()
    _completed_exchange(changed_at=now, returned=3, not_presented=1)
    _completed_exchange(changed_at=now, returned=2)
    _completed_exchange(changed_at=now - datetime.timedelta(days=400), returned=5)
    ExchangeFactory(status=ExchangeStatus.CANCELLED, status_changed_at=now)
    ExchangeEntryFactory(
        exchange=ExchangeFactory(status=ExchangeStatus.AGREED, status_changed_at=now), outcome=EntryOutcome.PENDING
    )
    client.force_login(cole)

    with translation.override("en"):
        response = client.get(OVERVIEW)

    months = list(tables(response)["completed-by-month"].items())
    assert len(months) == 12
    this_month = timezone.localdate().strftime("%B %Y")
    assert months[-1] == (this_month, ["2", "5"])
    assert all(cells == ["0", "0"] for _month, cells in months[:-1])
    assert tables(response)["exchange-statuses"] == {
        "Draft": ["0"],
        "Proposed": ["0"],
        "Agreed": ["1"],
        "Completed": ["3"],
        "Cancelled": ["1"],
    }


def test_it_counts_an_exchange_in_the_month_it_completed(settings):
    settings.TIME_ZONE = "UTC"
    _completed_exchange(changed_at=datetime.datetime(2025, 6, 1, 0, 30, tzinfo=datetime.UTC), returned=1)
    _completed_exchange(changed_at=datetime.datetime(2025, 5, 31, 23, 30, tzinfo=datetime.UTC), returned=4)
    _completed_exchange(changed_at=datetime.datetime(2026, 5, 14, 9, 0, tzinfo=datetime.UTC))

    rows = exchange_overview_figures(now=NOW)["completed_by_month"]["rows"]

    assert [row["key"] for row in rows] == [f"2025-{month:02d}" for month in range(6, 13)] + [
        f"2026-{month:02d}" for month in range(1, 6)
    ]
    assert (rows[0]["exchanges"], rows[0]["returned"]) == (1, 1)
    assert (rows[-1]["exchanges"], rows[-1]["returned"]) == (1, 0)
    assert sum(row["exchanges"] for row in rows) == 2


def test_it_gives_the_charts_their_labels_in_the_readers_language(client, cole):
    client.force_login(cole)

    with translation.override("uk"):
        response = client.get(OVERVIEW, HTTP_ACCEPT_LANGUAGE="uk")
        expected = [str(label) for _status, label in ExchangeStatus.choices]

    data = overview_data(response)
    assert [row["label"] for row in data["exchange_statuses"]["rows"]] == expected
    assert expected[0] != "Draft"
    assert set(data) == {"case_statuses", "waiting", "completed_by_month", "exchange_statuses"}


def test_it_draws_the_charts_with_its_own_copy_of_chartjs_and_no_inline_script(client, cole):
    client.force_login(cole)

    html = client.get(OVERVIEW).content.decode()

    assert f"/static/{CHART_SCRIPT}" in html and "/static/js/overview.js" in html
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    assert len(scripts) == 3
    for attributes, body in scripts:
        if 'type="application/json"' in attributes:
            continue
        assert re.search(r'\ssrc="/static/', attributes) and "defer" in attributes
        assert body.strip() == ""
    assert not re.search(r"<script[^>]+src=\"?(https?:)?//", html)


def test_its_scripts_are_in_the_static_files():
    assert finders.find(CHART_SCRIPT) is not None
    assert finders.find(f"{CHART_SCRIPT}.map") is not None
    assert finders.find("vendor/chartjs/LICENSE.md") is not None
    assert finders.find("js/overview.js") is not None


def test_it_asks_a_visitor_to_sign_in(client):
    assert client.get(OVERVIEW).status_code == 401


@pytest.mark.parametrize("persona", ["olena", "oscar"])
def test_it_does_not_exist_for_anyone_outside_the_staff(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))

    assert client.get(OVERVIEW).status_code == 404


@pytest.mark.parametrize("persona", ["carol", "cole", "ada"])
def test_every_staff_role_reads_it(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(OVERVIEW).status_code == 200


def test_it_only_answers_get(client, cole):
    client.force_login(cole)

    assert client.post(OVERVIEW).status_code == 405


def _records(count: int):
    now = timezone.now()
    survivor = PrisonerFactory(status=CaseStatus.REGISTERED)
    for index in range(count):
        PrisonerFactory(status=CaseStatus.MERGED, merged_into=survivor)
        _captured_months_ago(index % 30)
        PrisonerFactory(status=CaseStatus.CAPTURE_CONFIRMED, capture_date=None)
        _completed_exchange(changed_at=now - datetime.timedelta(days=index * 12), returned=1, not_presented=1)
        ExchangeFactory(status=ExchangeStatus.DRAFT)


def test_the_figures_take_five_queries(django_assert_max_num_queries):
    _records(30)

    with django_assert_max_num_queries(5):
        exchange_overview_figures()


def _not_sessions(queries) -> int:
    # Sessions are cached: a cache emptied between two requests reads the session from its table once more.
    return sum("django_session" not in query["sql"] for query in queries)


def test_it_runs_the_same_queries_however_many_records(client, cole):
    client.force_login(cole)
    _records(1)
    client.get(OVERVIEW)
    with CaptureQueriesContext(connection) as few:
        client.get(OVERVIEW)
    _records(29)
    with CaptureQueriesContext(connection) as many:
        response = client.get(OVERVIEW)

    assert response.status_code == 200
    assert _not_sessions(many) == _not_sessions(few)
    assert overview_data(response)["exchange_statuses"]["rows"][0]["count"] == 30
