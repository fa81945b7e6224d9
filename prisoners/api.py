"""Name matching in the API: candidate search, the candidates kept for a request or record, and decisions.

- ``POST /api/v1/prisoners/match/``: search (caseworkers and coordinators).
- ``GET /api/v1/prisoners/matches/?request=ID`` or ``?prisoner=ID``: the kept candidates, best first.
- ``POST /api/v1/prisoners/matches/<id>/decision/``: same person or not (caseworkers).
"""

from collections.abc import Mapping

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import refuse_unknown_fields
from core.roles import Capability, user_can
from core.security import api_second_factor_passed
from families.serializers import input_validated
from prisoners.matching.search import candidates_find, person_query_read
from prisoners.matching.store import match_decide
from prisoners.models import MatchCandidate, MatchDecision


class MayMatchPrisoners(BasePermission):
    message = _("Only caseworkers and coordinators can search for matching records.")

    def has_permission(self, request, view):
        # As for every staff endpoint: a staff session that has not passed its second factor is refused.
        return user_can(request.user, Capability.MATCH_PRISONERS) and api_second_factor_passed(request)


class MatchApi(APIView):
    permission_classes = [MayMatchPrisoners]

    @extend_schema_serializer(component_name="MatchQuery")
    class InputSerializer(serializers.Serializer):
        surname = serializers.CharField(max_length=150, trim_whitespace=True)
        given_name = serializers.CharField(max_length=150, trim_whitespace=True)
        patronymic = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
        date_of_birth = serializers.CharField(
            max_length=10, required=False, allow_blank=True, default="", help_text="YYYY-MM-DD, YYYY-MM or YYYY"
        )
        service_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
        unit = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=10)

    @extend_schema_serializer(component_name="MatchCandidate")
    class CandidateSerializer(serializers.Serializer):
        prisoner_id = serializers.IntegerField()
        external_ref = serializers.CharField()
        surname = serializers.CharField()
        given_name = serializers.CharField()
        patronymic = serializers.CharField()
        date_of_birth = serializers.CharField(allow_null=True, help_text="YYYY-MM-DD, YYYY-MM or YYYY")
        score = serializers.IntegerField(min_value=0, max_value=100)
        confidence = serializers.ChoiceField(choices=["high", "medium", "low"])
        reasons = serializers.ListField(child=serializers.CharField())

    @extend_schema(request=InputSerializer, responses=CandidateSerializer(many=True))
    def post(self, request):
        # A body that is not an object has no fields to name: the serializer refuses it.
        if isinstance(request.data, Mapping):
            refuse_unknown_fields(request.data, self.InputSerializer().fields)
        # Bad input in the one shape of every refusal, as the service's own: {detail, code, fields}.
        data = dict(input_validated(self.InputSerializer, data=request.data))
        limit = data.pop("limit")
        candidates = candidates_find(person_query_read(**data), limit=limit)
        return Response([candidate.as_dict() for candidate in candidates])


class MayDecideMatches(BasePermission):
    message = _("Only caseworkers can decide whether two records are one person.")

    def has_permission(self, request, view):
        return user_can(request.user, Capability.EDIT_PRISONERS) and api_second_factor_passed(request)


class StoredMatchSerializer(serializers.ModelSerializer):
    # Stored in English, the source language of the reasons' translations (prisoners.matching.store).
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = MatchCandidate
        fields = ["id", "request", "prisoner", "candidate", "score", "confidence", "reasons", "decision", "decided_at"]

    def get_reasons(self, match: MatchCandidate) -> list[str]:
        return [gettext(reason) for reason in match.reasons]


class StoredMatchListApi(APIView):
    permission_classes = [MayMatchPrisoners]

    @extend_schema_serializer(component_name="StoredMatchFilter")
    class FilterSerializer(serializers.Serializer):
        request = serializers.IntegerField(required=False, min_value=1)
        prisoner = serializers.IntegerField(required=False, min_value=1)

        def validate(self, attrs):
            if len(attrs) != 1:
                raise serializers.ValidationError(_("Name either a request or a record."))
            return attrs

    @extend_schema(parameters=[FilterSerializer], responses=StoredMatchSerializer(many=True))
    def get(self, request):
        subject = input_validated(self.FilterSerializer, data=request.query_params)
        matches = MatchCandidate.objects.filter(**{f"{name}_id": value for name, value in subject.items()})
        return Response(StoredMatchSerializer(matches.order_by("-score", "id"), many=True).data)


class MatchDecisionApi(APIView):
    permission_classes = [MayDecideMatches]

    @extend_schema_serializer(component_name="MatchDecisionInput")
    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=MatchDecision.choices)

    @extend_schema(request=InputSerializer, responses=StoredMatchSerializer)
    def post(self, request, pk):
        match = get_object_or_404(MatchCandidate, pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        match = match_decide(match=match, decision=data["decision"], actor=request.user)
        return Response(StoredMatchSerializer(match).data)
