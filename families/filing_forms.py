"""The form a family member fills in to file a registration request."""

import datetime
import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import DomainError
from families.models import Language, RegistrationRequest, RelationshipKind
from families.validators import validate_name, validate_not_in_future, validate_phone
from prisoners.evidence import evidence_file_check
from prisoners.models import DateAccuracy, MilitaryStatus, Party, PartyKind

MAX_LINKS = 5
MAX_FILES = 5
EVIDENCE_FILE_TYPES = "image/jpeg,image/png,image/webp,application/pdf"

EARLIEST_BIRTH_YEAR = 1900


def _model_label(name: str):
    return capfirst(RegistrationRequest._meta.get_field(name).verbose_name)


def uploads_checked(uploads: list, *, limit: int) -> list:
    """At most ``limit`` files, each one refused by name if its content is not a photo or a PDF of ≤ 10 MB."""
    if len(uploads) > limit:
        raise ValidationError(
            ngettext("You can attach at most %(max)d file.", "You can attach at most %(max)d files.", limit)
            % {"max": limit},
            code="too_many",
        )
    errors = []
    for upload in uploads:
        try:
            evidence_file_check(upload)
        except DomainError as error:
            errors.append(ValidationError(error.message, code=error.code))
    if errors:
        raise ValidationError(errors)
    return uploads


class DateInput(forms.DateInput):
    """The browser's own date picker; without one, a text box taking YYYY-MM-DD."""

    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one ``<input type=file multiple>``; cleans to a list."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": EVIDENCE_FILE_TYPES}))
        # An empty file gets our own message, which names it.
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        clean_one = super().clean
        return [clean_one(upload, initial) for upload in uploads]


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=DateInput(), validators=[validate_not_in_future], **kwargs
    )


class RegistrationRequestForm(forms.Form):
    """One page, five parts: who he is, his service, what happened, evidence, who is asking."""

    # Made on the empty form: a second submit of the same page finds the request
    # the first one filed. A page without a valid key still files, once.
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    # Who he is. Only the names are required: families often know little more.
    surname = forms.CharField(label=_model_label("surname"), max_length=150, validators=[validate_name])
    given_names = forms.CharField(label=_model_label("given_names"), max_length=150, validators=[validate_name])
    patronymic = forms.CharField(
        label=_model_label("patronymic"), max_length=150, required=False, validators=[validate_name]
    )
    birth_day = forms.IntegerField(
        label=_("Day"),
        min_value=1,
        max_value=31,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    birth_month = forms.TypedChoiceField(
        label=_("Month"), choices=[("", "—"), *MONTHS.items()], coerce=int, empty_value=None, required=False
    )
    birth_year = forms.IntegerField(
        label=_("Year"),
        min_value=EARLIEST_BIRTH_YEAR,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    place_of_birth = forms.CharField(label=_model_label("place_of_birth"), max_length=200, required=False)
    mothers_maiden_name = forms.CharField(
        label=_model_label("mothers_maiden_name"), max_length=150, required=False, validators=[validate_name]
    )
    citizenship = forms.CharField(label=_model_label("citizenship"), max_length=100, required=False)

    # His service
    party = forms.ModelChoiceField(
        label=_model_label("party"),
        queryset=Party.objects.filter(kind__in=[PartyKind.OWN, PartyKind.OPPOSING]),
        required=False,
        empty_label=_("I don't know"),
    )
    rank = forms.CharField(label=_model_label("rank"), max_length=100, required=False)
    service_number = forms.CharField(label=_model_label("service_number"), max_length=64, required=False)
    unit = forms.CharField(
        label=_model_label("unit"),
        max_length=200,
        required=False,
        help_text=_("The unit's number or name, as you know it."),
    )
    military_status = forms.ChoiceField(
        label=_model_label("military_status"), choices=MilitaryStatus.choices, required=False
    )

    # What happened
    last_contact_on = _date_field(
        _("When did you last hear from him?"), help_text=_("A call, a message, or news from someone who saw him.")
    )
    capture_date = _date_field(_model_label("capture_date"))
    capture_place = forms.CharField(label=_model_label("capture_place"), max_length=200, required=False)
    circumstances = forms.CharField(
        label=_model_label("circumstances"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Where he served, how you learned of the capture, anything that can help us find him."),
    )

    # Evidence: the links are added in __init__, five rows of three fields, before the files.
    files = MultipleFileField(
        label=_("Photos or documents"),
        required=False,
        help_text=_("Up to 5 files: photos (JPEG, PNG, WebP) or PDF documents, at most 10 MB each."),
    )

    # Who is asking
    filer_name = forms.CharField(label=_model_label("filer_name"), max_length=300)
    filer_email = forms.EmailField(
        label=_model_label("filer_email"),
        help_text=_("We send the reference and the access code of the request here."),
    )
    filer_phone = forms.CharField(
        label=_model_label("filer_phone"), max_length=32, required=False, validators=[validate_phone]
    )
    filer_relationship = forms.ChoiceField(
        label=_model_label("filer_relationship"), choices=[("", "—"), *RelationshipKind.choices]
    )
    language = forms.ChoiceField(label=_("Language for our messages"), choices=Language.choices)
    consent = forms.BooleanField(
        label=_("I agree that this information is processed to find and register my relative, as explained above."),
        error_messages={"required": _("Please give your consent to the processing of this information.")},
    )

    NAME_FIELDS = ("surname", "given_names", "patronymic")
    BIRTH_FIELDS = ("birth_day", "birth_month", "birth_year")
    ORIGIN_FIELDS = ("place_of_birth", "mothers_maiden_name", "citizenship")
    SERVICE_FIELDS = ("party", "rank", "service_number", "unit", "military_status")
    CIRCUMSTANCE_FIELDS = ("last_contact_on", "capture_date", "capture_place", "circumstances")
    FILER_FORM_FIELDS = ("filer_name", "filer_email", "filer_phone", "filer_relationship", "language")
    # Where a service's complaint about a model field is shown on this form.
    FIELD_FOR_MODEL_FIELD = {"date_of_birth": "birth_year", "date_of_birth_accuracy": "birth_year"}

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_year"].widget.attrs["max"] = timezone.localdate().year
        for number in range(1, MAX_LINKS + 1):
            self.fields[f"link_{number}"] = forms.URLField(
                label=_("Address of the page or video"), max_length=1000, required=False, assume_scheme="https"
            )
            self.fields[f"link_{number}_identified_by"] = forms.CharField(
                label=_("Who recognised him in it, if anyone"), max_length=200, required=False
            )
            self.fields[f"link_{number}_identified_on"] = _date_field(_("When"))
        # The links belong with the files, under "Evidence".
        links = [name for name in self.fields if name.startswith("link_")]
        others = [name for name in self.fields if name not in links]
        files_at = others.index("files")
        self.order_fields([*others[:files_at], *links, *others[files_at:]])
        if not self.is_bound:
            self.initial.update(
                submission_key=uuid.uuid4(),
                filer_name=member.full_name,
                filer_email=member.user.email,
                filer_phone=member.phone,
                language=member.preferred_language,
            )

    # Groups of bound fields, in page order, for the template.
    def _bound(self, names):
        return [self[name] for name in names]

    def name_fields(self):
        return self._bound(self.NAME_FIELDS)

    def birth_fields(self):
        return self._bound(self.BIRTH_FIELDS)

    def origin_fields(self):
        return self._bound(self.ORIGIN_FIELDS)

    def service_fields(self):
        return self._bound(self.SERVICE_FIELDS)

    def circumstance_fields(self):
        return self._bound(self.CIRCUMSTANCE_FIELDS)

    def filer_fields(self):
        return self._bound(self.FILER_FORM_FIELDS)

    def link_rows(self):
        return [
            (number, self[f"link_{number}"], self[f"link_{number}_identified_by"], self[f"link_{number}_identified_on"])
            for number in range(1, MAX_LINKS + 1)
        ]

    def more_links_open(self) -> bool:
        """Links 2 to 5 sit folded away unless something was typed in them."""
        return any(bound.value() or bound.errors for _number, *row in self.link_rows()[1:] for bound in row)

    def files_dropped(self) -> list[str]:
        """The names of the files chosen for a submit that failed: they must be chosen again."""
        if not self.is_bound or not self.errors:
            return []
        return [upload.name for upload in self.files.getlist("files")]

    def error_summary(self) -> list[tuple[str, str]]:
        """Every error on the page, with the id of the input it is about ("" for the form as a whole)."""
        summary = [("", str(error)) for error in self.non_field_errors()]
        for name in self.fields:
            for error in self.errors.get(name, []):
                summary.append((self[name].auto_id, f"{self._summary_label(name)}: {error}"))
        return summary

    def _summary_label(self, name: str) -> str:
        """What the error is about, in words that need no nearby legend."""
        if name in self.BIRTH_FIELDS:
            return _("Date of birth")
        if name == "consent":
            return _("Your consent")
        if match := re.fullmatch(r"link_(\d+)(_.*)?", name):
            return _("Link %(number)s") % {"number": match.group(1)}
        return self.fields[name].label

    def clean_submission_key(self):
        try:
            return uuid.UUID(self.cleaned_data["submission_key"])
        except ValueError:
            return uuid.uuid4()

    def clean_files(self):
        return uploads_checked(self.cleaned_data["files"], limit=MAX_FILES)

    def clean(self):
        cleaned = super().clean()
        self._clean_date_of_birth(cleaned)
        born, captured = cleaned.get("date_of_birth"), cleaned.get("capture_date")
        if born and captured and born > captured:
            self.add_error("birth_year", _("The date of birth cannot be after the date of capture."))
        for number in range(1, MAX_LINKS + 1):
            url = f"link_{number}"
            about_it = cleaned.get(f"{url}_identified_by") or cleaned.get(f"{url}_identified_on")
            if about_it and not cleaned.get(url) and url not in self.errors:
                self.add_error(url, _("Add the link, or leave this row empty."))
        return cleaned

    def _clean_date_of_birth(self, cleaned) -> None:
        """Day, month and year as far as they are known: a year alone, a month and year, or the full date."""
        cleaned["date_of_birth"], cleaned["date_of_birth_accuracy"] = None, DateAccuracy.DAY
        if any(name in self.errors for name in self.BIRTH_FIELDS):
            return
        day, month, year = (cleaned.get(name) for name in self.BIRTH_FIELDS)
        if year is None:
            if day is not None or month is not None:
                self.add_error("birth_year", _("Give the year too, or leave the date of birth empty."))
            return
        if day is not None and month is None:
            self.add_error("birth_month", _("Give the month too, or leave the day empty."))
            return
        today = timezone.localdate()
        if year > today.year:
            self.add_error("birth_year", _("This date is in the future."))
            return
        try:
            born = datetime.date(year, month or 1, day or 1)
        except ValueError:
            self.add_error("birth_day", _("That month has no such day."))
            return
        if born > today:
            self.add_error("birth_year", _("This date is in the future."))
            return
        accuracy = DateAccuracy.DAY if day else DateAccuracy.MONTH if month else DateAccuracy.YEAR
        cleaned["date_of_birth"], cleaned["date_of_birth_accuracy"] = born, accuracy

    def request_data(self) -> dict:
        """The fields ``registration_request_file`` takes, from a valid form."""
        names = (
            *self.NAME_FIELDS,
            *self.ORIGIN_FIELDS,
            *self.SERVICE_FIELDS,
            *self.CIRCUMSTANCE_FIELDS,
            *self.FILER_FORM_FIELDS,
            "date_of_birth",
            "date_of_birth_accuracy",
        )
        return {name: self.cleaned_data[name] for name in names}

    def evidence_links(self) -> list[dict]:
        """The links given, each with who recognised him in it and when."""
        return [
            {
                "url": self.cleaned_data[f"link_{number}"],
                "identified_by": self.cleaned_data[f"link_{number}_identified_by"],
                "identified_on": self.cleaned_data[f"link_{number}_identified_on"],
            }
            for number in range(1, MAX_LINKS + 1)
            if self.cleaned_data[f"link_{number}"]
        ]
