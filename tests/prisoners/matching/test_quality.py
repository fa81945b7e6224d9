"""The measured quality of candidate search, on 20,000 fictional people in PostgreSQL.

The pool is hard on purpose: one person in ten is a namesake of another (same
surname and given name, another father and birth date) and one in ten a
brother (same surname and patronymic, born a few years apart). Queries write
pool people every way lists do, and ask for people who are not there,
brothers and namesakes of pool people among them. The per-kind table is
printed and saved to ``var/test-artifacts/matching/quality.txt``.
"""

from pathlib import Path

import pytest

from prisoners.imports import prisoners_import
from prisoners.matching.quality import (
    TARGET_ABSENT_HIGH,
    TARGET_FIRST_WITH_DATE,
    TARGET_HIGH_WITH_DATE,
    TARGET_TOP5,
    evaluate,
)
from prisoners.matching.synthetic import absent_queries, pool, variant_queries, write_csv
from tests.factories import PartyFactory

POOL_SIZE = 20_000
QUERIES_PER_KIND = 60
ABSENT_QUERIES = 900
ARTIFACT = Path(__file__).resolve().parents[3] / "var" / "test-artifacts" / "matching" / "quality.txt"


@pytest.mark.django_db
def test_it_finds_the_right_person_and_no_false_high_match(tmp_path, capsys):
    people = pool(POOL_SIZE, seed=2026)
    csv_path = tmp_path / "pool.csv"
    write_csv(csv_path, people)
    report = prisoners_import(csv_path, party=PartyFactory(), source="quality pool")
    assert report.count("created") == POOL_SIZE

    queries = variant_queries(people, QUERIES_PER_KIND, seed=7) + absent_queries(people, ABSENT_QUERIES, seed=7)
    quality = evaluate(queries)

    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(quality.table() + "\n", encoding="utf-8")
    with capsys.disabled():
        print(f"\nname matching on a pool of {POOL_SIZE:,}:\n{quality.table()}")
    assert quality.top5_rate >= TARGET_TOP5
    assert quality.first_with_date_rate >= TARGET_FIRST_WITH_DATE
    assert quality.high_with_date_rate >= TARGET_HIGH_WITH_DATE
    assert quality.absent_high_rate <= TARGET_ABSENT_HIGH
