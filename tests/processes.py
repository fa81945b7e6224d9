"""Starting the app's own processes from tests, and talking to them over HTTP."""

import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Variables that would point a child process at the test run's own services.
_INHERITED_CONFIG = (
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_URL",
    "CELERY_BROKER_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "VAR_DIR",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def clean_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _INHERITED_CONFIG}
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def http_get(url: str, *, timeout: float = 5) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": "en"})  # noqa: S310 (loopback only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for_health(base_url: str, *, process, timeout: float = 90) -> dict:
    """Poll ``/healthz`` until it answers 200; fail early if the process died."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the process exited with {process.returncode} before it was healthy")
        try:
            status, body = http_get(f"{base_url}/healthz", timeout=3)
            last = (status, body)
            if status == 200:
                return json.loads(body)
        except OSError as error:
            last = error
        time.sleep(0.5)
    raise AssertionError(f"not healthy after {timeout} s; last answer: {last!r}")
