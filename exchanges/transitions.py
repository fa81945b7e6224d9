"""The exchange status machine (PRODUCT.md, "Statuses")."""

from core.statemachine import StatusMachine
from exchanges.models import ExchangeStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PROPOSED, S.CANCELLED}),
    S.PROPOSED: frozenset({S.AGREED, S.DRAFT, S.CANCELLED}),
    S.AGREED: frozenset({S.COMPLETED, S.PROPOSED, S.CANCELLED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Negotiations reopen: an agreed list goes back to proposed, a proposed one to
# draft, with a reason.
REVERSALS: frozenset[tuple[str, str]] = frozenset({(S.PROPOSED, S.DRAFT), (S.AGREED, S.PROPOSED)})

MACHINE = StatusMachine(statuses=S, allowed=ALLOWED, reversals=REVERSALS)
