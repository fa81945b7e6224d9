"""The family member's own account: language, profile, their data, deletion."""

from allauth.account.forms import ReauthenticateForm
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from core.errors import DomainError
from core.forms import form_add_domain_error
from families.account_forms import ProfileForm
from families.accounts import language_cookie_set
from families.models import FamilyMember, Language
from families.selectors import family_member_of, family_member_or_404
from families.services import family_member_data_export, family_member_erase, family_member_update


@require_POST
def set_language(request):
    """Switch the page language; a signed-in family member keeps it on the profile."""
    response = django_set_language(request)
    language = request.POST.get("language")
    member = family_member_of(request.user)
    if member is not None and language in Language.values and language != member.preferred_language:
        family_member_update(
            member=member, version=member.version, actor=request.user, data={"preferred_language": language}
        )
    return response


def _profile_initial(member: FamilyMember) -> dict:
    return {name: getattr(member, name) for name in ProfileForm.base_fields}


@login_required
def profile(request):
    member = family_member_or_404(request.user)
    if request.method != "POST":
        return render(request, "families/profile.html", {"form": ProfileForm(initial=_profile_initial(member))})
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            updated = family_member_update(
                member=member, version=form.cleaned_data["version"], actor=request.user, data=form.profile_data()
            )
        except DomainError as error:
            if error.code == "stale":
                # Keep what they typed, on top of the version now saved: a
                # second save, once checked, replaces the other change.
                form.data = form.data.copy()
                form.data["version"] = member.version
                form.add_error(None, error.message)
                form.add_error(None, gettext("What you typed is kept below: check it and save again to keep it."))
            else:
                form_add_domain_error(form, error)
        else:
            response = redirect("families:profile")
            if updated.preferred_language != member.preferred_language:
                language_cookie_set(response, updated.preferred_language)
            with translation.override(updated.preferred_language):
                messages.success(request, gettext("Your profile is saved."))
            return response
    return render(request, "families/profile.html", {"form": form})


@never_cache
@login_required
@require_GET
def profile_data(request):
    """Everything we hold about the signed-in family member, as a JSON file to keep."""
    member = family_member_or_404(request.user)
    data = family_member_data_export(member=member, actor=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="homecoming-my-data.json"'
    return response


@login_required
def profile_delete(request):
    member = family_member_or_404(request.user)
    form = ReauthenticateForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        family_member_erase(member=member, actor=request.user)
        logout(request)
        messages.success(request, gettext("Your account and your personal data have been deleted."))
        return redirect("home")
    return render(request, "families/profile_delete.html", {"form": form})
