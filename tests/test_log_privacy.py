"""No personal data in the logs: the names, e-mail addresses and phone numbers the run created are in no log line.

It runs last (``tests/conftest.py``), over everything logged by the test
process and by the Celery workers the tests started.
"""

from tests.log_privacy import PERSONAL_VALUES, RUN_LOG, leaks


def test_no_personal_data_reached_the_logs_of_the_run():
    assert RUN_LOG.exists()
    assert not leaks(), f"personal data in the logs (of {len(PERSONAL_VALUES)} values created): {leaks()[:10]}"
