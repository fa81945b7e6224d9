"""Who reaches the staff workspace, for pages and the API alike.

Caseworkers, coordinators and administrators reach it. Anyone else learns
nothing of it: an anonymous visitor is asked to sign in (401), a signed-in
family member or an account without a role gets 404, as for a page that does
not exist. A staff member whose role does not include an action gets 403 with
the reason. A staff account without a second factor is sent to set one up
before anything else (``core.security``).
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from core.roles import Capability, is_staff_member, user_can
from core.security import api_second_factor_passed, second_factor_passed

# What a page or endpoint refuses a staff member who lacks its capability.
REFUSALS = {
    Capability.REVIEW_REQUESTS: _("Only caseworkers review registration requests."),
    Capability.EDIT_PRISONERS: _("Only caseworkers change prisoner records."),
    Capability.CHANGE_PRISONER_STATUS: _("Only caseworkers change the status of a case."),
    Capability.VERIFY_RELATIONSHIPS: _("Only caseworkers verify family relationships."),
    Capability.VIEW_PRISONERS: _("Your role does not include reading prisoner records."),
    Capability.MATCH_PRISONERS: _("Only caseworkers and coordinators search for matching records."),
    Capability.MANAGE_EXCHANGES: _("Only coordinators assemble exchange lists and record their outcomes."),
    Capability.VIEW_EXCHANGES: _("Your role does not include reading exchanges."),
}
SECOND_FACTOR_REQUIRED = _(
    "Staff accounts sign in with a second factor. Set up an authenticator app to reach the staff workspace."
)


def second_factor_setup(request):
    """Where a staff member without a second factor is sent; allauth shows the recovery codes once it is set up."""
    messages.warning(request, SECOND_FACTOR_REQUIRED)
    return redirect("mfa_activate_totp")


def staff_page(capability: str | None = None):
    """A staff page: 401 with a sign-in link for visitors, 404 for non-staff, 403 without ``capability``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return render(request, "staff/sign_in_required.html", status=401)
            if not is_staff_member(user):
                raise Http404
            if not second_factor_passed(request):
                return second_factor_setup(request)
            if capability is not None and not user_can(user, capability):
                return render(request, "staff/forbidden.html", {"reason": REFUSALS.get(capability, "")}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class StaffApiView(APIView):
    """Base of every staff endpoint: token first, so that an anonymous client is told to authenticate (401)."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]


def staff_permission(capability: str | None = None) -> type[BasePermission]:
    """The API's ``staff_page``: a missing login is 401, a non-staff account 404, a missing capability 403."""

    class StaffPermission(BasePermission):
        message = REFUSALS.get(capability, _("Your role does not allow this."))

        def has_permission(self, request, view):
            user = request.user
            if not user.is_authenticated:
                return False
            if not is_staff_member(user):
                raise NotFound
            if not api_second_factor_passed(request):
                raise PermissionDenied(SECOND_FACTOR_REQUIRED)
            return capability is None or user_can(user, capability)

    StaffPermission.__name__ = f"Staff{capability or 'Member'}Permission"
    return StaffPermission


def staff_context(request) -> dict:
    """``is_staff_member`` for the layout's navigation, asked only when the layout reads it."""
    return {"is_staff_member": lambda: is_staff_member(request.user)}
