"""The registration request status machine (PRODUCT.md, "Statuses")."""

from core.statemachine import StatusMachine
from families.models import RequestStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.INFO_REQUESTED, S.ACCEPTED, S.REJECTED, S.WITHDRAWN}),
    S.INFO_REQUESTED: frozenset({S.IN_REVIEW, S.REJECTED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset(),
    S.REJECTED: frozenset({S.IN_REVIEW}),
    S.WITHDRAWN: frozenset(),
}

# A rejected request can be reopened, with a reason.
REVERSALS: frozenset[tuple[str, str]] = frozenset({(S.REJECTED, S.IN_REVIEW)})

MACHINE = StatusMachine(statuses=S, allowed=ALLOWED, reversals=REVERSALS)
