from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import OutboxRow, StatusChangeBase, unclaimed_index
from prisoners.models import Party, Prisoner


class ExchangeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_EXCHANGE_STATUSES = (ExchangeStatus.DRAFT, ExchangeStatus.PROPOSED, ExchangeStatus.AGREED)


class Exchange(models.Model):
    """One negotiated exchange of prisoners between two parties."""

    title = models.CharField(_("title"), max_length=200)
    our_party = models.ForeignKey(
        Party, verbose_name=_("our side"), on_delete=models.PROTECT, related_name="exchanges_as_own"
    )
    other_party = models.ForeignKey(
        Party, verbose_name=_("other side"), on_delete=models.PROTECT, related_name="exchanges_as_other"
    )
    mediator = models.ForeignKey(
        Party,
        verbose_name=_("mediator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exchanges_mediated",
    )
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The coordinator's weights for the priority rules (exchanges.priority), over its defaults.
    priority_weights = models.JSONField(_("priority weights"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ExchangeStatus.choices, default=ExchangeStatus.DRAFT)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    # Inclusion in a list is confidential while the exchange is negotiated:
    # families learn of it once a coordinator releases it, or it completes.
    inclusion_released_at = models.DateTimeField(_("inclusion released to families"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        ordering = ["-planned_date", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExchangeStatus.values), name="exchange_status_valid"),
            models.CheckConstraint(
                condition=~Q(our_party=models.F("other_party")), name="exchange_two_different_parties"
            ),
            models.CheckConstraint(
                condition=Q(mediator__isnull=True)
                | (~Q(mediator=models.F("our_party")) & ~Q(mediator=models.F("other_party"))),
                name="exchange_mediator_is_third_party",
            ),
        ]
        indexes = [models.Index(fields=["status", "planned_date"], name="exchange_status_idx")]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_EXCHANGE_STATUSES


class EntryOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETURNED = "returned", _("Returned")
    NOT_PRESENTED = "not_presented", _("Not presented")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn from the list")


class Direction(models.TextChoices):
    RECEIVE = "receive", _("We receive")
    HAND_OVER = "hand_over", _("We hand over")


class ExchangeEntry(models.Model):
    """A prisoner on an exchange list, his priority and what became of him."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="entries")
    prisoner = models.ForeignKey(Prisoner, on_delete=models.PROTECT, related_name="exchange_entries")
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    priority_category = models.CharField(_("priority category"), max_length=64, blank=True)
    priority_score = models.DecimalField(_("priority score"), max_digits=7, decimal_places=2, default=0)
    # Why the entry ranks where it does, as exchanges.priority computed it:
    # [[rule code, value], …], rendered in the reader's language.
    priority_reasons = models.JSONField(_("priority reasons"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    pinned = models.BooleanField(_("pinned"), default=False)
    outcome = models.CharField(_("outcome"), max_length=16, choices=EntryOutcome.choices, default=EntryOutcome.PENDING)
    # True while the entry holds its prisoner: its exchange is open and the
    # entry was not withdrawn. A partial unique index on it keeps a prisoner
    # in at most one open exchange; the exchange services keep it current in
    # the same transaction as the exchange's status.
    holds_prisoner = models.BooleanField(default=True, editable=False)
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("exchange entry")
        verbose_name_plural = _("exchange entries")
        ordering = ["exchange", "direction", "position"]
        constraints = [
            models.UniqueConstraint(fields=["exchange", "prisoner"], name="exchange_entry_once_per_exchange"),
            models.UniqueConstraint(
                fields=["prisoner"],
                condition=Q(holds_prisoner=True),
                name="exchange_entry_one_open_exchange_per_prisoner",
            ),
            models.CheckConstraint(condition=Q(outcome__in=EntryOutcome.values), name="exchange_entry_outcome_valid"),
            models.CheckConstraint(
                condition=Q(direction__in=["receive", "hand_over"]), name="exchange_entry_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(holds_prisoner=False) | ~Q(outcome="withdrawn"),
                name="exchange_entry_withdrawn_holds_nobody",
            ),
        ]

    def __str__(self):
        return f"{self.exchange} — {self.prisoner}"


class ExchangeStatusChange(StatusChangeBase):
    """A change of an exchange's status."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(_("from"), max_length=16, choices=ExchangeStatus.choices, blank=True)
    new_status = models.CharField(_("to"), max_length=16, choices=ExchangeStatus.choices)

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("exchange status change")
        verbose_name_plural = _("exchange status changes")
        constraints = [
            *StatusChangeBase.Meta.constraints,
            models.CheckConstraint(
                condition=Q(old_status__in=[*ExchangeStatus.values, ""]), name="exchange_change_old_valid"
            ),
            models.CheckConstraint(condition=Q(new_status__in=ExchangeStatus.values), name="exchange_change_new_valid"),
        ]
        indexes = [
            models.Index(fields=["exchange", "-created_at"], name="exchange_change_timeline_idx"),
            unclaimed_index("exchange_change_unclaimed_idx"),
        ]

    def __str__(self):
        return f"{self.exchange_id}: {self.old_status or '-'} → {self.new_status}"


class InclusionRelease(OutboxRow):
    """A coordinator told the families who is on an exchange's list; also the outbox of their notices."""

    exchange = models.OneToOneField(Exchange, on_delete=models.CASCADE, related_name="release")
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("release of an exchange list to families")
        verbose_name_plural = _("releases of exchange lists to families")
        indexes = [
            unclaimed_index("release_unclaimed_idx"),
        ]

    def __str__(self):
        return f"{self.exchange_id}: {self.created_at:%Y-%m-%d}"


class CounterpartyList(models.Model):
    """The other side's list for an exchange, as uploaded, to be reconciled with ours row by row."""

    exchange = models.ForeignKey(Exchange, on_delete=models.CASCADE, related_name="counterparty_lists")
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices, default=Direction.RECEIVE)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("other side's list")
        verbose_name_plural = _("other side's lists")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=["receive", "hand_over"]), name="counterparty_list_direction_valid"
            ),
        ]

    def __str__(self):
        return self.original_name


class MatchState(models.TextChoices):
    MATCHED = "matched", _("Matched")
    UNCERTAIN = "uncertain", _("Uncertain")
    NOT_FOUND = "not_found", _("Not found")


class RowDecision(models.TextChoices):
    UNDECIDED = "", _("Not decided")
    CONFIRMED = "confirmed", _("Confirmed")
    CORRECTED = "corrected", _("Corrected by hand")
    NOT_OURS = "not_ours", _("Not on our records")


class CounterpartyRow(models.Model):
    """One row of the other side's list: their spelling, our best match, and the coordinator's decision."""

    counterparty_list = models.ForeignKey(CounterpartyList, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("row"))
    surname = models.CharField(_("surname"), max_length=150)
    given_name = models.CharField(_("given name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    date_of_birth = models.CharField(_("date of birth"), max_length=32, blank=True)
    service_number = models.CharField(_("personal or serial number"), max_length=64, blank=True)
    state = models.CharField(_("match"), max_length=16, choices=MatchState.choices)
    candidate = models.ForeignKey(
        Prisoner, verbose_name=_("best match"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    decision = models.CharField(
        _("decision"), max_length=16, choices=RowDecision.choices, blank=True, default=RowDecision.UNDECIDED
    )
    prisoner = models.ForeignKey(
        Prisoner, verbose_name=_("prisoner"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("row of the other side's list")
        verbose_name_plural = _("rows of the other side's list")
        ordering = ["counterparty_list", "line"]
        constraints = [
            models.UniqueConstraint(fields=["counterparty_list", "line"], name="counterparty_row_line_unique"),
            models.UniqueConstraint(
                fields=["counterparty_list", "prisoner"],
                condition=Q(prisoner__isnull=False),
                name="counterparty_row_prisoner_once",
            ),
            models.CheckConstraint(condition=Q(state__in=MatchState.values), name="counterparty_row_state_valid"),
            models.CheckConstraint(
                condition=Q(decision__in=RowDecision.values), name="counterparty_row_decision_valid"
            ),
            # A confirmed or corrected row names our record; "not ours" and undecided rows name none.
            models.CheckConstraint(
                condition=(Q(decision__in=["confirmed", "corrected"]) & Q(prisoner__isnull=False))
                | (Q(decision__in=["", "not_ours"]) & Q(prisoner__isnull=True)),
                name="counterparty_row_decision_names_prisoner",
            ),
        ]

    def __str__(self):
        return f"{self.counterparty_list_id}:{self.line}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.surname, self.given_name, self.patronymic) if part)
