"""Forms of the family member's own account pages: the profile."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from families.accounts import LANGUAGE_CHOICES
from families.validators import validate_phone

# Telegram user names: 5 to 32 letters, digits and underscores, starting with a letter.
TELEGRAM_HANDLE_PATTERN = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{4,31})$")


class ProfileForm(forms.Form):
    # The version of the profile the form was filled in from: a save over a
    # newer one is refused instead of overwriting it.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    full_name = forms.CharField(
        label=_("Your full name"), max_length=300, widget=forms.TextInput({"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=32,
        help_text=_("With the country code, for example +380 50 123 4567."),
        widget=forms.TextInput({"type": "tel", "autocomplete": "tel"}),
    )
    telegram_handle = forms.CharField(
        label=_("Telegram handle"),
        required=False,
        max_length=33,
        help_text=_("Your Telegram user name, for example @olena_k."),
        widget=forms.TextInput({"autocapitalize": "none", "spellcheck": "false"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for our messages"),
        choices=LANGUAGE_CHOICES,
        help_text=_("We write to you and show you this site in this language."),
    )
    notify_by_email = forms.BooleanField(label=_("By e-mail"), required=False)
    notify_by_sms = forms.BooleanField(label=_("By SMS"), required=False)
    notify_by_telegram = forms.BooleanField(label=_("By Telegram"), required=False)

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        if not phone:
            return ""
        validate_phone(phone)
        return phone

    def clean_telegram_handle(self):
        handle = self.cleaned_data["telegram_handle"].strip()
        if not handle:
            return ""
        match = TELEGRAM_HANDLE_PATTERN.match(handle)
        if match is None:
            raise forms.ValidationError(
                _("A Telegram user name has 5 to 32 letters, digits or underscores and starts with a letter."),
                code="invalid",
            )
        return f"@{match.group(1)}"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notify_by_sms") and "phone" in cleaned and not cleaned["phone"]:
            self.add_error("phone", _("Give a phone number to be notified by SMS."))
        if cleaned.get("notify_by_telegram") and "telegram_handle" in cleaned and not cleaned["telegram_handle"]:
            self.add_error("telegram_handle", _("Give a Telegram handle to be notified by Telegram."))
        return cleaned

    def profile_data(self) -> dict:
        """What ``family_member_update`` takes: everything but the version."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}
