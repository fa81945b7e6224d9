"""The registration track's forms: a new submission, its acknowledgement, its confirmation.

Each deadline defaults to the usual wait (``SUBMISSION_ACKNOWLEDGEMENT_DAYS``,
``SUBMISSION_CONFIRMATION_DAYS``) so that a caseworker only types the date the
authority named, if it named one. The dates are checked by the services.
"""

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prisoners.models import Authority, OfficialSubmission, SubmissionChannel


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class SubmissionForm(forms.Form):
    """A new submission; ``official_submission_create`` checks its dates and that none is open with the authority."""

    authority = forms.ChoiceField(label=_("Sent to"), choices=Authority.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=SubmissionChannel.choices)
    reference = forms.CharField(label=_("Their reference"), max_length=100, required=False)
    submitted_on = forms.DateField(label=_("Submitted on"), widget=DateInput())
    acknowledgement_due_on = forms.DateField(label=_("Acknowledgement expected by"), widget=DateInput())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "submitted_on": timezone.localdate(),
                "acknowledgement_due_on": _days_from_today(settings.SUBMISSION_ACKNOWLEDGEMENT_DAYS),
            },
        )
        super().__init__(*args, **kwargs)


class AnswerForm(forms.Form):
    """An answer to one submission, sent with the version the caseworker saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, submission: OfficialSubmission, **kwargs):
        # Several submissions' forms share the record page: ids name the submission.
        kwargs.setdefault("auto_id", f"id_submission{submission.pk}_%s")
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {"version": submission.version, **self.initial_values(), **kwargs["initial"]}
        super().__init__(*args, **kwargs)
        self.submission = submission

    def initial_values(self) -> dict:
        return {}


class AcknowledgeForm(AnswerForm):
    acknowledged_on = forms.DateField(label=_("Acknowledged on"), widget=DateInput())
    confirmation_due_on = forms.DateField(label=_("Confirmation expected by"), widget=DateInput())
    reference = forms.CharField(
        label=_("Their reference"),
        max_length=100,
        required=False,
        help_text=_("Leave blank to keep the reference already recorded."),
    )

    def initial_values(self) -> dict:
        return {
            "acknowledged_on": timezone.localdate(),
            "confirmation_due_on": _days_from_today(settings.SUBMISSION_CONFIRMATION_DAYS),
        }


class ConfirmForm(AnswerForm):
    confirmed_on = forms.DateField(label=_("Confirmed as a prisoner of war on"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=_("Recorded as the reason for the status change; by default, who confirmed it and when."),
    )

    def initial_values(self) -> dict:
        return {"confirmed_on": timezone.localdate()}
