"""``make bench-notify``: an exchange that brings 1,000 prisoners home, told to 2,000 relatives by e-mail.

In a throwaway PostgreSQL database, 1,000 registered prisoners, each with two
verified relatives who take e-mail, are on the list of an agreed exchange with
the outcome ``returned``. A coordinator's process completes the exchange
through ``exchange_set_status``; Celery workers (real processes, with a Redis
of the benchmark's own) write and deliver the notices to an SMTP server on
loopback (aiosmtpd). Run once with one worker and once with two, each a
single process (``--concurrency 1``).

It prints, for each run: how long the completing transaction took, the time
from its commit to the last message accepted by the SMTP server, messages per
second over that time, and the distinct Message-IDs received (a repeat would
show as fewer than 2,000). The figures go to ``var/bench/notify.json``. The
issue's target is ≥ 100 messages/s with one worker; a miss is reported, not a
failure. The database is dropped at the end, whatever happens.

``python scripts/bench_notify.py seed`` and ``… complete <exchange id>`` are
the steps that run inside the benchmark's database; the run calls them.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench_pages import DB_NAME, PGHOST, PGPORT, PGUSER, database_drop, psql, run

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.mail import SmtpServer  # noqa: E402 (after the repository is on the path)
from tests.workers import Broker, Worker, wait_until, worker_env  # noqa: E402

PYTHON = sys.executable
OUTPUT = REPO / "var" / "bench" / "notify.json"
# The workers' logs (task ids and timings; no addresses), for a closer look.
LOGS = OUTPUT.parent

PRISONERS = 1000
RELATIVES_EACH = 2
MESSAGES = PRISONERS * RELATIVES_EACH
WORKER_COUNTS = (1, 2)
DELIVERY_TIMEOUT = 900
TARGET_PER_SECOND = 100


def log(message: str) -> None:
    print(f"bench-notify: {message}", flush=True)


def step(env: dict[str, str], *arguments: str) -> dict:
    output = run([PYTHON, __file__, *arguments], env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(*, workers: int, env: dict[str, str], mailbox) -> dict:
    seeded = step(env, "seed", str(workers))
    started = []
    try:
        for number in range(workers):
            # One beat among them, as in production: the sweep runs once a minute, not once per worker.
            worker = Worker(env=env, log=LOGS / f"notify-{workers}-worker-{number}.log", beat=number == 0)
            started.append(worker.start())
        mailbox.clear()
        log(f"{workers} worker(s) ready; completing exchange {seeded['exchange']}")
        completed = step(env, "complete", str(seeded["exchange"]))
        wait_until(
            lambda: mailbox.count() >= MESSAGES,
            timeout=DELIVERY_TIMEOUT,
            what=f"{MESSAGES} messages",
            interval=0.05,
        )
        # Anything sent twice would arrive now.
        time.sleep(3)
    finally:
        for worker in started:
            worker.stop()
    last = max(mailbox.arrivals)
    seconds = last - completed["committed_at"]
    return {
        "workers": workers,
        "messages": len(mailbox.messages),
        "distinct_message_ids": len(set(mailbox.message_ids())),
        "completion_transaction_s": round(completed["took"], 3),
        "commit_to_first_delivery_s": round(min(mailbox.arrivals) - completed["committed_at"], 3),
        "commit_to_last_delivery_s": round(seconds, 3),
        "messages_per_second": round(len(mailbox.messages) / seconds, 1),
    }


def bench() -> None:
    run([str(REPO / "scripts" / "ensure-services.sh")])
    LOGS.mkdir(parents=True, exist_ok=True)
    for old_log in LOGS.glob("notify-*.log"):
        old_log.unlink()
    results = []
    with tempfile.TemporaryDirectory(prefix="homecoming-bench-notify-") as workdir:
        workdir = Path(workdir)
        broker = Broker(workdir).start()
        smtp = SmtpServer().start()
        env = worker_env(
            database_url=f"postgres://{PGUSER}@{PGHOST}:{PGPORT}/{DB_NAME}",
            broker_url=broker.url,
            smtp_port=smtp.port,
            LOG_LEVEL="INFO",
            VAR_DIR=str(workdir / "var"),
        )
        database_drop()
        psql(f"CREATE DATABASE \"{DB_NAME}\" ENCODING 'UTF8' TEMPLATE template0")
        try:
            run([PYTHON, "manage.py", "migrate", "--noinput"], env=env)
            for workers in WORKER_COUNTS:
                result = measure(workers=workers, env=env, mailbox=smtp.mailbox)
                log(json.dumps(result))
                results.append(result)
        finally:
            smtp.stop()
            broker.stop()
            database_drop()
            log(f"database {DB_NAME} dropped")
    report(results)


def report(results: list[dict]) -> None:
    print(f"\n{PRISONERS} prisoners returned, {RELATIVES_EACH} verified relatives each, e-mail to loopback SMTP")
    print(f"{'workers':>8} {'messages':>9} {'distinct':>9} {'complete s':>11} {'to last s':>10} {'msg/s':>8}")
    for result in results:
        print(
            f"{result['workers']:>8} {result['messages']:>9} {result['distinct_message_ids']:>9} "
            f"{result['completion_transaction_s']:>11} {result['commit_to_last_delivery_s']:>10} "
            f"{result['messages_per_second']:>8}"
        )
    one = results[0]["messages_per_second"]
    verdict = "meets" if one >= TARGET_PER_SECOND else "MISSES"
    print(f"\none worker: {one} messages/s ({verdict} the target of ≥ {TARGET_PER_SECOND})")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps({"target_per_second": TARGET_PER_SECOND, "runs": results}, indent=2) + "\n")
    log(f"written to {OUTPUT.relative_to(REPO)}")


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def seed(run_number: str) -> None:
    """An agreed exchange whose 1,000 received prisoners each have two verified relatives on e-mail.

    Written in bulk: the setting, not what is measured. No outbox rows, so nothing is news yet.
    """
    _django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from core.roles import Role
    from exchanges.models import Direction, EntryOutcome, Exchange, ExchangeEntry, ExchangeStatus
    from families.models import FamilyMember, Language, Relationship, RelationshipKind
    from prisoners.models import CaseStatus, Party, PartyKind, Prisoner

    user_model = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        coordinator, _created = user_model.objects.get_or_create(
            username="bench-coordinator", defaults={"email": "bench-coordinator@example.test"}
        )
        coordinator.groups.add(Group.objects.get_or_create(name=Role.COORDINATOR)[0])
        own, _created = Party.objects.get_or_create(
            code="bench-own", defaults={"name": "Fictional Republic", "kind": PartyKind.OWN}
        )
        other, _created = Party.objects.get_or_create(
            code="bench-other", defaults={"name": "Fictional Federation", "kind": PartyKind.OPPOSING}
        )
        prisoners = Prisoner.objects.bulk_create(
            Prisoner(
                surname=f"Testenko-{run_number}-{number}",
                given_names="Bench",
                party=own,
                holding_party=other,
                status=CaseStatus.REGISTERED,
            )
            for number in range(PRISONERS)
        )
        users = user_model.objects.bulk_create(
            user_model(
                username=f"bench-{run_number}-{number}",
                email=f"bench-{run_number}-{number}@example.test",
                password="!",  # noqa: S106 (an unusable password: nobody signs in)
            )
            for number in range(MESSAGES)
        )
        languages = (Language.UKRAINIAN, Language.RUSSIAN, Language.ENGLISH)
        members = FamilyMember.objects.bulk_create(
            FamilyMember(user=user, full_name=f"Bench Relative {number}", preferred_language=languages[number % 3])
            for number, user in enumerate(users)
        )
        Relationship.objects.bulk_create(
            Relationship(
                family_member=member,
                prisoner=prisoners[number // RELATIVES_EACH],
                kind=RelationshipKind.SIBLING,
                verified_at=now,
                verified_by=coordinator,
            )
            for number, member in enumerate(members)
        )
        exchange = Exchange.objects.create(
            title=f"Bench exchange {run_number}",
            our_party=own,
            other_party=other,
            status=ExchangeStatus.AGREED,
            created_by=coordinator,
        )
        ExchangeEntry.objects.bulk_create(
            ExchangeEntry(
                exchange=exchange,
                prisoner=prisoner,
                direction=Direction.RECEIVE,
                position=number,
                outcome=EntryOutcome.RETURNED,
            )
            for number, prisoner in enumerate(prisoners)
        )
    print(json.dumps({"exchange": exchange.pk}))


def complete(exchange_id: str) -> None:
    """The coordinator completes the exchange: one transaction, then its notices go to the workers."""
    _django()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from exchanges.models import Exchange, ExchangeStatus
    from exchanges.services import exchange_set_status

    coordinator = get_user_model().objects.get(username="bench-coordinator")
    exchange = Exchange.objects.get(pk=exchange_id)
    started = time.time()
    committed = {}
    with transaction.atomic():
        # First in line among the on-commit callbacks, ahead of the tasks': the instant the change is visible.
        transaction.on_commit(lambda: committed.setdefault("at", time.time()))
        exchange_set_status(exchange=exchange, new_status=ExchangeStatus.COMPLETED, actor=coordinator)
    print(json.dumps({"took": time.time() - started, "committed_at": committed["at"]}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        seed(sys.argv[2])
    elif sys.argv[1:2] == ["complete"]:
        complete(sys.argv[2])
    else:
        bench()
