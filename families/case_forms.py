"""Forms of the family's case pages: answering a caseworker, withdrawing, looking a request up by its code."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from families.filing_forms import MultipleFileField, uploads_checked
from prisoners.models import Evidence

MAX_ANSWER_LINKS = 5
MAX_ANSWER_FILES = 5


class LinksField(forms.CharField):
    """Links to evidence, one a line; each checked as the filing form checks its links."""

    def __init__(self, *, max_links: int, **kwargs):
        self.max_links = max_links
        self.link_field = forms.URLField(max_length=Evidence._meta.get_field("url").max_length, assume_scheme="https")
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return [line.strip() for line in super().to_python(value).splitlines() if line.strip()]

    def clean(self, value):
        links = super().clean(value)
        if len(links) > self.max_links:
            raise ValidationError(
                ngettext(
                    "Send at most %(max)d link at a time.", "Send at most %(max)d links at a time.", self.max_links
                )
                % {"max": self.max_links},
                code="too_many",
            )
        cleaned, errors = [], []
        for link in links:
            try:
                cleaned.append(self.link_field.clean(link))
            except ValidationError:
                errors.append(
                    ValidationError(
                        _("“%(link)s” is not a web address: copy it from the browser’s address bar."),
                        code="invalid",
                        params={"link": link[:80]},
                    )
                )
        if errors:
            raise ValidationError(errors)
        return cleaned


class AnswerForm(forms.Form):
    """The family's answer to a caseworker's question, with more evidence if they have it."""

    body = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write your answer.")},
    )
    links = LinksField(
        label=_("Links to evidence"),
        required=False,
        max_links=MAX_ANSWER_LINKS,
        help_text=_("For example a video or a post in which you recognised him. One link a line, up to 5."),
    )
    files = MultipleFileField(
        label=_("Photos or documents"),
        required=False,
        help_text=_("Up to 5 files: photos (JPEG, PNG, WebP) or PDF documents, at most 10 MB each."),
    )

    def clean_files(self):
        return uploads_checked(self.cleaned_data["files"], limit=MAX_ANSWER_FILES)

    def files_dropped(self) -> list[str]:
        """The names of the files chosen for a submit that failed: they must be chosen again."""
        if not self.is_bound or not self.errors:
            return []
        return [upload.name for upload in self.files.getlist("files")]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing it?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. For example: he has come home, or the request was filed twice."),
    )


class UnechoedTextInput(forms.TextInput):
    """A text input left empty when the form comes back with an error, like a password's."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


CODE_ATTRS = {"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=20,
        help_text=_("As it was shown when the request was filed, for example HC-2026-000123."),
        widget=forms.TextInput(attrs=CODE_ATTRS),
        error_messages={"required": _("Enter the reference of the request.")},
    )
    access_code = forms.CharField(
        label=_("Access code"),
        max_length=40,
        help_text=_("The 12 letters and digits that came with the reference, for example K7QF-9D2M-XP4R."),
        widget=UnechoedTextInput(attrs=CODE_ATTRS),
        error_messages={"required": _("Enter the access code.")},
    )
