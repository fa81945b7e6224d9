"""The forms of a prisoner record's staff pages: edit, status, events, name spellings, evidence, merge.

Forms check the shape of what was sent; the services check the rules and
say what they refuse (``core.forms.form_add_domain_error``). The record's
fields come from the model itself, so that labels, choices and lengths are
the model's.
"""

from django import forms
from django.core import signing
from django.core.validators import EMPTY_VALUES
from django.forms.models import fields_for_model, model_to_dict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from prisoners.models import CaseEvent, CaseStatus, NameVariant, Prisoner, Source
from prisoners.selectors import RECORD_FIELDS, RECORD_GROUPS, RecordField, field_display
from prisoners.transitions import MACHINE

SNAPSHOT_SALT = "prisoners.staff_forms.record_snapshot"


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _model_field(model, name: str, **kwargs) -> forms.Field:
    """The model field's own form field: its label, choices, length and help."""
    return model._meta.get_field(name).formfield(**kwargs)


def _source_field(label) -> forms.ChoiceField:
    """Where information came from: asked every time, never assumed."""
    return forms.ChoiceField(label=label, choices=[("", "---------"), *Source.choices])


def _reason_field(label, *, required: bool = False, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2_000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _snapshot_value(prisoner: Prisoner, name: str) -> str:
    return Prisoner._meta.get_field(name).value_to_string(prisoner)


def record_snapshot(prisoner: Prisoner) -> str:
    """The record's editable values as the editor loaded them, signed so they come back unaltered."""
    return signing.dumps({name: _snapshot_value(prisoner, name) for name in RECORD_FIELDS}, salt=SNAPSHOT_SALT)


class PrisonerEditForm(forms.Form):
    """The record's facts, the version they were read at, and where the changed facts come from.

    The record's fields are the model's form fields, without a ``ModelForm``:
    its model validation would also check the record's constraints, and show
    a date of birth after the capture twice, once in the database's words.
    ``prisoner_update`` checks the record, once.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    snapshot = forms.CharField(widget=forms.HiddenInput)
    source = _source_field(_("Where the changed facts come from"))
    source_detail = forms.CharField(
        label=_("Details of the source"),
        required=False,
        max_length=300,
        help_text=_("Which list, which call, which video: what lets someone find it again."),
    )
    reason = _reason_field(_("Why you change the record"))

    def __init__(self, *args, prisoner: Prisoner, **kwargs):
        initial = {
            **model_to_dict(prisoner, fields=RECORD_FIELDS),
            "version": prisoner.version,
            "snapshot": record_snapshot(prisoner),
        }
        super().__init__(*args, initial=initial, **kwargs)
        record_fields = fields_for_model(
            Prisoner,
            fields=RECORD_FIELDS,
            widgets={"date_of_birth": _date_input(), "capture_date": _date_input()},
        )
        self.fields = {**record_fields, **self.fields}

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The record's fields in the groups the record page shows them in."""
        return [(title, [self[name] for name in names]) for _key, title, names in RECORD_GROUPS]

    def clean_snapshot(self) -> dict:
        try:
            return signing.loads(self.cleaned_data["snapshot"], salt=SNAPSHOT_SALT)
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This form was altered after it was sent. Reload the record and make your changes again.")
            ) from None

    def record_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in RECORD_FIELDS}

    def changed_since_loaded(self, current: Prisoner) -> list[RecordField]:
        """The fields someone else changed since this form was loaded, with the values they have now."""
        loaded = self.cleaned_data.get("snapshot") or {}
        return [
            RecordField(
                name=name,
                label=Prisoner._meta.get_field(name).verbose_name,
                value=field_display(current, name),
            )
            for name in RECORD_FIELDS
            if name in loaded and loaded[name] != _snapshot_value(current, name)
        ]

    def rebased_on(self, current: Prisoner) -> "PrisonerEditForm":
        """This editor's values on top of the record as it is now.

        A field someone else changed and this editor left alone takes its new
        value; a field both changed keeps this editor's. The form carries the
        current version, so saving it again is a decision taken with the
        other changes in view.
        """
        loaded = self.cleaned_data["snapshot"]
        now = model_to_dict(current, fields=RECORD_FIELDS)
        data = self.data.copy()
        for field in self.changed_since_loaded(current):
            edited = _snapshot_value(Prisoner(**{field.name: self.cleaned_data[field.name]}), field.name)
            if edited == loaded[field.name]:
                data[field.name] = "" if now[field.name] is None else now[field.name]
        data["version"], data["snapshot"] = current.version, record_snapshot(current)
        return PrisonerEditForm(data, prisoner=current)


class StatusChangeForm(forms.Form):
    """A new case status among the moves allowed from the current one.

    A merge is not offered: it names the surviving record, and has its own page.
    """

    status = forms.ChoiceField(label=_("New status"))
    source = _source_field(_("Source"))
    reason = _reason_field(_("Reason"), help_text=_("Required when the status moves back."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, prisoner: Prisoner, **kwargs):
        kwargs.setdefault("initial", {"version": prisoner.version})
        super().__init__(*args, **kwargs)
        allowed = MACHINE.allowed[prisoner.status]
        self.fields["status"].choices = [
            ("", "---------"),
            *((value, label) for value, label in CaseStatus.choices if value in allowed and value != CaseStatus.MERGED),
        ]


class CaseEventForm(forms.Form):
    """An event of GC III Art. 122(5); for a death, what Art. 120 asks to record."""

    kind = _model_field(CaseEvent, "kind")
    occurred_on = _model_field(CaseEvent, "occurred_on", widget=_date_input())
    place = _model_field(CaseEvent, "place")
    details = _model_field(CaseEvent, "details", widget=forms.Textarea(attrs={"rows": 3}))
    cause_of_death = _model_field(CaseEvent, "cause_of_death", help_text=_("For a death only."))
    burial_place = _model_field(CaseEvent, "burial_place", help_text=_("For a death only."))
    source = _source_field(_("Source"))


class NameVariantForm(forms.Form):
    """Another spelling of the name, in Cyrillic or in Latin letters."""

    surname = _model_field(NameVariant, "surname")
    given_names = _model_field(NameVariant, "given_names")
    patronymic = _model_field(NameVariant, "patronymic")
    source = _source_field(_("Source"))
    note = _model_field(NameVariant, "note")


class NameVariantRemoveForm(forms.Form):
    reason = _reason_field(_("Why this spelling is removed"), required=True)


class EvidenceForm(forms.Form):
    """A link (a captivity video, say) or one file, with who identified him and where it came from."""

    url = forms.URLField(label=_("Link"), required=False, max_length=1000, assume_scheme="https")
    file = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=_("A photo (JPEG, PNG, WebP) or a PDF document, at most 10 MB."),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    identified_by = forms.CharField(
        label=_("Identified by"),
        required=False,
        max_length=200,
        help_text=_("Who recognised him in it, for a link."),
    )
    identified_on = forms.DateField(label=_("Identified on"), required=False, widget=_date_input())
    source = _source_field(_("Source"))

    def clean(self):
        cleaned = super().clean()
        url, upload = cleaned.get("url"), cleaned.get("file")
        if url and upload:
            raise forms.ValidationError(_("Give either a link or a file, not both."))
        if not url and not upload and "url" not in self.errors and "file" not in self.errors:
            raise forms.ValidationError(_("Give a link or choose a file."))
        return cleaned


class MergeChooseForm(forms.Form):
    other = forms.IntegerField(
        label=_("Number of the other record"),
        min_value=1,
        help_text=_("The number in the other record's address, such as 1234 in /staff/prisoners/1234/."),
    )


THIS, OTHER = "this", "other"


def _is_empty(value) -> bool:
    return value in EMPTY_VALUES


class MergeForm(forms.Form):
    """Two records of one person: which survives, and for each field that differs, whose value it keeps.

    Both versions travel with the form, so that a record changed while the
    caseworker compared them is not merged on what they no longer show.
    """

    survivor = forms.ChoiceField(label=_("Which record stays"), widget=forms.RadioSelect)
    reason = _reason_field(_("Why these two records are one person"), required=True)
    this_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    other_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, prisoner: Prisoner, other: Prisoner, **kwargs):
        self.prisoner, self.other = prisoner, other
        mine, theirs = model_to_dict(prisoner, fields=RECORD_FIELDS), model_to_dict(other, fields=RECORD_FIELDS)
        self.differing = [name for name in RECORD_FIELDS if mine[name] != theirs[name]]
        initial = {
            "survivor": THIS,
            "this_version": prisoner.version,
            "other_version": other.version,
            # An empty field takes the other record's value: nothing known is lost by default.
            **{
                _choice_name(name): OTHER if _is_empty(mine[name]) and not _is_empty(theirs[name]) else THIS
                for name in self.differing
            },
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [
            (THIS, format_lazy(_("This record, number {id}"), id=prisoner.pk)),
            (OTHER, format_lazy(_("The other record, number {id}"), id=other.pk)),
        ]
        for name in self.differing:
            self.fields[_choice_name(name)] = forms.ChoiceField(
                label=Prisoner._meta.get_field(name).verbose_name,
                choices=[(THIS, _("Keep this record's value")), (OTHER, _("Take the other record's value"))],
                widget=forms.RadioSelect,
            )

    def is_outdated(self) -> bool:
        """Whether either record changed since the comparison was shown: the choices made on it no longer hold.

        Call after ``is_valid()``.
        """
        shown = (self.cleaned_data.get("this_version"), self.cleaned_data.get("other_version"))
        return None not in shown and shown != (self.prisoner.version, self.other.version)

    def comparison(self) -> list[dict]:
        """Every field side by side; a field that differs carries its choice."""
        return [
            {
                "label": Prisoner._meta.get_field(name).verbose_name,
                "this": field_display(self.prisoner, name),
                "other": field_display(self.other, name),
                "choice": self[_choice_name(name)] if name in self.differing else None,
            }
            for name in RECORD_FIELDS
        ]

    def merge_arguments(self) -> dict:
        """The keyword arguments of ``prisoner_merge`` for what was chosen."""
        keep_this = self.cleaned_data["survivor"] == THIS
        survivor, duplicate = (self.prisoner, self.other) if keep_this else (self.other, self.prisoner)
        survivor_side = THIS if keep_this else OTHER
        versions = (self.cleaned_data["this_version"], self.cleaned_data["other_version"])
        return {
            "survivor": survivor,
            "duplicate": duplicate,
            "reason": self.cleaned_data["reason"],
            "take_fields": [name for name in self.differing if self.cleaned_data[_choice_name(name)] != survivor_side],
            "survivor_version": versions[0] if keep_this else versions[1],
            "duplicate_version": versions[1] if keep_this else versions[0],
        }


def _choice_name(field_name: str) -> str:
    return f"keep_{field_name}"
