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


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One message to one person on one channel.

    ``key`` names the change and the recipient (``prisoner-status:81:user:5:email``);
    it is unique, so a change redelivered to a worker never makes a second
    message.
    """

    key = models.CharField(max_length=200, unique=True)
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
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="notification_due_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
        ]

    def __str__(self):
        return self.key
