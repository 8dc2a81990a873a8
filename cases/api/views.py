from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.idempotency import idempotent

from .. import selectors, services
from ..filtersets import CaseFilterSet
from ..models import Case, Ring
from .pagination import CasePagination
from .serializers import (
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseListSerializer,
    CaseUpdateSerializer,
    LookupSerializer,
    RingDetailSerializer,
)


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Cases the caller may see (404 outside its scope); POST takes nested victims and indicators."""

    lookup_value_regex = r"[0-9]+"  # a non-numeric id is a 404, never a 500
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilterSet
    pagination_class = CasePagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a query error

    def get_queryset(self):
        qs = Case.objects.restrict(self.request.user).with_list_related()
        if self.action in ("retrieve", "partial_update", "update"):
            qs = qs.prefetch_related("victims", "indicator_links__indicator", "timeline", "transactions")
        return qs.order_by("-priority", "-reported_at", "-id")

    def get_serializer_class(self):
        if self.action == "create":
            return CaseCreateSerializer
        if self.action in ("partial_update", "update"):
            return CaseUpdateSerializer
        if self.action == "retrieve":
            return CaseDetailSerializer
        return CaseListSerializer

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseDetailSerializer},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)])
    def create(self, request, *args, **kwargs):
        return idempotent(request, "cases.create", lambda: self._create(request))

    def _create(self, request):
        user = request.user
        ser = CaseCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        # The policy (case.create) and the scope of the saved row are checked in the service.
        case = services.case_create(
            actor=user, reporting_agency=user.agency, region=data["region"], typology=data["typology"],
            occurred_at=data["occurred_at"], reported_at=data.get("reported_at"),
            loss_amount=data.get("loss_amount"), payment_channel=data["payment_channel"],
            narrative=data.get("narrative", ""), victims=[dict(v) for v in data["victims"]],
            indicators=[dict(i) for i in data.get("indicators", [])],
            transactions=[dict(t) for t in data.get("transactions", [])], request=request,
        )
        case = self.get_queryset().prefetch_related("victims", "indicator_links__indicator", "timeline",
                                                    "transactions").get(pk=case.pk)
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        ser = CaseUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        to_status = data.pop("status", None)
        close_reason = data.pop("close_reason", "")
        version = data.pop("version", None)
        if data:
            from ..services_edit import CaseEditConflict, case_edit
            from .work import CaseConflict

            try:
                case = case_edit(case=case, actor=request.user, data=data, version=version, request=request)
            except CaseEditConflict as exc:
                raise CaseConflict(exc.messages[0]) from exc
        if to_status and to_status != case.status:
            case = services.case_transition(case=case, actor=request.user, to_status=to_status,
                                            close_reason=close_reason, request=request)
        case = self.get_queryset().get(pk=case.pk)
        return Response(CaseDetailSerializer(case).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(responses=CaseListSerializer(many=True))
    @action(detail=True, methods=["get"])
    def linked(self, request, pk=None):
        """Other cases of the same ring that the caller may see."""
        case = self.get_object()
        qs = Case.objects.none()
        if case.ring_id:
            qs = (Case.objects.restrict(request.user).with_list_related().filter(ring_id=case.ring_id)
                  .exclude(pk=case.pk).order_by("-reported_at"))
        page = self.paginate_queryset(qs)
        if page is not None:
            return self.get_paginated_response(CaseListSerializer(page, many=True).data)
        return Response(CaseListSerializer(qs, many=True).data)


class IndicatorLookupView(APIView):
    """``GET /api/v1/indicators/lookup/?value=...``: paste a trace in any common format."""

    @extend_schema(parameters=[OpenApiParameter("value", str, required=True)], responses=LookupSerializer)
    def get(self, request):
        raw = request.query_params.get("value", "").strip()
        if not raw:
            raise ValidationError({"value": [_("请输入要查询的线索。")]})
        return Response(LookupSerializer(selectors.indicator_lookup(user=request.user, raw=raw)).data)


class RingDetailView(APIView):
    """``GET /api/v1/rings/{id}/``: the ring's figures, visible cases, tying indicators, graph."""

    @extend_schema(responses=RingDetailSerializer)
    def get(self, request, pk: int):
        ring = get_object_or_404(Ring, pk=pk)
        return Response(RingDetailSerializer(selectors.ring_detail(user=request.user, ring=ring)).data)
