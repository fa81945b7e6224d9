"""Dates of birth known to the day, to the month or only to the year."""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

EARLIEST_YEAR = 1900
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


@dataclass(frozen=True)
class PartialDate:
    """A date of which the day, or the day and the month, may be unknown.

    A day without a month, a month outside 1–12 or a day the month does not
    have cannot be made, so every PartialDate is a real (partial) date.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self):
        if self.month is None and self.day is not None:
            raise ValueError(gettext("A day of birth needs a month."))
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(gettext("The month must be between 1 and 12."))
        if self.day is not None and not 1 <= self.day <= calendar.monthrange(self.year, self.month)[1]:
            raise ValueError(gettext("This month has no such day."))

    @classmethod
    def from_date(cls, date: datetime.date, accuracy: str) -> "PartialDate":
        """The part of a stored date that its accuracy ("day", "month" or "year") vouches for."""
        if accuracy == "day":
            return cls(date.year, date.month, date.day)
        if accuracy == "month":
            return cls(date.year, date.month)
        if accuracy == "year":
            return cls(date.year)
        raise ValueError(f"unknown date accuracy {accuracy!r}")

    @property
    def accuracy(self) -> str:
        """ "day", "month" or "year", as the date of birth's accuracy is stored."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def to_date(self) -> datetime.date:
        """The date to store beside ``accuracy``: unknown parts are the first month or day."""
        return datetime.date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        parts = [f"{self.year:04d}", *(f"{part:02d}" for part in (self.month, self.day) if part is not None)]
        return "-".join(parts)


def parse_partial_date(text: str) -> PartialDate:
    """Read "YYYY-MM-DD", "YYYY-MM" or "YYYY" as a plausible date of birth, or raise ``ValueError``.

    Plausible: from 1900 on and not in the future. The message is translated,
    ready to show beside the field.
    """
    match = _PARTIAL_DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError(gettext("Enter the date of birth as YYYY-MM-DD, YYYY-MM or YYYY."))
    year, month, day = (int(part) if part else None for part in match.groups())
    date = PartialDate(year, month, day)
    if year < EARLIEST_YEAR:
        raise ValueError(gettext("The year of birth must be %(year)s or later.") % {"year": EARLIEST_YEAR})
    today = timezone.localdate()
    if (year, month or 1, day or 1) > (today.year, today.month, today.day):
        raise ValueError(gettext("The date of birth cannot be in the future."))
    return date
