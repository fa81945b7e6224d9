"""Exchanges in the staff API, under /api/v1/staff/exchanges/: the exchange pages' reads and actions.

One view per action: it checks the input, calls the selector or service the
page calls, and serializes the result. Every staff member reads exchanges;
only coordinators change them.
"""

from django.db import transaction
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
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from core.roles import Capability
from core.staff import StaffApiView, staff_permission
from exchanges import priority
from exchanges.exports import CSV_TYPE, EXPORT_FORMATS, PDF_TYPE, XLSX_TYPE
from exchanges.models import (
    CounterpartyList,
    CounterpartyRow,
    Direction,
    EntryOutcome,
    Exchange,
    ExchangeEntry,
    ExchangeStatus,
    ExchangeStatusChange,
    RowDecision,
)
from exchanges.reconcile import counterparty_list_upload, counterparty_row_decide, reconcile_summary
from exchanges.selectors import (
    counterparty_list_of_exchange,
    counterparty_row_of_exchange,
    entry_of_exchange,
    exchange_for_staff,
    exchange_list_view,
    exchanges_for_staff,
)
from exchanges.services import (
    ASSEMBLE_MAX,
    exchange_assemble,
    exchange_create,
    exchange_entry_add,
    exchange_entry_move,
    exchange_entry_pin,
    exchange_entry_remove,
    exchange_entry_set_outcome,
    exchange_inclusion_release,
    exchange_rerank,
    exchange_set_status,
)
from exchanges.staff_views import export_response
from families.serializers import ApiDetailSerializer, ApiErrorSerializer, input_validated
from prisoners.models import Party, Prisoner

TAGS = ["staff: exchanges"]
REFUSED = OpenApiResponse(ApiErrorSerializer, description=_("Bad input, or the action is not possible now."))
ACCESS = {
    401: OpenApiResponse(ApiDetailSerializer, description=_("Not signed in.")),
    403: OpenApiResponse(ApiDetailSerializer, description=_("Your role does not allow this.")),
    404: OpenApiResponse(ApiDetailSerializer, description=_("No such exchange, or not a staff account.")),
}
# The media types of the export formats, without their parameters (the CSV's charset).
EXPORT_CONTENT_TYPES = [content_type.split(";")[0] for content_type in (CSV_TYPE, XLSX_TYPE, PDF_TYPE)]


class ReadOrManage:
    """Reads need ``VIEW_EXCHANGES``, writes ``MANAGE_EXCHANGES``."""

    def get_permissions(self):
        capability = Capability.VIEW_EXCHANGES if self.request.method in SAFE_METHODS else Capability.MANAGE_EXCHANGES
        return [staff_permission(capability)()]


def _reason_field(**kwargs):
    return serializers.CharField(required=False, allow_blank=True, default="", max_length=2_000, **kwargs)


@extend_schema_serializer(component_name="StaffExchange")
class ExchangeSerializer(serializers.ModelSerializer):
    our_party = serializers.SlugRelatedField(slug_field="code", read_only=True)
    other_party = serializers.SlugRelatedField(slug_field="code", read_only=True)
    mediator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    weights = serializers.SerializerMethodField()

    class Meta:
        model = Exchange
        fields = [
            "id",
            "title",
            "our_party",
            "other_party",
            "mediator",
            "planned_date",
            "notes",
            "status",
            "status_changed_at",
            "inclusion_released_at",
            "weights",
            "version",
            "created_at",
        ]
        read_only_fields = fields

    def get_weights(self, exchange) -> dict[str, float]:
        return priority.weights_of(exchange)


@extend_schema_serializer(component_name="StaffExchangeEntry")
class EntrySerializer(serializers.ModelSerializer):
    prisoner_name = serializers.CharField(source="prisoner.full_name")
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = ExchangeEntry
        fields = [
            "id",
            "prisoner",
            "prisoner_name",
            "direction",
            "position",
            "pinned",
            "priority_category",
            "priority_score",
            "reasons",
            "outcome",
        ]
        read_only_fields = fields

    def get_reasons(self, entry) -> list[str]:
        return priority.reason_texts(entry.priority_reasons)


@extend_schema_serializer(component_name="StaffExchangeWithList")
class ExchangeDetailSerializer(serializers.Serializer):
    exchange = ExchangeSerializer()
    receive_count = serializers.IntegerField()
    hand_over_count = serializers.IntegerField()
    counts_differ = serializers.BooleanField(help_text=_("The two sides of the swap hold different numbers."))
    entries = EntrySerializer(many=True)


def _detail(exchange: Exchange) -> dict:
    view = exchange_list_view(exchange)
    receive, hand_over = view.sides
    return {
        "exchange": exchange,
        "receive_count": receive.count,
        "hand_over_count": hand_over.count,
        "counts_differ": view.counts_differ,
        "entries": [*receive.entries, *hand_over.entries],
    }


class ExchangeListApi(ReadOrManage, StaffApiView):
    @extend_schema_serializer(component_name="StaffExchangeInput")
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        our_party = serializers.SlugRelatedField(slug_field="code", queryset=Party.objects.all())
        other_party = serializers.SlugRelatedField(slug_field="code", queryset=Party.objects.all())
        mediator = serializers.SlugRelatedField(
            slug_field="code", queryset=Party.objects.all(), required=False, allow_null=True, default=None
        )
        planned_date = serializers.DateField(required=False, allow_null=True, default=None)
        notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)

    @extend_schema(
        operation_id="staff_exchanges_list", tags=TAGS, responses={200: ExchangeSerializer(many=True), **ACCESS}
    )
    def get(self, request):
        return Response(ExchangeSerializer(exchanges_for_staff()[:200], many=True).data)

    @extend_schema(
        operation_id="staff_exchanges_create",
        tags=TAGS,
        summary=_("Create an exchange, as a draft"),
        request=InputSerializer,
        responses={201: ExchangeSerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request):
        data = input_validated(self.InputSerializer, data=request.data)
        exchange = exchange_create(actor=request.user, **data)
        return Response(ExchangeSerializer(exchange).data, status=status.HTTP_201_CREATED)


class ExchangeDetailApi(ReadOrManage, StaffApiView):
    @extend_schema(operation_id="staff_exchanges_read", tags=TAGS, responses={200: ExchangeDetailSerializer, **ACCESS})
    def get(self, request, pk: int):
        return Response(ExchangeDetailSerializer(_detail(exchange_for_staff(pk=pk))).data)


class ExchangeStatusApi(ReadOrManage, StaffApiView):
    @extend_schema_serializer(component_name="StaffExchangeStatusInput")
    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=ExchangeStatus.choices)
        reason = _reason_field(help_text=_("Needed to cancel, or to reopen negotiations."))
        version = serializers.IntegerField(min_value=1, help_text=_("The version of the exchange you read."))

    @extend_schema_serializer(component_name="StaffExchangeStatusChange")
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = ExchangeStatusChange
            fields = ["old_status", "new_status", "reason", "is_reversal", "created_at"]

    @extend_schema(
        operation_id="staff_exchanges_status",
        tags=TAGS,
        summary=_("Move an exchange on; completing it returns everyone recorded as returned"),
        request=InputSerializer,
        responses={201: OutputSerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int):
        exchange = exchange_for_staff(pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        change = exchange_set_status(
            exchange=exchange,
            new_status=data["status"],
            actor=request.user,
            reason=data["reason"],
            version=data["version"],
        )
        return Response(self.OutputSerializer(change).data, status=status.HTTP_201_CREATED)


class DirectionSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=Direction.choices)


@extend_schema_serializer(component_name="StaffExchangePoolCandidate")
class PoolCandidateSerializer(serializers.Serializer):
    prisoner = serializers.IntegerField(source="prisoner_id")
    art110 = serializers.BooleanField()
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    reasons = serializers.SerializerMethodField()

    def get_reasons(self, rank) -> list[str]:
        return priority.reason_texts(rank.reasons)


class ExchangePoolApi(ReadOrManage, StaffApiView):
    @extend_schema(
        operation_id="staff_exchanges_pool",
        tags=TAGS,
        summary=_("The highest-ranked people an exchange may take next"),
        parameters=[
            OpenApiParameter("direction", OpenApiTypes.STR, enum=Direction.values, required=True),
            OpenApiParameter("limit", OpenApiTypes.INT, description=_("At most 500; 50 unless given.")),
        ],
        responses={200: PoolCandidateSerializer(many=True), 400: REFUSED, **ACCESS},
    )
    def get(self, request, pk: int):
        exchange = exchange_for_staff(pk=pk)
        direction = input_validated(DirectionSerializer, data=request.query_params)["direction"]
        limit = input_validated(_LimitSerializer, data=request.query_params)["limit"]
        ranked = priority.ranked_pool(exchange, direction, limit=limit)
        return Response(PoolCandidateSerializer(ranked, many=True).data)


class _LimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=500, required=False, default=50)


class ExchangeAssembleApi(ReadOrManage, StaffApiView):
    @extend_schema_serializer(component_name="StaffExchangeAssembleInput")
    class InputSerializer(DirectionSerializer):
        count = serializers.IntegerField(min_value=1, max_value=ASSEMBLE_MAX)

    @extend_schema(
        operation_id="staff_exchanges_assemble",
        tags=TAGS,
        summary=_("Fill one side of the list up to a number of people, by priority"),
        request=InputSerializer,
        responses={201: EntrySerializer(many=True), 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int):
        exchange = exchange_for_staff(pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        added = exchange_assemble(exchange=exchange, actor=request.user, **data)
        entries = ExchangeEntry.objects.filter(pk__in=[entry.pk for entry in added]).select_related("prisoner")
        return Response(EntrySerializer(entries.order_by("position"), many=True).data, status=status.HTTP_201_CREATED)


class ExchangeEntryAddApi(ReadOrManage, StaffApiView):
    @extend_schema_serializer(component_name="StaffExchangeEntryInput")
    class InputSerializer(DirectionSerializer):
        prisoner = serializers.PrimaryKeyRelatedField(queryset=Prisoner.objects.all())
        reason = _reason_field()

    @extend_schema(
        operation_id="staff_exchanges_entry_add",
        tags=TAGS,
        summary=_("Put a person on the list by hand"),
        request=InputSerializer,
        responses={201: EntrySerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int):
        exchange = exchange_for_staff(pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        entry = exchange_entry_add(exchange=exchange, actor=request.user, **data)
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class ExchangeEntryChangeApi(ReadOrManage, StaffApiView):
    @extend_schema_serializer(component_name="StaffExchangeEntryChange")
    class InputSerializer(serializers.Serializer):
        pinned = serializers.BooleanField(required=False)
        position = serializers.IntegerField(min_value=1, required=False)

    @extend_schema(
        operation_id="staff_exchanges_entry_change",
        tags=TAGS,
        summary=_("Pin a person to his place, or move him"),
        request=InputSerializer,
        responses={200: EntrySerializer, 400: REFUSED, **ACCESS},
    )
    def patch(self, request, pk: int, entry_id: int):
        exchange = exchange_for_staff(pk=pk)
        entry = entry_of_exchange(exchange=exchange, entry_id=entry_id)
        data = input_validated(self.InputSerializer, data=request.data)
        with transaction.atomic():
            if "pinned" in data:
                entry = exchange_entry_pin(entry=entry, pinned=data["pinned"], actor=request.user)
            if "position" in data:
                entry = exchange_entry_move(entry=entry, position=data["position"], actor=request.user)
        return Response(EntrySerializer(entry_of_exchange(exchange=exchange, entry_id=entry_id)).data)

    @extend_schema(
        operation_id="staff_exchanges_entry_remove",
        tags=TAGS,
        summary=_("Take a person off a list not yet released to families"),
        responses={204: None, 400: REFUSED, **ACCESS},
    )
    def delete(self, request, pk: int, entry_id: int):
        exchange = exchange_for_staff(pk=pk)
        exchange_entry_remove(entry=entry_of_exchange(exchange=exchange, entry_id=entry_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExchangeEntryOutcomeApi(ReadOrManage, StaffApiView):
    @extend_schema_serializer(component_name="StaffExchangeEntryOutcome")
    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=EntryOutcome.choices)
        reason = _reason_field(help_text=_("Needed to withdraw a person from the list."))

    @extend_schema(
        operation_id="staff_exchanges_entry_outcome",
        tags=TAGS,
        summary=_("Record what became of a person on the list"),
        request=InputSerializer,
        responses={200: EntrySerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int, entry_id: int):
        exchange = exchange_for_staff(pk=pk)
        entry = entry_of_exchange(exchange=exchange, entry_id=entry_id)
        data = input_validated(self.InputSerializer, data=request.data)
        exchange_entry_set_outcome(entry=entry, actor=request.user, **data)
        return Response(EntrySerializer(entry_of_exchange(exchange=exchange, entry_id=entry_id)).data)


class ExchangeRerankApi(ReadOrManage, StaffApiView):
    @extend_schema_serializer(component_name="StaffExchangeWeights")
    class InputSerializer(serializers.Serializer):
        captivity_month = serializers.FloatField(min_value=0, max_value=priority.MAX_WEIGHT, required=False)
        age_year_over_50 = serializers.FloatField(min_value=0, max_value=priority.MAX_WEIGHT, required=False)
        conscript = serializers.FloatField(min_value=0, max_value=priority.MAX_WEIGHT, required=False)
        wounded_or_sick = serializers.FloatField(min_value=0, max_value=priority.MAX_WEIGHT, required=False)

    @extend_schema(
        operation_id="staff_exchanges_rerank",
        tags=TAGS,
        summary=_("Weigh the priority rules anew and re-sort the list; pinned people keep their places"),
        request=InputSerializer,
        responses={200: ExchangeDetailSerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int):
        exchange = exchange_for_staff(pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        exchange = exchange_rerank(exchange=exchange, weights=priority.weights_read(data), actor=request.user)
        return Response(ExchangeDetailSerializer(_detail(exchange_for_staff(pk=exchange.pk))).data)


class ExchangeReleaseApi(ReadOrManage, StaffApiView):
    @extend_schema_serializer(component_name="StaffExchangeReleaseInput")
    class InputSerializer(serializers.Serializer):
        reason = _reason_field()

    @extend_schema(
        operation_id="staff_exchanges_release",
        tags=TAGS,
        summary=_("Tell the families of the people we receive that they are on the list"),
        request=InputSerializer,
        responses={201: ExchangeSerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int):
        exchange = exchange_for_staff(pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        exchange_inclusion_release(exchange=exchange, actor=request.user, reason=data["reason"])
        return Response(ExchangeSerializer(exchange_for_staff(pk=pk)).data, status=status.HTTP_201_CREATED)


@extend_schema_serializer(component_name="StaffCounterpartyRow")
class CounterpartyRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = CounterpartyRow
        fields = [
            "id",
            "line",
            "surname",
            "given_name",
            "patronymic",
            "date_of_birth",
            "service_number",
            "state",
            "candidate",
            "score",
            "reasons",
            "decision",
            "prisoner",
            "decided_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(component_name="StaffReconcileSummary")
class ReconcileSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    # Rows by match state, and by decision.
    states = serializers.DictField(child=serializers.IntegerField())
    decisions = serializers.DictField(child=serializers.IntegerField())
    undecided = serializers.IntegerField()


@extend_schema_serializer(component_name="StaffCounterpartyList")
class CounterpartyListSerializer(serializers.ModelSerializer):
    summary = serializers.SerializerMethodField()
    rows = CounterpartyRowSerializer(many=True)

    class Meta:
        model = CounterpartyList
        fields = ["id", "direction", "original_name", "uploaded_at", "summary", "rows"]
        read_only_fields = fields

    @extend_schema_field(ReconcileSummarySerializer)
    def get_summary(self, counterparty_list) -> dict:
        return reconcile_summary(counterparty_list)


class CounterpartyListUploadApi(ReadOrManage, StaffApiView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="StaffCounterpartyUpload")
    class InputSerializer(DirectionSerializer):
        file = serializers.FileField(help_text=_("The other side's list, CSV or XLSX."))

    @extend_schema(
        operation_id="staff_exchanges_their_list_upload",
        tags=TAGS,
        summary=_("Upload the other side's list and match every row with our records"),
        request={"multipart/form-data": InputSerializer},
        responses={201: CounterpartyListSerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int):
        exchange = exchange_for_staff(pk=pk)
        data = input_validated(self.InputSerializer, data=request.data)
        uploaded = counterparty_list_upload(
            exchange=exchange, upload=data["file"], direction=data["direction"], actor=request.user
        )
        return Response(CounterpartyListSerializer(uploaded).data, status=status.HTTP_201_CREATED)


class CounterpartyListApi(ReadOrManage, StaffApiView):
    @extend_schema(
        operation_id="staff_exchanges_their_list_read",
        tags=TAGS,
        responses={200: CounterpartyListSerializer, **ACCESS},
    )
    def get(self, request, pk: int, list_id: int):
        exchange = exchange_for_staff(pk=pk)
        return Response(
            CounterpartyListSerializer(counterparty_list_of_exchange(exchange=exchange, list_id=list_id)).data
        )


class CounterpartyRowDecideApi(ReadOrManage, StaffApiView):
    @extend_schema_serializer(component_name="StaffCounterpartyDecision")
    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(
            choices=RowDecision.choices, help_text=_("confirmed, corrected or not_ours.")
        )
        prisoner = serializers.PrimaryKeyRelatedField(
            queryset=Prisoner.objects.all(),
            required=False,
            allow_null=True,
            default=None,
            help_text=_("The record the row is about, when you correct the match."),
        )

    @extend_schema(
        operation_id="staff_exchanges_their_row_decide",
        tags=TAGS,
        summary=_("Confirm a row's match, correct it, or say the person is not on our records"),
        request=InputSerializer,
        responses={200: CounterpartyRowSerializer, 400: REFUSED, **ACCESS},
    )
    def post(self, request, pk: int, row_id: int):
        exchange = exchange_for_staff(pk=pk)
        row = counterparty_row_of_exchange(exchange=exchange, row_id=row_id)
        data = input_validated(self.InputSerializer, data=request.data)
        decided = counterparty_row_decide(row=row, actor=request.user, **data)
        return Response(CounterpartyRowSerializer(decided).data)


class ExchangeExportApi(ReadOrManage, StaffApiView):
    @extend_schema(
        operation_id="staff_exchanges_export",
        tags=TAGS,
        summary=_("The list as CSV, XLSX or PDF, with what a negotiating party needs and no family contacts"),
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in EXPORT_CONTENT_TYPES} | ACCESS,
    )
    def get(self, request, pk: int, fmt: str):
        if fmt not in EXPORT_FORMATS:
            raise NotFound
        return export_response(request, exchange_for_staff(pk=pk), fmt)
