"""Fictional test data. Names are invented; no real person is described."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.roles import Role
from families.models import FamilyMember, Language, RelationshipKind
from prisoners.models import Party, PartyKind, Prisoner

User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Fictional Republic {n}")
    code = factory.Sequence(lambda n: f"fr{n}")
    kind = PartyKind.OWN


class PrisonerFactory(factory.django.DjangoModelFactory):
    """A record written straight to the database, for tests of reads and constraints.

    Tests of writes go through ``prisoner_create`` instead.
    """

    class Meta:
        model = Prisoner

    surname = factory.Iterator(["Zaretsky", "Ковальчук", "Melnyk", "Бережной", "Ostapenko"])
    given_names = factory.Iterator(["Oleh", "Андрей", "Taras", "Николай", "Yurii"])
    patronymic = ""
    party = factory.SubFactory(PartyFactory, code="own", name="Fictional Republic", kind=PartyKind.OWN)
    holding_party = factory.SubFactory(PartyFactory, code="other", name="Fictional Federation", kind=PartyKind.OPPOSING)
    date_of_birth = datetime.date(1990, 5, 17)
    capture_date = datetime.date(2025, 3, 2)


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    user = factory.SubFactory(UserFactory, role=Role.FAMILY)
    full_name = factory.Sequence(lambda n: f"Test Relative {n}")
    preferred_language = Language.UKRAINIAN


def request_data(**overrides) -> dict:
    """The fields a family fills in when filing a registration request."""
    data = {
        "filer_name": "Test Relative",
        "filer_email": "relative@example.test",
        "filer_relationship": RelationshipKind.MOTHER,
        "language": Language.UKRAINIAN,
        "surname": "Ковальчук",
        "given_names": "Андрій",
        "date_of_birth": datetime.date(1995, 1, 9),
    }
    data.update(overrides)
    return data
