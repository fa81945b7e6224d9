"""Who may do what: roles are groups, and ``user_can`` is the one answer."""

import importlib

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from core.roles import PERMISSIONS, Capability, Role, is_staff_member, roles_of, user_can
from tests.factories import UserFactory

# Declared for the whole module: personas are fetched by name, so pytest-django
# cannot see that these tests use the database, and would otherwise run them
# after transactional tests have flushed the groups the migration created.
pytestmark = pytest.mark.django_db

# Each persona and the roles it holds. Family personas are FamilyMember
# objects; the rest are accounts.
PERSONAS = {
    "olena": {Role.FAMILY},
    "ivan": {Role.FAMILY},
    "carol": {Role.CASEWORKER},
    "cole": {Role.COORDINATOR},
    "ada": {Role.ADMINISTRATOR},
    "oscar": set(),
    "anonymous": set(),
    # A caseworker whose account was deactivated: the group stays, the rights go.
    "inactive": set(),
}


@pytest.fixture
def inactive(db):
    return UserFactory(username="inactive-carol", role=Role.CASEWORKER, is_active=False)


@pytest.fixture
def anonymous():
    return AnonymousUser()


def _user(request, persona):
    person = request.getfixturevalue(persona)
    return getattr(person, "user", person)


def test_it_creates_exactly_one_group_per_role(db):
    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)
    migration = importlib.import_module("core.migrations.0002_roles_and_audit_chain")
    assert sorted(migration.ROLES) == sorted(Role.values)


def test_it_grants_every_capability_to_some_role():
    assert set(PERMISSIONS) == set(Role.values)
    assert set().union(*PERMISSIONS.values()) == set(Capability.values)


@pytest.mark.parametrize("capability", Capability.values)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_per_permissions(request, persona, capability):
    user = _user(request, persona)
    expected = any(capability in PERMISSIONS[role] for role in PERSONAS[persona])

    assert user_can(user, capability) is expected


@pytest.mark.parametrize(
    ("persona", "capability", "expected"),
    [
        ("olena", Capability.FILE_REQUEST, True),
        ("olena", Capability.REVIEW_REQUESTS, False),
        ("olena", Capability.VIEW_PRISONERS, False),
        ("ivan", Capability.VIEW_EXCHANGES, False),
        ("carol", Capability.REVIEW_REQUESTS, True),
        ("carol", Capability.EDIT_PRISONERS, True),
        ("carol", Capability.VERIFY_RELATIONSHIPS, True),
        ("carol", Capability.MANAGE_EXCHANGES, False),
        ("carol", Capability.VIEW_AUDIT, False),
        ("cole", Capability.MANAGE_EXCHANGES, True),
        ("cole", Capability.EDIT_PRISONERS, False),
        ("cole", Capability.CHANGE_PRISONER_STATUS, False),
        ("cole", Capability.REVIEW_REQUESTS, False),
        ("ada", Capability.VIEW_AUDIT, True),
        ("ada", Capability.USE_ADMIN, True),
        ("ada", Capability.EDIT_PRISONERS, False),
        ("ada", Capability.MANAGE_EXCHANGES, False),
        ("oscar", Capability.FILE_REQUEST, False),
        ("anonymous", Capability.FILE_REQUEST, False),
        ("inactive", Capability.REVIEW_REQUESTS, False),
    ],
)
def test_it_grants_what_the_product_says(request, persona, capability, expected):
    assert user_can(_user(request, persona), capability) is expected


def test_it_gives_a_user_with_two_roles_both_sets(db):
    user = UserFactory(role=Role.CASEWORKER)
    user.groups.add(Group.objects.get(name=Role.COORDINATOR))

    assert roles_of(user) == {Role.CASEWORKER, Role.COORDINATOR}
    assert user_can(user, Capability.EDIT_PRISONERS)
    assert user_can(user, Capability.MANAGE_EXCHANGES)


def test_it_ignores_groups_that_are_not_roles(db):
    user = UserFactory()
    user.groups.add(Group.objects.create(name="administrators"))

    assert roles_of(user) == frozenset()
    assert not user_can(user, Capability.USE_ADMIN)


def test_it_lets_an_active_superuser_do_everything(db):
    root = UserFactory(is_superuser=True)
    retired = UserFactory(is_superuser=True, is_active=False)

    assert all(user_can(root, capability) for capability in Capability.values)
    assert not any(user_can(retired, capability) for capability in Capability.values)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("olena", False),
        ("carol", True),
        ("cole", True),
        ("ada", True),
        ("oscar", False),
        ("anonymous", False),
        ("inactive", False),
    ],
)
def test_it_tells_staff_from_everyone_else(request, persona, expected):
    assert is_staff_member(_user(request, persona)) is expected
