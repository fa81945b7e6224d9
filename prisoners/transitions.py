"""The prisoner case status machine (PRODUCT.md, "Statuses")."""

from core.statemachine import StatusMachine
from prisoners.models import CaseStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.REPORTED: frozenset({S.CAPTURE_CONFIRMED, S.RETURNED, S.DECEASED, S.CLOSED_NOT_FOUND, S.MERGED}),
    S.CAPTURE_CONFIRMED: frozenset({S.REGISTERED, S.RETURNED, S.DECEASED, S.REPORTED, S.MERGED}),
    S.REGISTERED: frozenset({S.RETURNED, S.DECEASED, S.DECLINED_REPATRIATION, S.CAPTURE_CONFIRMED, S.MERGED}),
    S.RETURNED: frozenset({S.REGISTERED}),
    S.DECEASED: frozenset({S.REPORTED, S.CAPTURE_CONFIRMED, S.REGISTERED}),
    S.DECLINED_REPATRIATION: frozenset({S.REGISTERED, S.RETURNED, S.DECEASED}),
    S.CLOSED_NOT_FOUND: frozenset({S.REPORTED, S.MERGED}),
    S.MERGED: frozenset(),
}

# Backward moves: corrections of a record or a reopened case. Each needs a
# reason and is marked in the timeline and the audit trail.
REVERSALS: frozenset[tuple[str, str]] = frozenset(
    {
        (S.CAPTURE_CONFIRMED, S.REPORTED),
        (S.REGISTERED, S.CAPTURE_CONFIRMED),
        (S.RETURNED, S.REGISTERED),
        (S.DECEASED, S.REPORTED),
        (S.DECEASED, S.CAPTURE_CONFIRMED),
        (S.DECEASED, S.REGISTERED),
        (S.DECLINED_REPATRIATION, S.REGISTERED),
        (S.CLOSED_NOT_FOUND, S.REPORTED),
    }
)

MACHINE = StatusMachine(statuses=S, allowed=ALLOWED, reversals=REVERSALS)
