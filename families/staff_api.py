"""The request workspace in the staff API, under /api/v1/staff/: the same reads and actions as the pages.

One view per action: it checks the input, calls the service the page calls,
and returns the request as the detail endpoint shows it. Every staff member
reads; only caseworkers act. A refusal is a 400 ``{detail, code, fields}``,
and nothing has changed.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.audit import audit_record
from core.errors import DomainError
from core.roles import Capability
from core.staff import StaffApiView, staff_permission
from families.models import (
    OPEN_REQUEST_STATUSES,
    Language,
    RegistrationRequest,
    Relationship,
    RelationshipKind,
    RequestStatus,
)
from families.serializers import ApiDetailSerializer, ApiErrorSerializer, input_validated
from families.services import (
    registration_request_assign,
    registration_request_create_prisoner,
    registration_request_link,
    registration_request_mark_duplicate,
    registration_request_set_status,
    relationship_verify,
)
from families.staff_selectors import (
    QueueOrder,
    candidates_reviewed,
    registration_request_for_staff,
    registration_request_or_404,
    registration_request_queue,
    relationships_to_verify,
    request_staff_timeline,
    staff_name,
)
from prisoners.models import Party, PartyKind, Prisoner

TAGS = ["staff requests"]
CONFIDENCE_HELP = _("How likely the record is him: `high`, `medium` or `low`.")
NOT_SIGNED_IN = OpenApiResponse(ApiDetailSerializer, description=_("Not signed in."))
NOT_ALLOWED = OpenApiResponse(ApiDetailSerializer, description=_("Signed in, but the role does not allow this."))
NOT_FOUND = OpenApiResponse(ApiDetailSerializer, description=_("No such request, or not a staff account."))
REFUSED = OpenApiResponse(ApiErrorSerializer, description=_("Bad input, or the action is not possible now."))
READ_RESPONSES = {401: NOT_SIGNED_IN, 404: NOT_FOUND}
ACTION_RESPONSES = {400: REFUSED, 401: NOT_SIGNED_IN, 403: NOT_ALLOWED, 404: NOT_FOUND}

QUEUE_PARAMETERS = [
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        many=True,
        enum=[status.value for status in OPEN_REQUEST_STATUSES],
        description=_("Only requests in these statuses; repeat the parameter for several."),
    ),
    OpenApiParameter(
        "waiting_days", OpenApiTypes.INT, description=_("Only requests waiting more than this many days.")
    ),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description=_("Only requests waiting too long on a caseworker.")),
    OpenApiParameter(
        "assignee", OpenApiTypes.STR, description=_("`me`, `none` (unassigned), or a caseworker's user id.")
    ),
    OpenApiParameter("has_evidence", OpenApiTypes.BOOL, description=_("With (`true`) or without (`false`) evidence.")),
    OpenApiParameter("language", OpenApiTypes.STR, enum=Language.values, description=_("The family's language.")),
    OpenApiParameter(
        "order",
        OpenApiTypes.STR,
        enum=[value for value, _label in QueueOrder.CHOICES],
        description=_("`longest` waiting first (the default), or `newest` first."),
    ),
    OpenApiParameter("page", OpenApiTypes.INT, description=_("The page of 50 requests.")),
]


@extend_schema_serializer(component_name="StaffColleague")
class ColleagueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return staff_name(user)


@extend_schema_serializer(component_name="StaffRequestQueueRow")
class QueueRowSerializer(serializers.ModelSerializer):
    """A request as the queue shows it."""

    status_label = serializers.CharField(source="get_status_display")
    waiting_days = serializers.SerializerMethodField(help_text=_("Whole days since the last change of status."))
    is_overdue = serializers.BooleanField(help_text=_("Waiting on a caseworker for longer than the review period."))
    assigned_to = ColleagueSerializer(allow_null=True)
    evidence_count = serializers.IntegerField()
    best_score = serializers.IntegerField(allow_null=True, help_text=_("Score of the best candidate record, 0–100."))
    best_confidence = serializers.CharField(allow_null=True, help_text=CONFIDENCE_HELP)

    class Meta:
        model = RegistrationRequest
        fields = [
            "reference",
            "status",
            "status_label",
            "surname",
            "given_names",
            "patronymic",
            "filer_name",
            "language",
            "created_at",
            "status_changed_at",
            "waiting_days",
            "is_overdue",
            "assigned_to",
            "evidence_count",
            "best_score",
            "best_confidence",
        ]
        read_only_fields = fields

    def get_waiting_days(self, registration_request) -> int:
        return registration_request.waiting.days


@extend_schema_serializer(component_name="StaffRequestQueuePage")
class QueuePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = QueueRowSerializer(many=True)


@extend_schema_serializer(component_name="StaffEvidence")
class StaffEvidenceSerializer(serializers.Serializer):
    """A link, or a file with where staff download it (every download is audited)."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    url = serializers.CharField(help_text=_("The link, for evidence of kind `link`."))
    file_name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, evidence) -> str | None:
        return reverse("prisoners:evidence_file", args=[evidence.pk]) if evidence.file else None


@extend_schema_serializer(component_name="StaffFieldComparison")
class FieldComparisonSerializer(serializers.Serializer):
    label = serializers.CharField()
    request_value = serializers.CharField(allow_null=True)
    record_value = serializers.CharField(allow_null=True)
    differs = serializers.BooleanField()


@extend_schema_serializer(component_name="StaffRequestCandidate")
class CandidateSerializer(serializers.Serializer):
    """A record that may be the person the request is about, compared field by field."""

    id = serializers.IntegerField(source="match.id")
    prisoner = serializers.IntegerField(source="match.candidate_id")
    full_name = serializers.CharField(source="match.candidate.full_name")
    score = serializers.IntegerField(source="match.score")
    confidence = serializers.CharField(source="match.confidence", help_text=CONFIDENCE_HELP)
    decision = serializers.CharField(source="match.decision")
    reasons = serializers.ListField(child=serializers.CharField(), help_text=_("In the reader's language."))
    comparison = FieldComparisonSerializer(many=True)


@extend_schema_serializer(component_name="StaffTimelineEntry")
class StaffTimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField(
        help_text=_("`status` (a change of status), `message` (to or from the family) or `event` (an assignment).")
    )
    title = serializers.CharField()
    text = serializers.CharField()
    actor = serializers.CharField()


@extend_schema_serializer(component_name="StaffRelationship")
class RelationshipSerializer(serializers.ModelSerializer):
    family_member = serializers.CharField(source="family_member.full_name")
    filer_relationship = serializers.ChoiceField(source="kind", choices=RelationshipKind.choices)
    verified_by = serializers.SerializerMethodField()

    class Meta:
        model = Relationship
        fields = ["id", "family_member", "prisoner", "filer_relationship", "verified_at", "verified_by"]
        read_only_fields = fields

    def get_verified_by(self, relationship) -> str | None:
        return staff_name(relationship.verified_by) if relationship.verified_by_id else None


@extend_schema_serializer(component_name="StaffRequestDetail")
class RequestDetailSerializer(serializers.ModelSerializer):
    """Everything a caseworker reviews: the request, its evidence, candidates, timeline and the family's tie."""

    status_label = serializers.CharField(source="get_status_display")
    party = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # Not an EmailField: a request filed without an address has an empty one, which is not an address.
    filer_email = serializers.CharField(read_only=True)
    assigned_to = ColleagueSerializer(allow_null=True)
    duplicate_of = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    evidence = StaffEvidenceSerializer(many=True)
    candidates = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    relationships = serializers.SerializerMethodField(
        help_text=_("The filer's tie to the linked prisoner: the family sees his status once it is verified.")
    )

    class Meta:
        model = RegistrationRequest
        fields = [
            "reference",
            "version",
            "status",
            "status_label",
            "status_changed_at",
            "created_at",
            "language",
            "filer_name",
            "filer_email",
            "filer_phone",
            "filer_relationship",
            "surname",
            "given_names",
            "patronymic",
            "date_of_birth",
            "date_of_birth_accuracy",
            "place_of_birth",
            "mothers_maiden_name",
            "citizenship",
            "party",
            "rank",
            "service_number",
            "unit",
            "military_status",
            "last_contact_on",
            "capture_date",
            "capture_place",
            "circumstances",
            "assigned_to",
            "prisoner",
            "duplicate_of",
            "rejection_reason",
            "evidence",
            "candidates",
            "timeline",
            "relationships",
        ]
        read_only_fields = fields

    @extend_schema_field(CandidateSerializer(many=True))
    def get_candidates(self, registration_request):
        return CandidateSerializer(candidates_reviewed(registration_request), many=True).data

    @extend_schema_field(StaffTimelineEntrySerializer(many=True))
    def get_timeline(self, registration_request):
        return StaffTimelineEntrySerializer(request_staff_timeline(registration_request), many=True).data

    @extend_schema_field(RelationshipSerializer(many=True))
    def get_relationships(self, registration_request):
        return RelationshipSerializer(relationships_to_verify(registration_request), many=True).data


def _detail(registration_request: RegistrationRequest, *, status_code=status.HTTP_200_OK) -> Response:
    """The request after an action, read afresh as the detail endpoint reads it."""
    fresh = registration_request_for_staff(reference=registration_request.reference)
    return Response(RequestDetailSerializer(fresh).data, status=status_code)


class RequestListApi(StaffApiView):
    permission_classes = [staff_permission(Capability.VIEW_PRISONERS)]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema(
        operation_id="staff_requests_list",
        tags=TAGS,
        summary=_("The queue of open registration requests"),
        description=_(
            "Open requests, longest waiting first, 50 a page, with the queue's filters. "
            "A filter with a value it does not know is refused (400)."
        ),
        parameters=QUEUE_PARAMETERS,
        responses={200: QueuePageSerializer, 400: REFUSED, **READ_RESPONSES},
    )
    def get(self, request):
        queue = registration_request_queue(params=request.query_params, http_request=request)
        if not queue.is_valid():
            fields = {name: [str(message) for message in messages] for name, messages in queue.errors.items()}
            raise DomainError(_("Please correct the errors below."), code="invalid", fields=fields)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queue.qs, request, view=self)
        return paginator.get_paginated_response(QueueRowSerializer(page, many=True).data)


class RequestDetailApi(StaffApiView):
    permission_classes = [staff_permission(Capability.VIEW_PRISONERS)]

    @extend_schema(
        operation_id="staff_requests_retrieve",
        tags=TAGS,
        summary=_("A registration request under review"),
        description=_(
            "The request with its evidence, its candidate records compared field by field, its timeline "
            "(status changes, messages, assignments) and the filer's relationship to the linked prisoner. "
            "`version` is sent back with every action."
        ),
        responses={200: RequestDetailSerializer, **READ_RESPONSES},
    )
    def get(self, request, reference):
        registration_request = registration_request_for_staff(reference=reference)
        with transaction.atomic():
            audit_record(actor=request.user, action="request.viewed", target=registration_request)
        return Response(RequestDetailSerializer(registration_request).data)


class RequestAssignApi(StaffApiView):
    permission_classes = [staff_permission(Capability.REVIEW_REQUESTS)]

    @extend_schema_serializer(component_name="StaffRequestAssignInput")
    class InputSerializer(serializers.Serializer):
        assignee = serializers.PrimaryKeyRelatedField(
            queryset=get_user_model().objects.filter(is_active=True),
            allow_null=True,
            help_text=_("The caseworker's user id, or null for nobody."),
            error_messages={"does_not_exist": _("There is no such colleague.")},
        )

    @extend_schema(
        operation_id="staff_requests_assign",
        tags=TAGS,
        summary=_("Assign a request to a caseworker"),
        request=InputSerializer,
        responses={200: RequestDetailSerializer, **ACTION_RESPONSES},
    )
    def post(self, request, reference):
        registration_request = registration_request_or_404(reference=reference)
        data = input_validated(self.InputSerializer, data=request.data)
        registration_request_assign(request=registration_request, assignee=data["assignee"], actor=request.user)
        return _detail(registration_request)


@extend_schema_serializer(component_name="StaffRequestVersionInput")
class VersionInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text=_("The request's `version` as you read it: a stale version is refused.")
    )


class RequestStartReviewApi(StaffApiView):
    permission_classes = [staff_permission(Capability.REVIEW_REQUESTS)]

    @extend_schema_serializer(component_name="StaffRequestStartReviewInput")
    class InputSerializer(VersionInputSerializer):
        pass

    @extend_schema(
        operation_id="staff_requests_start_review",
        tags=TAGS,
        summary=_("Start reviewing a submitted request"),
        request=InputSerializer,
        responses={200: RequestDetailSerializer, **ACTION_RESPONSES},
    )
    def post(self, request, reference):
        registration_request = registration_request_or_404(reference=reference)
        data = input_validated(self.InputSerializer, data=request.data)
        registration_request_set_status(
            request=registration_request,
            new_status=RequestStatus.IN_REVIEW,
            actor=request.user,
            version=data["version"],
        )
        return _detail(registration_request)


class RequestLinkApi(StaffApiView):
    permission_classes = [staff_permission(Capability.REVIEW_REQUESTS)]

    @extend_schema_serializer(component_name="StaffRequestLinkInput")
    class InputSerializer(VersionInputSerializer):
        prisoner = serializers.PrimaryKeyRelatedField(
            queryset=Prisoner.objects.all(),
            help_text=_("The id of the record the request is about."),
            error_messages={"does_not_exist": _("There is no record with this id.")},
        )
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5_000)

    @extend_schema(
        operation_id="staff_requests_link",
        tags=TAGS,
        summary=_("Accept a request, linked to a record on file"),
        description=_(
            "The filer's relationship to him is recorded unverified: verify it to let the family see his status."
        ),
        request=InputSerializer,
        responses={200: RequestDetailSerializer, **ACTION_RESPONSES},
    )
    def post(self, request, reference):
        registration_request = registration_request_or_404(reference=reference)
        data = input_validated(self.InputSerializer, data=request.data)
        registration_request_link(
            request=registration_request,
            prisoner=data["prisoner"],
            actor=request.user,
            reason=data["reason"],
            version=data["version"],
        )
        return _detail(registration_request)


class RequestCreatePrisonerApi(StaffApiView):
    permission_classes = [staff_permission(Capability.REVIEW_REQUESTS)]

    @extend_schema_serializer(component_name="StaffRequestCreatePrisonerInput")
    class InputSerializer(VersionInputSerializer):
        party = serializers.SlugRelatedField(
            slug_field="code",
            queryset=Party.objects.exclude(kind=PartyKind.MEDIATOR),
            required=False,
            allow_null=True,
            default=None,
            help_text=_("The code of the party he serves; needed when the request does not say."),
        )
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5_000)

    @extend_schema(
        operation_id="staff_requests_create_prisoner",
        tags=TAGS,
        summary=_("Accept a request, opening a new record from it"),
        request=InputSerializer,
        responses={201: RequestDetailSerializer, **ACTION_RESPONSES},
    )
    def post(self, request, reference):
        registration_request = registration_request_or_404(reference=reference)
        data = input_validated(self.InputSerializer, data=request.data)
        registration_request_create_prisoner(
            request=registration_request,
            actor=request.user,
            party=data["party"],
            reason=data["reason"],
            version=data["version"],
        )
        return _detail(registration_request, status_code=status.HTTP_201_CREATED)


class RequestAskApi(StaffApiView):
    permission_classes = [staff_permission(Capability.REVIEW_REQUESTS)]

    @extend_schema_serializer(component_name="StaffRequestAskInput")
    class InputSerializer(VersionInputSerializer):
        reason = serializers.CharField(
            max_length=5_000, help_text=_("The question, in the request's `language`: the family reads it.")
        )

    @extend_schema(
        operation_id="staff_requests_ask",
        tags=TAGS,
        summary=_("Ask the family for more information"),
        request=InputSerializer,
        responses={200: RequestDetailSerializer, **ACTION_RESPONSES},
    )
    def post(self, request, reference):
        registration_request = registration_request_or_404(reference=reference)
        data = input_validated(self.InputSerializer, data=request.data)
        registration_request_set_status(
            request=registration_request,
            new_status=RequestStatus.INFO_REQUESTED,
            actor=request.user,
            reason=data["reason"],
            version=data["version"],
        )
        return _detail(registration_request)


class RequestRejectApi(StaffApiView):
    permission_classes = [staff_permission(Capability.REVIEW_REQUESTS)]

    @extend_schema_serializer(component_name="StaffRequestRejectInput")
    class InputSerializer(VersionInputSerializer):
        reason = serializers.CharField(
            max_length=5_000, help_text=_("Why, in the request's `language`: the family reads it.")
        )

    @extend_schema(
        operation_id="staff_requests_reject",
        tags=TAGS,
        summary=_("Reject a request"),
        request=InputSerializer,
        responses={200: RequestDetailSerializer, **ACTION_RESPONSES},
    )
    def post(self, request, reference):
        registration_request = registration_request_or_404(reference=reference)
        data = input_validated(self.InputSerializer, data=request.data)
        registration_request_set_status(
            request=registration_request,
            new_status=RequestStatus.REJECTED,
            actor=request.user,
            reason=data["reason"],
            version=data["version"],
        )
        return _detail(registration_request)


class RequestDuplicateApi(StaffApiView):
    permission_classes = [staff_permission(Capability.REVIEW_REQUESTS)]

    @extend_schema_serializer(component_name="StaffRequestDuplicateInput")
    class InputSerializer(VersionInputSerializer):
        original = serializers.SlugRelatedField(
            slug_field="reference",
            queryset=RegistrationRequest.objects.all(),
            help_text=_("The reference of the request this one duplicates, which continues."),
            error_messages={"does_not_exist": _("There is no request {value}.")},
        )

    @extend_schema(
        operation_id="staff_requests_mark_duplicate",
        tags=TAGS,
        summary=_("Close a request as a duplicate of another"),
        request=InputSerializer,
        responses={200: RequestDetailSerializer, **ACTION_RESPONSES},
    )
    def post(self, request, reference):
        registration_request = registration_request_or_404(reference=reference)
        data = input_validated(self.InputSerializer, data=request.data)
        registration_request_mark_duplicate(
            request=registration_request, original=data["original"], actor=request.user, version=data["version"]
        )
        return _detail(registration_request)


class RelationshipVerifyApi(StaffApiView):
    permission_classes = [staff_permission(Capability.VERIFY_RELATIONSHIPS)]

    @extend_schema_serializer(component_name="StaffRelationshipVerifyInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=5_000, help_text=_("How the relationship was verified."))

    @extend_schema(
        operation_id="staff_relationships_verify",
        tags=TAGS,
        summary=_("Verify a family member's relationship to a prisoner"),
        description=_("From then on, the family member sees the prisoner's status."),
        request=InputSerializer,
        responses={200: RelationshipSerializer, **ACTION_RESPONSES},
    )
    def post(self, request, pk):
        relationship = get_object_or_404(Relationship, pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        relationship = relationship_verify(relationship=relationship, actor=request.user, reason=data["reason"])
        return Response(RelationshipSerializer(relationship).data)
