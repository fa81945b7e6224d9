"""`make stack`: gunicorn, a Celery worker and Celery beat against PostgreSQL and Redis."""

import os
import re
import signal
import subprocess
import time
import uuid

import psycopg2
import pytest

from tests.processes import REPO, clean_env, free_port, http_get, port_is_open, wait_for_health

pytestmark = pytest.mark.slow


@pytest.fixture
def stack_database():
    name = f"homecoming_stack_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def session_processes(session_id: int) -> list[str]:
    listing = subprocess.run(["ps", "-eo", "sid=,pid=,args="], capture_output=True, text=True, check=True).stdout
    return [line for line in listing.splitlines() if line.split(None, 1)[0] == str(session_id)]


def wait_for_log(path, pattern: str, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, path.read_text(errors="replace")):
            return
        time.sleep(0.5)
    raise AssertionError(f"{pattern!r} never appeared in the stack's output:\n{path.read_text()[-3000:]}")


def test_it_serves_pages_and_health_and_stops_cleanly(tmp_path, stack_database):
    port = free_port()
    log = tmp_path / "stack.log"
    env = clean_env(
        DATABASE_URL=stack_database,
        REDIS_URL="redis://127.0.0.1:6379/14",
        CACHE_URL="redis://127.0.0.1:6379/15",
        VAR_DIR=str(tmp_path / "var"),
        WEB_BIND=f"127.0.0.1:{port}",
    )
    with log.open("w") as out:
        stack = subprocess.Popen(
            ["make", "--no-print-directory", "stack"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        health = wait_for_health(base, process=stack, timeout=180)
        page_status, page = http_get(f"{base}/")
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]+\.css)"', page)
        css_status, _css = http_get(f"{base}{stylesheet.group(1)}") if stylesheet else (None, "")
        wait_for_log(log, r"celery@\S+ ready\.")
        wait_for_log(log, r"beat: Starting")
    finally:
        os.killpg(stack.pid, signal.SIGINT)
        try:
            stack.wait(timeout=30)
        finally:
            leftovers = session_processes(stack.pid)
            if leftovers:
                os.killpg(stack.pid, signal.SIGKILL)

    assert health == {"status": "ok", "database": "ok", "broker": "ok"}
    assert page_status == 200
    assert "Bringing prisoners of war home" in page
    assert css_status == 200, "whitenoise serves the hashed stylesheet"
    assert leftovers == [], f"processes left running after Ctrl-C: {leftovers}"
    assert not port_is_open(port)
