"""Who goes first: the pool of people an exchange may take, ranked by the priority rules.

GC III Art. 110 comes before any weighing: the seriously wounded or sick are
repatriated directly, whatever the numbers, so they rank above everyone else.
Among them, and among everyone else, a score adds up what the coordinator
weighs: months in captivity, age over fifty, being a conscript, a lesser wound
or illness. The weights are the exchange's own (``Exchange.priority_weights``)
over ``DEFAULT_WEIGHTS``.

The pool is read as a few columns per person and scored here rather than in
SQL, so that the embedded default (SQLite) ranks exactly as PostgreSQL does
and each score comes with the reasons that make it up.
"""

import datetime
import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import DomainError
from exchanges.models import Direction, Exchange, ExchangeEntry
from prisoners.models import CaseStatus, HealthStatus, MilitaryStatus, Prisoner, RepatriationConsent

ART_110 = "art110"
RULES = {
    "captivity_month": _("Points per month in captivity"),
    "age_year_over_50": _("Points per year of age over 50"),
    "conscript": _("Points for a conscript"),
    "wounded_or_sick": _("Points for a wound or illness short of Art. 110"),
}
DEFAULT_WEIGHTS = {"captivity_month": 1.0, "age_year_over_50": 2.0, "conscript": 12.0, "wounded_or_sick": 24.0}
MAX_WEIGHT = 1000.0
_DAYS_PER_MONTH = 30.4375
# The fields of a record that its rank depends on.
RANKED_FIELDS = ("health_status", "capture_date", "date_of_birth", "military_status")
_COLUMNS = ("id", *RANKED_FIELDS)
_LESSER_HEALTH = frozenset({HealthStatus.WOUNDED, HealthStatus.SICK})


@dataclass(frozen=True)
class Ranked:
    prisoner_id: int
    art110: bool
    score: Decimal
    reasons: list  # [[rule code, value], …]

    @property
    def category(self) -> str:
        return ART_110 if self.art110 else ""

    def sort_key(self) -> tuple:
        return (self.art110, self.score, -self.prisoner_id)


def weights_of(exchange: Exchange) -> dict[str, float]:
    return {**DEFAULT_WEIGHTS, **(exchange.priority_weights or {})}


def giving_party(exchange: Exchange, direction: str):
    """The side that holds the people of ``direction``: they receive ours from the other side, and hand over theirs."""
    return exchange.other_party if direction == Direction.RECEIVE else exchange.our_party


def ineligibility(prisoner: Prisoner, *, exchange: Exchange, direction: str):
    """Why ``prisoner`` cannot be on this list in ``direction``, or None when he can."""
    if prisoner.status != CaseStatus.REGISTERED:
        return _("%(prisoner)s is not registered as a prisoner of war (the case is “%(status)s”).") % {
            "prisoner": prisoner.full_name,
            "status": prisoner.get_status_display(),
        }
    if prisoner.repatriation_consent == RepatriationConsent.DECLINES:
        return _("%(prisoner)s has declined repatriation.") % {"prisoner": prisoner.full_name}
    holder = giving_party(exchange, direction)
    if prisoner.holding_party_id is not None and prisoner.holding_party_id != holder.pk:
        return _("%(prisoner)s is not held by %(party)s, who gives up the people of this list.") % {
            "prisoner": prisoner.full_name,
            "party": holder.name,
        }
    return None


def pool(exchange: Exchange, direction: str) -> QuerySet:
    """Everyone the exchange may take in ``direction``: registered, willing, held by the giver, in no open exchange."""
    holder = giving_party(exchange, direction)
    in_open_exchange = ExchangeEntry.objects.filter(prisoner=OuterRef("pk"), holds_prisoner=True)
    return (
        Prisoner.objects.filter(status=CaseStatus.REGISTERED)
        .exclude(repatriation_consent=RepatriationConsent.DECLINES)
        .filter(Q(holding_party=holder) | Q(holding_party__isnull=True))
        .exclude(Exists(in_open_exchange))
    )


def _years_between(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _points(row: tuple, weights: Mapping[str, float], today: datetime.date, reasons: list | None) -> float:
    """The score of one row of ``_COLUMNS``; its reasons go to ``reasons`` when it is a list.

    The pool's ranking calls this for every eligible person without asking
    for reasons, and asks again with them only for the people it keeps.
    """
    _id, health, captured, born, military = row
    score = 0.0
    if captured is not None:
        months = int((today - captured).days / _DAYS_PER_MONTH)
        if months > 0:
            score += months * weights["captivity_month"]
            if reasons is not None:
                reasons.append(["captivity_month", months])
    if born is not None:
        age = _years_between(born, today)
        if age > 50:
            score += (age - 50) * weights["age_year_over_50"]
            if reasons is not None:
                reasons.append(["age_year_over_50", age])
    if military == MilitaryStatus.CONSCRIPT:
        score += weights["conscript"]
        if reasons is not None:
            reasons.append(["conscript", 1])
    if health in _LESSER_HEALTH:
        score += weights["wounded_or_sick"]
        if reasons is not None:
            reasons.append(["wounded_or_sick", 1])
    return round(score, 2)


def rank_one(row: tuple, weights: Mapping[str, float], today: datetime.date) -> Ranked:
    """The rank of one row of ``_COLUMNS``: whether Art. 110 applies, the score and its reasons."""
    art110 = row[1] == HealthStatus.SERIOUSLY_WOUNDED_OR_SICK
    reasons = [[ART_110, 0]] if art110 else []
    score = _points(row, weights, today, reasons)
    return Ranked(prisoner_id=row[0], art110=art110, score=Decimal(str(score)), reasons=reasons)


def rank_of(prisoner: Prisoner, weights: Mapping[str, float], today: datetime.date) -> Ranked:
    return rank_one((prisoner.pk, *(getattr(prisoner, name) for name in RANKED_FIELDS)), weights, today)


def ranked_pool(exchange: Exchange, direction: str, *, limit: int, exclude_ids: Iterable[int] = ()) -> list[Ranked]:
    """The ``limit`` people of the pool who rank highest, best first."""
    weights, today, excluded = weights_of(exchange), timezone.localdate(), set(exclude_ids)
    rows = pool(exchange, direction).values_list(*_COLUMNS).iterator(chunk_size=10_000)

    def sort_key(row: tuple) -> tuple:
        # The order of Ranked.sort_key, without building a Ranked for everyone.
        return (row[1] == HealthStatus.SERIOUSLY_WOUNDED_OR_SICK, _points(row, weights, today, None), -row[0])

    best = heapq.nlargest(limit, (row for row in rows if row[0] not in excluded), key=sort_key)
    return [rank_one(row, weights, today) for row in best]


def reason_texts(reasons: list) -> list[str]:
    """A ranking's reasons in the reader's language."""
    texts = []
    for code, value in reasons:
        if code == ART_110:
            texts.append(str(_("Seriously wounded or sick: direct repatriation (GC III Art. 110)")))
        elif code == "captivity_month":
            texts.append(
                ngettext("%(count)d month in captivity", "%(count)d months in captivity", value) % {"count": value}
            )
        elif code == "age_year_over_50":
            texts.append(ngettext("%(count)d year old", "%(count)d years old", value) % {"count": value})
        elif code == "conscript":
            texts.append(str(_("Conscript")))
        elif code == "wounded_or_sick":
            texts.append(str(_("Wounded or sick")))
    return texts


def weights_read(data: Mapping) -> dict[str, float]:
    """Weights from a form or a request body, or a ``DomainError`` naming each rule whose weight is wrong."""
    weights, errors = {}, {}
    for rule in RULES:
        if rule not in data or data[rule] in ("", None):
            weights[rule] = DEFAULT_WEIGHTS[rule]
            continue
        try:
            value = float(data[rule])
        except (TypeError, ValueError):
            errors[rule] = [str(_("Enter a number."))]
            continue
        if not 0 <= value <= MAX_WEIGHT:
            errors[rule] = [str(_("Enter a weight from 0 to %(max)d.") % {"max": MAX_WEIGHT})]
            continue
        weights[rule] = value
    if errors:
        raise DomainError(_("Some priority weights are not valid."), code="invalid_weights", fields=errors)
    return weights
