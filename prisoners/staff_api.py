"""A prisoner record in the staff API, under /api/v1/staff/prisoners/<id>/: the record page's reads and actions.

One view per action: it checks the input, calls the selector or service the
page calls, and serializes the result. Every staff member reads records and
their audit trail; only caseworkers change them. A read of a record is in the
audit trail, as on the page.
"""

from collections.abc import Mapping

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.audit import audit_record
from core.errors import DomainError, refuse_unknown_fields
from core.roles import Capability
from core.staff import StaffApiView, staff_permission
from families.models import RegistrationRequest, Relationship
from families.serializers import ApiDetailSerializer, ApiErrorSerializer, input_validated
from prisoners.models import (
    CaseEvent,
    CaseStatus,
    Evidence,
    EvidenceKind,
    Fact,
    FactSource,
    MatchCandidate,
    NameVariant,
    Prisoner,
    Source,
    StatusChange,
)
from prisoners.selectors import (
    RECORD_FIELDS,
    audit_entry,
    case_timeline,
    prisoner_audit_events,
    prisoner_for_staff,
    prisoner_record,
)
from prisoners.services import (
    EVENT_FIELDS,
    case_event_record,
    name_variant_add,
    name_variant_remove,
    prisoner_merge,
    prisoner_set_status,
    prisoner_update,
)

TAGS = ["staff: prisoner records"]
REFUSED = OpenApiResponse(ApiErrorSerializer, description=_("Bad input, or the action is not possible now."))
STALE = OpenApiResponse(
    ApiErrorSerializer,
    description=_("Someone else changed the record since the given version (code `stale`); nothing was saved."),
)
NOT_SIGNED_IN = OpenApiResponse(ApiDetailSerializer, description=_("Not signed in."))
NOT_ALLOWED = OpenApiResponse(ApiDetailSerializer, description=_("Your role does not allow this."))
NOT_FOUND = OpenApiResponse(ApiDetailSerializer, description=_("No such record, or not a staff account."))
ACCESS = {401: NOT_SIGNED_IN, 403: NOT_ALLOWED, 404: NOT_FOUND}


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _source_fields(source: FactSource | None) -> dict:
    if source is None:
        return {"source": None, "detail": "", "recorded_at": None, "recorded_by": None}
    return {
        "source": source.source,
        "detail": source.detail,
        "recorded_at": source.recorded_at,
        "recorded_by": _username(source.recorded_by),
    }


class UsernameField(serializers.SlugRelatedField):
    """A staff account, by its user name; null when none was recorded or the account is gone."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", read_only=True, allow_null=True, **kwargs)


@extend_schema_serializer(component_name="StaffPrisonerProvenance")
class ProvenanceSerializer(serializers.Serializer):
    """Where one fact of the record came from; the source is null when nobody recorded one."""

    fact = serializers.ChoiceField(choices=Fact.choices)
    source = serializers.ChoiceField(choices=Source.choices, allow_null=True)
    detail = serializers.CharField()
    recorded_at = serializers.DateTimeField(allow_null=True)
    recorded_by = serializers.CharField(allow_null=True)


@extend_schema_serializer(component_name="StaffPrisonerNameVariant")
class NameVariantSerializer(serializers.ModelSerializer):
    class Meta:
        model = NameVariant
        fields = ["id", "surname", "given_names", "patronymic", "script", "source", "note", "created_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="StaffPrisonerEvidence")
class EvidenceSerializer(serializers.ModelSerializer):
    """A link with who identified him, or a file with its hash; files download at ``download_url``."""

    uploaded_by = UsernameField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "description",
            "source",
            "url",
            "identified_by",
            "identified_on",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "uploaded_by",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, evidence: Evidence) -> str | None:
        if evidence.kind != EvidenceKind.FILE:
            return None
        return reverse("prisoners:evidence_file", args=[evidence.pk])


@extend_schema_serializer(component_name="StaffPrisonerTimelineEntry")
class TimelineEntrySerializer(serializers.Serializer):
    """A status change (``kind`` = ``status``) or an Art. 122(5) event (``kind`` = ``event``)."""

    kind = serializers.ChoiceField(choices=["status", "event"])
    occurred_on = serializers.DateField(allow_null=True)
    recorded_at = serializers.DateTimeField()
    title = serializers.CharField()
    source = serializers.ChoiceField(choices=Source.choices)
    actor = serializers.SerializerMethodField()
    reason = serializers.CharField()
    details = serializers.CharField()
    place = serializers.CharField()
    old_status = serializers.CharField()
    new_status = serializers.CharField()
    event_kind = serializers.CharField()
    cause_of_death = serializers.CharField()
    burial_place = serializers.CharField()
    is_reversal = serializers.BooleanField()

    def get_actor(self, entry) -> str | None:
        return _username(entry.actor)


@extend_schema_serializer(component_name="StaffPrisonerRelationship")
class RelationshipSerializer(serializers.ModelSerializer):
    family_member_name = serializers.CharField(source="family_member.full_name")
    verified_by = UsernameField()

    class Meta:
        model = Relationship
        fields = ["id", "family_member", "family_member_name", "kind", "verified_at", "verified_by"]
        read_only_fields = fields


@extend_schema_serializer(component_name="StaffPrisonerRequest")
class RequestSerializer(serializers.ModelSerializer):
    assigned_to = UsernameField()

    class Meta:
        model = RegistrationRequest
        fields = ["reference", "status", "created_at", "status_changed_at", "assigned_to"]
        read_only_fields = fields


@extend_schema_serializer(component_name="StaffPrisonerDuplicateCandidate")
class DuplicateCandidateSerializer(serializers.ModelSerializer):
    """Another record that may be the same person, not yet decided."""

    candidate_name = serializers.CharField(source="candidate.full_name")
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = MatchCandidate
        fields = ["id", "candidate", "candidate_name", "score", "confidence", "reasons"]
        read_only_fields = fields

    def get_reasons(self, match: MatchCandidate) -> list[str]:
        # Stored in English, the source language of their translations.
        return [gettext(reason) for reason in match.reasons]


@extend_schema_serializer(component_name="StaffPrisonerStatusChange")
class StatusChangeSerializer(serializers.ModelSerializer):
    actor = UsernameField()

    class Meta:
        model = StatusChange
        fields = ["id", "old_status", "new_status", "source", "reason", "is_reversal", "created_at", "actor"]
        read_only_fields = fields


@extend_schema_serializer(component_name="StaffPrisonerAuditChange")
class AuditChangeSerializer(serializers.Serializer):
    """A field that went from ``old`` to ``new`` (``is_change``), or a value the event noted."""

    name = serializers.CharField()
    label = serializers.CharField()
    is_change = serializers.BooleanField()
    old = serializers.JSONField()
    new = serializers.JSONField()
    value = serializers.JSONField()


@extend_schema_serializer(component_name="StaffPrisonerAuditEntry")
class AuditEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    who = serializers.CharField(help_text=_("The account's user name, or its anonymised label once erased."))
    action = serializers.CharField()
    action_label = serializers.CharField()
    evidence_id = serializers.IntegerField(
        allow_null=True, help_text=_("Set when the event is about a piece of the record's evidence.")
    )
    reason = serializers.CharField()
    changes = AuditChangeSerializer(many=True)


@extend_schema_serializer(component_name="StaffPrisonerState")
class PrisonerStateSerializer(serializers.ModelSerializer):
    """Where a record's case stands, and the version the next change must name."""

    class Meta:
        model = Prisoner
        fields = ["id", "status", "status_changed_at", "merged_into", "version"]
        read_only_fields = fields


@extend_schema_serializer(component_name="StaffPrisonerRecord")
class PrisonerRecordSerializer(serializers.ModelSerializer):
    """A record with the source of each fact, its spellings, evidence, timeline, relatives and requests.

    ``candidate_duplicates`` are the records that may be the same person, not yet decided.
    """

    provenance = serializers.SerializerMethodField()
    name_variants = NameVariantSerializer(many=True)
    evidence = EvidenceSerializer(many=True)
    timeline = serializers.SerializerMethodField()
    relationships = RelationshipSerializer(many=True)
    requests = RequestSerializer(many=True, source="registration_requests")
    candidate_duplicates = DuplicateCandidateSerializer(many=True, source="open_duplicates")

    class Meta:
        model = Prisoner
        fields = [
            "id",
            *RECORD_FIELDS,
            "status",
            "status_changed_at",
            "merged_into",
            "version",
            "created_at",
            "updated_at",
            "provenance",
            "name_variants",
            "evidence",
            "timeline",
            "relationships",
            "requests",
            "candidate_duplicates",
        ]
        read_only_fields = fields

    @extend_schema_field(ProvenanceSerializer(many=True))
    def get_provenance(self, prisoner: Prisoner):
        sources = {source.fact: source for source in prisoner.fact_sources.all()}
        rows = [{"fact": fact, **_source_fields(sources.get(fact))} for fact in Fact.values]
        return ProvenanceSerializer(rows, many=True).data

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, prisoner: Prisoner):
        return TimelineEntrySerializer(case_timeline(prisoner), many=True).data


class PrisonerDetailApi(StaffApiView):
    """Read a record (every staff member), or edit its facts (caseworkers)."""

    @extend_schema_serializer(component_name="StaffPrisonerEditInput")
    class InputSerializer(serializers.ModelSerializer):
        version = serializers.IntegerField(min_value=1, help_text=_("The version of the record you read."))
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2_000)
        source = serializers.ChoiceField(choices=Source.choices, help_text=_("Where the changed facts come from."))
        source_detail = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

        class Meta:
            model = Prisoner
            fields = [*RECORD_FIELDS, "version", "reason", "source", "source_detail"]
            extra_kwargs = {name: {"required": False} for name in RECORD_FIELDS}
            # The record's own rules are checked once, by ``prisoner_update``, with its messages.
            validators = []

    def get_permissions(self):
        capability = Capability.VIEW_PRISONERS if self.request.method in SAFE_METHODS else Capability.EDIT_PRISONERS
        return [staff_permission(capability)()]

    @extend_schema(
        operation_id="staff_prisoners_retrieve",
        tags=TAGS,
        summary=_("A prisoner record"),
        description=_("The record with everything its page shows. Each read is in the audit trail."),
        responses={200: PrisonerRecordSerializer, **ACCESS},
    )
    def get(self, request, pk: int):
        prisoner = prisoner_record(pk=pk)
        with transaction.atomic():
            audit_record(actor=request.user, action="prisoner.viewed", target=prisoner)
        return Response(PrisonerRecordSerializer(prisoner).data)

    @extend_schema(
        operation_id="staff_prisoners_update",
        tags=TAGS,
        summary=_("Edit a prisoner record"),
        description=_(
            "Send the fields that change, the `version` you read and the `source` of the new facts. "
            "If someone saved the record since that version, nothing is saved (409, code `stale`)."
        ),
        request=InputSerializer,
        responses={200: PrisonerStateSerializer, 400: REFUSED, 409: STALE, **ACCESS},
    )
    def patch(self, request, pk: int):
        prisoner = prisoner_for_staff(pk=pk)
        if isinstance(request.data, Mapping):
            refuse_unknown_fields(request.data, self.InputSerializer().fields)
        data = dict(input_validated(self.InputSerializer, data=request.data))
        version, reason = data.pop("version"), data.pop("reason")
        source, source_detail = data.pop("source"), data.pop("source_detail")
        try:
            prisoner = prisoner_update(
                prisoner=prisoner,
                version=version,
                actor=request.user,
                data=data,
                reason=reason,
                source=source,
                source_detail=source_detail,
            )
        except DomainError as error:
            if error.code != "stale":
                raise
            body = {"detail": str(error.message), "code": error.code, "fields": error.fields}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(PrisonerStateSerializer(prisoner).data)


class PrisonerStatusApi(StaffApiView):
    permission_classes = [staff_permission(Capability.CHANGE_PRISONER_STATUS)]

    @extend_schema_serializer(component_name="StaffPrisonerStatusInput")
    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=[choice for choice in CaseStatus.choices if choice[0] != CaseStatus.MERGED],
            help_text=_("The new status; a merge has its own endpoint."),
        )
        source = serializers.ChoiceField(choices=Source.choices)
        reason = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=2_000,
            help_text=_("Required when the status moves back."),
        )
        version = serializers.IntegerField(min_value=1, help_text=_("The version of the record you read."))

    @extend_schema_serializer(component_name="StaffPrisonerStatusOutput")
    class OutputSerializer(serializers.Serializer):
        record = PrisonerStateSerializer()
        change = StatusChangeSerializer()

    @extend_schema(
        operation_id="staff_prisoners_status",
        tags=TAGS,
        summary=_("Change the status of a case"),
        description=_("Only moves allowed from the current status; a move backwards needs a reason."),
        request=InputSerializer,
        responses={201: OutputSerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int):
        prisoner = prisoner_for_staff(pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        change = prisoner_set_status(
            prisoner=prisoner,
            new_status=data["status"],
            actor=request.user,
            source=data["source"],
            reason=data["reason"],
            version=data["version"],
        )
        result = {"record": change.prisoner, "change": change}
        return Response(self.OutputSerializer(result).data, status=status.HTTP_201_CREATED)


class PrisonerEventCreateApi(StaffApiView):
    permission_classes = [staff_permission(Capability.EDIT_PRISONERS)]

    @extend_schema_serializer(component_name="StaffPrisonerEvent")
    class EventSerializer(serializers.ModelSerializer):
        recorded_by = UsernameField()

        class Meta:
            model = CaseEvent
            fields = ["id", *sorted(EVENT_FIELDS), "recorded_at", "recorded_by"]
            read_only_fields = ["id", "recorded_at", "recorded_by"]
            # Whether a death has its cause and only a death has one is the service's to say.
            validators = []

    @extend_schema(
        operation_id="staff_prisoners_event_create",
        tags=TAGS,
        summary=_("Record an event of the case"),
        description=_(
            "Capture, transfer, admission to hospital, health update, escape, release, repatriation or death "
            "(GC III Art. 122(5)). A death needs its cause; the place of burial when known (Art. 120)."
        ),
        request=EventSerializer,
        responses={201: EventSerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int):
        prisoner = prisoner_for_staff(pk=pk)
        if isinstance(request.data, Mapping):
            refuse_unknown_fields(request.data, EVENT_FIELDS)
        data = input_validated(self.EventSerializer, data=request.data)
        event = case_event_record(prisoner=prisoner, actor=request.user, data=dict(data))
        return Response(self.EventSerializer(event).data, status=status.HTTP_201_CREATED)


class PrisonerVariantAddApi(StaffApiView):
    permission_classes = [staff_permission(Capability.EDIT_PRISONERS)]

    @extend_schema_serializer(component_name="StaffPrisonerNameVariantInput")
    class InputSerializer(serializers.Serializer):
        surname = serializers.CharField(max_length=150)
        given_names = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
        patronymic = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
        source = serializers.ChoiceField(choices=Source.choices)
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="staff_prisoners_variant_add",
        tags=TAGS,
        summary=_("Keep another spelling of the name"),
        description=_("In Cyrillic or in Latin letters, not a mix; the script is read from the letters."),
        request=InputSerializer,
        responses={201: NameVariantSerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int):
        prisoner = prisoner_for_staff(pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        variant = name_variant_add(prisoner=prisoner, actor=request.user, **data)
        return Response(NameVariantSerializer(variant).data, status=status.HTTP_201_CREATED)


class PrisonerVariantRemoveApi(StaffApiView):
    permission_classes = [staff_permission(Capability.EDIT_PRISONERS)]

    @extend_schema_serializer(component_name="StaffPrisonerNameVariantRemoveInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2_000, help_text=_("Why this spelling is removed."))

    @extend_schema(
        operation_id="staff_prisoners_variant_remove",
        tags=TAGS,
        summary=_("Remove a spelling of the name"),
        request=InputSerializer,
        responses={204: None, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int, variant_id: int):
        prisoner = prisoner_for_staff(pk=pk)
        variant = NameVariant.objects.filter(pk=variant_id, prisoner=prisoner).first()
        if variant is None:
            message = _("This spelling is not kept with this record.")
            raise DomainError(message, code="not_found", fields={"variant": [str(message)]})
        data = input_validated(self.InputSerializer, data=request.data)
        name_variant_remove(variant=variant, actor=request.user, reason=data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PrisonerMergeApi(StaffApiView):
    permission_classes = [staff_permission(Capability.EDIT_PRISONERS)]

    @extend_schema_serializer(component_name="StaffPrisonerMergeInput")
    class InputSerializer(serializers.Serializer):
        duplicate = serializers.IntegerField(min_value=1, help_text=_("The record that ends as merged into this one."))
        take_fields = serializers.ListField(
            child=serializers.ChoiceField(choices=RECORD_FIELDS),
            required=False,
            default=list,
            help_text=_("The fields whose value comes from the duplicate; the others keep this record's."),
        )
        reason = serializers.CharField(max_length=2_000, help_text=_("Why the two records are one person."))
        survivor_version = serializers.IntegerField(min_value=1, help_text=_("The version of this record you read."))
        duplicate_version = serializers.IntegerField(min_value=1, help_text=_("The version of the duplicate you read."))

    @extend_schema(
        operation_id="staff_prisoners_merge",
        tags=TAGS,
        summary=_("Merge a duplicate record into this one"),
        description=_(
            "The duplicate ends as merged, pointing at this record; its evidence, events, relatives, requests "
            "and submissions move here, and its name is kept as a spelling. Nothing changes if either record "
            "changed since the versions given (code `stale`)."
        ),
        request=InputSerializer,
        responses={200: PrisonerStateSerializer, 400: REFUSED, 409: STALE, **ACCESS},
    )
    def post(self, request, pk: int):
        survivor = prisoner_for_staff(pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        duplicate = Prisoner.objects.filter(pk=data["duplicate"]).first()
        if duplicate is None:
            message = _("There is no record with this number.")
            raise DomainError(message, code="not_found", fields={"duplicate": [str(message)]})
        try:
            survivor = prisoner_merge(
                survivor=survivor,
                duplicate=duplicate,
                actor=request.user,
                reason=data["reason"],
                take_fields=data["take_fields"],
                survivor_version=data["survivor_version"],
                duplicate_version=data["duplicate_version"],
            )
        except DomainError as error:
            if error.code != "stale":
                raise
            body = {"detail": str(error.message), "code": error.code, "fields": error.fields}
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(PrisonerStateSerializer(survivor).data)


class PrisonerAuditApi(StaffApiView):
    permission_classes = [staff_permission(Capability.VIEW_PRISONERS)]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        operation_id="staff_prisoners_audit",
        tags=TAGS,
        summary=_("The audit trail of a record"),
        description=_("Every change and every read of the record and of its evidence, newest first."),
        responses={200: AuditEntrySerializer(many=True), **ACCESS},
    )
    def get(self, request, pk: int):
        prisoner = prisoner_for_staff(pk=pk)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(prisoner_audit_events(prisoner), request, view=self)
        entries = [audit_entry(event) for event in page]
        return paginator.get_paginated_response(AuditEntrySerializer(entries, many=True).data)
