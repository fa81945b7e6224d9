"""Forms of the request review: one small form per action a caseworker takes.

Each form that changes the request carries the ``version`` the caseworker saw,
so that a decision taken on a page someone else has since changed is refused
(``core.concurrency.lock_for_update``) instead of overwriting theirs.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from families.models import REFERENCE_PATTERN, RegistrationRequest
from families.staff_selectors import caseworkers, staff_name
from prisoners.models import Party, PartyKind, Prisoner

REASON_MAX_LENGTH = 5_000


class CaseworkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return staff_name(obj)


class AssignForm(forms.Form):
    assignee = CaseworkerChoiceField(
        label=_("Assign to"), queryset=caseworkers(), required=False, empty_label=_("Nobody")
    )
    # Where the caseworker assigned from, the queue or the review page, to go back to.
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class VersionedForm(forms.Form):
    """A decision on the request as the caseworker saw it, at ``version``."""

    version = forms.IntegerField(label=_("Version"), widget=forms.HiddenInput, min_value=1)


class StartReviewForm(VersionedForm):
    pass


class LinkForm(VersionedForm):
    prisoner = forms.IntegerField(
        label=_("Record id"),
        min_value=1,
        help_text=_("The number of the prisoner record this request is about."),
        error_messages={"required": _("Enter the id of the record.")},
    )
    reason = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: why this is the same person."),
    )

    def clean_prisoner(self) -> Prisoner:
        prisoner = Prisoner.objects.filter(pk=self.cleaned_data["prisoner"]).first()
        if prisoner is None:
            raise forms.ValidationError(_("There is no record with this id."), code="unknown_record")
        return prisoner


class CreatePrisonerForm(VersionedForm):
    party = forms.ModelChoiceField(
        label=_("Serves in the forces of"),
        queryset=Party.objects.exclude(kind=PartyKind.MEDIATOR),
        required=False,
        help_text=_("Needed when the family did not say."),
    )
    reason = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: why no record on file is this person."),
    )


def family_question_default(registration_request: RegistrationRequest) -> str:
    """A short, polite question in the language the family reads, for the caseworker to adapt."""
    with override(registration_request.language):
        return str(
            _(
                "Thank you for your request. To find your relative in our records, could you tell us more: "
                "his unit, his personal number, or when and where you last heard from him? "
                "A photo or a document would help as well."
            )
        )


class AskForm(VersionedForm):
    reason = forms.CharField(
        label=_("Question to the family"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Tell the family what information is needed.")},
    )


class RejectForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason the family will read"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Tell the family why the request is rejected.")},
    )


class DuplicateForm(VersionedForm):
    original = forms.CharField(
        label=_("Reference of the request it duplicates"),
        max_length=20,
        help_text=_("For example HC-2026-000123."),
        error_messages={"required": _("Enter the reference of the other request.")},
    )

    def clean_original(self) -> RegistrationRequest:
        reference = self.cleaned_data["original"].upper()
        if not re.fullmatch(REFERENCE_PATTERN, reference):
            raise forms.ValidationError(_("A reference looks like HC-2026-000123."), code="invalid")
        original = RegistrationRequest.objects.filter(reference=reference).first()
        if original is None:
            raise forms.ValidationError(
                _("There is no request %(reference)s."), code="unknown_request", params={"reference": reference}
            )
        return original


class VerifyRelationshipForm(forms.Form):
    reason = forms.CharField(
        label=_("How was the relationship verified?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: birth certificate seen, or confirmed by phone with the unit."),
        error_messages={"required": _("Say how the relationship was verified.")},
    )
