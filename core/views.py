import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found

log = logging.getLogger(__name__)


@require_GET
def home(request):
    return render(request, "home.html")


SIGN_IN_HISTORY_LENGTH = 50


@login_required
@require_GET
def sign_in_history(request):
    """The account's latest sign-ins and failed attempts, for its owner to spot one that was not theirs."""
    events = request.user.sign_ins.all()[:SIGN_IN_HISTORY_LENGTH]
    return render(request, "account/sign_in_history.html", {"events": events, "length": SIGN_IN_HISTORY_LENGTH})


def not_found(request, exception):
    """404: the site's page, or for the API a JSON answer like every other API error."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("Not found."))}, status=404)
    return page_not_found(request, exception)


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        log.exception("health check: database unreachable")
        return "error"
    return "ok"


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    from config.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        log.exception("health check: broker unreachable")
        return "error"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """Database and broker state, for load balancers and ``make stack``."""
    state = {"database": _database_state(), "broker": _broker_state()}
    healthy = all(value != "error" for value in state.values())
    return JsonResponse({"status": "ok" if healthy else "error", **state}, status=200 if healthy else 503)


def bench_bare(request):
    """The baseline for ``make bench-pages``: the whole middleware stack, no database, no template."""
    return HttpResponse("ok")
