"""Following a request without an account: its reference and the access code issued with it.

References must not be enumerable: a wrong reference and a wrong code give
the same answer in the same time, and every try counts against the client's
address and against the reference, whether it succeeds or not.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from families.case_forms import LookupForm
from families.selectors import registration_request_by_code, registration_request_granted
from families.views.cases import request_status_context

LOOKUP_RATE = "5/15m"
LOOKUP_WINDOW_MINUTES = 15
# The requests whose code this browser has given; forgotten with the session.
GRANTED_SESSION_KEY = "lookup_request_ids"


def _reference_key(group, request) -> str:
    return request.POST.get("reference", "").strip().upper()


# Both counters count every try; a try over either limit is refused, right code or not.
@ratelimit(group="families.lookup.ip", key="ip", rate=LOOKUP_RATE, method="POST", block=False)
@ratelimit(group="families.lookup.reference", key=_reference_key, rate=LOOKUP_RATE, method="POST", block=False)
@never_cache
def lookup(request):
    if request.method != "POST":
        form = LookupForm(initial={"reference": request.GET.get("reference", "").strip().upper()[:20]})
        return render(request, "families/lookup.html", {"form": form})
    if request.limited:
        raise Ratelimited
    form = LookupForm(request.POST)
    if form.is_valid():
        registration_request = registration_request_by_code(
            reference=form.cleaned_data["reference"], access_code=form.cleaned_data["access_code"]
        )
        if registration_request is not None:
            granted = request.session.get(GRANTED_SESSION_KEY, [])
            # A new session key once it holds a grant, so that a key planted beforehand is worth nothing.
            request.session.cycle_key()
            request.session[GRANTED_SESSION_KEY] = sorted({*granted, registration_request.pk})
            if not request.user.is_authenticated:
                # Forgotten when the browser closes: it may be a shared computer.
                request.session.set_expiry(0)
            return redirect("families:lookup_status", reference=registration_request.reference)
        form.add_error(None, _("The reference or the access code is not right."))
    return render(request, "families/lookup.html", {"form": form})


@never_cache
@require_GET
def lookup_status(request, reference):
    registration_request = registration_request_granted(
        reference=reference, request_ids=request.session.get(GRANTED_SESSION_KEY, [])
    )
    if registration_request is None:
        # The same answer whether the reference exists or not.
        return redirect(f"{reverse('families:lookup')}?{urlencode({'reference': reference[:20]})}")
    return render(request, "families/lookup_status.html", request_status_context(registration_request))


def rate_limited(request, exception):
    """RATELIMIT_VIEW: the page for a client or a reference that has tried too often."""
    response = render(request, "families/rate_limited.html", {"window_minutes": LOOKUP_WINDOW_MINUTES}, status=429)
    response["Retry-After"] = str(LOOKUP_WINDOW_MINUTES * 60)
    return response
