"""Forms of the exchange pages: one small form per action a coordinator takes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from exchanges import priority
from exchanges.models import Direction, EntryOutcome, ExchangeStatus, RowDecision
from exchanges.services import ASSEMBLE_MAX
from prisoners.models import Party, PartyKind, Prisoner

REASON_MAX_LENGTH = 2_000


def _reason(*, required: bool = False, help_text=""):
    return forms.CharField(
        label=_("Reason"),
        required=required,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=help_text,
    )


class ExchangeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    our_party = forms.ModelChoiceField(label=_("Our side"), queryset=Party.objects.filter(kind=PartyKind.OWN))
    other_party = forms.ModelChoiceField(label=_("Other side"), queryset=Party.objects.filter(kind=PartyKind.OPPOSING))
    mediator = forms.ModelChoiceField(
        label=_("Mediator"), queryset=Party.objects.filter(kind=PartyKind.MEDIATOR), required=False
    )
    planned_date = forms.DateField(
        label=_("Planned date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Move to"), choices=ExchangeStatus.choices)
    reason = _reason(help_text=_("Needed to cancel, or to reopen negotiations."))


class AssembleForm(forms.Form):
    direction = forms.ChoiceField(label=_("Side"), choices=Direction.choices)
    count = forms.IntegerField(
        label=_("People on the list"),
        min_value=1,
        max_value=ASSEMBLE_MAX,
        help_text=_("The list is filled up to this number with the highest-ranked of the pool."),
    )


class EntryAddForm(forms.Form):
    direction = forms.ChoiceField(label=_("Side"), choices=Direction.choices)
    prisoner = forms.IntegerField(
        label=_("Record id"), min_value=1, error_messages={"required": _("Enter the id of the record.")}
    )
    reason = _reason()

    def clean_prisoner(self) -> Prisoner:
        prisoner = Prisoner.objects.filter(pk=self.cleaned_data["prisoner"]).first()
        if prisoner is None:
            raise forms.ValidationError(_("There is no record with this id."), code="unknown_record")
        return prisoner


class EntryMoveForm(forms.Form):
    position = forms.IntegerField(label=_("Place"), min_value=1)


class EntryPinForm(forms.Form):
    pinned = forms.BooleanField(required=False)


class EntryRemoveForm(forms.Form):
    reason = _reason()


class EntryOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=EntryOutcome.choices)
    reason = _reason(help_text=_("Needed to withdraw a person from the list."))


class ReleaseForm(forms.Form):
    reason = _reason()


class WeightsForm(forms.Form):
    """One number per priority rule; ``exchanges.priority.weights_read`` has the last word on them."""

    def __init__(self, *args, weights: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for rule, label in priority.RULES.items():
            self.fields[rule] = forms.FloatField(
                label=label, min_value=0, max_value=priority.MAX_WEIGHT, initial=weights[rule]
            )


class UploadForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("Their list is of the people"),
        choices=Direction.choices,
        initial=Direction.RECEIVE,
    )
    file = forms.FileField(label=_("List (CSV or XLSX)"))


class RowDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[c for c in RowDecision.choices if c[0]])
    prisoner = forms.IntegerField(label=_("Record id"), min_value=1, required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == RowDecision.CORRECTED:
            pk = data.get("prisoner")
            prisoner = Prisoner.objects.filter(pk=pk).first() if pk else None
            if prisoner is None:
                self.add_error("prisoner", _("Enter the id of the record this row is about."))
            data["prisoner"] = prisoner
        else:
            data["prisoner"] = None
        return data
