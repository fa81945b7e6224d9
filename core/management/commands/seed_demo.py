"""``manage.py seed_demo``: fictional demo data, and one demo account per role.

Everything it writes is invented (see ``core.demo_names``), for trying the
application out on the embedded default. The data goes in through the write
services, so it carries the status changes and the audit trail real data
would. The rows no service writes yet (parties, accounts, name variants,
sources of facts, evidence links, case events) are written here, beside an
audit event that records them.

Running it again adds nothing: once the demo parties exist it only creates any
demo account that has gone missing, and prints the accounts.
"""

import datetime
import random
import time
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import audit_record
from core.demo_names import DemoName, demo_name, demo_relative_name
from core.roles import STAFF_ROLES, Role
from exchanges.models import Direction, EntryOutcome, ExchangeEntry, ExchangeStatus
from exchanges.services import (
    exchange_assemble,
    exchange_create,
    exchange_entry_add,
    exchange_entry_set_outcome,
    exchange_set_status,
)
from families.models import (
    FamilyMember,
    Language,
    RegistrationRequest,
    RelationshipKind,
    RequestMessage,
    RequestStatus,
    RequestStatusChange,
)
from families.services import (
    family_member_create,
    registration_request_assign,
    registration_request_file,
    registration_request_set_status,
    relationship_create,
    relationship_verify,
)
from notifications.services import notifications_silence
from prisoners.models import (
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    DateAccuracy,
    Evidence,
    EvidenceKind,
    Fact,
    FactSource,
    HealthStatus,
    MilitaryStatus,
    NameVariant,
    Party,
    PartyKind,
    Prisoner,
    RepatriationConsent,
    Source,
)
from prisoners.services import (
    official_submission_acknowledge,
    official_submission_confirm,
    official_submission_create,
    prisoner_create,
    prisoner_set_status,
)

User = get_user_model()

SEED = 2026
DEFAULT_PRISONERS = 300
# Fewer cannot cover every case status, request status and both exchanges.
MIN_PRISONERS = 50


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str


# Published on purpose: the command prints them, and the README may too.
DEMO_ACCOUNTS = (
    DemoAccount("demo-family", Role.FAMILY, "demo-family-2026"),
    DemoAccount("demo-caseworker", Role.CASEWORKER, "demo-caseworker-2026"),
    DemoAccount("demo-coordinator", Role.COORDINATOR, "demo-coordinator-2026"),
    DemoAccount("demo-admin", Role.ADMINISTRATOR, "demo-admin-2026"),
)
DEMO_FAMILY_NAME = "Olena Demchenko"
# Staff sign in with a second factor: the demo staff accounts share this
# authenticator-app key, published like their passwords.
DEMO_TOTP_SECRET = "KRUGS4ZANBXW2ZLDN5WWS3THEBSGK3LP"  # noqa: S105 (published, like the demo passwords)


@dataclass(frozen=True)
class DemoParty:
    name: str
    code: str
    kind: str
    short: str


OWN = DemoParty("Republic of Eskeria (fictional)", "demo-eskeria", PartyKind.OWN, "Eskeria")
OPPOSING = DemoParty("Federation of Tarvonia (fictional)", "demo-tarvonia", PartyKind.OPPOSING, "Tarvonia")
MEDIATOR = DemoParty("Grand Duchy of Alvenor (fictional)", "demo-alvenor", PartyKind.MEDIATOR, "Alvenor")
# Everything is written in one transaction, so this party's presence says all the demo data is there.
MARKER_PARTY_CODE = OWN.code

OWN_TOWNS = ("Velmira", "Solvara", "Brennik", "Halvenne", "Mirkavo", "Dunmarrow", "Corvash", "Lindara", "Ostmar")
FRONT_PLACES = (
    "Karst Hollow",
    "Pellow Ford",
    "Grey Ridge",
    "Selvane crossroads",
    "Amber Mill",
    "Lake Ardent",
    "Hill 214 near Corvash",
    "Solvara bridgehead",
    "Eastmark quarry",
)
OPPOSING_TOWNS = ("Drevna", "Tarsk", "Ustavin", "Marevo", "Zoltrany", "Kelmirsk")

RANKS = (
    ("Private", 30),
    ("Senior soldier", 15),
    ("Junior sergeant", 12),
    ("Sergeant", 12),
    ("Senior sergeant", 8),
    ("Chief sergeant", 3),
    ("Junior lieutenant", 4),
    ("Lieutenant", 5),
    ("Senior lieutenant", 4),
    ("Captain", 3),
    ("Major", 1),
    ("", 3),
)
UNIT_KINDS = (
    "Mechanised Brigade",
    "Rifle Battalion",
    "Territorial Defence Battalion",
    "Marine Brigade",
    "Artillery Regiment",
    "Air Assault Brigade",
    "Motor Rifle Regiment",
)
MILITARY_STATUSES = (
    (MilitaryStatus.MOBILISED, 40),
    (MilitaryStatus.CONTRACT, 25),
    (MilitaryStatus.VOLUNTEER, 10),
    (MilitaryStatus.CONSCRIPT, 4),
    (MilitaryStatus.OTHER, 2),
    (MilitaryStatus.UNKNOWN, 19),
)
HEALTH = (
    (HealthStatus.UNKNOWN, 25),
    (HealthStatus.HEALTHY, 35),
    (HealthStatus.WOUNDED, 20),
    (HealthStatus.SICK, 8),
    (HealthStatus.SERIOUSLY_WOUNDED_OR_SICK, 12),
)
HEALTH_NOTES = {
    HealthStatus.WOUNDED: ("Shrapnel wound to the arm.", "Leg wound, treated in captivity.", "Concussion."),
    HealthStatus.SICK: ("Chronic illness, needs regular medication.", "Pneumonia reported by a released comrade."),
    HealthStatus.SERIOUSLY_WOUNDED_OR_SICK: (
        "Severe leg wound; needs surgery that is not available in captivity.",
        "Serious burns.",
        "Loss of sight in one eye after a blast.",
        "Severe illness; weight loss reported by the ICRC.",
    ),
}
CAUSES_OF_DEATH = ("Wounds received before capture.", "Heart failure.", "Illness left untreated.")

# What becomes of each record: the moves walked after ``prisoner_create``,
# and how often (weights, by side).
OWN_PLAN = {
    "registered": 27,
    "exchange_a": 9,
    "capture_confirmed": 15,
    "reported": 11,
    "reported_reopened": 1,
    "reported_corrected": 1,
    "returned_released": 2,
    "returned_escaped": 1,
    "deceased": 4,
    "declined": 2,
    "closed_not_found": 4,
    "merged": 3,
}
OPPOSING_PLAN = {"registered": 60, "exchange_a": 25, "declined": 8, "capture_confirmed": 7}
OPPOSING_SHARE = 0.1

CONFIRMATIONS = {
    Source.VIDEO: "Identified in a video published by the other side.",
    Source.RELEASED_COMRADE: "A released comrade saw him in captivity.",
    Source.ICRC: "The ICRC confirmed that he is held.",
    Source.MEDIA: "Identified in a media report from the other side.",
}
REGISTRATIONS = {
    Source.ICRC: "On the ICRC's list of registered prisoners of war.",
    Source.OFFICIAL_LIST: "Confirmed as a prisoner of war by the authority.",
}
OPENINGS = {
    Source.FAMILY: "Opened on a family's report: contact lost during fighting.",
    Source.UNIT: "Opened on the unit's report of a missing soldier.",
    Source.MEDIA: "Opened after a video published by the other side.",
    Source.ICRC: "Opened from an ICRC notification.",
}

RELATIONSHIP_KINDS = (
    (RelationshipKind.MOTHER, 30),
    (RelationshipKind.SPOUSE, 30),
    (RelationshipKind.SIBLING, 15),
    (RelationshipKind.FATHER, 10),
    (RelationshipKind.PARTNER, 5),
    (RelationshipKind.CHILD, 5),
    (RelationshipKind.GRANDPARENT, 3),
    (RelationshipKind.OTHER_RELATIVE, 2),
)
FEMALE_KINDS = {RelationshipKind.MOTHER, RelationshipKind.SPOUSE, RelationshipKind.PARTNER}
VERIFICATIONS = (
    "Birth certificate checked against the record.",
    "Marriage certificate checked against the record.",
    "Confirmed with the unit's personnel office.",
    "Identity documents checked at the office.",
)
CIRCUMSTANCES = (
    "Contact was lost during fighting; his unit reported him missing.",
    "His comrades saw him taken prisoner when their position was overrun.",
    "We recognised him in a video posted online.",
    "He stopped answering his phone; his unit says he is missing.",
)
# A request's path through review, by the status it ends in.
REQUEST_CYCLE = (
    RequestStatus.ACCEPTED,
    RequestStatus.IN_REVIEW,
    RequestStatus.SUBMITTED,
    RequestStatus.INFO_REQUESTED,
    RequestStatus.REJECTED,
    RequestStatus.WITHDRAWN,
    RequestStatus.ACCEPTED,
    RequestStatus.IN_REVIEW,
    RequestStatus.ACCEPTED,
    RequestStatus.SUBMITTED,
    RequestStatus.INFO_REQUESTED,
    RequestStatus.REJECTED,
)
INFO_REQUESTS = (
    "Please send a photo of him and, if you have it, his service number.",
    "Please tell us the date and place of your last contact with him.",
)
REJECTIONS = (
    "We found no evidence that he is in captivity: his unit reports him on duty.",
    "This repeats an earlier request about him, which is already being handled.",
)
WITHDRAWALS = ("He has called home: he is not in captivity.", "Filed twice by mistake.")


def _weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _plan_counts(total: int, weights: dict[str, int]) -> dict[str, int]:
    """How many records follow each plan: every plan at least once, the rest registered."""
    weight_sum = sum(weights.values())
    counts = {plan: max(1, round(total * weight / weight_sum)) for plan, weight in weights.items()}
    counts["registered"] += total - sum(counts.values())
    return counts


@dataclass
class DemoRecord:
    """A seeded prisoner and what the seed knows of him beyond the row."""

    prisoner: Prisoner
    name: DemoName
    plan: str
    side: str  # "own" or "opposing"
    events: list = field(default_factory=list)


class DemoSeed:
    def __init__(self, *, rng: random.Random, accounts: dict[str, User], prisoner_count: int):
        self.rng = rng
        self.caseworker = accounts[Role.CASEWORKER]
        self.coordinator = accounts[Role.COORDINATOR]
        self.administrator = accounts[Role.ADMINISTRATOR]
        self.demo_family = accounts[Role.FAMILY].family_member
        self.prisoner_count = prisoner_count
        self.today = timezone.localdate()
        self.first_capture = datetime.date(2024, 1, 1)
        self.last_capture = min(self.today, datetime.date(2026, 12, 31))
        self.exchange_a_date = self.today - datetime.timedelta(days=75)
        self.records: list[DemoRecord] = []
        self.service_numbers: set[str] = set()
        self.requests = []
        self.exchange_b_receive: list[DemoRecord] = []

    # Helpers

    def _date_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        start = min(start, self.today)
        end = max(start, min(end, self.today))
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def _audit(self, action: str, target, **changes):
        audit_record(
            actor=self.caseworker, action=action, target=target, reason="Demo data (seed_demo).", changes=changes
        )

    def _by_plan(self, *plans: str, side: str = "own") -> list[DemoRecord]:
        return [record for record in self.records if record.plan in plans and record.side == side]

    # Steps

    def run(self) -> dict:
        self.parties_create()
        self.prisoners_create()
        exchange_a = self.exchange_completed_create()
        exchange_b = self.exchange_open_create()
        self.events_record()
        self.families_create()
        self.submissions_create()
        self.requests_assign()
        self.requests_age()
        return {
            "parties": sorted([self.own.pk, self.opposing.pk, self.mediator.pk]),
            "prisoners": len(self.records),
            "exchanges": [(exchange_a.pk, exchange_a.status), (exchange_b.pk, exchange_b.status)],
            "requests": len(self.requests),
        }

    def parties_create(self):
        created = {}
        for party in (OPPOSING, MEDIATOR, OWN):
            row = Party.objects.create(name=party.name, code=party.code, kind=party.kind)
            audit_record(
                actor=self.administrator,
                action="party.created",
                target=row,
                reason="Demo data (seed_demo).",
                changes={"code": party.code, "kind": party.kind},
            )
            created[party.code] = row
        self.own, self.opposing, self.mediator = created[OWN.code], created[OPPOSING.code], created[MEDIATOR.code]
        self.units = {
            "own": [f"{n}{_ordinal(n)} {self.rng.choice(UNIT_KINDS)} ({OWN.short})" for n in self._unit_numbers()],
            "opposing": [
                f"{n}{_ordinal(n)} {self.rng.choice(UNIT_KINDS)} ({OPPOSING.short})" for n in self._unit_numbers()
            ],
        }

    def _unit_numbers(self) -> list[int]:
        return sorted(self.rng.sample(range(3, 160), 10))

    def prisoners_create(self):
        opposing_count = max(4, round(self.prisoner_count * OPPOSING_SHARE))
        own_counts = _plan_counts(self.prisoner_count - opposing_count, OWN_PLAN)
        opposing_counts = _plan_counts(opposing_count, OPPOSING_PLAN)
        merged_count = own_counts.pop("merged")
        plans = [("own", plan) for plan, count in own_counts.items() for _ in range(count)]
        plans += [("opposing", plan) for plan, count in opposing_counts.items() for _ in range(count)]
        self.rng.shuffle(plans)
        for side, plan in plans:
            self.records.append(self._prisoner_create(side=side, plan=plan))
        survivors = self.rng.sample(self._by_plan("registered", "capture_confirmed"), merged_count)
        for survivor in survivors:
            self.records.append(self._duplicate_create(survivor))

    def _prisoner_create(self, *, side: str, plan: str) -> DemoRecord:
        rng = self.rng
        if side == "own":
            style = _weighted(rng, (("uk", 50), ("ru", 20), ("latin_uk", 15), ("latin_ru", 8), ("foreign", 7)))
            party, holder, towns = self.own, self.opposing, OWN_TOWNS
        else:
            style = _weighted(rng, (("ru", 70), ("latin_ru", 20), ("uk", 10)))
            party, holder, towns = self.opposing, self.own, OPPOSING_TOWNS
        name = demo_name(rng, style=style)
        # The plans that end in an exchange need a capture before it.
        latest = self.exchange_a_date - datetime.timedelta(days=30) if plan in ("exchange_a", "declined") else None
        capture_date = self._date_between(self.first_capture, latest or self.last_capture)
        unknown_capture = plan in ("reported", "closed_not_found", "returned_escaped") and rng.random() < 0.15
        health = _weighted(rng, HEALTH)
        if plan == "returned_released":
            health = HealthStatus.SERIOUSLY_WOUNDED_OR_SICK
        military_status = MilitaryStatus.VOLUNTEER if style == "foreign" else _weighted(rng, MILITARY_STATUSES)
        held = plan not in ("reported", "reported_reopened", "reported_corrected", "closed_not_found")
        data = {
            "surname": name.recorded.surname,
            "given_names": name.recorded.given_names,
            "patronymic": name.recorded.patronymic,
            **self._date_of_birth(capture_date),
            "place_of_birth": f"{rng.choice(towns)}, {party.name.split(' (')[0]}" if rng.random() < 0.7 else "",
            "citizenship": OWN.short if side == "own" and style != "foreign" else "",
            "party": party,
            "rank": _weighted(rng, RANKS),
            "service_number": self._service_number(side) if rng.random() < 0.85 else "",
            "unit": rng.choice(self.units[side]),
            "military_status": military_status,
            "capture_date": None if unknown_capture else capture_date,
            "capture_place": "" if unknown_capture else rng.choice(FRONT_PLACES),
            "holding_party": holder if held or rng.random() < 0.5 else None,
            "place_of_internment": self._internment(side) if held and plan != "returned_escaped" else "",
            "health_status": health,
            "health_notes": rng.choice(HEALTH_NOTES[health]) if health in HEALTH_NOTES else "",
            "repatriation_consent": self._consent(plan, side),
        }
        if side == "opposing":
            source, reason = Source.OFFICIAL_LIST, "Taken prisoner by our forces; recorded from the capture report."
        else:
            source = rng.choice(tuple(OPENINGS))
            reason = OPENINGS[source]
        prisoner = prisoner_create(actor=self.caseworker, data=data, source=source, reason=reason)
        record = DemoRecord(prisoner=prisoner, name=name, plan=plan, side=side)
        self._name_variants_add(record)
        self._facts_record(record)
        self._walk(record)
        return record

    def _date_of_birth(self, capture_date: datetime.date) -> dict:
        born = capture_date - datetime.timedelta(days=self.rng.randint(19 * 365, 58 * 365))
        accuracy = _weighted(self.rng, ((DateAccuracy.DAY, 85), (DateAccuracy.MONTH, 10), (DateAccuracy.YEAR, 5)))
        if accuracy == DateAccuracy.MONTH:
            born = born.replace(day=1)
        elif accuracy == DateAccuracy.YEAR:
            born = born.replace(month=1, day=1)
        return {"date_of_birth": born, "date_of_birth_accuracy": accuracy}

    def _service_number(self, side: str) -> str:
        while True:
            number = (
                f"ES-{self.rng.randint(0, 999_999):06d}" if side == "own" else f"TV{self.rng.randint(0, 9_999_999):07d}"
            )
            if number not in self.service_numbers:
                self.service_numbers.add(number)
                return number

    def _internment(self, side: str) -> str:
        if side == "own":
            return (
                f"Detention centre No. {self.rng.randint(1, 9)}, {self.rng.choice(OPPOSING_TOWNS)} ({OPPOSING.short})"
            )
        return f"POW camp No. {self.rng.randint(1, 3)}, {self.rng.choice(OWN_TOWNS)} ({OWN.short})"

    def _consent(self, plan: str, side: str) -> str:
        # Ours told the ICRC beforehand; theirs refuse at the exchange point, which the entry's outcome records.
        if plan == "declined" and side == "own":
            return RepatriationConsent.DECLINES
        if plan in ("registered", "exchange_a", "returned_released") and self.rng.random() < 0.5:
            return RepatriationConsent.CONSENTS
        return RepatriationConsent.UNKNOWN

    def _name_variants_add(self, record: DemoRecord):
        if not record.name.variants:
            return
        variants = NameVariant.objects.bulk_create(
            NameVariant(
                prisoner=record.prisoner,
                surname=form.surname,
                given_names=form.given_names,
                patronymic=form.patronymic,
                script=form.script,
                source=self.rng.choice((Source.OFFICIAL_LIST, Source.ICRC, Source.FAMILY, Source.MEDIA)),
                note=form.note,
            )
            for form in record.name.variants
        )
        self._audit("prisoner.name_variants_added", record.prisoner, name_variants=[v.pk for v in variants])

    def _facts_record(self, record: DemoRecord):
        """``prisoner_create`` sourced every fact to the list the record was opened from; some came from elsewhere."""
        prisoner = record.prisoner
        facts = {}
        if prisoner.capture_date and record.side == "opposing":
            facts[Fact.CAPTURE] = Source.OFFICIAL_LIST
        if prisoner.health_status not in (HealthStatus.UNKNOWN, HealthStatus.HEALTHY):
            facts[Fact.HEALTH] = self.rng.choice((Source.ICRC, Source.RELEASED_COMRADE))
        if not facts:
            return
        for fact, source in facts.items():
            FactSource.objects.update_or_create(
                prisoner=prisoner, fact=fact, defaults={"source": source, "recorded_by": self.caseworker}
            )
        self._audit("prisoner.fact_sources_recorded", prisoner, sources=facts)

    def _set_status(self, record: DemoRecord, new_status: str, source: str, reason: str, **kwargs):
        change = prisoner_set_status(
            prisoner=record.prisoner,
            new_status=new_status,
            actor=self.caseworker,
            source=source,
            reason=reason,
            **kwargs,
        )
        record.prisoner = change.prisoner

    def _confirm(self, record: DemoRecord):
        if record.side == "opposing":
            self._set_status(record, CaseStatus.CAPTURE_CONFIRMED, Source.OFFICIAL_LIST, "Held in our custody.")
            return
        source = self.rng.choice(tuple(CONFIRMATIONS))
        self._set_status(record, CaseStatus.CAPTURE_CONFIRMED, source, CONFIRMATIONS[source])
        if source == Source.VIDEO:
            prisoner = record.prisoner
            evidence = Evidence.objects.create(
                prisoner=prisoner,
                kind=EvidenceKind.LINK,
                description="Captivity video (fictional demo link)",
                source=Source.VIDEO,
                url=f"https://video.example.test/demo/{prisoner.pk}",
                identified_by="Family member",
                identified_on=self._date_between(prisoner.capture_date or self.first_capture, self.today),
                uploaded_by=self.caseworker,
            )
            self._audit("prisoner.evidence_added", prisoner, evidence=evidence.pk, kind=EvidenceKind.LINK)

    def _register(self, record: DemoRecord):
        if record.side == "opposing":
            reason = "Registered as a prisoner of war and notified to the ICRC (GC III Art. 122)."
            self._set_status(record, CaseStatus.REGISTERED, Source.OFFICIAL_LIST, reason)
            return
        source = self.rng.choice(tuple(REGISTRATIONS))
        self._set_status(record, CaseStatus.REGISTERED, source, REGISTRATIONS[source])

    def _walk(self, record: DemoRecord):
        """Walk the record through legal moves to where its plan ends."""
        plan = record.plan
        if plan == "reported_reopened":
            self._set_status(record, CaseStatus.CLOSED_NOT_FOUND, Source.CASEWORKER, "No trace found on any list.")
            self._set_status(record, CaseStatus.REPORTED, Source.FAMILY, "Reopened: the family sent new information.")
        elif plan == "reported_corrected":
            self._confirm(record)
            reason = "The person in the video was not him: identification withdrawn."
            self._set_status(record, CaseStatus.REPORTED, Source.CASEWORKER, reason)
        elif plan == "closed_not_found":
            reason = "No trace found on any list, and no evidence of captivity."
            self._set_status(record, CaseStatus.CLOSED_NOT_FOUND, Source.CASEWORKER, reason)
        elif plan == "returned_escaped":
            self._set_status(record, CaseStatus.RETURNED, Source.UNIT, "Escaped and reached our lines.")
            record.events.append((CaseEventKind.ESCAPE, Source.UNIT))
        elif plan in ("capture_confirmed", "registered", "exchange_a", "returned_released", "deceased", "declined"):
            self._confirm(record)
            # Some die before they are registered.
            if plan != "capture_confirmed" and not (plan == "deceased" and self.rng.random() < 0.4):
                self._register(record)
            if plan == "returned_released":
                reason = "Repatriated directly as seriously wounded (GC III Art. 110), through the ICRC."
                self._set_status(record, CaseStatus.RETURNED, Source.ICRC, reason)
                record.events += [(CaseEventKind.RELEASE, Source.ICRC), (CaseEventKind.REPATRIATION, Source.ICRC)]
            elif plan == "deceased":
                source = self.rng.choice((Source.ICRC, Source.OFFICIAL_LIST, Source.RELEASED_COMRADE))
                self._set_status(record, CaseStatus.DECEASED, source, "Death in captivity reported.")
                record.events.append((CaseEventKind.DEATH, source))
            elif plan == "declined" and record.side == "own":
                reason = "Told the ICRC delegate that he does not wish to be repatriated now."
                self._set_status(record, CaseStatus.DECLINED_REPATRIATION, Source.ICRC, reason)

    def _duplicate_create(self, survivor: DemoRecord) -> DemoRecord:
        """A second record of the same man, opened from a list that spelled him differently, then merged."""
        original = survivor.prisoner
        form = self.rng.choice(survivor.name.variants) if survivor.name.variants else survivor.name.recorded
        data = {
            "surname": form.surname,
            "given_names": form.given_names,
            "patronymic": form.patronymic,
            "date_of_birth": original.date_of_birth.replace(month=1, day=1),
            "date_of_birth_accuracy": DateAccuracy.YEAR,
            "party": original.party,
            "unit": original.unit,
            "capture_date": original.capture_date,
            "holding_party": original.holding_party,
        }
        prisoner = prisoner_create(
            actor=self.caseworker, data=data, source=Source.ICRC, reason="Opened from a name on an ICRC list."
        )
        record = DemoRecord(prisoner=prisoner, name=DemoName(form, (), "", ""), plan="merged", side="own")
        reason = f"Duplicate of record #{original.pk}: the same man, his name spelled differently on a list."
        self._set_status(record, CaseStatus.MERGED, Source.CASEWORKER, reason, merged_into=original)
        return record

    def _entry_add(self, exchange, record: DemoRecord, direction: str) -> ExchangeEntry:
        return exchange_entry_add(
            exchange=exchange, prisoner=record.prisoner, direction=direction, actor=self.coordinator
        )

    def exchange_completed_create(self):
        """An exchange walked to ``completed``: completing it returns everyone marked returned."""
        exchange = exchange_create(
            actor=self.coordinator,
            title=f"Exchange of {self.exchange_a_date:%d %B %Y} (fictional demo)",
            our_party=self.own,
            other_party=self.opposing,
            mediator=self.mediator,
            planned_date=self.exchange_a_date,
            notes="Fictional demo data.",
        )
        returning = self._by_plan("exchange_a") + self._by_plan("exchange_a", side="opposing")
        declining = self._by_plan("declined", side="opposing")
        on_time = [r for r in self._by_plan("registered") if r.prisoner.capture_date < self.exchange_a_date]
        missing = self.rng.sample(on_time, max(1, round(len(returning) * 0.15)))
        withdrawn = self.rng.choice([r for r in on_time if r not in missing])
        outcomes = []
        for record in [*returning, *declining, *missing, withdrawn]:
            direction = Direction.RECEIVE if record.side == "own" else Direction.HAND_OVER
            entry = self._entry_add(exchange, record, direction)
            if record in missing:
                outcomes.append((entry, EntryOutcome.NOT_PRESENTED, "Not brought to the exchange point."))
            elif record in declining:
                outcomes.append((entry, EntryOutcome.DECLINED, "Refused to board at the exchange point."))
            elif record is withdrawn:
                outcomes.append((entry, EntryOutcome.WITHDRAWN, "The other side disputed his status."))
            else:
                outcomes.append((entry, EntryOutcome.RETURNED, ""))
        self._exchange_move(exchange, ExchangeStatus.PROPOSED, "List sent to the other side through the mediator.")
        self._exchange_move(exchange, ExchangeStatus.AGREED, "Lists agreed through the mediator.")
        for entry, outcome, reason in outcomes:
            exchange_entry_set_outcome(entry=entry, outcome=outcome, actor=self.coordinator, reason=reason)
        exchange = self._exchange_move(exchange, ExchangeStatus.COMPLETED, "Exchange carried out.")
        for record in returning:
            record.prisoner.refresh_from_db()
            record.events.append((CaseEventKind.REPATRIATION, Source.OFFICIAL_LIST))
        for record in declining:
            reason = f"Declined repatriation at the exchange #{exchange.pk}."
            self._set_status(record, CaseStatus.DECLINED_REPATRIATION, Source.OFFICIAL_LIST, reason)
        return exchange

    def _exchange_move(self, exchange, new_status: str, reason: str):
        return exchange_set_status(
            exchange=exchange, new_status=new_status, actor=self.coordinator, reason=reason
        ).exchange

    def exchange_open_create(self):
        """An exchange being negotiated: proposed, its list confidential."""
        planned = self.today + datetime.timedelta(days=21)
        exchange = exchange_create(
            actor=self.coordinator,
            title=f"Exchange planned for {planned:%d %B %Y} (fictional demo)",
            our_party=self.own,
            other_party=self.opposing,
            mediator=self.mediator,
            planned_date=planned,
            notes="Fictional demo data. Negotiation in progress.",
        )
        receive_count = max(3, round(self.prisoner_count * 0.05))
        hand_over_count = max(1, round(self.prisoner_count * 0.017))
        # Assembled as a coordinator would: the top of the pool by the priority rules.
        received = exchange_assemble(
            exchange=exchange, direction=Direction.RECEIVE, count=receive_count, actor=self.coordinator
        )
        exchange_assemble(
            exchange=exchange, direction=Direction.HAND_OVER, count=hand_over_count, actor=self.coordinator
        )
        on_list = {entry.prisoner_id for entry in received}
        self.exchange_b_receive = [record for record in self.records if record.prisoner.pk in on_list]
        return self._exchange_move(
            exchange, ExchangeStatus.PROPOSED, "List sent to the other side through the mediator."
        )

    def events_record(self):
        """The Art. 122(5) timeline: capture, hospital, transfers, health updates, and the plan's own events."""
        rng = self.rng
        for record in self.records:
            prisoner = record.prisoner
            if record.plan == "merged":
                continue
            captured = prisoner.capture_date or self.first_capture
            held = prisoner.status in (CaseStatus.CAPTURE_CONFIRMED, CaseStatus.REGISTERED)
            events = []
            if prisoner.capture_date and prisoner.status != CaseStatus.REPORTED and rng.random() < 0.7:
                events.append((CaseEventKind.CAPTURE, Source.OFFICIAL_LIST, captured, prisoner.capture_place))
            wounded = prisoner.health_status == HealthStatus.WOUNDED and rng.random() < 0.5
            if wounded or prisoner.is_seriously_wounded_or_sick:
                on = self._date_between(captured, captured + datetime.timedelta(days=20))
                events.append((CaseEventKind.HOSPITAL_ADMISSION, Source.ICRC, on, ""))
            if prisoner.is_seriously_wounded_or_sick and held:
                for weeks in (2, 1):
                    on = max(captured, self.today - datetime.timedelta(weeks=weeks))
                    events.append((CaseEventKind.HEALTH_UPDATE, Source.ICRC, on, ""))
            if prisoner.status == CaseStatus.REGISTERED and rng.random() < 0.3:
                on = self._date_between(captured + datetime.timedelta(days=7), self.today)
                events.append((CaseEventKind.TRANSFER, Source.ICRC, on, prisoner.place_of_internment))
            # The plan's own events (escape, release, repatriation, death) happened on one day.
            on = self._date_between(captured + datetime.timedelta(days=14), self.today)
            if record.plan == "exchange_a":
                on = self.exchange_a_date
            events += [(kind, source, on, "") for kind, source in record.events]
            if events:
                self._events_record(prisoner, events)

    def _events_record(self, prisoner: Prisoner, events: list[tuple]):
        rows = CaseEvent.objects.bulk_create(
            CaseEvent(
                prisoner=prisoner,
                kind=kind,
                occurred_on=occurred_on,
                place=place,
                source=source,
                recorded_by=self.caseworker,
                **(
                    {"cause_of_death": self.rng.choice(CAUSES_OF_DEATH), "burial_place": "Not known"}
                    if kind == CaseEventKind.DEATH
                    else {}
                ),
            )
            for kind, source, occurred_on, place in events
        )
        self._audit("prisoner.events_recorded", prisoner, case_events={row.pk: row.kind for row in rows})

    # Families

    def families_create(self):
        rng = self.rng
        family_count = max(6, round(self.prisoner_count * 40 / 300))
        # Few requests: filing one hashes its access code, which is slow on purpose.
        filing_count = max(len(set(REQUEST_CYCLE)), round(self.prisoner_count * 0.05))
        demo_relatives = self._demo_family_relatives()
        taken = {r.prisoner.pk for r in demo_relatives.values()}
        candidates = [r for r in self.records if r.side == "own" and r.plan != "merged" and r.prisoner.pk not in taken]
        rng.shuffle(candidates)
        early = [r for r in candidates if r.prisoner.status in (CaseStatus.REPORTED, CaseStatus.CAPTURE_CONFIRMED)]
        later = [r for r in candidates if r not in early]
        group = Group.objects.get(name=Role.FAMILY)
        for number in range(1, family_count + 1):
            outcome = REQUEST_CYCLE[(number - 1) % len(REQUEST_CYCLE)] if number <= filing_count else None
            open_request = outcome in (RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW, RequestStatus.INFO_REQUESTED)
            pool = early if open_request and early else later or early
            record = pool.pop()
            kind = _weighted(rng, RELATIONSHIP_KINDS)
            member = self._family_member_create(number, group=group, record=record, kind=kind)
            relationship = relationship_create(
                family_member=member, prisoner=record.prisoner, kind=kind, actor=self.caseworker
            )
            if outcome is None:
                verified = rng.random() < 0.9
            elif outcome == RequestStatus.ACCEPTED:
                verified = True
                self._request_file(member, outcome, kind=kind, about=record)
            elif open_request:
                verified = False
                self._request_file(member, outcome, kind=kind, about=record)
            else:
                # A request about another relative, which went nowhere.
                verified = rng.random() < 0.9
                self._request_file(member, outcome, kind=RelationshipKind.OTHER_RELATIVE, about=None)
            if verified:
                relationship_verify(relationship=relationship, actor=self.caseworker, reason=rng.choice(VERIFICATIONS))
        for number, outcome in enumerate((RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW), start=1):
            self._request_file(None, outcome, kind=RelationshipKind.MOTHER, about=None, anonymous_number=number)
        self._demo_family_create(demo_relatives)

    def _demo_family_relatives(self) -> dict[str, DemoRecord]:
        """demo-family's son on the open exchange's list, husband back home, and brother not yet registered."""
        returned = [r for r in self._by_plan("exchange_a") if r.prisoner.status == CaseStatus.RETURNED]
        confirmed = self._by_plan("capture_confirmed")
        return {"son": self.exchange_b_receive[0], "husband": returned[0], "brother": confirmed[0]}

    def _demo_family_create(self, relatives: dict[str, DemoRecord]):
        member = self.demo_family
        ties = {
            "son": RelationshipKind.MOTHER,
            "husband": RelationshipKind.SPOUSE,
            "brother": RelationshipKind.SIBLING,
        }
        for who, kind in ties.items():
            relationship = relationship_create(
                family_member=member, prisoner=relatives[who].prisoner, kind=kind, actor=self.caseworker
            )
            if who != "brother":
                relationship_verify(relationship=relationship, actor=self.caseworker, reason=VERIFICATIONS[0])
        son, brother = relatives["son"], relatives["brother"]
        self._request_file(member, RequestStatus.ACCEPTED, kind=RelationshipKind.MOTHER, about=son, detour=True)
        self._request_file(member, RequestStatus.IN_REVIEW, kind=RelationshipKind.SIBLING, about=brother)
        for outcome in (
            RequestStatus.INFO_REQUESTED,
            RequestStatus.SUBMITTED,
            RequestStatus.REJECTED,
            RequestStatus.WITHDRAWN,
        ):
            self._request_file(member, outcome, kind=RelationshipKind.OTHER_RELATIVE, about=None)

    def submissions_create(self):
        """The official-registration track: registered cases confirmed, confirmed ones waiting, some past due."""
        rng = self.rng
        for record in self._by_plan("registered")[:8]:
            submitted = self._date_between(record.prisoner.capture_date or self.first_capture, self.today)
            submission = self._submission_create(record, submitted)
            official_submission_confirm(
                submission=submission, actor=self.caseworker, confirmed_on=self._date_between(submitted, self.today)
            )
        waiting = [r for r in self._by_plan("capture_confirmed") if r.prisoner.status == CaseStatus.CAPTURE_CONFIRMED]
        for record in waiting[1::2]:
            submitted = self.today - datetime.timedelta(days=rng.randint(3, 60))
            submission = self._submission_create(record, submitted)
            if rng.random() < 0.5:
                acknowledged = self._date_between(submitted, submitted + datetime.timedelta(days=10))
                official_submission_acknowledge(
                    submission=submission,
                    actor=self.caseworker,
                    acknowledged_on=acknowledged,
                    confirmation_due_on=acknowledged + datetime.timedelta(days=settings.SUBMISSION_CONFIRMATION_DAYS),
                    reference=f"ACK-{submission.pk:05d}",
                )

    def _submission_create(self, record: DemoRecord, submitted: datetime.date):
        authority = self.rng.choice(("icrc", "national"))
        return official_submission_create(
            prisoner=record.prisoner,
            actor=self.caseworker,
            data={
                "authority": authority,
                "channel": "portal" if authority == "icrc" else "email",
                "reference": f"DEMO-{record.prisoner.pk:05d}",
                "submitted_on": submitted,
                "acknowledgement_due_on": submitted + datetime.timedelta(days=settings.SUBMISSION_ACKNOWLEDGEMENT_DAYS),
                "note": "Demo data (seed_demo).",
            },
        )

    def requests_assign(self):
        """A third of the open requests are on the demo caseworker's desk."""
        for request in self.requests[::3]:
            request.refresh_from_db()
            if request.is_open:
                registration_request_assign(request=request, assignee=self.caseworker, actor=self.caseworker)

    def requests_age(self):
        """Requests filed over the last weeks rather than all today, so that some wait past their review time."""
        for request in self.requests:
            age = datetime.timedelta(days=self.rng.randint(1, 3 * settings.REQUEST_REVIEW_DAYS))
            RegistrationRequest.objects.filter(pk=request.pk).update(
                created_at=F("created_at") - age,
                updated_at=F("updated_at") - age,
                status_changed_at=F("status_changed_at") - age,
            )
            RequestStatusChange.objects.filter(request=request).update(created_at=F("created_at") - age)
            RequestMessage.objects.filter(request=request).update(created_at=F("created_at") - age)

    def _family_member_create(self, number: int, *, group, record: DemoRecord, kind: str) -> FamilyMember:
        rng = self.rng
        username = f"family-{number:02d}"
        # No password: demo relatives never sign in, only demo-family does.
        user = User.objects.create_user(username=username, email=f"{username}@example.test")
        user.groups.add(group)
        audit_record(
            actor=None,
            action="account.created",
            target=user,
            reason="Demo account (seed_demo).",
            changes={"role": Role.FAMILY},
        )
        language = record.name.language if record.name.language in ("uk", "ru") else Language.ENGLISH
        if rng.random() < 0.15:
            language = Language.ENGLISH
        female = kind in FEMALE_KINDS or (kind != RelationshipKind.FATHER and rng.random() < 0.5)
        full_name = demo_relative_name(rng, name=record.name, female=female, latin=language == Language.ENGLISH)
        # A number from the range Ofcom keeps for drama: it reaches nobody.
        phone = f"+44 7700 900{number:03d}" if rng.random() < 0.7 else ""
        telegram = f"@demo_family_{number:02d}" if rng.random() < 0.2 else ""
        return family_member_create(
            user=user,
            actor=user,
            full_name=full_name,
            phone=phone,
            telegram_handle=telegram,
            preferred_language=language,
            notify_by_sms=bool(phone) and rng.random() < 0.4,
            notify_by_telegram=bool(telegram),
        )

    def _request_data(self, *, about: DemoRecord | None, language: str) -> dict:
        rng = self.rng
        if about is None:
            style = {"uk": "uk", "ru": "ru"}.get(language, "latin_uk")
            form = demo_name(rng, style=style).recorded
            last_contact = self._date_between(self.first_capture, self.today)
            return {
                "surname": form.surname,
                "given_names": form.given_names,
                "patronymic": form.patronymic,
                **self._date_of_birth(last_contact),
                "party": self.own,
                "last_contact_on": last_contact,
                "circumstances": rng.choice(CIRCUMSTANCES),
            }
        prisoner = about.prisoner
        # Families spell the name their own way; matching finds the record.
        form = rng.choice([about.name.recorded, *about.name.variants])
        data = {
            "surname": form.surname,
            "given_names": form.given_names,
            "patronymic": form.patronymic,
            "date_of_birth": prisoner.date_of_birth,
            "date_of_birth_accuracy": prisoner.date_of_birth_accuracy,
            "party": self.own,
            "rank": prisoner.rank,
            "unit": prisoner.unit,
            "military_status": prisoner.military_status,
            "circumstances": rng.choice(CIRCUMSTANCES),
        }
        if prisoner.capture_date:
            data["last_contact_on"] = prisoner.capture_date - datetime.timedelta(days=rng.randint(0, 5))
            data["capture_date"] = prisoner.capture_date if rng.random() < 0.5 else None
        return data

    def _request_file(
        self, member, outcome: str, *, kind: str, about: DemoRecord | None, detour=False, anonymous_number=0
    ):
        """File a request and review it to ``outcome``; ``detour`` asks the family a question on the way."""
        rng = self.rng
        if member is None:
            filer = {
                "filer_name": f"Anonymous filer {anonymous_number} (fictional)",
                "filer_email": f"relative-{anonymous_number:02d}@example.test",
                "language": Language.ENGLISH,
            }
            actor = None
        else:
            filer = {
                "filer_name": member.full_name,
                "filer_email": member.user.email,
                "filer_phone": member.phone,
                "language": member.preferred_language,
            }
            actor = member.user
        data = {**filer, "filer_relationship": kind, **self._request_data(about=about, language=filer["language"])}
        request, _access_code = registration_request_file(filed_by=member, actor=actor, data=data, consent=True)
        self.requests.append(request)

        def move(new_status, *, by=self.caseworker, reason="", **kwargs):
            registration_request_set_status(request=request, new_status=new_status, actor=by, reason=reason, **kwargs)

        if outcome == RequestStatus.SUBMITTED:
            return
        if outcome == RequestStatus.WITHDRAWN:
            if rng.random() < 0.5:
                move(RequestStatus.IN_REVIEW)
            move(RequestStatus.WITHDRAWN, by=actor, reason=rng.choice(WITHDRAWALS))
            return
        move(RequestStatus.IN_REVIEW)
        if outcome == RequestStatus.INFO_REQUESTED or detour:
            move(RequestStatus.INFO_REQUESTED, reason=rng.choice(INFO_REQUESTS))
            if outcome == RequestStatus.INFO_REQUESTED:
                return
            move(RequestStatus.IN_REVIEW, reason="The family sent the information.")
        if outcome == RequestStatus.ACCEPTED:
            move(RequestStatus.ACCEPTED, reason="Matched to the prisoner record.", prisoner=about.prisoner)
        elif outcome == RequestStatus.REJECTED:
            move(RequestStatus.REJECTED, reason=rng.choice(REJECTIONS))


def _ordinal(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def demo_accounts_ensure() -> dict[str, User]:
    """Create the demo accounts that do not exist yet.

    An existing account is left as it is: whoever changed its password or its
    role meant to, and a re-run must not put a published password back.
    """
    users = {}
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User.objects.create_user(
                username=account.username,
                email=f"{account.username}@example.test",
                password=account.password,
                is_staff=account.role == Role.ADMINISTRATOR,
            )
            user.groups.add(Group.objects.get(name=account.role))
            # Demo accounts sign in at once: their address counts as confirmed.
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            if account.role in STAFF_ROLES:
                TOTP.activate(user, DEMO_TOTP_SECRET)
            audit_record(
                actor=None,
                action="account.created",
                target=user,
                reason="Demo account (seed_demo).",
                changes={"role": account.role},
            )
        users[account.role] = user
    family_user = users[Role.FAMILY]
    if not FamilyMember.objects.filter(user=family_user).exists():
        family_member_create(user=family_user, actor=family_user, full_name=DEMO_FAMILY_NAME)
    return users


class Command(BaseCommand):
    help = "Fill the database with fictional demo data and create one demo account per role. Never for production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--prisoners",
            type=int,
            default=DEFAULT_PRISONERS,
            help=f"How many prisoner records to create (default {DEFAULT_PRISONERS}, at least {MIN_PRISONERS}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo accounts have published passwords: never on production.",
        )

    def handle(self, *args, prisoners: int, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo writes fictional demo data and demo accounts with published passwords, so it "
                "refuses to run with DEBUG off. Never run it on production; to seed a throwaway "
                "database with DEBUG off, pass --force."
            )
        if prisoners < MIN_PRISONERS:
            raise CommandError(f"--prisoners must be at least {MIN_PRISONERS} to cover every status.")
        started = time.monotonic()
        with transaction.atomic():
            users = demo_accounts_ensure()
            marker = Party.objects.filter(code=MARKER_PARTY_CODE).first()
            summary = None
            if marker is None:
                since = timezone.now()
                summary = DemoSeed(rng=random.Random(SEED), accounts=users, prisoner_count=prisoners).run()
                # The demo's history is nobody's news: no family is told of it.
                notifications_silence(since=since)
        elapsed = time.monotonic() - started
        if summary is None:
            self.stdout.write(f"Demo data already present (party #{marker.pk}): nothing added ({elapsed:.1f} s).")
        else:
            exchanges = ", ".join(f"#{pk} {status}" for pk, status in summary["exchanges"])
            self.stdout.write(
                f"Demo data created in {elapsed:.1f} s: parties {', '.join(f'#{pk}' for pk in summary['parties'])}; "
                f"{summary['prisoners']} prisoners; {summary['requests']} registration requests; "
                f"exchanges {exchanges}."
            )
        self.stdout.write("")
        self.stdout.write("Demo accounts (fictional data; published passwords, never for production):")
        self.stdout.write(f"  {'role':<15}{'username':<20}password (as created; an existing account is left as it is)")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.role:<15}{account.username:<20}{account.password}")
        self.stdout.write(
            f"Staff accounts then ask for a code: add the key {DEMO_TOTP_SECRET} to an authenticator app "
            "(time-based, 6 digits)."
        )
