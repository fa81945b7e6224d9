"""Partial dates of birth: parsed from what a searcher types, and from a stored date and its accuracy."""

import datetime

import pytest
from django.utils import timezone

from prisoners.matching.dates import PartialDate, parse_partial_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-03-05", PartialDate(1990, 3, 5)),
        ("1990-3-5", PartialDate(1990, 3, 5)),
        (" 1990-03 ", PartialDate(1990, 3)),
        ("1990", PartialDate(1990)),
        ("2000-02-29", PartialDate(2000, 2, 29)),
        ("1900-01-01", PartialDate(1900, 1, 1)),
    ],
)
def test_it_parses_a_full_or_partial_date(text, expected):
    assert parse_partial_date(text) == expected


def _tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "05.03.1990",
        "90-03-05",
        "1990-03-05T00:00",
        "1990-13",
        "1990-00-10",
        "1990-02-30",
        "1999-02-29",
        "1990-04-31",
        "1899-12-31",
        "0000",
        str(timezone.localdate().year + 1),
        _tomorrow(),
    ],
)
def test_it_refuses_an_absurd_date_with_a_message(text):
    with pytest.raises(ValueError, match=r"\w+"):
        parse_partial_date(text)


def test_it_accepts_today():
    today = timezone.localdate()

    assert parse_partial_date(today.isoformat()) == PartialDate(today.year, today.month, today.day)


def test_it_refuses_a_day_without_a_month():
    with pytest.raises(ValueError):
        PartialDate(1990, None, 5)


@pytest.mark.parametrize(
    ("accuracy", "expected"),
    [("day", PartialDate(1990, 3, 5)), ("month", PartialDate(1990, 3)), ("year", PartialDate(1990))],
)
def test_it_keeps_only_what_a_stored_dates_accuracy_vouches_for(accuracy, expected):
    partial = PartialDate.from_date(datetime.date(1990, 3, 5), accuracy)

    assert partial == expected
    assert partial.accuracy == accuracy
    assert PartialDate.from_date(partial.to_date(), partial.accuracy) == partial


def test_it_refuses_an_unknown_accuracy():
    with pytest.raises(ValueError):
        PartialDate.from_date(datetime.date(1990, 3, 5), "week")


@pytest.mark.parametrize("text", ["1990-03-05", "1990-03", "1990"])
def test_it_writes_itself_as_it_was_typed(text):
    assert str(parse_partial_date(text)) == text
