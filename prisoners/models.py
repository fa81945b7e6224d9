import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StatusChangeBase, unclaimed_index
from prisoners.matching.keys import given_name_key, patronymic_key, service_number_key, surname_key


class Source(models.TextChoices):
    """Where a fact, a status or an event came from."""

    FAMILY = "family", _("Family")
    UNIT = "unit", _("Military unit")
    OFFICIAL_LIST = "official_list", _("Official list")
    ICRC = "icrc", _("ICRC")
    RELEASED_COMRADE = "released_comrade", _("Released comrade")
    VIDEO = "video", _("Video")
    MEDIA = "media", _("Media report")
    CASEWORKER = "caseworker", _("Caseworker")
    OTHER = "other", _("Other")


class DateAccuracy(models.TextChoices):
    DAY = "day", _("Exact date")
    MONTH = "month", _("Month and year only")
    YEAR = "year", _("Year only")


class MilitaryStatus(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    CONSCRIPT = "conscript", _("Conscript")
    CONTRACT = "contract", _("Contract")
    MOBILISED = "mobilised", _("Mobilised")
    VOLUNTEER = "volunteer", _("Volunteer")
    OTHER = "other", _("Other")


class HealthStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    HEALTHY = "healthy", _("No known injury or illness")
    WOUNDED = "wounded", _("Wounded")
    SICK = "sick", _("Sick")
    # GC III Art. 110: entitled to direct repatriation whatever the numbers.
    SERIOUSLY_WOUNDED_OR_SICK = "seriously_wounded_or_sick", _("Seriously wounded or sick")


class RepatriationConsent(models.TextChoices):
    UNKNOWN = "unknown", _("Not known")
    CONSENTS = "consents", _("Consents to repatriation")
    DECLINES = "declines", _("Declines repatriation")


class PartyKind(models.TextChoices):
    OWN = "own", _("Our side")
    OPPOSING = "opposing", _("Opposing party")
    MEDIATOR = "mediator", _("Mediator")


class Party(models.Model):
    """A party to the conflict, or a mediator of exchanges."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["own", "opposing", "mediator"]), name="party_kind_valid"),
        ]

    def __str__(self):
        return self.name


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CAPTURE_CONFIRMED = "capture_confirmed", _("Capture confirmed")
    REGISTERED = "registered", _("Registered as a prisoner of war")
    RETURNED = "returned", _("Returned")
    DECEASED = "deceased", _("Deceased")
    DECLINED_REPATRIATION = "declined_repatriation", _("Declined repatriation")
    CLOSED_NOT_FOUND = "closed_not_found", _("Closed, not found")
    MERGED = "merged", _("Merged into another record")


# What a family reads for each status: a label and what it means for them.
FAMILY_FACING_STATUS = {
    CaseStatus.REPORTED: (
        _("We have your report"),
        _("The case is open. Caseworkers are looking for evidence that he is in captivity."),
    ),
    CaseStatus.CAPTURE_CONFIRMED: (
        _("Captivity confirmed"),
        _(
            "There is evidence that he is held by the other side. The next step is "
            "official registration as a prisoner of war."
        ),
    ),
    CaseStatus.REGISTERED: (
        _("Registered as a prisoner of war"),
        _("He is on the official list of prisoners of war and can be included in an exchange."),
    ),
    CaseStatus.RETURNED: (
        _("Returned home"),
        _("He has been exchanged, repatriated or released."),
    ),
    CaseStatus.DECEASED: (
        _("Reported deceased"),
        _("A caseworker will contact you personally with what is known."),
    ),
    CaseStatus.DECLINED_REPATRIATION: (
        _("Declined repatriation"),
        _("He has told the authorities that he does not wish to be repatriated now."),
    ),
    CaseStatus.CLOSED_NOT_FOUND: (
        _("Closed: no trace found"),
        _("No evidence of captivity was found. Send us any new information and the case will be reopened."),
    ),
    CaseStatus.MERGED: (
        _("Joined with another record"),
        _("This case was a duplicate and is now followed under one record."),
    ),
}


# The identity fields of GC III Art. 17 and 122, as a record and a family's
# request both hold them.
IDENTITY_FIELDS = (
    "surname",
    "given_names",
    "patronymic",
    "date_of_birth",
    "date_of_birth_accuracy",
    "place_of_birth",
    "mothers_maiden_name",
    "citizenship",
    "party",
    "rank",
    "service_number",
    "unit",
    "military_status",
)


KEYED_FIELDS = frozenset({"surname", "given_names", "patronymic", "service_number"})
KEY_FIELDS = frozenset({"surname_key", "given_name_key", "patronymic_key", "service_number_key"})


def name_keys(*, surname: str, given_names: str, patronymic: str, service_number: str) -> dict[str, str]:
    """The comparison keys (``KEY_FIELDS``) a record with this name and service number carries."""
    return {
        "surname_key": surname_key(surname),
        "given_name_key": given_name_key(given_names),
        "patronymic_key": patronymic_key(patronymic),
        "service_number_key": service_number_key(service_number),
    }


class Prisoner(models.Model):
    """One person, one record: the identity fields of GC III Art. 17 and 122."""

    # Identity (Art. 17 and 122)
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
        on_delete=models.PROTECT,
        related_name="members",
    )
    rank = models.CharField(_("rank"), max_length=100, blank=True)
    service_number = models.CharField(_("personal or serial number"), max_length=64, blank=True)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    military_status = models.CharField(
        _("military status"), max_length=16, choices=MilitaryStatus.choices, blank=True, default=MilitaryStatus.UNKNOWN
    )
    person_to_inform = models.TextField(_("person to be informed (name and address)"), blank=True)

    # Capture and internment
    capture_date = models.DateField(_("date of capture"), null=True, blank=True)
    capture_place = models.CharField(_("place of capture"), max_length=200, blank=True)
    holding_party = models.ForeignKey(
        Party,
        verbose_name=_("held by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held",
    )
    place_of_internment = models.CharField(_("place of internment"), max_length=200, blank=True)

    # Health and repatriation
    health_status = models.CharField(
        _("health"), max_length=32, choices=HealthStatus.choices, default=HealthStatus.UNKNOWN
    )
    health_notes = models.TextField(_("health notes"), blank=True)
    repatriation_consent = models.CharField(
        _("consent to repatriation"),
        max_length=16,
        choices=RepatriationConsent.choices,
        default=RepatriationConsent.UNKNOWN,
    )

    photo = models.ForeignKey(
        "prisoners.Evidence",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Case
    status = models.CharField(_("case status"), max_length=32, choices=CaseStatus.choices, default=CaseStatus.REPORTED)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Where an imported record came from, and its id on that list.
    import_source = models.CharField(_("imported from"), max_length=200, blank=True)
    external_ref = models.CharField(_("id on the source list"), max_length=100, blank=True)

    # Comparison keys (prisoners.matching.keys), written by save() from the name.
    surname_key = models.CharField(max_length=150, blank=True, editable=False)
    given_name_key = models.CharField(max_length=150, blank=True, editable=False)
    patronymic_key = models.CharField(max_length=150, blank=True, editable=False)
    service_number_key = models.CharField(max_length=64, blank=True, editable=False)
    # When candidate matches were last computed; cleared when the identity changes.
    matched_at = models.DateTimeField(_("matches computed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("prisoner")
        verbose_name_plural = _("prisoners")
        ordering = ["surname", "given_names", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="prisoner_status_valid"),
            models.CheckConstraint(
                condition=Q(health_status__in=HealthStatus.values), name="prisoner_health_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(repatriation_consent__in=RepatriationConsent.values),
                name="prisoner_repatriation_consent_valid",
            ),
            models.CheckConstraint(
                condition=Q(military_status__in=MilitaryStatus.values), name="prisoner_military_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth_accuracy__in=DateAccuracy.values), name="prisoner_dob_accuracy_valid"
            ),
            models.UniqueConstraint(
                fields=["party", "service_number"],
                condition=~Q(service_number=""),
                name="prisoner_service_number_unique_per_party",
                violation_error_message=_("A prisoner with this service number is already recorded for this party."),
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True)
                | Q(capture_date__isnull=True)
                | Q(date_of_birth__lte=models.F("capture_date")),
                name="prisoner_born_before_capture",
            ),
            # A merged record always says which record it was merged into,
            # and only a merged record does.
            models.CheckConstraint(
                condition=(Q(status="merged") & Q(merged_into__isnull=False))
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="prisoner_merged_has_survivor",
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("id")), name="prisoner_not_merged_into_self"),
            models.CheckConstraint(condition=~Q(surname=""), name="prisoner_surname_required"),
            models.CheckConstraint(condition=~Q(given_names=""), name="prisoner_given_names_required"),
            models.UniqueConstraint(
                fields=["import_source", "external_ref"],
                condition=~Q(external_ref=""),
                name="prisoner_external_ref_unique_per_source",
                violation_error_message=_("A record with this id is already imported from this source."),
            ),
        ]
        # The trigram indexes on the name keys are PostgreSQL's own: see
        # migration 0002_name_matching.
        indexes = [
            models.Index(fields=["status", "-status_changed_at"], name="prisoner_status_idx"),
            models.Index(fields=["surname", "given_names"], name="prisoner_name_idx"),
            models.Index(fields=["service_number"], name="prisoner_service_number_idx"),
            models.Index(
                fields=["service_number_key"], condition=~Q(service_number_key=""), name="prisoner_service_key_idx"
            ),
            # Candidate search (prisoners.matching.search): names written the same way; given name,
            # father and birth date (which also serves given names alone).
            models.Index(fields=["surname_key", "given_name_key"], name="prisoner_name_key_idx"),
            models.Index(
                fields=["given_name_key", "patronymic_key", "date_of_birth"], name="prisoner_given_father_born_idx"
            ),
            models.Index(fields=["holding_party", "status"], name="prisoner_holding_idx"),
            models.Index(fields=["-updated_at"], name="prisoner_updated_idx"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        """Keep the comparison keys in step with the name, however the record is saved."""
        self.name_keys_refresh()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and KEYED_FIELDS.intersection(update_fields):
            kwargs["update_fields"] = {*update_fields, *KEY_FIELDS}
        super().save(*args, **kwargs)

    def name_keys_refresh(self) -> None:
        keys = name_keys(
            surname=self.surname,
            given_names=self.given_names,
            patronymic=self.patronymic,
            service_number=self.service_number,
        )
        for name, value in keys.items():
            setattr(self, name, value)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.surname, self.given_names, self.patronymic) if part)

    @property
    def is_seriously_wounded_or_sick(self) -> bool:
        return self.health_status == HealthStatus.SERIOUSLY_WOUNDED_OR_SICK

    @property
    def family_facing_status(self) -> tuple[str, str]:
        return FAMILY_FACING_STATUS[self.status]

    def clean(self):
        errors = prisoner_facts_errors(vars(self))
        if errors:
            raise ValidationError(errors)


def prisoner_facts_errors(values) -> dict[str, str]:
    """What ``Prisoner.clean`` refuses, from a record's attribute values (as ``vars(prisoner)`` has them).

    Also used by the import, which checks rows without building records.
    """
    errors = {}
    born, captured, today = values.get("date_of_birth"), values.get("capture_date"), timezone.localdate()
    if born and captured and born > captured:
        errors["date_of_birth"] = _("The date of birth cannot be after the date of capture.")
    if captured and captured > today:
        errors["capture_date"] = _("The date of capture cannot be in the future.")
    if born and born > today:
        errors["date_of_birth"] = _("The date of birth cannot be in the future.")
    if values.get("holding_party_id") and values.get("holding_party_id") == values.get("party_id"):
        errors["holding_party"] = _("A prisoner cannot be held by the party he serves.")
    return errors


class NameScript(models.TextChoices):
    CYRILLIC = "cyrillic", _("Cyrillic")
    LATIN = "latin", _("Latin")


class NameVariant(models.Model):
    """Another spelling of the prisoner's name, in Cyrillic or Latin script."""

    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="name_variants")
    surname = models.CharField(_("surname"), max_length=150)
    given_names = models.CharField(_("given names"), max_length=150, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    script = models.CharField(_("script"), max_length=16, choices=NameScript.choices)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices, default=Source.OTHER)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("name variant")
        verbose_name_plural = _("name variants")
        constraints = [
            models.UniqueConstraint(
                fields=["prisoner", "surname", "given_names", "patronymic"], name="name_variant_unique"
            ),
            models.CheckConstraint(condition=Q(script__in=["cyrillic", "latin"]), name="name_variant_script_valid"),
            models.CheckConstraint(condition=~Q(surname=""), name="name_variant_surname_required"),
        ]

    def __str__(self):
        return " ".join(part for part in (self.surname, self.given_names, self.patronymic) if part)


class Fact(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    SERVICE = "service", _("Rank, number and unit")
    CAPTURE = "capture", _("Capture")
    INTERNMENT = "internment", _("Place of internment")
    HEALTH = "health", _("Health")
    REPATRIATION_CONSENT = "repatriation_consent", _("Consent to repatriation")


class FactSource(models.Model):
    """Where one fact of a prisoner's record came from, kept beside it."""

    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="fact_sources")
    fact = models.CharField(_("fact"), max_length=32, choices=Fact.choices)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("source of a fact")
        verbose_name_plural = _("sources of facts")
        constraints = [
            models.UniqueConstraint(fields=["prisoner", "fact"], name="fact_source_one_per_fact"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="fact_source_source_valid"),
        ]

    def __str__(self):
        return f"{self.get_fact_display()}: {self.get_source_display()}"


class StatusChange(StatusChangeBase):
    """A change of a prisoner's case status: when, who, why and on what source.

    It is also the notification outbox: a worker claims unclaimed rows and
    turns each into notifications for the family.
    """

    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(_("from"), max_length=32, choices=CaseStatus.choices, blank=True)
    new_status = models.CharField(_("to"), max_length=32, choices=CaseStatus.choices)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        constraints = [
            *StatusChangeBase.Meta.constraints,
            models.CheckConstraint(
                condition=Q(old_status__in=[*CaseStatus.values, ""]), name="status_change_old_valid"
            ),
            models.CheckConstraint(condition=Q(new_status__in=CaseStatus.values), name="status_change_new_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="status_change_source_valid"),
        ]
        indexes = [
            models.Index(fields=["prisoner", "-created_at"], name="status_change_timeline_idx"),
            unclaimed_index("status_change_unclaimed_idx"),
        ]

    def __str__(self):
        return f"{self.prisoner_id}: {self.old_status or '-'} → {self.new_status}"


class CaseEventKind(models.TextChoices):
    CAPTURE = "capture", _("Capture")
    TRANSFER = "transfer", _("Transfer")
    HOSPITAL_ADMISSION = "hospital_admission", _("Admission to hospital")
    HEALTH_UPDATE = "health_update", _("Health update")
    ESCAPE = "escape", _("Escape")
    RELEASE = "release", _("Release")
    REPATRIATION = "repatriation", _("Repatriation")
    DEATH = "death", _("Death")


class CaseEvent(models.Model):
    """An event GC III Art. 122(5) asks the bureau to record."""

    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=32, choices=CaseEventKind.choices)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    details = models.TextField(_("details"), blank=True)
    # Art. 120: for a death, its cause, and where the person is buried.
    cause_of_death = models.CharField(_("cause of death"), max_length=300, blank=True)
    burial_place = models.CharField(_("place of burial"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-occurred_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CaseEventKind.values), name="case_event_kind_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="case_event_source_valid"),
            models.CheckConstraint(
                condition=Q(kind="death") | (Q(cause_of_death="") & Q(burial_place="")),
                name="case_event_death_details_only_for_death",
            ),
        ]
        indexes = [models.Index(fields=["prisoner", "-occurred_on"], name="case_event_timeline_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.occurred_on or ''}".strip()


class EvidenceStorage(FileSystemStorage):
    """Files under ``settings.EVIDENCE_ROOT``, read when used, never served by URL."""

    @property
    def base_location(self):
        return settings.EVIDENCE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Evidence files have no public address; staff download them through a checked view.")


def evidence_storage():
    return EvidenceStorage()


class EvidenceKind(models.TextChoices):
    LINK = "link", _("Link")
    FILE = "file", _("File")


class Evidence(models.Model):
    """A link (a captivity video, say) or an uploaded file, kept provably unaltered."""

    prisoner = models.ForeignKey(Prisoner, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=8, choices=EvidenceKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices, default=Source.OTHER)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    identified_by = models.CharField(_("identified by"), max_length=200, blank=True)
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    file = models.FileField(_("file"), storage=evidence_storage, upload_to="%Y/%m/", blank=True, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="") & Q(file="") & Q(sha256=""))
                | (
                    Q(kind="file")
                    & ~Q(file="")
                    & Q(url="")
                    & Q(size__isnull=False)
                    & ~Q(content_type="")
                    & Q(Exact(Length("sha256"), 64))
                ),
                name="evidence_link_or_hashed_file",
            ),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="evidence_source_valid"),
        ]

    def __str__(self):
        return self.description or self.original_name or self.url


class Confidence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class MatchDecision(models.TextChoices):
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Not the same person")


class MatchCandidate(models.Model):
    """A record that may be the same person as a registration request or as another record.

    Computed by ``prisoners.matching.store``; a caseworker's decision stays
    with the pair, and a decided pair is never proposed again.
    """

    request = models.ForeignKey(
        "families.RegistrationRequest",
        verbose_name=_("registration request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_candidates",
    )
    prisoner = models.ForeignKey(
        Prisoner,
        verbose_name=_("record"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="match_candidates",
    )
    candidate = models.ForeignKey(
        Prisoner, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="proposed_as_candidate"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    confidence = models.CharField(_("confidence"), max_length=8, choices=Confidence.choices)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=16, choices=MatchDecision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate match")
        verbose_name_plural = _("candidate matches")
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=True, prisoner__isnull=False)
                | Q(request__isnull=False, prisoner__isnull=True),
                name="match_candidate_one_subject",
            ),
            models.UniqueConstraint(
                fields=["request", "candidate"], condition=Q(request__isnull=False), name="match_candidate_request_once"
            ),
            models.UniqueConstraint(
                fields=["prisoner", "candidate"],
                condition=Q(prisoner__isnull=False),
                name="match_candidate_prisoner_once",
            ),
            models.CheckConstraint(condition=~Q(prisoner=models.F("candidate")), name="match_candidate_not_self"),
            models.CheckConstraint(condition=Q(score__lte=100), name="match_candidate_score_range"),
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values), name="match_candidate_confidence_valid"
            ),
            models.CheckConstraint(
                condition=(Q(decision="") & Q(decided_at__isnull=True))
                | (Q(decision__in=MatchDecision.values) & Q(decided_at__isnull=False)),
                name="match_candidate_decision_valid",
            ),
        ]
        indexes = [models.Index(fields=["candidate"], name="match_candidate_candidate_idx")]

    def __str__(self):
        return f"{self.request or self.prisoner} ~ {self.candidate} ({self.score})"


class Authority(models.TextChoices):
    NATIONAL = "national", _("National information bureau")
    ICRC = "icrc", _("ICRC Central Tracing Agency")
    OTHER = "other", _("Other authority")


class SubmissionChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Online portal")
    POST = "post", _("Post")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


class SubmissionStage(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, waiting for acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged, waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed as a prisoner of war")


class OfficialSubmission(models.Model):
    """The official-registration track: a case sent to an authority or the ICRC, and its answers.

    Each step waits for an answer by a date; a step past its date is overdue
    (``prisoners.staff_search.submissions_overdue``), because this is where cases stall.
    """

    prisoner = models.ForeignKey(Prisoner, on_delete=models.CASCADE, related_name="submissions")
    authority = models.CharField(_("sent to"), max_length=16, choices=Authority.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=SubmissionChannel.choices)
    reference = models.CharField(_("their reference"), max_length=100, blank=True)
    submitted_on = models.DateField(_("submitted on"))
    acknowledgement_due_on = models.DateField(_("acknowledgement expected by"))
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    confirmation_due_on = models.DateField(_("confirmation expected by"), null=True, blank=True)
    confirmed_on = models.DateField(_("confirmed as a prisoner of war on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("official submission")
        verbose_name_plural = _("official submissions")
        ordering = ["-submitted_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(authority__in=Authority.values), name="submission_authority_valid"),
            models.CheckConstraint(condition=Q(channel__in=SubmissionChannel.values), name="submission_channel_valid"),
            models.CheckConstraint(
                condition=Q(acknowledgement_due_on__gte=models.F("submitted_on")), name="submission_ack_due_after"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_on__isnull=True) | Q(acknowledged_on__gte=models.F("submitted_on")),
                name="submission_acknowledged_after",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_on__isnull=True) | Q(confirmed_on__gte=models.F("submitted_on")),
                name="submission_confirmed_after",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_on__isnull=True) | Q(confirmation_due_on__isnull=False),
                name="submission_acknowledged_has_deadline",
            ),
            # One open submission per authority: a second would split the answers.
            models.UniqueConstraint(
                fields=["prisoner", "authority"],
                condition=Q(confirmed_on__isnull=True),
                name="submission_one_open_per_authority",
                violation_error_message=_("This case is already waiting for an answer from this authority."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["acknowledgement_due_on"],
                condition=Q(acknowledged_on__isnull=True, confirmed_on__isnull=True),
                name="submission_waiting_ack_idx",
            ),
            models.Index(
                fields=["confirmation_due_on"],
                condition=Q(acknowledged_on__isnull=False, confirmed_on__isnull=True),
                name="submission_waiting_confirm_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_authority_display()} {self.submitted_on}"

    @property
    def stage(self) -> str:
        if self.confirmed_on:
            return SubmissionStage.CONFIRMED
        if self.acknowledged_on:
            return SubmissionStage.ACKNOWLEDGED
        return SubmissionStage.SUBMITTED

    @property
    def due_on(self):
        """The date the answer awaited now is due; None once confirmed."""
        stage = self.stage
        if stage == SubmissionStage.SUBMITTED:
            return self.acknowledgement_due_on
        if stage == SubmissionStage.ACKNOWLEDGED:
            return self.confirmation_due_on
        return None

    @property
    def is_overdue(self) -> bool:
        due = self.due_on
        return due is not None and due < timezone.localdate()
