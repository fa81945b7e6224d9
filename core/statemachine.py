from dataclasses import dataclass

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


@dataclass(frozen=True)
class StatusMachine:
    """The allowed moves of one kind of record, and the ones that go backwards.

    A backward move is allowed only with a reason, and is marked as such in
    its status-change row.
    """

    statuses: type[models.TextChoices]
    allowed: dict[str, frozenset[str]]
    reversals: frozenset[tuple[str, str]]

    def __post_init__(self):
        missing = set(self.statuses.values) - set(self.allowed)
        if missing:
            raise ValueError(f"statuses without an entry in ALLOWED: {sorted(missing)}")
        for move in self.reversals:
            if move[1] not in self.allowed[move[0]]:
                raise ValueError(f"reversal {move} is not an allowed move")

    def label(self, status: str) -> str:
        return self.statuses(status).label

    def check(self, *, old: str, new: str, reason: str) -> bool:
        """Refuse an illegal move; return whether it goes backwards."""
        if new not in self.statuses.values:
            raise DomainError(
                format_lazy(_("“{status}” is not a status."), status=new),
                code="unknown_status",
                fields={"status": [str(_("Unknown status."))]},
            )
        if new == old:
            raise DomainError(
                format_lazy(_("The status is already “{status}”."), status=self.label(old)),
                code="same_status",
                fields={"status": [str(_("Choose a different status."))]},
            )
        if new not in self.allowed[old]:
            allowed = ", ".join(f"“{self.label(s)}”" for s in self.statuses.values if s in self.allowed[old])
            raise DomainError(
                format_lazy(
                    _("The status cannot change from “{old}” to “{new}”. Allowed next: {allowed}."),
                    old=self.label(old),
                    new=self.label(new),
                    allowed=allowed or _("none, this status is final"),
                ),
                code="illegal_transition",
                fields={"status": [str(_("This move is not allowed."))]},
            )
        is_reversal = (old, new) in self.reversals
        if is_reversal and not reason.strip():
            raise DomainError(
                format_lazy(
                    _("Moving back from “{old}” to “{new}” needs a reason."),
                    old=self.label(old),
                    new=self.label(new),
                ),
                code="reason_required",
                fields={"reason": [str(_("Say why the status moves back."))]},
            )
        return is_reversal
