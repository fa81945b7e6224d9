"""Who may do what: the one place that says it.

A role is a Django group, created by a data migration. Pages, API views and
the admin ask ``user_can(user, Capability.X)``; nothing else looks at group
names.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FAMILY = "family", _("Family member")
    CASEWORKER = "caseworker", _("Caseworker")
    COORDINATOR = "coordinator", _("Coordinator")
    ADMINISTRATOR = "administrator", _("Administrator")


class Capability(models.TextChoices):
    FILE_REQUEST = "request.file", _("File registration requests and follow their own cases")
    REVIEW_REQUESTS = "request.review", _("Triage and review registration requests")
    VIEW_PRISONERS = "prisoner.view", _("Read prisoner records")
    EDIT_PRISONERS = "prisoner.edit", _("Register prisoners and edit their records")
    MATCH_PRISONERS = "prisoner.match", _("Search for the records that may be one person")
    CHANGE_PRISONER_STATUS = "prisoner.change_status", _("Change a prisoner's case status")
    VERIFY_RELATIONSHIPS = "relationship.verify", _("Verify a family member's relationship")
    VIEW_EXCHANGES = "exchange.view", _("Read exchanges and their lists")
    MANAGE_EXCHANGES = "exchange.manage", _("Assemble exchange lists and record outcomes")
    VIEW_AUDIT = "audit.view", _("Review the audit trail")
    USE_ADMIN = "admin.use", _("Use the administration site and manage accounts")


PERMISSIONS: dict[str, frozenset[str]] = {
    Role.FAMILY: frozenset({Capability.FILE_REQUEST}),
    Role.CASEWORKER: frozenset(
        {
            Capability.REVIEW_REQUESTS,
            Capability.VIEW_PRISONERS,
            Capability.EDIT_PRISONERS,
            Capability.MATCH_PRISONERS,
            Capability.CHANGE_PRISONER_STATUS,
            Capability.VERIFY_RELATIONSHIPS,
            Capability.VIEW_EXCHANGES,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            Capability.VIEW_PRISONERS,
            Capability.MATCH_PRISONERS,
            Capability.VIEW_EXCHANGES,
            Capability.MANAGE_EXCHANGES,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Capability.VIEW_PRISONERS,
            Capability.VIEW_EXCHANGES,
            Capability.VIEW_AUDIT,
            Capability.USE_ADMIN,
        }
    ),
}

STAFF_ROLES = frozenset({Role.CASEWORKER, Role.COORDINATOR, Role.ADMINISTRATOR})


def roles_of(user) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_homecoming_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role.values if role in names)
        user._homecoming_roles = cached
    return cached


def user_can(user, capability: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(capability in PERMISSIONS[role] for role in roles_of(user))


def is_staff_member(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(roles_of(user) & STAFF_ROLES))
