"""The embedded default a newcomer gets from `make run`: SQLite, tasks in-process."""

import sqlite3
import subprocess

import pytest

from tests.processes import PYTHON, REPO, clean_env, free_port, http_get, wait_for_health

pytestmark = pytest.mark.slow


def test_it_migrates_seeds_and_serves_a_page(tmp_path):
    env = clean_env(DEBUG="true", VAR_DIR=str(tmp_path))
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        result = subprocess.run(
            [PYTHON, "manage.py", *command], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr

    database = tmp_path / "homecoming.sqlite3"
    assert database.exists()
    with sqlite3.connect(database) as connection:
        (prisoners,) = connection.execute("SELECT count(*) FROM prisoners_prisoner").fetchone()
    assert prisoners >= 300

    port = free_port()
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        health = wait_for_health(f"http://127.0.0.1:{port}", process=server, timeout=60)
        status, body = http_get(f"http://127.0.0.1:{port}/")
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert health == {"status": "ok", "database": "ok", "broker": "in-process"}
    assert status == 200
    assert "Bringing prisoners of war home" in body
