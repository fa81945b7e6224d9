"""Pages: what was sent to me, and stopping one kind of e-mail with the link it carries."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from notifications.models import EmailOptOut, NotificationKind
from notifications.render import unsubscribe_read
from notifications.selectors import log_entries, notifications_sent_to
from notifications.services import email_opt_in, email_opt_out

PAGE_SIZE = 50
INVALID_LINK = _(
    "This link is not valid: it may have been cut short when it was copied, or its account is closed. "
    "Nothing was changed."
)


@login_required
@never_cache
@require_GET
def my_notifications(request):
    page = Paginator(notifications_sent_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/mine.html", {"page": page, "entries": log_entries(page.object_list)})


# The link is its own credential, signed for one person and one kind of
# notice: a mail program's one-click POST (RFC 8058) carries no CSRF token,
# and a GET only asks, so that a link scanner stops nothing.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    read = unsubscribe_read(token)
    user = get_user_model().objects.filter(pk=read[0], is_active=True).first() if read else None
    if user is None:
        context = {"error": INVALID_LINK}
        return render(request, "notifications/unsubscribe.html", context, status=400)
    kind = read[1]
    if request.method == "POST":
        if request.POST.get("action") == "resume":
            email_opt_in(user=user, kind=kind)
        else:
            email_opt_out(user=user, kind=kind)
    stopped = EmailOptOut.objects.filter(user=user, kind=kind).exists()
    context = {"kind_label": NotificationKind(kind).label, "stopped": stopped, "token": token}
    return render(request, "notifications/unsubscribe.html", context)
