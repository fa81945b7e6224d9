"""A Redis broker and Celery workers of a test's own, as real processes.

The broker is a ``redis-server`` on a free port, so a test may stop and start
it without touching the Redis the rest of the suite uses. Workers run the
project's own ``celery -A config worker`` in a session of their own, so that
SIGKILL reaches the whole process group, as it would on a crashed machine.
"""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.log_privacy import WORKER_LOGS
from tests.processes import PYTHON, REPO, clean_env, free_port, port_is_open

CELERY = str(Path(PYTHON).with_name("celery"))


class Broker:
    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "Broker":
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: port_is_open(self.port), timeout=10, what="the broker to listen")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Worker:
    """``celery worker`` (with beat embedded, for the sweep) against the test database and ``broker``."""

    def __init__(self, *, env: dict[str, str], log: Path, concurrency: int = 1, beat: bool = True):
        self.env = env
        self.log = log
        WORKER_LOGS.append(log)
        self.concurrency = concurrency
        self.beat = beat
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        command = [
            CELERY,
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(self.concurrency),
            "--without-gossip",
            "--without-mingle",
        ]
        if self.beat:
            command += ["--beat", "--schedule", str(self.log.with_suffix(".beat"))]
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_until(lambda: "ready." in self.log.read_text(errors="replace"), timeout=60, what="the worker")
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its children at once: nothing is acknowledged, nothing cleaned up."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def worker_env(*, database_url: str, broker_url: str, smtp_port: int, **overrides: str) -> dict[str, str]:
    """The production settings, pointed at the test's database, broker and SMTP server."""
    return clean_env(
        DATABASE_URL=database_url,
        REDIS_URL=broker_url,
        CELERY_BROKER_URL=broker_url,
        CACHE_URL=broker_url.rsplit("/", 1)[0] + "/1",
        SECRET_KEY="test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        **overrides,
    )


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"gave up waiting for {what} after {timeout} s")
