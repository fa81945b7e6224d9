"""Personas, as in healthchecks' tests.

- ``olena``: a family member who filed a request for her son
- ``ivan``: a member of another family, who must never see Olena's data
- ``carol``: a caseworker
- ``cole``: a coordinator
- ``ada``: an administrator
- ``oscar``: an outsider with an account and no role
"""

import os
import shutil

import pytest

from core.roles import Role
from tests import log_privacy
from tests.browser import browser_page
from tests.factories import FamilyMemberFactory, UserFactory

LOG_PRIVACY_TEST = "tests/test_log_privacy.py::test_no_personal_data_reached_the_logs_of_the_run"


@pytest.fixture(scope="session", autouse=True)
def _run_log():
    """Every log record of the run, for the privacy check that runs last (after Django has set up logging)."""
    log_privacy.start()


def pytest_collection_modifyitems(session, config, items):
    """The log privacy check reads what the rest of the run logged: it goes last."""
    items.sort(key=lambda item: item.nodeid == LOG_PRIVACY_TEST)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Access codes and passwords are hashed with a slow hasher in production;
    # tests do not need to pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Pages render without a collectstatic run; `make stack`'s test serves the
    # hashed, compressed files for real.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _celery_in_process():
    """Tasks run in the test's own process; tests of the real worker start one of their own."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def olena(db):
    return FamilyMemberFactory(user__username="olena", full_name="Olena Testova")


@pytest.fixture
def ivan(db):
    return FamilyMemberFactory(user__username="ivan", full_name="Ivan Probny")


@pytest.fixture
def carol(db):
    return UserFactory(username="carol", role=Role.CASEWORKER)


@pytest.fixture
def cole(db):
    return UserFactory(username="cole", role=Role.COORDINATOR)


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", role=Role.ADMINISTRATOR)


@pytest.fixture
def oscar(db):
    return UserFactory(username="oscar")


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless, driven by Playwright.

    Playwright's own browser download is not used: `make test` installs the
    distribution's package.
    """
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # that tests make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium, live_server):
    """A page in a phone-sized window; ``phone.base`` is the live server's address."""
    with browser_page(chromium, live_server.url, width=390, height=844) as page:
        yield page


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters from one test must not throttle the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Every test keeps its evidence files in a fresh directory, returned, never in var/evidence."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, and the app's mail sent to it; yields the server (``.mailbox``)."""
    from tests.mail import SmtpServer

    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()
