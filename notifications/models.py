import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    TELEGRAM = "telegram", _("Telegram")


class NotificationKind(models.TextChoices):
    PRISONER_STATUS = "prisoner_status", _("Prisoner status changed")
    REQUEST_UPDATE = "request_update", _("Registration request updated")
    EXCHANGE_INCLUSION = "exchange_inclusion", _("Included in an exchange")
    ASSIGNMENT = "assignment", _("Request assigned")
    FAMILY_ANSWER = "family_answer", _("Family answered")


# Notices a person may stop by e-mail with the link each of them carries. The
# others answer a request the person filed (and may ask them to act), so they
# always go out on the channels the person chose.
OPTIONAL_KINDS = frozenset(
    {
        NotificationKind.PRISONER_STATUS,
        NotificationKind.EXCHANGE_INCLUSION,
        NotificationKind.ASSIGNMENT,
        NotificationKind.FAMILY_ANSWER,
    }
)


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


RECIPIENT_ACCOUNT = "account"
RECIPIENT_FILER = "filer"
RECIPIENT_KINDS = (RECIPIENT_ACCOUNT, RECIPIENT_FILER)


class Notification(models.Model):
    """One message to one person on one channel.

    ``key`` names the change and the recipient (``prisoner-status:81:user:5:email``);
    it is unique, so a change redelivered to a worker never makes a second
    message.
    """

    key = models.CharField(max_length=200, unique=True)
    # Who the message is for, when it is not an account: the filer of a
    # request filed without one (``filer``), reached at the request's address.
    recipient_kind = models.CharField(max_length=16, default=RECIPIENT_ACCOUNT)
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8)
    prisoner = models.ForeignKey(
        "prisoners.Prisoner", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    request = models.ForeignKey(
        "families.RegistrationRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    exchange = models.ForeignKey(
        "exchanges.Exchange", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # What the message's templates need beyond the records it points to: the
    # status it announces, the reason the family reads, and the like. Kept as
    # it was when the change happened, so that a retry says the same thing.
    context = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=NotificationState.choices, default=NotificationState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=NotificationState.values), name="notification_state_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="notification_channel_valid"),
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="notification_sent_has_time"
            ),
            models.CheckConstraint(
                condition=Q(recipient_kind__in=RECIPIENT_KINDS), name="notification_recipient_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="notification_due_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(fields=["prisoner", "-created_at"], name="notification_prisoner_idx"),
            models.Index(fields=["request", "-created_at"], name="notification_request_idx"),
        ]

    def __str__(self):
        return self.key

    @property
    def delivery_id(self) -> str:
        """The message's id for the far end (Message-ID, idempotency key): the same on every attempt, opaque."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:32]


class EmailOptOut(models.Model):
    """A person stopped one kind of optional notice by e-mail, with the link in one of them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("e-mail opt-out")
        verbose_name_plural = _("e-mail opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_opt_out_once"),
            models.CheckConstraint(condition=Q(kind__in=sorted(OPTIONAL_KINDS)), name="email_opt_out_kind_optional"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.kind}"
