"""``POST /api/v1/prisoners/match/``: candidate search for caseworkers and coordinators."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import refuse_unknown_fields
from core.roles import Capability, user_can
from families.serializers import input_validated
from prisoners.matching.search import candidates_find, person_query_read


class MayMatchPrisoners(BasePermission):
    message = _("Only caseworkers and coordinators can search for matching records.")

    def has_permission(self, request, view):
        return user_can(request.user, Capability.MATCH_PRISONERS)


class MatchApi(APIView):
    permission_classes = [MayMatchPrisoners]

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
