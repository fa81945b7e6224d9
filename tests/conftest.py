"""Personas, as in healthchecks' tests.

- ``olena``: a family member who filed a request for her son
- ``ivan``: a member of another family, who must never see Olena's data
- ``carol``: a caseworker
- ``cole``: a coordinator
- ``ada``: an administrator
- ``oscar``: an outsider with an account and no role
"""

import pytest

from core.roles import Role
from tests.factories import FamilyMemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Access codes and passwords are hashed with a slow hasher in production;
    # tests do not need to pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def olena(db):
    return FamilyMemberFactory(user__username="olena", full_name="Olena Testova")


@pytest.fixture
def ivan(db):
    return FamilyMemberFactory(user__username="ivan", full_name="Ivan Probny")


@pytest.fixture
def carol(db):
    return UserFactory(username="carol", role=Role.CASEWORKER)


@pytest.fixture
def cole(db):
    return UserFactory(username="cole", role=Role.COORDINATOR)


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", role=Role.ADMINISTRATOR)


@pytest.fixture
def oscar(db):
    return UserFactory(username="oscar")
