"""Every URL of the URL conf, filled in with family A's records, and the class of answer each try gets."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.models import AuditEvent
from families.models import FamilyMember, RegistrationRequest, Relationship
from prisoners.models import Evidence, NameVariant, OfficialSubmission, Prisoner

# Answer classes: a status code, or where a redirect leads.
SIGN_IN = "302 to sign-in"
SECOND_FACTOR = "302 to the second factor"
ADMIN_SIGN_IN = "302 to the administration's sign-in"
REDIRECT = "302 elsewhere"


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    args: tuple[str, ...]


def _walk(resolver, namespaces=(), prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield namespaces, entry, prefix + str(entry.pattern)


def all_routes() -> tuple[list[Route], list[str]]:
    """The named routes of the URL conf, and the patterns of routes without a name."""
    routes, unnamed = {}, []
    for namespaces, pattern, full in _walk(get_resolver()):
        if not pattern.name:
            unnamed.append(full)
            continue
        name = ":".join((*namespaces, pattern.name))
        args = tuple(re.findall(r"<(?:\w+:)?(\w+)>", full))
        # A name given twice (Django keeps the last): the first one reverse() finds is the one tried.
        routes.setdefault(name, Route(name, full, args))
    return sorted(routes.values(), key=lambda route: route.name), unnamed


# The records of family A that a route's first segment after its prefix names with ``pk``.
PK_BY_SEGMENT = {
    "submissions": "submission",
    "relationships": "relationship",
    "exchanges": "exchange",
    "prisoners": "prisoner",
    "matches": "prisoner",
    "keys": "authenticator",
}
ARGUMENTS = {
    "reference": lambda case: case["request"].reference,
    "evidence_id": lambda case: case["evidence"].pk,
    "variant_id": lambda case: case["variant"].pk,
    "entry_id": lambda case: case["entry"].pk,
    "list_id": lambda case: case["counterparty_list"].pk,
    "row_id": lambda case: case["row"].pk,
    "token": lambda case: case["unsubscribe_token"],
    "fmt": lambda case: "csv",
    "key": lambda case: "not-a-real-key",
    "uidb36": lambda case: "1",
    "content_type_id": lambda case: case["content_type"].pk,
    "app_label": lambda case: "families",
}


def _admin_object(name: str, case) -> object:
    """The record of family A that an admin URL's ``object_id`` names, else any one of its model."""
    own = {
        RegistrationRequest: case["request"],
        FamilyMember: case["member"],
        Relationship: case["relationship"],
        Prisoner: case["prisoner"],
        Evidence: case["evidence"],
        NameVariant: case["variant"],
        OfficialSubmission: case["submission"],
    }
    for model in admin.site._registry:
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            if model in own:
                return own[model].pk
            if model is case["member"].user.__class__:
                return case["member"].user.pk
            first = model.objects.order_by("pk").first()
            return first.pk if first else 0
    return case["request"].pk


def url_of(route: Route, case) -> str:
    kwargs = {}
    for arg in route.args:
        if arg in ARGUMENTS:
            kwargs[arg] = ARGUMENTS[arg](case)
        elif arg == "pk":
            segments = [s for s in re.split(r"[/^$]", route.pattern.split("<int:pk>")[0]) if s]
            kwargs[arg] = case[PK_BY_SEGMENT[segments[-1]]].pk
        elif arg in ("object_id", "id"):
            kwargs[arg] = case["request"].pk if route.name == "admin:view_on_site" else _admin_object(route.name, case)
        else:
            raise AssertionError(f"{route.name}: no test value for the URL argument {arg!r}; add one in {__name__}")
    return reverse(route.name, kwargs=kwargs)


def answer_class(response) -> str | int:
    if response.status_code in (301, 302, 303):
        target = response["Location"].split("?")[0]
        if target == resolve_url(settings.LOGIN_URL):
            return SIGN_IN
        if target == reverse("admin:login"):
            return ADMIN_SIGN_IN
        if target.startswith(reverse("mfa_index")):
            return SECOND_FACTOR
        return REDIRECT
    return response.status_code


def audit_count() -> int:
    return AuditEvent.objects.count()
