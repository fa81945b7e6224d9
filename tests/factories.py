"""Fictional test data. Names are invented; no real person is described."""

import datetime

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.roles import STAFF_ROLES, Role
from exchanges.models import Direction, Exchange, ExchangeEntry
from families.models import FamilyMember, Language, RegistrationRequest, RelationshipKind
from prisoners.models import Party, PartyKind, Prisoner

User = get_user_model()

# The authenticator app of every test staff account: a fixed secret, so tests can type the code.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TEST_TOTP_SECRET) -> str:
    """The code the authenticator app shows now."""
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])
            self._test_role = extracted

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """Staff accounts must have a second factor; test staff have the authenticator app unless told otherwise."""
        wanted = extracted if extracted is not None else getattr(self, "_test_role", None) in STAFF_ROLES
        if create and wanted and not Authenticator.objects.filter(user=self, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(self, TEST_TOTP_SECRET)

    @factory.post_generation
    def email_verified(self, create, extracted, **kwargs):
        """Accounts sign in only with a confirmed address; test accounts have one unless told otherwise."""
        if create and extracted is not False and self.email:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


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


# Rows written straight to the database, for tests of constraints and of the
# status machines' setup. Tests of writes go through the services instead.


class OpposingPartyFactory(PartyFactory):
    code = "other"
    name = "Fictional Federation"
    kind = PartyKind.OPPOSING


class MediatorPartyFactory(PartyFactory):
    code = "mediator"
    name = "Fictional Mediator"
    kind = PartyKind.MEDIATOR


class RegistrationRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationRequest

    reference = factory.Sequence(lambda n: f"HC-2026-{900000 + n:06d}")
    access_code_hash = "!unusable"
    filer_name = "Test Relative"
    filer_relationship = RelationshipKind.MOTHER
    language = Language.UKRAINIAN
    consent_given_at = factory.LazyFunction(timezone.now)
    surname = "Ковальчук"
    given_names = "Андрій"


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange

    title = factory.Sequence(lambda n: f"Test exchange {n}")
    our_party = factory.SubFactory(PartyFactory, code="own", name="Fictional Republic", kind=PartyKind.OWN)
    other_party = factory.SubFactory(OpposingPartyFactory)


class ExchangeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeEntry

    exchange = factory.SubFactory(ExchangeFactory)
    prisoner = factory.SubFactory(PrisonerFactory)
    direction = Direction.RECEIVE
