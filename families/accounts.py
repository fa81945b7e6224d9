"""How django-allauth creates and signs in family members."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from families.models import FamilyMember, Language
from families.services import family_member_create

# Each language in its own name, so that it can be found whatever language
# the page is in.
LANGUAGE_CHOICES = [(code, get_language_info(code)["name_local"]) for code in Language.values]


def language_cookie_set(response, language: str):
    """Remember ``language`` in the browser, as Django's language switch does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


class SignupForm(AllauthSignupForm):
    full_name = forms.CharField(
        label=_("Your full name"), max_length=300, widget=forms.TextInput({"autocomplete": "name"})
    )
    preferred_language = forms.ChoiceField(label=_("Language for our messages"), choices=LANGUAGE_CHOICES)

    field_order = ["full_name", "email", "password1", "password2", "preferred_language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = translation.get_language() or settings.LANGUAGE_CODE
        self.fields["preferred_language"].initial = current if current in Language.values else Language.ENGLISH


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            family_member_create(
                user=user,
                actor=user,
                full_name=form.cleaned_data["full_name"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        return user

    def send_mail(self, template_prefix, email, context):
        """Write to a family member in their language, whichever language the page was in."""
        user = context.get("user")
        members = (
            FamilyMember.objects.filter(user=user)
            if user is not None
            else FamilyMember.objects.filter(user__emailaddress__email__iexact=email)
        )
        language = members.values_list("preferred_language", flat=True).first()
        with translation.override(language or translation.get_language()):
            super().send_mail(template_prefix, email, context)

    def post_login(self, request, user, **kwargs):
        """Speak the family member's language from the moment they sign in."""
        response = super().post_login(request, user, **kwargs)
        member = FamilyMember.objects.filter(user=user).only("preferred_language").first()
        if member is not None:
            language_cookie_set(response, member.preferred_language)
        return response


def user_display(user) -> str:
    """How allauth names a person on its pages: never the user name we generated for them."""
    member = getattr(user, "family_member", None) if user.pk else None
    return (member.full_name if member else "") or user.email or user.get_username()
