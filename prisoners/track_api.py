"""The staff API of the registration track and the record search.

- ``GET prisoners/search/``: the search page's criteria as query parameters, paginated.
- ``POST prisoners/<id>/submissions/``: record a submission (caseworkers).
- ``POST submissions/<id>/acknowledge/``, ``POST submissions/<id>/confirm/``: its answers (caseworkers).
- ``GET submissions/overdue/``: the submissions past their date, longest overdue first.
"""

from collections.abc import Mapping

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.errors import DomainError, refuse_unknown_fields
from core.roles import Capability
from core.staff import StaffApiView, staff_permission
from families.serializers import input_validated
from prisoners.models import Authority, CaseStatus, OfficialSubmission, Prisoner, SubmissionChannel, SubmissionStage
from prisoners.services import (
    official_submission_acknowledge,
    official_submission_confirm,
    official_submission_create,
)
from prisoners.staff_search import (
    OVERDUE_PAGE_SIZE,
    SEARCH_PAGE_SIZE,
    PrisonerSearchForm,
    prisoner_search,
    submissions_overdue,
)


def _input(serializer_class, request) -> dict:
    """The request's body checked by ``serializer_class``; a field it does not know is refused, not ignored."""
    if isinstance(request.data, Mapping):
        refuse_unknown_fields(request.data, serializer_class().fields)
    return dict(input_validated(serializer_class, data=request.data))


class SearchPagination(PageNumberPagination):
    page_size = SEARCH_PAGE_SIZE


class OverduePagination(PageNumberPagination):
    page_size = OVERDUE_PAGE_SIZE


@extend_schema_serializer(component_name="StaffSubmission")
class SubmissionSerializer(serializers.ModelSerializer):
    stage = serializers.ChoiceField(choices=SubmissionStage.choices, read_only=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = OfficialSubmission
        fields = [
            "id",
            "prisoner",
            "authority",
            "channel",
            "reference",
            "submitted_on",
            "acknowledgement_due_on",
            "acknowledged_on",
            "confirmation_due_on",
            "confirmed_on",
            "note",
            "stage",
            "due_on",
            "is_overdue",
            "version",
        ]


class PrisonerSearchApi(StaffApiView):
    permission_classes = [staff_permission(Capability.VIEW_PRISONERS)]
    # Also tells the schema that the answer is a page.
    pagination_class = SearchPagination

    @extend_schema_serializer(component_name="StaffPrisonerFound")
    class OutputSerializer(serializers.ModelSerializer):
        @extend_schema_serializer(component_name="StaffPartyBrief")
        class PartySerializer(serializers.Serializer):
            id = serializers.IntegerField()
            code = serializers.CharField()
            name = serializers.CharField()

        party = PartySerializer()
        holding_party = PartySerializer(allow_null=True)
        match_score = serializers.IntegerField(read_only=True, allow_null=True, default=None)
        match_confidence = serializers.CharField(read_only=True, allow_null=True, default=None)

        class Meta:
            model = Prisoner
            fields = [
                "id",
                "surname",
                "given_names",
                "patronymic",
                "date_of_birth",
                "date_of_birth_accuracy",
                "party",
                "holding_party",
                "rank",
                "service_number",
                "unit",
                "capture_date",
                "status",
                "status_changed_at",
                "match_score",
                "match_confidence",
            ]

    @extend_schema(
        parameters=[
            OpenApiParameter(name, description=str(field.label), many=name == "status")
            for name, field in PrisonerSearchForm.base_fields.items()
        ],
        responses=OutputSerializer(many=True),
    )
    def get(self, request):
        """Records found by the criteria; with none, no records (as on the page)."""
        form = PrisonerSearchForm(request.query_params)
        if not form.is_valid():
            fields = {name: [str(message) for message in errors] for name, errors in form.errors.items()}
            raise DomainError(_("Please correct the errors below."), code="invalid", fields=fields)
        records = prisoner_search(criteria=form.cleaned_data).records if form.has_criteria else Prisoner.objects.none()
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(records, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class SubmissionCreateApi(StaffApiView):
    permission_classes = [staff_permission(Capability.EDIT_PRISONERS)]

    @extend_schema_serializer(component_name="StaffSubmissionInput")
    class InputSerializer(serializers.Serializer):
        authority = serializers.ChoiceField(choices=Authority.choices)
        channel = serializers.ChoiceField(choices=SubmissionChannel.choices)
        reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
        submitted_on = serializers.DateField()
        acknowledgement_due_on = serializers.DateField()
        note = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses={201: SubmissionSerializer})
    def post(self, request, pk):
        prisoner = get_object_or_404(Prisoner, pk=pk)
        data = _input(self.InputSerializer, request)
        submission = official_submission_create(prisoner=prisoner, actor=request.user, data=data)
        return Response(SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)


class SubmissionAcknowledgeApi(StaffApiView):
    permission_classes = [staff_permission(Capability.EDIT_PRISONERS)]

    @extend_schema_serializer(component_name="StaffSubmissionAcknowledgement")
    class InputSerializer(serializers.Serializer):
        acknowledged_on = serializers.DateField()
        confirmation_due_on = serializers.DateField()
        reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
        version = serializers.IntegerField(min_value=1, required=False, help_text=_("The version you last read."))

    @extend_schema(request=InputSerializer, responses=SubmissionSerializer)
    def post(self, request, pk):
        submission = get_object_or_404(OfficialSubmission, pk=pk)
        data = _input(self.InputSerializer, request)
        submission = official_submission_acknowledge(submission=submission, actor=request.user, **data)
        return Response(SubmissionSerializer(submission).data)


class SubmissionConfirmApi(StaffApiView):
    permission_classes = [staff_permission(Capability.EDIT_PRISONERS)]

    @extend_schema_serializer(component_name="StaffSubmissionConfirmation")
    class InputSerializer(serializers.Serializer):
        confirmed_on = serializers.DateField()
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
        version = serializers.IntegerField(min_value=1, required=False, help_text=_("The version you last read."))

    @extend_schema(request=InputSerializer, responses=SubmissionSerializer)
    def post(self, request, pk):
        submission = get_object_or_404(OfficialSubmission, pk=pk)
        data = _input(self.InputSerializer, request)
        submission = official_submission_confirm(submission=submission, actor=request.user, **data)
        return Response(SubmissionSerializer(submission).data)


class SubmissionsOverdueApi(StaffApiView):
    permission_classes = [staff_permission(Capability.VIEW_PRISONERS)]
    # Also tells the schema that the answer is a page.
    pagination_class = OverduePagination

    @extend_schema_serializer(component_name="StaffSubmissionOverdue")
    class OutputSerializer(SubmissionSerializer):
        @extend_schema_serializer(component_name="StaffPrisonerBrief")
        class PrisonerSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            full_name = serializers.CharField()
            status = serializers.ChoiceField(choices=CaseStatus.choices)

        prisoner = PrisonerSerializer()
        deadline = serializers.DateField()
        days_overdue = serializers.SerializerMethodField()

        class Meta(SubmissionSerializer.Meta):
            fields = [*SubmissionSerializer.Meta.fields, "deadline", "days_overdue"]

        def get_days_overdue(self, submission) -> int:
            return submission.overdue_by.days

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(submissions_overdue(), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
