from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import OutboxRow, StatusChangeBase, unclaimed_index
from prisoners.models import DateAccuracy, Evidence, MilitaryStatus, Party, Prisoner

REFERENCE_PATTERN = r"^HC-[0-9]{4}-[0-9]{6}$"


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    UKRAINIAN = "uk", _("Ukrainian")


class RelationshipKind(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    SPOUSE = "spouse", _("Wife or husband")
    PARTNER = "partner", _("Partner")
    CHILD = "child", _("Daughter or son")
    SIBLING = "sibling", _("Sister or brother")
    GRANDPARENT = "grandparent", _("Grandmother or grandfather")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    GUARDIAN = "guardian", _("Guardian")
    OTHER = "other", _("Other")


class FamilyMember(models.Model):
    """A family member's account: how to reach them and in which language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="family_member")
    full_name = models.CharField(_("full name"), max_length=300)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    telegram_handle = models.CharField(_("Telegram handle"), max_length=64, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    notify_by_email = models.BooleanField(_("notify by e-mail"), default=True)
    notify_by_sms = models.BooleanField(_("notify by SMS"), default=False)
    notify_by_telegram = models.BooleanField(_("notify by Telegram"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        constraints = [
            models.CheckConstraint(
                condition=Q(preferred_language__in=Language.values), name="family_member_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(notify_by_sms=False) | ~Q(phone=""), name="family_member_sms_needs_phone"
            ),
            models.CheckConstraint(
                condition=Q(notify_by_telegram=False) | ~Q(telegram_handle=""),
                name="family_member_telegram_needs_handle",
            ),
        ]

    def __str__(self):
        return self.full_name


class Relationship(models.Model):
    """A family member's tie to a prisoner. Only a verified tie shows them his status."""

    family_member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE, related_name="relationships")
    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="relationships")
    kind = models.CharField(_("relationship"), max_length=32, choices=RelationshipKind.choices)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(fields=["family_member", "prisoner"], name="relationship_unique"),
            models.CheckConstraint(condition=Q(kind__in=RelationshipKind.values), name="relationship_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["prisoner"], condition=Q(verified_at__isnull=False), name="relationship_verified_idx")
        ]

    def __str__(self):
        return f"{self.family_member} — {self.get_kind_display()} — {self.prisoner}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    INFO_REQUESTED = "info_requested", _("More information requested")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_REQUEST_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW, RequestStatus.INFO_REQUESTED)

# What each request status means for the family, and what happens next.
FAMILY_FACING_REQUEST_STATUS = {
    RequestStatus.SUBMITTED: (
        _("Received"),
        _("We have your request. A caseworker will review it, usually within a few days."),
    ),
    RequestStatus.IN_REVIEW: (
        _("Being reviewed"),
        _("A caseworker is checking the information and the evidence against the records we hold."),
    ),
    RequestStatus.INFO_REQUESTED: (
        _("We need more information"),
        _("A caseworker has a question for you. Please answer it below: the review continues once you do."),
    ),
    RequestStatus.ACCEPTED: (
        _("Accepted"),
        _("Your relative's case is now on our record. You will be told of every change in his status."),
    ),
    RequestStatus.REJECTED: (
        _("Not accepted"),
        _("We could not take up this request. The reason is given below; you can file a new one with new information."),
    ),
    RequestStatus.WITHDRAWN: (
        _("Withdrawn"),
        _("You withdrew this request. Nothing more will be done with it."),
    ),
}


class ReferenceCounter(models.Model):
    """The last request number issued in a year, for HC-YYYY-NNNNNN references."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class RegistrationRequest(models.Model):
    """What a family files to get a relative registered, and its review."""

    reference = models.CharField(_("reference"), max_length=14, unique=True)
    # Sent with the filing form: a second submit of the same form finds the
    # request the first one made instead of filing it twice.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    access_code_hash = models.CharField(_("access code (hashed)"), max_length=128)
    filed_by = models.ForeignKey(
        FamilyMember,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    filer_name = models.CharField(_("your name"), max_length=300)
    filer_email = models.EmailField(_("your e-mail"), blank=True)
    filer_phone = models.CharField(_("your phone"), max_length=32, blank=True)
    filer_relationship = models.CharField(
        _("your relationship to him"), max_length=32, choices=RelationshipKind.choices
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH)
    consent_given_at = models.DateTimeField(_("consent to processing given"))

    # The relative, as the family knows him.
    surname = models.CharField(_("surname"), max_length=150)
    given_names = models.CharField(_("given names"), max_length=150)
    patronymic = models.CharField(_("patronymic or father's first name"), max_length=150, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    date_of_birth_accuracy = models.CharField(
        _("accuracy of the date of birth"), max_length=8, choices=DateAccuracy.choices, default=DateAccuracy.DAY
    )
    place_of_birth = models.CharField(_("place of birth"), max_length=200, blank=True)
    mothers_maiden_name = models.CharField(_("mother's maiden name"), max_length=150, blank=True)
    citizenship = models.CharField(_("citizenship"), max_length=100, blank=True)
    party = models.ForeignKey(
        Party,
        verbose_name=_("serves in the forces of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rank = models.CharField(_("rank"), max_length=100, blank=True)
    service_number = models.CharField(_("personal or serial number"), max_length=64, blank=True)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    military_status = models.CharField(
        _("military status"), max_length=16, choices=MilitaryStatus.choices, blank=True, default=MilitaryStatus.UNKNOWN
    )

    # Circumstances
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    capture_date = models.DateField(_("date of capture, if known"), null=True, blank=True)
    capture_place = models.CharField(_("place of capture, if known"), max_length=200, blank=True)
    circumstances = models.TextField(_("what you know of what happened"), blank=True)
    evidence = models.ManyToManyField(Evidence, verbose_name=_("evidence"), blank=True, related_name="requests")

    # Review
    status = models.CharField(
        _("status"), max_length=32, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_requests",
    )
    prisoner = models.ForeignKey(
        Prisoner,
        verbose_name=_("prisoner record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registration_requests",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    # When candidate records were last looked for (prisoners.matching.store).
    matched_at = models.DateTimeField(_("matches computed"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("filed"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("registration request")
        verbose_name_plural = _("registration requests")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="request_status_valid"),
            models.CheckConstraint(condition=Q(reference__regex=REFERENCE_PATTERN), name="request_reference_format"),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="request_language_valid"),
            models.CheckConstraint(
                condition=Q(filer_relationship__in=RelationshipKind.values), name="request_relationship_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(prisoner__isnull=False), name="request_accepted_has_prisoner"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="request_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True)
                | Q(capture_date__isnull=True)
                | Q(date_of_birth__lte=models.F("capture_date")),
                name="request_born_before_capture",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | Q(status="rejected"), name="request_duplicate_is_rejected"
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("id")), name="request_not_duplicate_of_self"),
            models.CheckConstraint(condition=~Q(surname=""), name="request_surname_required"),
            models.CheckConstraint(condition=~Q(given_names=""), name="request_given_names_required"),
        ]
        indexes = [
            models.Index(
                fields=["status_changed_at"],
                condition=Q(status__in=["submitted", "in_review", "info_requested"]),
                name="request_open_queue_idx",
            ),
            models.Index(fields=["assigned_to", "status"], name="request_assignee_idx"),
            models.Index(fields=["filed_by", "-created_at"], name="request_filer_idx"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES


class RequestStatusChange(StatusChangeBase):
    """A change of a registration request's status; also its notification outbox."""

    request = models.ForeignKey(RegistrationRequest, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(_("from"), max_length=32, choices=RequestStatus.choices, blank=True)
    new_status = models.CharField(_("to"), max_length=32, choices=RequestStatus.choices)

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("request status change")
        verbose_name_plural = _("request status changes")
        constraints = [
            *StatusChangeBase.Meta.constraints,
            models.CheckConstraint(
                condition=Q(old_status__in=[*RequestStatus.values, ""]), name="request_change_old_valid"
            ),
            models.CheckConstraint(condition=Q(new_status__in=RequestStatus.values), name="request_change_new_valid"),
        ]
        indexes = [
            models.Index(fields=["request", "-created_at"], name="request_change_timeline_idx"),
            unclaimed_index("request_change_unclaimed_idx"),
        ]

    def __str__(self):
        return f"{self.request_id}: {self.old_status or '-'} → {self.new_status}"


class RequestAssignment(OutboxRow):
    """A request given to a caseworker, or back to nobody; also the outbox of the assignee's notice."""

    request = models.ForeignKey(RegistrationRequest, on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-created_at", "-id"]
        indexes = [
            unclaimed_index("assignment_unclaimed_idx"),
        ]

    def __str__(self):
        return f"{self.request_id} → {self.assignee_id or '-'}"


class MessageDirection(models.TextChoices):
    TO_FAMILY = "to_family", _("From the caseworker")
    FROM_FAMILY = "from_family", _("From the family")


class RequestMessage(models.Model):
    """A message on a request: a caseworker's question, or the family's answer."""

    request = models.ForeignKey(RegistrationRequest, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=16, choices=MessageDirection.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    evidence = models.ManyToManyField(Evidence, verbose_name=_("evidence"), blank=True, related_name="messages")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=["to_family", "from_family"]), name="request_message_direction_valid"
            ),
            models.CheckConstraint(condition=~Q(body=""), name="request_message_body_required"),
        ]
        indexes = [models.Index(fields=["request", "created_at"], name="request_message_thread_idx")]

    def __str__(self):
        return f"{self.request_id}: {self.get_direction_display()}"
