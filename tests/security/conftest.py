"""Family A's case, the personas who try to reach it, and what their tries must leave as it was.

Every URL argument names something of family A (Olena's): family B (Ivan)
guessing it must learn nothing, the staff reach it as their roles allow.
"""

import io

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from core.models import AuditEvent
from exchanges.models import CounterpartyList, CounterpartyRow, EntryOutcome, Exchange, ExchangeEntry, MatchState
from families.models import FamilyMember, RegistrationRequest, Relationship, RequestMessage, RequestStatus
from families.services import relationship_create
from notifications.models import EmailOptOut, NotificationKind
from notifications.render import unsubscribe_token
from prisoners.evidence import evidence_file_store
from prisoners.models import Evidence, NameVariant, OfficialSubmission, Prisoner
from tests.factories import ExchangeEntryFactory, ExchangeFactory, PrisonerFactory, RegistrationRequestFactory

# The personas of the matrices, in the order of their columns.
PERSONAS = ("anonymous", "olena", "ivan", "carol", "cole", "ada")


def png_bytes(size=(4, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def family_a(olena, ivan, carol):
    """Olena's request waiting for her answer, with a photo, her verified tie to him, and the staff's records."""
    prisoner = PrisonerFactory()
    relationship = relationship_create(family_member=olena, prisoner=prisoner, kind="mother", actor=carol)
    Relationship.objects.filter(pk=relationship.pk).update(verified_at=timezone.now(), verified_by=carol)
    request = RegistrationRequestFactory(filed_by=olena, prisoner=prisoner, status=RequestStatus.INFO_REQUESTED)
    photo = evidence_file_store(
        upload=SimpleUploadedFile("son.png", png_bytes(), content_type="image/png"), actor=olena.user
    )
    request.evidence.add(photo)
    RequestMessage.objects.create(request=request, direction="to_family", body="Which unit did he serve in?")
    exchange = ExchangeFactory()
    their_list = CounterpartyList.objects.create(exchange=exchange, original_name="their-list.csv")
    return {
        "member": olena,
        "prisoner": prisoner,
        "relationship": relationship,
        "request": request,
        "evidence": photo,
        "variant": NameVariant.objects.create(prisoner=prisoner, surname="Testov", script="latin"),
        "submission": OfficialSubmission.objects.create(
            prisoner=prisoner,
            authority="icrc",
            channel="email",
            submitted_on="2026-01-05",
            acknowledgement_due_on="2026-01-19",
        ),
        "exchange": exchange,
        # With an outcome, the entry cannot be removed by a tour of the URLs.
        "entry": ExchangeEntryFactory(exchange=exchange, prisoner=PrisonerFactory(), outcome=EntryOutcome.DECLINED),
        "counterparty_list": their_list,
        "row": CounterpartyRow.objects.create(
            counterparty_list=their_list, line=2, surname="Testov", given_name="Ivan", state=MatchState.NOT_FOUND
        ),
        # Families have no authenticator of their own; a URL naming one names a caseworker's.
        "authenticator": Authenticator.objects.get(user=carol, type=Authenticator.Type.TOTP),
        "unsubscribe_token": unsubscribe_token(user_id=olena.user.pk, kind=NotificationKind.PRISONER_STATUS),
        "content_type": ContentType.objects.get_for_model(RegistrationRequest),
    }


@pytest.fixture
def persona_user(request):
    """``persona_user(name)``: the account of a persona (None for the anonymous visitor)."""

    def user_of(name):
        if name == "anonymous":
            return None
        found = request.getfixturevalue(name)
        return found.user if isinstance(found, FamilyMember) else found

    return user_of


# Tables a refused request must leave as they were; the audit trail, but for downloads that staff are allowed.
_WATCHED = (
    RegistrationRequest,
    Prisoner,
    FamilyMember,
    Relationship,
    Evidence,
    Exchange,
    ExchangeEntry,
    CounterpartyRow,
    OfficialSubmission,
    Authenticator,
    RequestMessage,
    NameVariant,
    EmailOptOut,
)


def database_state() -> tuple:
    """A fingerprint of every watched table, in one query: what a refused request must leave as it was."""
    # Table names come from the models, not from input.
    parts = [
        f"(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) FROM {model._meta.db_table} t)"  # noqa: S608
        for model in _WATCHED
    ]
    audit = f"(SELECT count(*) FROM {AuditEvent._meta.db_table} WHERE action <> 'evidence.downloaded')"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}, {audit}")
        return cursor.fetchone()
