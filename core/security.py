"""Signing in: the second factor staff must have, idle staff sessions, and each account's sign-in history.

Whether a session may use the staff workspace is settled when it begins:
allauth asks for the second factor of every account that has one before it
signs the account in, so a session that began with an authenticator on the
account has passed it, and one that had none passes once it adds one. The
answer is kept in the session, so pages do not ask the database every time.
"""

import base64
import hashlib
import ipaddress
import time

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed
from allauth.mfa.utils import is_mfa_enabled
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Q
from django.dispatch import receiver
from django.utils.translation import gettext as _

from core.models import SignInEvent, SignInStep
from core.roles import is_staff_member

# True once this session's account has a second factor that it passed or added.
SECOND_FACTOR_SESSION_KEY = "homecoming_second_factor"
# Unix time of a staff session's latest request (to the minute); absent for families.
STAFF_SEEN_SESSION_KEY = "homecoming_staff_seen"
# How often a busy staff session is written back to note that it is still in use.
_SEEN_RESOLUTION_SECONDS = 60


def client_address(request) -> str | None:
    """The client's IP address, from the header the proxy sets (``RATELIMIT_IP_META_KEY``) or the socket."""
    value = request.META.get(settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value.split(",")[0].strip()))
    except ValueError:
        return None


def _sign_in_record(request, user, *, step: str, succeeded: bool) -> None:
    SignInEvent.objects.create(
        user=user,
        step=step,
        succeeded=succeeded,
        ip_address=client_address(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
    )


def second_factor_passed(request) -> bool:
    """Whether this session passed a second factor: at sign-in, or by adding one since (asked once, then kept)."""
    if request.session.get(SECOND_FACTOR_SESSION_KEY):
        return True
    if is_mfa_enabled(request.user):
        request.session[SECOND_FACTOR_SESSION_KEY] = True
        return True
    return False


def api_second_factor_passed(request) -> bool:
    """For the API: a session answers from itself; a token, issued to the account, by the account having one."""
    if request.auth is not None:
        return is_mfa_enabled(request.user)
    return second_factor_passed(request)


@receiver(user_logged_in, dispatch_uid="homecoming_sign_in")
def _on_signed_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    request.session[SECOND_FACTOR_SESSION_KEY] = is_mfa_enabled(user)
    if is_staff_member(user):
        request.session[STAFF_SEEN_SESSION_KEY] = int(time.time())
        request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
    _sign_in_record(request, user, step=SignInStep.PASSWORD, succeeded=True)


@receiver(user_login_failed, dispatch_uid="homecoming_sign_in_failed")
def _on_sign_in_failed(sender, credentials, request=None, **kwargs):
    login = credentials.get("username") or credentials.get("email") or ""
    if not login:
        return
    user = (
        get_user_model()
        .objects.filter(Q(username__iexact=login) | Q(emailaddress__email__iexact=login) | Q(email__iexact=login))
        .order_by("pk")
        .first()
    )
    if user is not None:
        _sign_in_record(request, user, step=SignInStep.PASSWORD, succeeded=False)


@receiver(authentication_failed, dispatch_uid="homecoming_second_factor_failed")
def _on_second_factor_failed(sender, request, user, **kwargs):
    _sign_in_record(request, user, step=SignInStep.SECOND_FACTOR, succeeded=False)


class StaffIdleSessionMiddleware:
    """Signs a staff session out after ``STAFF_SESSION_IDLE_MINUTES`` without a request.

    Only staff sessions carry the time of their latest request, so a family's
    pages cost nothing; a staff session is written back at most once a minute.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seen = request.session.get(STAFF_SEEN_SESSION_KEY)
        if seen is not None:
            now = int(time.time())
            idle_limit = settings.STAFF_SESSION_IDLE_MINUTES * 60
            if now - seen > idle_limit:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity. Sign in again to go on.")
                    % {"minutes": settings.STAFF_SESSION_IDLE_MINUTES},
                )
            elif now - seen >= _SEEN_RESOLUTION_SECONDS:
                request.session[STAFF_SEEN_SESSION_KEY] = now
                request.session.set_expiry(idle_limit)
        return self.get_response(request)


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA, with secrets encrypted at rest and staff kept from dropping their last second factor."""

    def _fernet(self) -> Fernet:
        digest = hashlib.sha256(f"homecoming.mfa:{settings.SECRET_KEY}".encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, text: str) -> str:
        return self._fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return self._fernet().decrypt(encrypted_text.encode()).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if not is_staff_member(authenticator.user):
            return True
        factors = Authenticator.objects.filter(
            user_id=authenticator.user_id, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exclude(pk=authenticator.pk)
        return authenticator.type == Authenticator.Type.RECOVERY_CODES or factors.exists()
