"""``/api/v1/campaigns/``, ``/api/v1/outreach/``, ``/api/v1/bulletins/``.

Rows come from ``restrict(user)`` (outside one's scope: 404); writes go through services; POSTs
honour ``Idempotency-Key``. Errors are DRF 400s with messages in the caller's language.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.api.idempotency import IdempotentCreateMixin, idempotent
from core.views import private_file_response

from .. import selectors, services
from ..filtersets import BulletinFilterSet, CampaignFilterSet, OutreachFilterSet
from ..models import Bulletin, Campaign, Outreach
from .serializers import (
    BulletinDraftSerializer,
    BulletinSerializer,
    CampaignSerializer,
    EffectSerializer,
    OutreachSerializer,
    ReceiptSerializer,
)

IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                               description="The same key twice creates one object.")


def call(fn, **kwargs):
    """Run a service; its Django errors become DRF's (400 with field messages, 403)."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError(exc.message_dict) from None
        detail = {"non_field_errors": exc.messages}
        if getattr(exc, "rows", None):
            detail["rows"] = exc.rows
        raise ValidationError(detail) from None
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None


class ScopedViewSet(IdempotentCreateMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a query error

    @extend_schema(parameters=[IDEMPOTENCY])
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class CampaignViewSet(ScopedViewSet):
    """Campaigns (every member reads them; the publicity department and centres plan them)."""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet

    def get_queryset(self):
        return (Campaign.objects.restrict(self.request.user).select_related("owner_agency")
                .prefetch_related("typologies", "target_regions", "agencies").order_by("-starts_on", "-id"))

    def perform_create(self, serializer):
        serializer.instance = call(services.campaign_create, actor=self.request.user,
                                   data=dict(serializer.validated_data), request=self.request)

    def perform_update(self, serializer):
        serializer.instance = call(services.campaign_update, campaign=serializer.instance, actor=self.request.user,
                                   data=dict(serializer.validated_data), request=self.request)

    @extend_schema(parameters=[OpenApiParameter("groups_only", bool, required=False)],
                   responses={200: EffectSerializer, 204: None})
    @action(detail=True, methods=["get"])
    def effect(self, request, pk=None):
        """Difference-in-differences of the case rate (per 10,000 per 30 days), with its caveat."""
        groups_only = request.query_params.get("groups_only") in ("1", "true", "True")
        effect = selectors.campaign_effect(campaign=self.get_object(), groups_only=groups_only)
        if effect is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(EffectSerializer(effect).data)


class OutreachViewSet(ScopedViewSet):
    """Outreach: one's own agency's (police: their area; publicity department and office: all)."""

    serializer_class = OutreachSerializer
    filterset_class = OutreachFilterSet

    def get_queryset(self):
        return (Outreach.objects.restrict(self.request.user).with_list_related()
                .prefetch_related("materials", "photos").order_by("-date", "-id"))

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_pk>[0-9]+)", url_name="photo")
    def photo(self, request, pk=None, photo_pk=None):
        """One photo of an outreach the caller may see (404 otherwise); uploads are served
        only this way (core.storage)."""
        photo = self.get_object().photos.filter(pk=photo_pk).first()
        if photo is None or not photo.image:
            raise Http404
        return private_file_response(photo.image)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        photos = data.pop("photos", [])
        serializer.instance = call(services.outreach_create, actor=self.request.user, photos=photos,
                                   request=self.request, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        photos = data.pop("photos", [])
        serializer.instance = call(services.outreach_update, outreach=serializer.instance, actor=self.request.user,
                                   data=data, photos=photos, request=self.request)


class BulletinViewSet(ScopedViewSet):
    """Weekly bulletins: POST drafts one from last week's cases; PATCH edits; publish sends it."""

    serializer_class = BulletinSerializer
    filterset_class = BulletinFilterSet

    def get_queryset(self):
        return Bulletin.objects.restrict(self.request.user).select_related("agency").order_by("-week_start", "-id")

    @extend_schema(request=BulletinDraftSerializer, responses={201: BulletinSerializer}, parameters=[IDEMPOTENCY])
    def create(self, request, *args, **kwargs):
        def handler():
            form = BulletinDraftSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            bulletin = call(services.bulletin_draft, actor=request.user,
                            week_start=form.validated_data.get("week_start"), request=request)
            return Response(BulletinSerializer(bulletin).data, status=status.HTTP_201_CREATED)

        return idempotent(request, request.path, handler)

    def perform_update(self, serializer):
        b = serializer.instance
        data = serializer.validated_data
        serializer.instance = call(services.bulletin_update, bulletin=b, actor=self.request.user,
                                   title=data.get("title", b.title), body=data.get("body", b.body),
                                   advice=data.get("advice", b.advice), request=self.request)

    def retrieve(self, request, *args, **kwargs):
        bulletin = self.get_object()
        services.bulletin_open(bulletin=bulletin, user=request.user)  # reading it counts as opening
        return Response(BulletinSerializer(bulletin).data)

    @extend_schema(request=None, responses=BulletinSerializer, parameters=[IDEMPOTENCY])
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        bulletin = self.get_object()
        return idempotent(request, request.path, lambda: Response(BulletinSerializer(
            call(services.bulletin_publish, bulletin=bulletin, actor=request.user, request=request)).data))

    @extend_schema(responses=ReceiptSerializer(many=True))
    @action(detail=True, methods=["get"])
    def receipts(self, request, pk=None):
        """Who received the bulletin and who has not opened it yet (issuer and office only)."""
        from ..models import BulletinReceipt

        bulletin = self.get_object()
        receipts = (BulletinReceipt.objects.restrict(request.user).filter(bulletin=bulletin)
                    .select_related("agency", "opened_by").order_by("opened_at", "agency__kind", "agency__name"))
        return Response(ReceiptSerializer(receipts, many=True).data)
