"""``make bench-pages``: the signed-in request status page under load, beside a bare view.

Serves the app the production way (gunicorn, ``DEBUG`` off, PostgreSQL, Redis
cache) from a throwaway database, signs a family member in, and loads two
pages from wrk on loopback, one after the other, for the same time each:

- the status page of one of the family member's 20 requests, each with a
  timeline of status changes, questions and answers, and evidence;
- ``/bench/bare``, a view that touches neither the database nor a template.

It prints requests per second and p95 latency for both and their ratio, and
writes them to ``var/bench/pages.json``. The issue's target is a status page
at ≥ 0.5× the bare view's throughput; a miss is reported, not a failure.
The database is dropped at the end, whatever happens.

``python scripts/bench_pages.py seed-member`` is the step that creates the
family member inside the benchmark's database; the run calls it.
"""

import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
OUTPUT = REPO / "var" / "bench" / "pages.json"

PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = os.environ.get("PGPORT", "5432")
PGUSER = os.environ.get("PGUSER", "postgres")
DB_NAME = "homecoming_bench"
CACHE_URL = "redis://127.0.0.1:6379/7"
BROKER_URL = "redis://127.0.0.1:6379/8"

MEMBER_EMAIL = "bench-family@example.test"
MEMBER_REQUESTS = 20
# Each request goes through review twice asking the family for more, with an
# answer each time, before it is accepted: 7 status changes, 4 messages.
QUESTION_ROUNDS = 2
EVIDENCE_LINKS_PER_REQUEST = 3

WRK_THREADS = 2
WRK_CONNECTIONS = 16
WRK_DURATION = "15s"
WRK_WARMUP = "3s"
TARGET_RATIO = 0.5

# Variables that would point the benchmark's processes at another database or cache.
_INHERITED_CONFIG = (
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_URL",
    "CELERY_BROKER_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "VAR_DIR",
    "STATIC_ROOT",
    "EVIDENCE_ROOT",
    "DJANGO_SETTINGS_MODULE",
)


def log(message: str) -> None:
    print(f"bench-pages: {message}", flush=True)


def server_env(workdir: Path) -> dict[str, str]:
    """The production settings, on plain HTTP on loopback, with the bare view on."""
    env = {key: value for key, value in os.environ.items() if key not in _INHERITED_CONFIG}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=f"postgres://{PGUSER}@{PGHOST}:{PGPORT}/{DB_NAME}",
        CACHE_URL=CACHE_URL,
        REDIS_URL=BROKER_URL,
        BENCHMARK_VIEWS="true",
        VAR_DIR=str(workdir / "var"),
        STATIC_ROOT=str(workdir / "static"),
        # Nothing here is meant to reach a real mailbox.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    return env


def run(command: list[str], *, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # Only this script's own fixed commands run here.
    return subprocess.run(command, cwd=REPO, env=env, check=True, text=True, stdout=subprocess.PIPE)  # noqa: S603


def psql(sql: str) -> None:
    run(["psql", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql])


def database_drop() -> None:
    psql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench-pages: gunicorn exited with {process.returncode} before it answered")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=3) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"bench-pages: gunicorn did not answer /healthz within {timeout:.0f} s")


class Browser:
    """Just enough of a browser to sign in: a cookie jar and the CSRF token of each form."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.opener.addheaders = [("Accept-Language", "en")]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, email: str, password: str) -> None:
        status, page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"bench-pages: the sign-in page answered {status} without a form")
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], "login": email, "password": password})
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{self.base}/accounts/login/", data=form.encode(), headers={"Referer": f"{self.base}/accounts/login/"}
        )
        try:
            with self.opener.open(request, timeout=10):
                pass
        except urllib.error.HTTPError as error:
            raise SystemExit(f"bench-pages: signing in answered {error.code}") from None
        if "sessionid" not in self.cookie_values():
            raise SystemExit("bench-pages: signing in gave no session cookie")

    def cookie_values(self) -> dict[str, str]:
        return {cookie.name: cookie.value for cookie in self.cookies}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookie_values().items())


def wrk(url: str, *, cookie: str, duration: str) -> dict:
    """Load ``url`` with wrk; its Lua ``done()`` reports the figures, p95 included."""
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        f"-d{duration}",
        "--latency",
        "-s",
        str(REPO / "scripts" / "wrk_report.lua"),
        "-H",
        f"Cookie: {cookie}",
        "-H",
        "Accept-Language: en",
        url,
    ]
    output = run(command).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_REPORT "))
    report = json.loads(line.removeprefix("WRK_REPORT "))
    seconds = report["duration_us"] / 1_000_000
    errors = report["errors"]
    return {
        "requests": report["requests"],
        "seconds": round(seconds, 2),
        "requests_per_second": round(report["requests"] / seconds, 1),
        "latency_ms": {name: round(value / 1000, 2) for name, value in report["latency_us"].items()},
        "errors": errors,
    }


def measure(base: str, path: str, *, cookie: str) -> dict:
    wrk(base + path, cookie=cookie, duration=WRK_WARMUP)
    result = wrk(base + path, cookie=cookie, duration=WRK_DURATION)
    log(f"{path}: {result['requests_per_second']} req/s, p95 {result['latency_ms']['p95']} ms")
    return {"path": path, **result}


def report(results: dict, *, workers: int, seed: dict, load_before: list[float]) -> dict:
    status, bare = results["status_page"], results["bare_view"]
    ratio = status["requests_per_second"] / bare["requests_per_second"]
    summary = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "stack": {
            "server": f"gunicorn, {workers} sync workers, DEBUG off, PostgreSQL, Redis cache",
            "cpus": os.cpu_count(),
            # Other work on the machine takes CPU from both the server and wrk.
            "load_average_before": load_before,
            "load": f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_DURATION} (after {WRK_WARMUP} of warm-up)",
        },
        "data": {
            "requests_of_the_member": MEMBER_REQUESTS,
            "status_changes_per_request": seed["status_changes"],
            "messages_per_request": seed["messages"],
            "evidence_per_request": seed["evidence"],
        },
        "status_page": status,
        "bare_view": bare,
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio >= TARGET_RATIO,
    }
    rows = [("page", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors")]
    for name in ("status_page", "bare_view"):
        result = summary[name]
        latency = result["latency_ms"]
        errors = sum(result["errors"].values())
        rows.append(
            (
                result["path"],
                str(result["requests_per_second"]),
                *(str(latency[p]) for p in ("p50", "p95", "p99")),
                str(errors),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    print()
    for row in rows:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
    verdict = "meets" if summary["meets_target"] else "MISSES"
    print(f"\nstatus page / bare view throughput: {ratio:.2f}× ({verdict} the target of ≥ {TARGET_RATIO}×)")
    if any(sum(summary[name]["errors"].values()) for name in ("status_page", "bare_view")):
        print("warning: wrk counted errors (non-2xx/3xx answers or socket errors); the figures are suspect")
    return summary


def bench() -> None:
    run([str(REPO / "scripts" / "apt-ensure.sh"), "wrk:wrk"])
    run([str(REPO / "scripts" / "ensure-services.sh")])
    workers = 2 * len(os.sched_getaffinity(0))
    password = secrets.token_urlsafe(24)
    gunicorn = None
    with tempfile.TemporaryDirectory(prefix="homecoming-bench-") as workdir:
        env = server_env(Path(workdir))
        database_drop()
        psql(f"CREATE DATABASE \"{DB_NAME}\" ENCODING 'UTF8' TEMPLATE template0")
        try:
            log(f"database {DB_NAME}: migrate, seed_demo, and a family member with {MEMBER_REQUESTS} requests")
            run([PYTHON, "manage.py", "migrate", "--noinput"], env=env)
            run([PYTHON, "manage.py", "seed_demo", "--force"], env=env)
            seeded = run([PYTHON, __file__, "seed-member"], env={**env, "BENCH_MEMBER_PASSWORD": password})
            seed = json.loads(seeded.stdout.strip().splitlines()[-1])
            run([PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env=env)

            port = free_port()
            base = f"http://127.0.0.1:{port}"
            log(f"gunicorn with {workers} workers on {base}")
            # No access log, as in production; warnings and errors still reach the terminal.
            gunicorn = subprocess.Popen(  # noqa: S603 (the virtualenv's gunicorn)
                [
                    *(GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{port}"),
                    *("--workers", str(workers), "--log-level", "warning"),
                ],
                cwd=REPO,
                env=env,
            )
            wait_for_health(base, gunicorn)

            browser = Browser(base)
            browser.sign_in(MEMBER_EMAIL, password)
            status_path = f"/my/requests/{seed['reference']}/"
            # A redirect to the sign-in page or an error page would be measured as fast as any other.
            for path, expected in ((status_path, seed["reference"]), ("/bench/bare", "ok")):
                status, page = browser.get(path)
                if status != 200 or expected not in page:
                    raise SystemExit(f"bench-pages: {path} answered {status} without {expected!r} when signed in")

            cookie = browser.cookie_header()
            load_before = [round(load, 2) for load in os.getloadavg()]
            log(f"load average before measuring: {' '.join(map(str, load_before))}")
            results = {
                "status_page": measure(base, status_path, cookie=cookie),
                "bare_view": measure(base, "/bench/bare", cookie=cookie),
            }
            summary = report(results, workers=workers, seed=seed, load_before=load_before)
            OUTPUT.parent.mkdir(parents=True, exist_ok=True)
            OUTPUT.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
            log(f"written to {OUTPUT.relative_to(REPO)}")
        except subprocess.CalledProcessError as error:
            if error.stdout:
                print(error.stdout, file=sys.stderr)
            raise SystemExit(
                f"bench-pages: {' '.join(map(str, error.cmd[:3]))} failed with {error.returncode}"
            ) from None
        finally:
            if gunicorn is not None:
                gunicorn.send_signal(signal.SIGTERM)
                try:
                    gunicorn.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    gunicorn.kill()
                    gunicorn.wait()
            database_drop()
            log(f"gunicorn stopped, database {DB_NAME} dropped")


def seed_member() -> None:
    """Inside the benchmark's database: a verified family member whose requests have long timelines.

    Everything goes through the write services, as real requests would.
    Prints the reference of the request the benchmark loads, as JSON.
    """
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from families.models import Language, RelationshipKind, RequestStatus
    from families.services import (
        family_member_create,
        registration_request_answer,
        registration_request_file,
        registration_request_set_status,
        relationship_create,
        relationship_verify,
    )
    from prisoners.evidence import evidence_link_create
    from prisoners.models import Prisoner

    user_model = get_user_model()
    caseworker = user_model.objects.get(username="demo-caseworker")
    with transaction.atomic():
        user = user_model.objects.create_user(
            username="bench-family", email=MEMBER_EMAIL, password=os.environ["BENCH_MEMBER_PASSWORD"]
        )
        EmailAddress.objects.create(user=user, email=MEMBER_EMAIL, verified=True, primary=True)
        member = family_member_create(
            user=user, actor=user, full_name="Bench Family", preferred_language=Language.ENGLISH
        )
        references = []
        for number, prisoner in enumerate(Prisoner.objects.order_by("pk")[:MEMBER_REQUESTS]):
            links = [
                evidence_link_create(
                    url=f"https://video.example.test/bench/{number}/{item}", actor=user, description="A video"
                )
                for item in range(EVIDENCE_LINKS_PER_REQUEST - QUESTION_ROUNDS)
            ]
            request, _code = registration_request_file(
                filed_by=member,
                actor=user,
                consent=True,
                evidence=links,
                data={
                    "filer_name": "Bench Family",
                    "filer_email": MEMBER_EMAIL,
                    "filer_relationship": RelationshipKind.MOTHER,
                    "language": Language.ENGLISH,
                    "surname": prisoner.surname,
                    "given_names": prisoner.given_names,
                    "unit": "A fictional unit",
                    "circumstances": "Last heard from in the spring; seen in a video a month later.",
                },
            )
            registration_request_set_status(request=request, new_status=RequestStatus.IN_REVIEW, actor=caseworker)
            for round_number in range(QUESTION_ROUNDS):
                registration_request_set_status(
                    request=request,
                    new_status=RequestStatus.INFO_REQUESTED,
                    actor=caseworker,
                    reason=f"Question {round_number + 1}: is there a photo that shows his face?",
                )
                answer_link = evidence_link_create(
                    url=f"https://photos.example.test/bench/{number}/{round_number}", actor=user, description="A photo"
                )
                registration_request_answer(
                    request=request, actor=user, body="Here is another photo.", evidence=[answer_link]
                )
            relationship = relationship_create(
                family_member=member, prisoner=prisoner, kind=RelationshipKind.MOTHER, actor=caseworker
            )
            relationship_verify(relationship=relationship, actor=caseworker, reason="Birth certificate seen.")
            registration_request_set_status(
                request=request, new_status=RequestStatus.ACCEPTED, actor=caseworker, prisoner=prisoner
            )
            references.append(request.reference)
    request.refresh_from_db()
    print(
        json.dumps(
            {
                "reference": references[0],
                "status_changes": request.status_changes.count(),
                "messages": request.messages.count(),
                "evidence": request.evidence.count(),
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["seed-member"]:
        seed_member()
    elif sys.argv[1:]:
        raise SystemExit("usage: bench_pages.py [seed-member]")
    else:
        bench()
