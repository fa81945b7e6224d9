"""What the whole test run logged, and the personal data it created, for ``test_log_privacy``.

Every record any logger emits in the test process goes to ``RUN_LOG``; the
workers the tests start write their own logs (``tests.workers``). Each name,
e-mail address and phone number saved to the database is remembered here, by
model signals, so that new code writing new personal data is covered without
a list to keep up to date.
"""

import logging
from pathlib import Path

from django.db.models.signals import post_save

RUN_LOG = Path(__file__).resolve().parents[1] / "var" / "test-artifacts" / "test-run.log"
WORKER_LOGS: list[Path] = []
PERSONAL_VALUES: set[str] = set()
# A single word ("Oleh", or a test's "Worker") also occurs in ordinary text:
# names are looked for whole (given name and surname), with addresses and numbers.
_SHORTEST = 6


def _telling(value: str) -> bool:
    return len(value) >= _SHORTEST and (" " in value or "@" in value or sum(c.isdigit() for c in value) >= 7)


_FIELDS = {
    "auth.user": ("email", "first_name", "last_name"),
    "families.familymember": ("full_name", "phone", "telegram_handle"),
    "families.registrationrequest": ("filer_name", "filer_email", "filer_phone", "mothers_maiden_name"),
    "prisoners.prisoner": ("person_to_inform",),
}


def _remember(sender, instance, **kwargs):
    label = sender._meta.label_lower
    values = [getattr(instance, name, "") for name in _FIELDS.get(label, ())]
    if label in ("prisoners.prisoner", "families.registrationrequest"):
        values.append(f"{instance.surname} {instance.given_names}")
    PERSONAL_VALUES.update(value.strip() for value in values if isinstance(value, str) and _telling(value.strip()))


def start() -> None:
    RUN_LOG.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(RUN_LOG, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logging.getLogger().addHandler(handler)
    post_save.connect(_remember, dispatch_uid="tests.log_privacy")


def leaks() -> list[tuple[str, str]]:
    """(log file, value) for each remembered value found in a log."""
    found = []
    for path in dict.fromkeys([RUN_LOG, *WORKER_LOGS]):
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found.extend((path.name, value) for value in sorted(PERSONAL_VALUES) if value in text)
    return found
