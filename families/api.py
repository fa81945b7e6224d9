"""The family portal's REST API: the same actions as the pages, under /api/v1/.

One view per action: it checks the input, calls the service or selector the
page calls, and serializes the result. A family member reaches only the
requests they filed; any other reference is a 404, the same as a missing one.
"""

import datetime
from functools import partial

from django.core.validators import MinValueValidator
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from families.filing_forms import EARLIEST_BIRTH_YEAR
from families.models import RegistrationRequest, RequestStatus
from families.receipts import registration_request_receipt_send
from families.selectors import (
    family_member_of,
    family_member_who_may_file,
    registration_request_for_family,
    relative_status,
    request_timeline,
    requests_filed_by,
)
from families.serializers import (
    ApiDetailSerializer,
    ApiErrorSerializer,
    EvidenceFilesField,
    EvidenceLinksField,
    EvidenceSerializer,
    MessageSerializer,
    RelativeStatusSerializer,
    RequestSummarySerializer,
    TimelineEntrySerializer,
    input_validated,
)
from families.services import (
    FILER_FIELDS,
    RELATIVE_FIELDS,
    registration_request_answer,
    registration_request_file,
    registration_request_withdraw,
)
from families.validators import validate_name, validate_not_in_future, validate_phone
from prisoners.evidence import evidence_stored
from prisoners.models import Party, PartyKind

TAGS = ["requests"]
NOT_YOURS = OpenApiResponse(ApiDetailSerializer, description=_("No such request among yours."))
NOT_ALLOWED = OpenApiResponse(ApiDetailSerializer, description=_("Not signed in, or not a family member."))
REFUSED = OpenApiResponse(ApiErrorSerializer, description=_("Bad input, or the action is not possible now."))

FILING_FIELDS = [*sorted(FILER_FIELDS), *sorted(RELATIVE_FIELDS), "consent", "submission_key", "links"]
# The filing page's rules for the same fields, and what the API fills in when a field is left out.
FILING_FIELD_RULES = {
    "surname": {"validators": [validate_name]},
    "given_names": {"validators": [validate_name]},
    "patronymic": {"validators": [validate_name]},
    "mothers_maiden_name": {"validators": [validate_name]},
    "date_of_birth": {
        "validators": [validate_not_in_future, MinValueValidator(datetime.date(EARLIEST_BIRTH_YEAR, 1, 1))]
    },
    "last_contact_on": {"validators": [validate_not_in_future]},
    "capture_date": {"validators": [validate_not_in_future]},
    "circumstances": {"max_length": 10_000},
    "filer_name": {"required": False, "help_text": _("Defaults to the name on your profile.")},
    "filer_email": {"allow_blank": False, "help_text": _("Defaults to your account's e-mail address.")},
    "filer_phone": {"validators": [validate_phone], "help_text": _("Defaults to the phone number on your profile.")},
    "language": {"help_text": _("Language of the messages about this request. Defaults to yours.")},
}


class IsFamilyMember(BasePermission):
    """Only a family member's account files and lists requests; staff and outsiders do not."""

    message = _("Only family members can file and follow registration requests.")

    def has_permission(self, request, view):
        return family_member_who_may_file(request.user) is not None


class RequestListCreateApi(APIView):
    permission_classes = [IsFamilyMember]
    parser_classes = [JSONParser, MultiPartParser]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema_serializer(component_name="RequestFileInput")
    class InputSerializer(serializers.ModelSerializer):
        """A registration request, as JSON: evidence is given as links only."""

        consent = serializers.BooleanField(
            default=False, help_text=_("Consent to the processing of this information. Required to file.")
        )
        submission_key = serializers.UUIDField(
            required=False,
            allow_null=True,
            help_text=_(
                "A UUID made by the client for this submission. Sending the same key again returns the request "
                "already filed (200, without an access code) instead of filing a second one."
            ),
        )
        party = serializers.SlugRelatedField(
            slug_field="code",
            queryset=Party.objects.exclude(kind=PartyKind.MEDIATOR),
            required=False,
            allow_null=True,
            help_text=_("The code of the party in whose forces he serves."),
        )
        links = EvidenceLinksField()

        class Meta:
            model = RegistrationRequest
            fields = FILING_FIELDS
            extra_kwargs = FILING_FIELD_RULES

    @extend_schema_serializer(component_name="RequestFileMultipartInput")
    class MultipartInputSerializer(InputSerializer):
        """A registration request, as a multipart form: links and files."""

        files = EvidenceFilesField()

        class Meta:
            model = RegistrationRequest
            fields = [*FILING_FIELDS, "files"]
            extra_kwargs = FILING_FIELD_RULES

    @extend_schema_serializer(component_name="RequestFiled")
    class FiledOutputSerializer(RequestSummarySerializer):
        """The request just filed, with its one-time access code."""

        access_code = serializers.SerializerMethodField(
            help_text=_("Shown once, never again: with the reference, it opens the status page without an account.")
        )

        class Meta(RequestSummarySerializer.Meta):
            fields = [*RequestSummarySerializer.Meta.fields, "access_code"]
            read_only_fields = fields

        def get_access_code(self, request: RegistrationRequest) -> str:
            return self.context["access_code"]

    @extend_schema(
        operation_id="requests_list",
        tags=TAGS,
        summary=_("Your registration requests"),
        description=_("The requests you filed, newest first."),
        responses={200: RequestSummarySerializer(many=True), 403: NOT_ALLOWED},
    )
    def get(self, request):
        member = family_member_of(request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(requests_filed_by(member), request, view=self)
        return paginator.get_paginated_response(RequestSummarySerializer(page, many=True).data)

    @extend_schema(
        operation_id="requests_file",
        tags=TAGS,
        summary=_("File a registration request"),
        description=_(
            "Send JSON with evidence links, or a multipart form with links and files. The reference and the "
            "access code are returned once (201). A retry with the same `submission_key` returns the request "
            "already filed (200) and no code. Nothing is kept when the request is refused."
        ),
        request={"application/json": InputSerializer, "multipart/form-data": MultipartInputSerializer},
        responses={
            201: FiledOutputSerializer,
            200: OpenApiResponse(RequestSummarySerializer, description=_("Filed before, with this submission key.")),
            400: REFUSED,
            403: NOT_ALLOWED,
        },
    )
    def post(self, request):
        member = family_member_of(request.user)
        data = dict(input_validated(self.MultipartInputSerializer, data=request.data))
        links, files = data.pop("links", []), data.pop("files", [])
        consent, submission_key = data.pop("consent"), data.pop("submission_key", None)
        data.setdefault("filer_name", member.full_name)
        data.setdefault("filer_email", request.user.email)
        data.setdefault("filer_phone", member.phone)
        data.setdefault("language", member.preferred_language)
        with evidence_stored(actor=request.user, links=[{"url": url} for url in links], files=files) as evidence:
            filed, access_code = registration_request_file(
                filed_by=member,
                actor=request.user,
                data=data,
                consent=consent,
                evidence=evidence,
                submission_key=submission_key,
            )
            if access_code is None:
                # A retry: the first submission was filed with its own evidence; keep nothing of this one.
                transaction.set_rollback(True)
            else:
                transaction.on_commit(
                    partial(
                        registration_request_receipt_send,
                        request=filed,
                        access_code=access_code,
                        lookup_url=request.build_absolute_uri(reverse("families:lookup")),
                    )
                )
        if access_code is None:
            return Response(RequestSummarySerializer(filed).data, status=status.HTTP_200_OK)
        return Response(
            self.FiledOutputSerializer(filed, context={"access_code": access_code}).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:request_detail", args=[filed.reference])},
        )


class RequestDetailApi(APIView):
    @extend_schema_serializer(component_name="RequestDetail")
    class OutputSerializer(RequestSummarySerializer):
        """A request with its timeline, messages, evidence and, once verified, the relative's status."""

        can_answer = serializers.SerializerMethodField()
        can_withdraw = serializers.SerializerMethodField()
        relative_status = serializers.SerializerMethodField(
            help_text=_("Your relative's status, once a caseworker has verified your relationship to him.")
        )
        timeline = serializers.SerializerMethodField()
        messages = MessageSerializer(many=True)
        evidence = EvidenceSerializer(many=True)

        class Meta(RequestSummarySerializer.Meta):
            fields = [
                *RequestSummarySerializer.Meta.fields,
                "date_of_birth",
                "place_of_birth",
                "unit",
                "last_contact_on",
                "capture_date",
                "capture_place",
                "circumstances",
                "rejection_reason",
                "can_answer",
                "can_withdraw",
                "relative_status",
                "timeline",
                "messages",
                "evidence",
            ]
            read_only_fields = fields

        def get_can_answer(self, request: RegistrationRequest) -> bool:
            return request.status == RequestStatus.INFO_REQUESTED

        def get_can_withdraw(self, request: RegistrationRequest) -> bool:
            return request.is_open

        @extend_schema_field(RelativeStatusSerializer(allow_null=True))
        def get_relative_status(self, request: RegistrationRequest):
            found = self.context["relative_status"]
            return RelativeStatusSerializer(found).data if found else None

        @extend_schema_field(TimelineEntrySerializer(many=True))
        def get_timeline(self, request: RegistrationRequest):
            return TimelineEntrySerializer(self.context["timeline"], many=True).data

    @extend_schema(
        operation_id="requests_retrieve",
        tags=TAGS,
        summary=_("One of your requests"),
        description=_(
            "The request with its timeline in plain words, the caseworkers' messages and your evidence "
            "(links and file names; files are not downloadable here)."
        ),
        responses={200: OutputSerializer, 403: NOT_ALLOWED, 404: NOT_YOURS},
    )
    def get(self, request, reference):
        filed = registration_request_for_family(user=request.user, reference=reference)
        context = {
            "timeline": request_timeline(filed),
            "relative_status": relative_status(member=family_member_of(request.user), request=filed),
        }
        return Response(self.OutputSerializer(filed, context=context).data)


class RequestAnswerApi(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema_serializer(component_name="RequestAnswerInput")
    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=10_000, help_text=_("Your answer to the caseworker's question."))
        links = EvidenceLinksField()

    @extend_schema_serializer(component_name="RequestAnswerMultipartInput")
    class MultipartInputSerializer(InputSerializer):
        files = EvidenceFilesField()

    @extend_schema(
        operation_id="requests_answer",
        tags=TAGS,
        summary=_("Answer a caseworker's question"),
        description=_(
            "Possible only while the request waits for more information. JSON with links, or a multipart form "
            "with links and files. The request goes back to review."
        ),
        request={"application/json": InputSerializer, "multipart/form-data": MultipartInputSerializer},
        responses={201: MessageSerializer, 400: REFUSED, 403: NOT_ALLOWED, 404: NOT_YOURS},
    )
    def post(self, request, reference):
        filed = registration_request_for_family(user=request.user, reference=reference)
        data = input_validated(self.MultipartInputSerializer, data=request.data)
        with evidence_stored(
            actor=request.user, links=[{"url": url} for url in data.get("links", [])], files=data.get("files", [])
        ) as evidence:
            message = registration_request_answer(
                request=filed, actor=request.user, body=data["body"], evidence=evidence
            )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class RequestWithdrawApi(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema_serializer(component_name="RequestWithdrawInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(
            required=False, allow_blank=True, max_length=2_000, help_text=_("Why you withdraw it, if you wish.")
        )

    @extend_schema(
        operation_id="requests_withdraw",
        tags=TAGS,
        summary=_("Withdraw a request"),
        description=_("Possible while the request is open. Nothing more will be done with it."),
        request=InputSerializer,
        responses={200: RequestSummarySerializer, 400: REFUSED, 403: NOT_ALLOWED, 404: NOT_YOURS},
    )
    def post(self, request, reference):
        filed = registration_request_for_family(user=request.user, reference=reference)
        data = input_validated(self.InputSerializer, data=request.data)
        change = registration_request_withdraw(request=filed, actor=request.user, reason=data.get("reason", ""))
        return Response(RequestSummarySerializer(change.request).data)
