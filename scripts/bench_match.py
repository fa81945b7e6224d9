"""``make bench-match``: name matching at scale, on PostgreSQL with the production settings.

1. Writes 1,000,000 fictional people to a CSV file (``prisoners.matching.synthetic``)
   and imports it with ``manage.py import_prisoners`` into a throwaway
   database: rows per second. Candidate matching of the imported rows is
   queued for the Celery worker, which is not started here.
2. Times candidate search on those 1,000,000 records: variant queries of
   every kind and queries for people who are not there; median and p95.
3. Runs ``manage.py match_person --json`` a few times and reports its peak
   memory (largest resident set).
4. Imports the first 200,000 of those people into a second database and
   prints the quality table of the quality test for that pool.

The figures are written to ``var/bench/match.json``; the databases are
dropped at the end, whatever happens. ``python scripts/bench_match.py
latency|quality`` are the steps that run inside Django; the run calls them.
"""

import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_pages import PGHOST, PGPORT, PGUSER, REPO, psql, run

PYTHON = sys.executable
OUTPUT = REPO / "var" / "bench" / "match.json"
DB_NAMES = {"large": "homecoming_bench_match", "quality": "homecoming_bench_quality"}
CACHE_URL = "redis://127.0.0.1:6379/11"
BROKER_URL = "redis://127.0.0.1:6379/12"
SEED = 2026
LARGE_POOL = 1_000_000
QUALITY_POOL = 200_000
# Queries are drawn from the first people of the pool, whom the generator makes first.
QUERY_PEOPLE = 20_000
LATENCY_QUERIES_PER_KIND = 30
LATENCY_ABSENT_QUERIES = 300
QUALITY_QUERIES_PER_KIND = 100
QUALITY_ABSENT_QUERIES = 1_500
MEMORY_QUERIES = (
    ("Чистяков", "Кирилл", "1990-05-14"),
    ("Chystiakov", "Kyrylo", ""),
    ("Иванов", "Александр", "1985"),
    ("Tschistjakow", "Kirill", "1990-05"),
    ("Ivanenko", "Oleksandr", ""),
)
TARGETS = {"median_ms": 50, "p95_ms": 150, "import_rows_per_second": 5000, "peak_memory_mb": 200}


def log(message: str) -> None:
    print(f"bench-match: {message}", flush=True)


def django_env(database: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "DJANGO_"))}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://{PGUSER}@{PGHOST}:{PGPORT}/{database}",
        CACHE_URL=CACHE_URL,
        REDIS_URL=BROKER_URL,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def database_create(name: str, env: dict[str, str]) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    run([PYTHON, "manage.py", "migrate", "--noinput", "--verbosity", "0"], env=env)
    party = "from prisoners.models import Party; Party.objects.create(name='Bench', code='bench', kind='own')"
    run([PYTHON, "manage.py", "shell", "-c", party], env=env)


def import_timed(csv_path: Path, rows: int, env: dict[str, str]) -> float:
    started = time.perf_counter()
    run([PYTHON, "manage.py", "import_prisoners", str(csv_path), "--party", "bench", "--source", "bench"], env=env)
    elapsed = time.perf_counter() - started
    return rows / elapsed


def peak_memory_mb(env: dict[str, str]) -> float:
    """Largest resident set of the match_person runs, in MB (``ru_maxrss`` is in KiB on Linux)."""
    peak = 0
    for surname, given_name, date in MEMORY_QUERIES:
        command = [PYTHON, "manage.py", "match_person", "--surname", surname, "--given-name", given_name, "--json"]
        if date:
            command += ["--date-of-birth", date]
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
        _pid, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"bench-match: match_person {surname} {given_name} failed")
        peak = max(peak, usage.ru_maxrss)
    return peak / 1024


def step(name: str, env: dict[str, str]) -> dict:
    return json.loads(run([PYTHON, __file__, name], env=env).stdout.strip().splitlines()[-1])


def latency() -> dict:
    """Inside Django: candidate search times over the query mix, in ms."""
    import django

    django.setup()
    from prisoners.matching.quality import person_query
    from prisoners.matching.search import candidates_find
    from prisoners.matching.synthetic import absent_queries, pool, variant_queries

    people = pool(QUERY_PEOPLE, seed=SEED)
    queries = variant_queries(people, LATENCY_QUERIES_PER_KIND, seed=SEED) + absent_queries(
        people, LATENCY_ABSENT_QUERIES, seed=SEED
    )
    for query in queries[:20]:  # connection and caches
        candidates_find(person_query(query))
    times = []
    for query in queries:
        started = time.perf_counter()
        candidates_find(person_query(query), limit=10)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "queries": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "max_ms": round(times[-1], 1),
    }


def quality() -> dict:
    """Inside Django: the quality test's figures on the pool in the database."""
    import django

    django.setup()
    from prisoners.matching.quality import evaluate
    from prisoners.matching.synthetic import absent_queries, pool, variant_queries

    people = pool(QUERY_PEOPLE, seed=SEED)
    queries = variant_queries(people, QUALITY_QUERIES_PER_KIND, seed=SEED + 1) + absent_queries(
        people, QUALITY_ABSENT_QUERIES, seed=SEED + 1
    )
    report = evaluate(queries)
    print(report.table(), file=sys.stderr)
    return {
        "table": report.table(),
        "top5": round(report.top5_rate, 4),
        "first_with_full_date": round(report.first_with_date_rate, 4),
        "high_with_full_date": round(report.high_with_date_rate, 4),
        "absent_high": round(report.absent_high_rate, 4),
    }


def bench() -> None:
    run([str(REPO / "scripts" / "ensure-services.sh")])
    summary: dict = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "targets": TARGETS,
    }
    try:
        with tempfile.TemporaryDirectory(prefix="homecoming-bench-match-") as workdir:
            csv_path = Path(workdir) / "pool.csv"
            started = time.perf_counter()
            run(
                [
                    PYTHON,
                    "-m",
                    "prisoners.matching.synthetic",
                    "--size",
                    str(LARGE_POOL),
                    "--seed",
                    str(SEED),
                    str(csv_path),
                ]
            )
            log(f"{LARGE_POOL:,} fictional people written in {time.perf_counter() - started:.1f} s")

            env = django_env(DB_NAMES["large"])
            database_create(DB_NAMES["large"], env)
            rate = import_timed(csv_path, LARGE_POOL, env)
            log(f"import_prisoners: {LARGE_POOL:,} rows at {rate:,.0f} rows/s")
            summary["import_rows_per_second"] = round(rate)
            summary["latency"] = step("latency", env)
            log(f"candidate search on {LARGE_POOL:,} records: {summary['latency']}")
            summary["peak_memory_mb"] = round(peak_memory_mb(env), 1)
            log(f"match_person peak memory: {summary['peak_memory_mb']} MB")

            quality_csv = Path(workdir) / "quality.csv"
            with csv_path.open(encoding="utf-8") as source, quality_csv.open("w", encoding="utf-8") as target:
                for number, line in enumerate(source):
                    if number > QUALITY_POOL:
                        break
                    target.write(line)
            env = django_env(DB_NAMES["quality"])
            database_create(DB_NAMES["quality"], env)
            import_timed(quality_csv, QUALITY_POOL, env)
            summary["quality"] = step("quality", env)
    except subprocess.CalledProcessError as error:
        if error.stdout:
            print(error.stdout, file=sys.stderr)
        raise SystemExit(f"bench-match: {' '.join(map(str, error.cmd[:4]))} failed with {error.returncode}") from None
    finally:
        for name in DB_NAMES.values():
            psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # The import queued matching tasks for a worker that never ran.
        run(["redis-cli", "-n", BROKER_URL.rsplit("/", 1)[1], "FLUSHDB"])
    report(summary)


def report(summary: dict) -> None:
    latency_figures = summary["latency"]
    print(f"\nname matching on {LARGE_POOL:,} fictional records ({summary['machine']['cpus']} CPUs)")
    rows = [
        (
            "median match latency",
            f"{latency_figures['median_ms']} ms",
            f"≤ {TARGETS['median_ms']} ms",
            latency_figures["median_ms"] <= TARGETS["median_ms"],
        ),
        (
            "p95 match latency",
            f"{latency_figures['p95_ms']} ms",
            f"≤ {TARGETS['p95_ms']} ms",
            latency_figures["p95_ms"] <= TARGETS["p95_ms"],
        ),
        (
            "import_prisoners",
            f"{summary['import_rows_per_second']:,} rows/s",
            f"≥ {TARGETS['import_rows_per_second']:,} rows/s",
            summary["import_rows_per_second"] >= TARGETS["import_rows_per_second"],
        ),
        (
            "match_person peak memory",
            f"{summary['peak_memory_mb']} MB",
            f"≤ {TARGETS['peak_memory_mb']} MB",
            summary["peak_memory_mb"] <= TARGETS["peak_memory_mb"],
        ),
    ]
    for name, value, target, met in rows:
        print(f"  {name:<26}{value:>16}   target {target:<16}{'meets' if met else 'MISSES'}")
    print(f"\nquality on a pool of {QUALITY_POOL:,}:\n{summary['quality']['table']}")
    summary["meets_targets"] = all(met for *_rest, met in rows)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    log(f"written to {OUTPUT.relative_to(REPO)}")


if __name__ == "__main__":
    steps = {"latency": latency, "quality": quality}
    if len(sys.argv) > 1:
        print(json.dumps(steps[sys.argv[1]]()))
    else:
        bench()
