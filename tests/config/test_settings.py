"""Production settings: refuse to start without a secret, pass ``check --deploy``."""

import secrets
import subprocess

from tests.processes import PYTHON, REPO, clean_env


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=REPO, env=clean_env(**env), capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "homecoming.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/homecoming",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def test_it_passes_check_deploy_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(64), **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_it_refuses_to_start_without_a_secret_key():
    result = manage("check", **PRODUCTION)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_it_refuses_a_malformed_boolean():
    result = manage("check", DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG must be true or false, not 'maybe'" in result.stderr


def test_it_refuses_a_cache_that_processes_do_not_share():
    production = {key: value for key, value in PRODUCTION.items() if key != "CACHE_URL"}

    result = manage("check", "--deploy", SECRET_KEY=secrets.token_urlsafe(64), **production)

    assert result.returncode != 0
    assert "django_ratelimit.E003" in result.stderr
