from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """Who did what to which record, when and why.

    Rows are only ever added. Each carries the hash of the one before, so a
    changed or deleted row breaks the chain (``core.audit.audit_chain_verify``).
    The actor is kept as a label (``user:17``), not a name, so that erasing an
    account leaves an anonymised but intact trail.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=64)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("record type"), max_length=64)
    target_id = models.CharField(_("record id"), max_length=64)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_type}#{self.target_id}"


class AuditChainHead(models.Model):
    """One row holding the newest hash of the audit chain.

    Appending locks this row, so concurrent writers queue up and each links to
    the entry written just before its own.
    """

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    length = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_singleton")]

    def __str__(self):
        return f"{self.length}: {self.last_hash}"


class OutboxRow(models.Model):
    """A change someone made that is news to somebody: the notification outbox (notifications.services).

    A worker claims the rows whose ``notifications_claimed_at`` is empty; each
    concrete model indexes them with ``unclaimed_index``.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notifications_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


def unclaimed_index(name: str) -> models.Index:
    """The rows of an outbox that no worker has claimed yet, oldest first, for the sweep."""
    return models.Index(fields=["created_at"], condition=models.Q(notifications_claimed_at__isnull=True), name=name)


class StatusChangeBase(OutboxRow):
    """What every status-change row holds, whatever record it belongs to."""

    reason = models.TextField(_("reason"), blank=True)
    is_reversal = models.BooleanField(_("moves backwards"), default=False)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_reversal=False) | ~models.Q(reason=""),
                name="%(app_label)s_%(class)s_reversal_has_reason",
            ),
        ]


class SignInStep(models.TextChoices):
    PASSWORD = "password", _("Password")
    SECOND_FACTOR = "second_factor", _("Second factor")


class SignInEvent(models.Model):
    """One attempt to sign in to an account, shown to its owner.

    Only attempts that name an existing account are kept; the address and
    browser are what the owner needs to recognise a sign-in that was not theirs.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="sign_ins"
    )
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    step = models.CharField(_("step"), max_length=16, choices=SignInStep.choices, default=SignInStep.PASSWORD)
    succeeded = models.BooleanField(_("succeeded"))
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["user", "-occurred_at"], name="sign_in_user_idx")]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} user:{self.user_id} {'ok' if self.succeeded else 'failed'}"
