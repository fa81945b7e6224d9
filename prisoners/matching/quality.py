"""How well candidate search finds people: the figures the quality test asserts and ``make bench-match`` prints.

Queries come from ``prisoners.matching.synthetic``: variants of people in
the pool (one kind per way of writing them) and people who are not in it.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from prisoners.matching.dates import parse_partial_date
from prisoners.matching.scoring import HIGH, PersonQuery
from prisoners.matching.search import Candidate, candidates_find
from prisoners.matching.synthetic import VariantQuery

TOP = 5
# The targets.
TARGET_TOP5 = 0.98
TARGET_FIRST_WITH_DATE = 0.97
TARGET_HIGH_WITH_DATE = 0.90
TARGET_ABSENT_HIGH = 0.01


@dataclass
class KindFigures:
    queries: int = 0
    first: int = 0
    top5: int = 0
    right_high: int = 0
    any_high: int = 0


@dataclass
class QualityReport:
    kinds: dict[str, KindFigures] = field(default_factory=lambda: defaultdict(KindFigures))
    present: KindFigures = field(default_factory=KindFigures)
    with_full_date: KindFigures = field(default_factory=KindFigures)
    absent: KindFigures = field(default_factory=KindFigures)

    @property
    def top5_rate(self) -> float:
        return self.present.top5 / self.present.queries

    @property
    def first_with_date_rate(self) -> float:
        return self.with_full_date.first / self.with_full_date.queries

    @property
    def high_with_date_rate(self) -> float:
        return self.with_full_date.right_high / self.with_full_date.queries

    @property
    def absent_high_rate(self) -> float:
        return self.absent.any_high / self.absent.queries

    def table(self) -> str:
        """The per-kind table, then the four figures beside their targets."""
        lines = [f"{'kind':<22}{'queries':>8}{'first':>8}{'top 5':>8}{'high':>8}{'any high':>10}"]
        for kind, figures in sorted(self.kinds.items()):
            n = figures.queries
            lines.append(
                f"{kind:<22}{n:>8}{figures.first / n:>8.1%}{figures.top5 / n:>8.1%}"
                f"{figures.right_high / n:>8.1%}{figures.any_high / n:>10.1%}"
            )
        lines += [
            "",
            f"right record in the top {TOP}: {self.top5_rate:.2%}"
            f" of {self.present.queries} (target ≥ {TARGET_TOP5:.0%})",
            f"with the full date of birth, first: {self.first_with_date_rate:.2%}"
            f" of {self.with_full_date.queries} (target ≥ {TARGET_FIRST_WITH_DATE:.0%})",
            f"with the full date of birth, rated high: {self.high_with_date_rate:.2%}"
            f" (target ≥ {TARGET_HIGH_WITH_DATE:.0%})",
            f"not in the pool, a high candidate: {self.absent_high_rate:.2%}"
            f" of {self.absent.queries} (target ≤ {TARGET_ABSENT_HIGH:.0%})",
        ]
        return "\n".join(lines)


def person_query(variant: VariantQuery) -> PersonQuery:
    return PersonQuery(
        surname=variant.surname,
        given_name=variant.given_name,
        patronymic=variant.patronymic,
        date_of_birth=parse_partial_date(variant.date_of_birth) if variant.date_of_birth else None,
        service_number=variant.service_number,
    )


def evaluate(
    queries: Iterable[VariantQuery],
    *,
    search: Callable[[PersonQuery], list[Candidate]] = lambda query: candidates_find(query, limit=TOP),
) -> QualityReport:
    report = QualityReport()
    for variant in queries:
        candidates = search(person_query(variant))
        figures = report.kinds[variant.kind]
        groups = [figures]
        if variant.expected_ref is None:
            groups.append(report.absent)
            hit = {"any_high": any(candidate.confidence == HIGH for candidate in candidates)}
        else:
            groups.append(report.present)
            if variant.has_full_date:
                groups.append(report.with_full_date)
            refs = [candidate.external_ref for candidate in candidates[:TOP]]
            right = next((c for c in candidates if c.external_ref == variant.expected_ref), None)
            hit = {
                "first": bool(refs) and refs[0] == variant.expected_ref,
                "top5": variant.expected_ref in refs,
                "right_high": right is not None and right.confidence == HIGH,
                "any_high": any(candidate.confidence == HIGH for candidate in candidates),
            }
        for group in groups:
            group.queries += 1
            for name, value in hit.items():
                setattr(group, name, getattr(group, name) + int(value))
    return report
