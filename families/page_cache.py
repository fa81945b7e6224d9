"""The rendered request status page, kept in the shared cache until anything changes.

After an exchange is announced, families reload their status pages again and
again. Rendering one costs about twenty milliseconds of Python; serving it
from Redis costs a session read and one more round trip.

Correctness rests on two keys:

- The **generation**: one counter that every committed write to the database
  moves on (``record_change``, connected to the model signals in
  ``FamiliesConfig.ready``). A page is served only if it was rendered under
  the current generation, so whatever a caseworker, an import or the admin
  changes is on the next load. The counter is coarse on purpose: a write
  invalidates every page, and no rule has to know which pages a change shows
  on. Writes that bypass the signals (``QuerySet.update``) are covered by the
  services' audit events, which are model saves too, and, last, by
  ``PAGE_TTL``.
- The **viewer**: the page key holds the signed-in user's id and password
  hash digest *as the session stores them*, the CSRF cookie, the language and
  the path. A page is stored only after the view has authenticated the user
  in full, so a hit needs a session that the same user signed in with; a
  changed password, a deactivated or deleted account, all move the generation
  or the session's hash.

Pages with flash messages waiting are neither served from nor stored in the
cache: the messages belong to one response.
"""

import functools
import hashlib
import time

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

GENERATION_KEY = "family-pages:generation"
PAGE_TTL = 10 * 60
# Writes that say nothing about a request page: signing in, staying signed in,
# API tokens, migrations.
UNRELATED_APPS = frozenset({"sessions", "authtoken", "migrations"})
# A many-to-many change sends a signal before and after; the one after counts.
M2M_BEFORE = frozenset({"pre_add", "pre_remove", "pre_clear"})


def _generation_bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # Evicted or never set: start from a value no stored page can carry.
        cache.add(GENERATION_KEY, time.time_ns())


def record_change(sender, **kwargs) -> None:
    """Signal receiver: a committed write makes every stored page stale."""
    if sender._meta.app_label in UNRELATED_APPS or kwargs.get("action") in M2M_BEFORE:
        return
    transaction.on_commit(_generation_bump, robust=True)


def _viewer_key(request) -> str | None:
    """Who is looking and how, or ``None`` when the page must be rendered."""
    if request.method != "GET" or CookieStorage.cookie_name in request.COOKIES:
        return None
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    session = request.session
    user_id = session.get(SESSION_KEY)
    if not csrf_cookie or user_id is None or SessionStorage.session_key in session:
        return None
    parts = (
        str(user_id),
        session.get(BACKEND_SESSION_KEY, ""),
        session.get(HASH_SESSION_KEY, ""),
        csrf_cookie,
        request.LANGUAGE_CODE,
        request.get_full_path(),
    )
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"family-pages:page:{digest}"


def _current_generation(stored: dict) -> int:
    generation = stored.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns())
        generation = cache.get(GENERATION_KEY)
    return generation


def cached_page(view):
    """Serve ``view``'s successful GET from the cache while nothing has changed.

    Goes outside ``login_required``: a miss runs the view, which
    authenticates the viewer as it always does.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _viewer_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        stored = cache.get_many([GENERATION_KEY, key])
        generation = _current_generation(stored)
        entry = stored.get(key)
        if entry is not None and entry[0] == generation:
            response = HttpResponse(entry[1], content_type=entry[2])
            add_never_cache_headers(response)
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and SessionStorage.session_key not in request.session:
            cache.set(key, (generation, response.content, response["Content-Type"]), PAGE_TTL)
        return response

    return wrapper
